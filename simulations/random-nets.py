"""P1 §9 (eq 7.8, 9.5, 9.6, 9.11): mu2, mu3 of random deep vs shallow nets. Usage: python simulations/random-nets.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("random-nets"))
