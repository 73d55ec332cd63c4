"""Fokker-Planck evolution of trainable variables with entropy production, P2 eq 18-22, 45, P1 11.5. Usage: python simulations/fokker-planck.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("fokker-planck"))
