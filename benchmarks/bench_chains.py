"""Permutation chains x <- f(w x + b) (P2 (1), (49)-(50), (59)): emergent against scipy.sparse.

Follows the benchmark rules of issue 16 (benchmarks/README.md):

* side by side in one process, best of ``--repeats`` calls, the methods interleaved (each
  repetition times every method once, in turn);
* the same thread count on both sides: a table per Numba thread count (``--threads``, default
  1 and all cores). scipy.sparse's matrix-vector product and NumPy's ufuncs are
  single-threaded, so in the 1-thread table both sides use one core and in the all-threads
  table only emergent uses more;
* set-up (building the CSR matrix, the cycle decomposition, compilation) is done before the
  clock starts and timed apart;
* every method is checked before it is timed: linear chains bit for bit against each other
  and against the exact shift (61) where it applies, tanh chains within steps x
  ``TANH_ABS_ERROR`` (1e-15, :mod:`emergent.kernels.fastmath`) of scipy + ``np.tanh``;
* memory: the modelled DRAM bytes per update of every method (STREAM counting: bytes read
  plus bytes written, no write-allocate) and the bandwidth they imply, beside the STREAM-like
  triad (24 B per element, Numba, same thread count) measured in the same run, before and
  after; load average printed before and after.

The chain: N neurons in one cycle (60), edge weights 1 + 0.05 N(0, 1), bias 0.1 N(0, 1), one
subsystem, linear or tanh. Methods:

* ``tiled raw``: :func:`~emergent.kernels.chain_kernels.cycle_advance` on a state already in
  cycle order (``DEPTH`` = 256 steps per pass over memory, tiles in cache), the raw kernel;
* ``stepper/16``: :class:`~emergent.chains.permutation.ChainStepper` called every 16 steps as
  the ``chains`` simulation does by default (state kept in cycle order, natural order written
  after every call, finiteness checked in the same pass);
* ``per-step``: :func:`~emergent.kernels.chain_kernels.chain_steps`, one pass per step;
* ``scipy``: ``v = A @ v; v += b`` (and ``np.tanh(v, out=v)``) with A the N x N CSR matrix.

Then ``emergent run chains`` itself (``--sim-neurons``, default 1e7, its default recording:
4 subsystems, 2048 steps, a record every 16 steps with the exact-shift deviation, the norm and
sampled neurons written to HDF5) through :func:`emergent.runs.io.execute`: its run loop timed
beside the raw kernel advancing the same [4, N] state by the same 2048 steps.

Usage (one command, prints Markdown tables):

    PYTHONPATH=. .venv/bin/python benchmarks/bench_chains.py
    [--sizes 1e5,1e6,1e7,1e8] [--threads 1,2] [--repeats 5] [--sim-neurons 1e7] [--no-sim]
    [--no-tables]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import interleaved, load, threads, triad_bandwidth
from numba import get_num_threads, set_num_threads

from emergent.chains.permutation import DEPTH, TILE, ChainStepper, PermutationChain
from emergent.evolution import evolve
from emergent.kernels.chain_kernels import (
    LINEAR,
    TANH,
    chain_steps,
    cycle_advance,
    gather_cycles,
)
from emergent.kernels.fastmath import TANH_ABS_ERROR

RECORD_EVERY = 16
# modelled DRAM bytes per neuron update, STREAM counting (read + written, no write-allocate)
MODEL_BYTES = {
    # x[perm[i]], perm, w, b read; result written
    "per-step": 40.0,
    # one pass per DEPTH steps: src, w, b read, dst written (the halo re-read is DEPTH / TILE)
    "tiled raw": 32.0 * (1 + DEPTH / TILE) / DEPTH,
    # one kernel pass per 16 steps (32 B) + the natural-order copy: y, order read, x written
    "stepper/16": (32.0 + 24.0) / RECORD_EVERY,
    # A @ v: indptr (int32), indices (int32), data, v[j] read, y written; v += b: 24 B;
    # np.tanh(v, out=v): 16 B
    "scipy": 32.0 + 24.0,
    "scipy+tanh": 32.0 + 24.0 + 16.0,
}






def _steps_for(n: int, per_call: float, rate: float, multiple: int) -> int:
    """Steps per timed call: about `per_call` seconds at `rate` updates/s, a multiple."""
    return max(multiple, int(per_call * rate / n) // multiple * multiple)


def bench_size(n: int, activation: str, repeats: int) -> tuple[dict[str, float], dict[str, float]]:
    """({method: seconds per update}, {side: set-up seconds}) at N = n."""
    rng = np.random.default_rng(0)
    code = TANH if activation == "tanh" else LINEAR
    perm = ((np.arange(n) - 1) % n).astype(np.int64)
    w = 1.0 + 0.05 * rng.standard_normal(n)
    b = 0.1 * rng.standard_normal(n)
    x = rng.uniform(-1, 1, (1, n))
    t0 = time.perf_counter()
    chain = PermutationChain(perm, w, b, activation, "tiled")
    cyc = chain._cycles
    setup = time.perf_counter() - t0

    s_tiled = _steps_for(n, 0.3, 2e9 if code == LINEAR else 5e8, DEPTH)
    s_stepper = _steps_for(n, 0.3, 3e8, RECORD_EVERY)
    s_step = _steps_for(n, 0.3, 1e8, 1)
    s_scipy = _steps_for(n, 0.3, 3e7, 1)

    cur = np.empty_like(x)
    work = np.empty_like(x)

    # the raw kernel: the state already in cycle order, `s_tiled` steps per call
    y0 = np.empty_like(x)
    gather_cycles(x, cyc.order, y0)

    def tiled_raw() -> None:
        cur[...] = y0  # one copy per call of s_tiled >= 256 steps: <= 1/256 of a pass per step
        cycle_advance(cur, work, cyc.starts, cyc.item_c, cyc.item_a, cyc.weights, cyc.bias,
                      s_tiled, code, TILE, DEPTH)

    stepper = ChainStepper(chain)
    times = np.arange(0, s_stepper + 1, RECORD_EVERY)

    def stepper_run() -> np.ndarray:
        return evolve(stepper, x, times)

    def per_step() -> np.ndarray:
        return chain_steps(x, perm, w, b, s_step, code)

    import scipy.sparse as sp

    t0 = time.perf_counter()
    a = sp.csr_matrix((w, (np.arange(n), perm)), shape=(n, n))
    a.sum_duplicates()
    setup_scipy = time.perf_counter() - t0

    def scipy_run(steps: int = s_scipy) -> np.ndarray:
        v = x[0].copy()
        for _ in range(steps):
            v = a @ v
            v += b
            if code == TANH:
                np.tanh(v, out=v)
        return v

    # checks before timing
    ref = scipy_run(17)
    got_step = chain_steps(x, perm, w, b, 17, code)[0]
    got_tiled = chain.apply(x, 17)[0]
    np.testing.assert_array_equal(got_step, got_tiled)
    got_stepper = evolve(ChainStepper(chain), x, [0, 16, 17])[0]
    np.testing.assert_array_equal(got_stepper, got_step)
    err = float(np.abs(got_step - ref).max())
    if code == LINEAR:
        assert err == 0.0, f"linear chain differs from scipy.sparse by {err}"
    else:
        assert err <= 17 * TANH_ABS_ERROR, f"tanh chain differs from scipy + np.tanh by {err}"

    fns = {"tiled raw": tiled_raw, "stepper/16": stepper_run, "per-step": per_step,
           "scipy": scipy_run}
    for fn in fns.values():  # warm-up (compilation, first touch)
        fn()
    best = interleaved(fns, repeats)
    steps = {"tiled raw": s_tiled, "stepper/16": s_stepper, "per-step": s_step,
             "scipy": s_scipy}
    per_update = {m: best[m] / (steps[m] * n) for m in fns}
    return per_update, {"emergent": setup, "scipy": setup_scipy}


def table(threads: int, sizes: list[int], repeats: int, triad: float) -> list[str]:
    """The Markdown rows of one thread count."""
    lines = [f"#### {threads} thread(s) (Numba); scipy.sparse and NumPy: 1 thread",
             "",
             "| N | f | method | ns/update | x scipy | model B/update | GB/s implied | "
             "of triad |",
             "|---:|---|---|---:|---:|---:|---:|---:|"]
    setups = []
    for n in sizes:
        for activation in ("linear", "tanh"):
            per, setup = bench_size(n, activation, repeats)
            if activation == "linear":
                setups.append(f"N = {n:.0e}: emergent (validation, cycle decomposition) "
                              f"{setup['emergent']:.3f} s, scipy (CSR matrix) "
                              f"{setup['scipy']:.3f} s")
            for m, sec in per.items():
                key = "scipy+tanh" if (m == "scipy" and activation == "tanh") else m
                gbs = MODEL_BYTES[key] / sec / 1e9
                label = "scipy + np.tanh" if key == "scipy+tanh" else m
                lines.append(f"| {n:.0e} | {activation} | {label} | {sec * 1e9:.3f} | "
                             f"{per['scipy'] / sec:.1f} | {MODEL_BYTES[key]:.3g} | {gbs:.2f} | "
                             f"{gbs * 1e9 / triad:.0%} |")
    return [*lines, "", "Set-up, not in the table: " + "; ".join(setups) + "."]


def bench_simulation(n: int, repeats: int) -> list[str]:
    """`emergent run chains` at `n` neurons, default recording: its run loop vs the raw kernel."""
    import emergent.runs.simulations.chains as chains_sim
    from emergent.runs.io import execute
    from emergent.runs.registry import get

    sim = get("chains")
    params = sim.resolve({"neurons": n})
    loop_time: list[float] = []
    original = chains_sim.evolve_run

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a pass-through wrapper
        t0 = time.perf_counter()
        out = original(*args, **kwargs)
        loop_time.append(time.perf_counter() - t0)
        return out

    p = sim.typed(params)
    rows = p.subsystems + 1
    steps = p.steps
    # the raw kernel on the same [rows, N] state, the same steps, in one call
    rng = np.random.default_rng(0)
    chain = PermutationChain(((np.arange(n) - 1) % n).astype(np.int64), method="tiled")
    cyc = chain._cycles
    y0 = rng.uniform(-0.5, 0.5, (rows, n))
    cur, work = np.empty_like(y0), np.empty_like(y0)
    stepper = ChainStepper(chain)
    times = np.arange(0, steps + 1, p.record_every)
    raw, stepping, whole = [], [], []
    chains_sim.evolve_run = timed
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for k in range(max(1, repeats // 2)):  # the three interleaved
                cur[...] = y0
                t0 = time.perf_counter()
                cycle_advance(cur, work, cyc.starts, cyc.item_c, cyc.item_a, cyc.weights,
                              cyc.bias, steps, LINEAR, TILE, DEPTH)
                raw.append(time.perf_counter() - t0)
                # stepping alone: ChainStepper every record_every steps, no recording
                t0 = time.perf_counter()
                evolve(stepper, y0, times)
                stepping.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                execute(sim, params, 0, Path(tmp) / f"run{k}.h5", force=True, quiet=True)
                whole.append(time.perf_counter() - t0)
                (Path(tmp) / f"run{k}.h5").unlink()
    finally:
        chains_sim.evolve_run = original
    updates = rows * n * steps
    lo, ra, st = min(loop_time), min(raw), min(stepping)
    return [
        f"`emergent run chains --set neurons={n:.0e}` (defaults: {rows} subsystems, {steps} "
        f"steps, record every {p.record_every}, {p.activation}, {get_num_threads()} threads):",
        "",
        "| what | s | ns/update | x raw kernel |",
        "|---|---:|---:|---:|",
        f"| raw kernel (cycle_advance, {steps} steps in one call) | {ra:.3f} | "
        f"{ra / updates * 1e9:.3f} | 1.00 |",
        f"| ChainStepper every {p.record_every} steps, no recording | {st:.3f} | "
        f"{st / updates * 1e9:.3f} | {st / ra:.2f} |",
        f"| the simulation's run loop (stepping + recording + HDF5) | {lo:.3f} | "
        f"{lo / updates * 1e9:.3f} | {lo / ra:.2f} |",
        f"| the whole run (set-up, loop, x_final, continuum study) | {min(whole):.3f} | "
        f"{min(whole) / updates * 1e9:.3f} | {min(whole) / ra:.2f} |",
    ]


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
    ap.add_argument("--sizes", default="1e5,1e6,1e7,1e8", help="comma-separated N values")
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}",
                    help="comma-separated Numba thread counts")
    ap.add_argument("--repeats", type=int, default=5, help="best of this many (interleaved)")
    ap.add_argument("--sim-neurons", type=float, default=1e7, help="N of `emergent run chains`")
    ap.add_argument("--no-sim", action="store_true", help="skip `emergent run chains`")
    ap.add_argument("--no-tables", action="store_true", help="only `emergent run chains`")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    thread_counts = sorted({min(int(t), os.cpu_count() or 1) for t in args.threads.split(",")})
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    load("before")
    print()
    for t in [] if args.no_tables else thread_counts:
        set_num_threads(t)
        threads()
        before = triad_bandwidth()
        lines = table(t, sizes, args.repeats, before)
        after = triad_bandwidth()
        print("\n".join(lines))
        print()
        print(f"STREAM-like triad ({t} thread(s), 24 B/element): {before / 1e9:.2f} GB/s before, "
              f"{after / 1e9:.2f} GB/s after (the table divides by the first)")
        load(f"after the {t}-thread table")
        print()
    if not args.no_sim:
        set_num_threads(max(thread_counts))
        threads()
        print("\n".join(bench_simulation(int(args.sim_neurons), args.repeats)))
        print()
    nb, tb, ts = bench_holography()
    print(f"holography: {nb} bulk neurons, build {tb:.2f} s, w_d(eps) + d(i, j) {ts:.2f} s "
          f"(target < 5 s)")
    load("after")


if __name__ == "__main__":
    main()
