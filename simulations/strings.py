"""P2 §8: pi/pi^T chain ensemble as a closed relativistic string, eq 64-78. Usage: python simulations/strings.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("strings"))
