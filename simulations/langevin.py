"""Langevin ensemble of trainable variables vs the grid Fokker-Planck solver, P2 eq 19-20. Usage: python simulations/langevin.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("langevin"))
