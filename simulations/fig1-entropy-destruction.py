"""P1 Fig. 1: -Delta F(log lambda) and its phases around (9.4), eq 8.10, 9.1-9.4. Usage: python simulations/fig1-entropy-destruction.py [emergent run options]"""
import sys

from emergent.cli import run_script

if __name__ == "__main__":
    sys.exit(run_script("fig1-entropy-destruction"))
