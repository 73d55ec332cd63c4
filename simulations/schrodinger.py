"""Schrödinger equation of learning, P2 (34)-(36), P1 (11.9). Usage: python simulations/schrodinger.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("schrodinger"))
