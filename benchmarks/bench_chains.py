"""Permutation-chain kernels against scipy.sparse and dense NumPy, with a STREAM-like bandwidth.

Evolution measured: x(t + 1) = w x(t) + b with w the single-cycle permutation of P2 (60) (one
subsystem, linear f, per-neuron weights and bias arrays), at N = 1e3, 1e5, 1e7 neurons:

* ``kernel/step``  emergent's per-step Numba kernel (chain_steps, parallel over neurons);
* ``kernel/tiled`` emergent's temporally blocked kernel (cycle_steps_tiled: cycle order,
  `depth` steps per pass over memory, tiles in cache, parallel over tiles);
* ``scipy.sparse`` y = A @ x; y += b with A the CSR permutation matrix (w folded into A);
* ``numpy dense``  y = W @ x + b with the dense N x N matrix (only where it fits, N <= 2e4).

Every method is checked against the exact shift solution before it is timed. The STREAM-like
triad a = b + s c (parallel Numba, 24 bytes per element, no write-allocate counted, as STREAM
does) gives the bandwidth limit; the per-step kernel moves 40 bytes per neuron update (reads x,
perm, w, b; writes the result), so its fraction of the limit is 40 B x updates/s / triad.
Holography: w_d(eps) for a bulk of ~1e5 neurons in 100 chains (P2 eq 99-100).

Usage: .venv/bin/python benchmarks/bench_chains.py [--sizes 1e3,1e5,1e7] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from numba import get_num_threads, njit, prange

from emergent.chains.permutation import DEPTH, TILE
from emergent.kernels.chain_kernels import LINEAR, chain_steps, cycle_order, cycle_steps_tiled

BYTES_PER_UPDATE = 40  # kernel/step: x, perm, w, b read + result written (8 B each)


@njit(cache=True, parallel=True)
def _triad(a, b, c, s):
    for i in prange(a.size):
        a[i] = b[i] + s * c[i]


@njit(cache=True, parallel=True)
def _copy(a, b):
    for i in prange(a.size):
        a[i] = b[i]


def stream_bandwidth(n: int = 20_000_000, repeats: int = 7) -> tuple[float, float]:
    """Best-of-`repeats` (triad, copy) bandwidth in bytes/s, STREAM counting (24 B, 16 B)."""
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    _triad(a, b, c, 3.0)
    _copy(a, b)
    best_t = best_c = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        _triad(a, b, c, 3.0)
        best_t = min(best_t, time.perf_counter() - t0)
        t0 = time.perf_counter()
        _copy(a, b)
        best_c = min(best_c, time.perf_counter() - t0)
    return 24 * n / best_t, 16 * n / best_c


def _time(fn, min_seconds: float) -> tuple[float, int]:
    """Seconds per call of fn() (best of repeated batches lasting >= min_seconds in total)."""
    fn()
    calls, total, best = 0, 0.0, np.inf
    while total < min_seconds or calls < 3:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        total += dt
        calls += 1
    return best, calls


def bench_size(n: int, min_seconds: float) -> list[tuple[str, int, float]]:
    """[(method, steps per call, seconds per call)] for one N."""
    rng = np.random.default_rng(0)
    perm = ((np.arange(n) - 1) % n).astype(np.int64)
    w = np.ones(n)
    b = np.zeros(n)
    x = rng.standard_normal((1, n))
    out: list[tuple[str, int, float]] = []

    steps = max(1, min(1000, int(2e8 // n)))
    got = chain_steps(x, perm, w, b, steps, LINEAR)
    assert np.array_equal(got[0], np.roll(x[0], steps)), "kernel/step is not the exact shift"
    sec, _ = _time(lambda: chain_steps(x, perm, w, b, steps, LINEAR), min_seconds)
    out.append(("kernel/step", steps, sec))

    order, starts = cycle_order(perm)
    y = np.ascontiguousarray(x[:, order])
    wo, bo = w[order], b[order]
    tsteps = max(1024, min(4096, int(1e10 // n)))
    tile, depth = TILE, DEPTH
    got = cycle_steps_tiled(y, starts, wo, bo, tsteps, LINEAR, tile, depth)
    back = np.empty_like(got)
    back[:, order] = got
    assert np.array_equal(back[0], np.roll(x[0], tsteps)), "kernel/tiled is not the exact shift"
    sec, _ = _time(lambda: cycle_steps_tiled(y, starts, wo, bo, tsteps, LINEAR, tile, depth),
                   min_seconds)
    out.append(("kernel/tiled", tsteps, sec))

    import scipy.sparse as sp

    a = sp.csr_matrix((w, (np.arange(n), perm)), shape=(n, n))
    xs = x[0].copy()

    def scipy_run() -> np.ndarray:
        v = xs
        for _ in range(ssteps):
            v = a @ v
            v += b
        return v

    ssteps = max(1, min(1000, int(3e6 // n)))
    assert np.array_equal(scipy_run(), np.roll(xs, ssteps)), "scipy.sparse is not the shift"
    sec, _ = _time(scipy_run, min_seconds)
    out.append(("scipy.sparse", ssteps, sec))

    if n <= 20_000:
        dense = a.toarray()

        def dense_run() -> np.ndarray:
            v = xs
            for _ in range(dsteps):
                v = dense @ v + b
            return v

        dsteps = max(1, min(1000, int(1e8 // (n * n))))
        assert np.allclose(dense_run(), np.roll(xs, dsteps)), "dense is not the shift"
        sec, _ = _time(dense_run, min_seconds)
        out.append(("numpy dense", dsteps, sec))
    else:
        out.append(("numpy dense", 0, float("nan")))
    return out


def bench_holography(bulk: int = 100_000, chains: int = 100) -> tuple[int, float, float]:
    """(bulk neurons, seconds to build the bulk, seconds for w_d and d) at eps = 0.99."""
    from emergent.chains.holography import boundary_weights, bulk_chains, chain_lengths

    rng = np.random.default_rng(1)
    lengths = rng.integers(bulk // chains // 2, 3 * bulk // chains // 2 + 1, chains)
    t0 = time.perf_counter()
    bc = bulk_chains(lengths, crossings=[(0, 10, 1, 20), (2, 30, 3, 5)])
    t1 = time.perf_counter()
    d = chain_lengths(boundary_weights(bc.w, bc.n_boundary, 0.99), 0.99)
    t2 = time.perf_counter()
    clean = np.arange(4, chains)
    err = np.abs(d[bc.targets[clean], bc.sources[clean]] - lengths[clean]).max()
    assert err < 1e-6, f"holography recovered lengths off by {err}"
    return int(bc.n - bc.n_boundary), t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e3,1e5,1e7", help="comma-separated N values")
    ap.add_argument("--seconds", type=float, default=1.0, help="minimum timing per method")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numba threads {get_num_threads()}, load average {os.getloadavg()[0]:.1f}")
    triad, copy = stream_bandwidth()
    print(f"STREAM-like bandwidth: triad {triad / 1e9:.2f} GB/s, copy {copy / 1e9:.2f} GB/s")
    print()
    head = (f"{'N':>10} {'method':<14} {'steps':>6} {'s/call':>9} {'Mupd/s':>10} "
            f"{'x scipy':>9} {'B/W frac':>9}")
    results = [(n, bench_size(n, args.seconds)) for n in sizes]
    # the shared machine's bandwidth drifts: measure again after the kernels, keep the best
    triad2, _ = stream_bandwidth()
    triad = max(triad, triad2)
    print(f"STREAM-like triad again after the kernels: {triad2 / 1e9:.2f} GB/s; "
          f"limit used: {triad / 1e9:.2f} GB/s")
    print()
    print(head)
    print("-" * len(head))
    for n, rows in results:
        rate = {m: (s * n / sec if s else float("nan")) for m, s, sec in rows}
        for m, s, sec in rows:
            frac = (f"{BYTES_PER_UPDATE * rate[m] / triad:9.2f}" if m == "kernel/step"
                    else f"{'':>9}")
            if m == "kernel/tiled":
                frac = f"{BYTES_PER_UPDATE * rate[m] / triad:8.1f}*"
            print(f"{n:>10} {m:<14} {s:>6} {sec:>9.2e} {rate[m] / 1e6:>10.1f} "
                  f"{rate[m] / rate['scipy.sparse']:>9.1f} {frac}")
    print("* effective: the tiled kernel reuses cached data over `depth` steps, so its "
          "equivalent per-step traffic exceeds the bandwidth limit")
    print()
    nb, tb, ts = bench_holography()
    print(f"holography: {nb} bulk neurons, build {tb:.2f} s, w_d(eps) + d(i, j) {ts:.2f} s "
          f"(target < 5 s)")


if __name__ == "__main__":
    main()
