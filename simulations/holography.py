"""P2 §10: chain lengths of a bulk network from its boundary weight matrix, eq 97-100. Usage: python simulations/holography.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("holography"))
