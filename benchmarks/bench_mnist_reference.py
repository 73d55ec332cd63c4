"""Seconds per epoch of `mnist-thermodynamics` and what they imply for the default `reproduce`
and for the 10^4-epoch, 4-seed reference run (issue 18), in one process.

Measures, best of N interleaved: one training epoch of the deep and the shallow net (NumPy and
Numba backends, batch 10) on the bundled digits, and one analysed epoch (the SeptupleRecorder
row: U_d, both readings of U, G and its spectrum) per net; prints the load average before and
after and the projected wall time of
- the default run (1,000 epochs, 4 seeds, log_per_decade 3) on `--cores` cores, and
- the reference run (10^4 epochs, 4 seeds, log_per_decade 6) with one process per seed.

Usage: .venv/bin/python benchmarks/bench_mnist_reference.py [--samples 4000] [--analysis 200]
       [--repeat 3] [--cores 2]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import best  # noqa: E402

from emergent.learning import callback, data  # noqa: E402
from emergent.learning import numpy_backend as nb  # noqa: E402
from emergent.learning.training import TrainingStepper  # noqa: E402


def main() -> None:
    """Print the table (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=4000)
    ap.add_argument("--analysis", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cores", type=int, default=2)
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    split = data.training_split(a.samples, 0, seed=0)
    y = data.encode_targets(split.y_train)
    per_epoch: dict[tuple[str, str], float] = {}
    steppers = {b: TrainingStepper(split.x_train, y, backend=b, seed=0)
                for b in ("numpy", "numba")}
    states = {(b, n): {n: nb.init_layers(nb.PAPER_ARCHITECTURES[n], seed=0)}
              for b in steppers for n in ("deep", "shallow")}
    for key in states:  # warm up (Numba compiles)
        states[key] = steppers[key[0]].advance(states[key], 0, 1)
    for _ in range(a.repeat):  # interleaved
        for key in states:
            t, states[key] = best(lambda k=key: steppers[k[0]].advance(states[k], 1, 2), 1)
            per_epoch[key] = min(per_epoch.get(key, np.inf), t)
    rec = callback.SeptupleRecorder(
        epochs=[0], x_analysis=split.x_train[:a.analysis], y_analysis=y[:a.analysis],
        x_train=split.x_train, y_train=y, labels_train=split.y_train,
        x_test=split.x_test, labels_test=split.y_test)
    analysed = {}
    for n in ("deep", "shallow"):
        w, b = states[("numpy", n)][n]
        analysed[n], _ = best(lambda w=w, b=b: rec.record(1, w, b), a.repeat)
    print(f"\n{a.samples} training samples, batch 10; analysis on {a.analysis} samples")
    print("| net | numpy s/epoch | numba s/epoch | s per analysed epoch |")
    print("| --- | ---: | ---: | ---: |")
    for n in ("deep", "shallow"):
        print(f"| {n} | {per_epoch[('numpy', n)]:.4f} | {per_epoch[('numba', n)]:.4f} | "
              f"{analysed[n]:.2f} |")
    train = min(per_epoch[("numpy", "deep")] + per_epoch[("numpy", "shallow")],
                per_epoch[("numba", "deep")] + per_epoch[("numba", "shallow")])
    ana = analysed["deep"] + analysed["shallow"]
    for name, epochs, per_decade in (("default reproduce", 1000, 3), ("reference run", 10000, 6)):
        logged = callback.log_spaced_epochs(epochs, per_decade=per_decade).size
        cpu = 4 * (epochs * train + logged * ana)
        print(f"{name}: {epochs} epochs x 4 seeds, {logged} analysed epochs: {cpu:.0f} CPU s, "
              f"~{cpu / min(a.cores, 4) / 60:.1f} min on {min(a.cores, 4)} free cores")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
