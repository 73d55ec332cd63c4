"""Madelung equations of learning with and without the learning terms, P2 (31)-(35). Usage: python simulations/madelung.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("madelung"))
