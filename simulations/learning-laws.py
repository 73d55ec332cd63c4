"""P1 (7.6), (7.11), (10.1), P2 (15), (17): the laws of learning on real SGD trajectories. Usage: python simulations/learning-laws.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("learning-laws"))
