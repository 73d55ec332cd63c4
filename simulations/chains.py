"""P2 eq 49-63: a permutation-weight chain moves as a wave. Usage: python simulations/chains.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("chains"))
