"""Holography (P2 (97)-(100)): time to solve for the boundary weights w_d(eps) of a large bulk.

The speed goal of issue 6, "w_d(eps) for 1e5 bulk neurons in under 5 s", is a performance
target, not a paper claim, so it is measured here and not in the `holography` simulation's
checks. The bulk is built as the simulation builds it (random chain lengths in [500, 1500],
random crossings; other draws than the simulation's), at the default scale (100 chains,
about 1e5 bulk neurons) and at the ``--full`` scale (400 chains, about 4e5). Every solve is
checked first (the recovered lengths of the chains without crossings to 1e-9); then the
solve of w_d (99) and d (100) for one eps is timed apart from building the bulk, best of
`--repeat`, and the whole process time is printed. The time per 1e5 bulk neurons is compared
with the 5 s target. Threads: whatever NumPy/SciPy use (the solve is SciPy's sparse LU, single
threaded); the load average is printed before and after.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_holography.py [--chains 100,400]
       [--repeat 3] [--eps 0.99]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from emergent.chains.holography import BoundaryScan, bulk_chains, random_crossings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_BULK = 100_000


def build(chains: int, crossings: int, seed: int = 0, lo: int = 500, hi: int = 1500):
    """The bulk of the `holography` simulation: (bulk, chain lengths, crossings)."""
    rng = np.random.default_rng([seed, 0])
    lengths = rng.integers(lo, hi + 1, chains)
    cross = random_crossings(lengths, crossings, np.random.default_rng([seed, 1]))
    return bulk_chains(lengths, crossings=cross), lengths, cross


def solve(bulk, eps: float):
    """w_d (99) and d (100) of the bulk at one eps."""
    return BoundaryScan(bulk.w, bulk.n_boundary, [eps]).map(0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chains", default="100,400", help="comma-separated chain counts")
    ap.add_argument("--crossings", default="10,100", help="crossings per chain count")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--eps", type=float, default=0.99)
    args = ap.parse_args()
    t_process = time.perf_counter()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average before {os.getloadavg()}")
    print(f"{'chains':>7} {'bulk':>8} {'build s':>8} {'solve s':>8} {'s / 1e5':>8} "
          f"{'target':>7} {'max err':>8}")
    for chains, crossings in zip((int(c) for c in args.chains.split(",")),
                                 (int(c) for c in args.crossings.split(",")), strict=True):
        t0 = time.perf_counter()
        bulk, lengths, cross = build(chains, crossings)
        t_build = time.perf_counter() - t0
        nbulk = bulk.n - bulk.n_boundary
        seconds, m = best(lambda bulk=bulk: solve(bulk, args.eps), args.repeat)
        crossed = {c for cr in cross for c in (cr[0], cr[2])}
        clean = np.array([c not in crossed for c in range(lengths.size)])
        tgt, src = bulk.targets[clean], bulk.sources[clean]
        expected = bulk.expected_lengths()
        err = float(np.abs(m.lengths[tgt, src] - expected[tgt, src]).max())
        assert err < 1e-9, f"recovered lengths off by {err}"
        per = seconds * TARGET_BULK / nbulk
        print(f"{chains:>7} {nbulk:>8} {t_build:>8.2f} {seconds:>8.2f} {per:>8.2f} "
              f"{'met' if per < TARGET_SECONDS else 'MISSED':>7} {err:>8.1e}")
    print(f"# target: w_d(eps) for {TARGET_BULK:.0e} bulk neurons in < {TARGET_SECONDS:g} s "
          f"(issue 6); whole process {time.perf_counter() - t_process:.1f} s; "
          f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
