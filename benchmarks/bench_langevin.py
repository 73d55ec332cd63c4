"""Langevin ensembles (P2 (19)-(20) as an SDE): emergent's kernel against a vectorised NumPy loop.

Follows the benchmark rules of issue 16 (benchmarks/README.md). Both sides integrate the same
Ornstein-Uhlenbeck problem, dq = -gamma q dt + sqrt(2 D) dW (F = -q^2 / 2, gamma = 0.7,
D = 0.3, q(0) ~ N(1, 0.5^2), t = 0.2), with the same scheme (Euler-Maruyama) and the same step
dt = 1e-3 (200 steps), so at matched accuracy by construction: both errors are reported (mean
and variance at t against the exact OU moments; the Euler-Maruyama bias, 7e-5 in the variance,
is below the sampling error except at the largest ensembles).

* ``emergent``: :func:`emergent.stochastic.langevin.step_ensemble` (Numba, parallel over
  particles, each particle on its own SplitMix64 stream, normals by the Marsaglia polar method);
* ``numpy``: ``rng.standard_normal(M, out=z); q *= 1 - gamma dt; z *= sqrt(2 D dt); q += z``
  per step (NumPy's PCG64 generator, single-threaded, preallocated buffers).

The same thread count on both sides: a table per Numba thread count (``--threads``, default 1
and all cores); NumPy is single-threaded, so in the all-threads table only emergent uses
more. Best of ``--repeats`` calls, interleaved; the model and the compilation are set up
before the clock starts. Memory: modelled DRAM bytes per particle-step (STREAM counting) with
the implied bandwidth, beside the STREAM-like triad of the same run; load average printed.

Usage (one command, prints Markdown tables):

    PYTHONPATH=. .venv/bin/python benchmarks/bench_langevin.py
    [--particles 1e3,1e4,1e5,1e6,1e7] [--threads 1,2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform

import numpy as np
from _timing import interleaved, load, threads, triad_bandwidth
from numba import set_num_threads

from emergent.stochastic.langevin import LangevinModel, step_ensemble

GAMMA, D, DT, STEPS = 0.7, 0.3, 1e-3, 200
MEAN0, SD0 = 1.0, 0.5
# modelled DRAM bytes per particle-step (read + written, no write-allocate)
MODEL_BYTES = {
    # q read and written once per call of STEPS steps (the particle stays in registers)
    "emergent": 16.0 / STEPS,
    # z written by the generator; q *= c (16); z *= a (16); q += z (24)
    "numpy": 8.0 + 16.0 + 16.0 + 24.0,
}





def exact_moments(t: float) -> tuple[float, float]:
    """Mean and variance of the OU process at t from N(MEAN0, SD0^2)."""
    e = np.exp(-GAMMA * t)
    return MEAN0 * e, SD0**2 * e * e + D / GAMMA * (1 - e * e)


def bench(m: int, repeats: int) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """({side: seconds per particle-step}, {side: (mean error, variance error)}) at M = m."""
    q0 = np.random.default_rng(0).normal(MEAN0, SD0, (m, 1))
    model = LangevinModel("ou", gamma=GAMMA, diffusion=D, boundary="free")
    step_ensemble(q0[:10], model, dt=DT, steps=2, seed=0)  # compiled before the clock
    z = np.empty(m)
    q = np.empty(m)
    c, a = 1.0 - GAMMA * DT, np.sqrt(2 * D * DT)
    out = {}

    def emergent() -> None:
        out["emergent"] = step_ensemble(q0, model, dt=DT, steps=STEPS, seed=1)[:, 0]

    def numpy_loop() -> None:
        rng = np.random.default_rng(1)
        q[...] = q0[:, 0]
        for _ in range(STEPS):
            rng.standard_normal(m, out=z)
            np.multiply(q, c, out=q)
            np.multiply(z, a, out=z)
            np.add(q, z, out=q)
        out["numpy"] = q

    fns = {"emergent": emergent, "numpy": numpy_loop}
    for fn in fns.values():
        fn()
    best = interleaved(fns, repeats)
    mean, var = exact_moments(DT * STEPS)
    errors = {k: (abs(float(v.mean()) - mean), abs(float(v.var()) - var))
              for k, v in out.items()}
    return {k: v / (m * STEPS) for k, v in best.items()}, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--particles", default="1e3,1e4,1e5,1e6,1e7",
                    help="comma-separated ensemble sizes M")
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}",
                    help="comma-separated Numba thread counts")
    ap.add_argument("--repeats", type=int, default=5, help="best of this many (interleaved)")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.particles.split(",")]
    counts = sorted({min(int(t), os.cpu_count() or 1) for t in args.threads.split(",")})
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    load("before")
    print(f"OU: gamma {GAMMA}, D {D}, dt {DT}, {STEPS} steps per call (Euler-Maruyama on both "
          "sides)")
    print()
    for t in counts:
        set_num_threads(t)
        threads()
        triad = triad_bandwidth()
        print(f"#### {t} thread(s) (Numba); NumPy: 1 thread")
        print()
        print("| particles | side | ns/particle-step | x numpy | |mean err| | |var err| | "
              "model B/step | GB/s implied | of triad |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for m in sizes:
            per, err = bench(m, args.repeats)
            for side, sec in per.items():
                gbs = MODEL_BYTES[side] / sec / 1e9
                print(f"| {m:.0e} | {side} | {sec * 1e9:.2f} | {per['numpy'] / sec:.1f} | "
                      f"{err[side][0]:.1e} | {err[side][1]:.1e} | {MODEL_BYTES[side]:.3g} | "
                      f"{gbs:.2f} | {gbs * 1e9 / triad:.0%} |")
        after = triad_bandwidth()
        print()
        print(f"STREAM-like triad ({t} thread(s), 24 B/element): {triad / 1e9:.2f} GB/s before, "
              f"{after / 1e9:.2f} GB/s after")
        load(f"after the {t}-thread table")
        print()
    load("after")


if __name__ == "__main__":
    main()
