"""Classical limit of learning: Hamilton-Jacobi equation and characteristics, P2 (37)-(46). Usage: python simulations/hamilton-jacobi.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("hamilton-jacobi"))
