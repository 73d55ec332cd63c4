"""P1 §10, Figs. 2-7 (eq 2.11, 3.2-3.4, 5.6, 7.8, 9.4-9.6, 10.5). Usage: python simulations/mnist-thermodynamics.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("mnist-thermodynamics"))
