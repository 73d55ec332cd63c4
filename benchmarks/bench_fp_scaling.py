"""Fokker-Planck kernels of P2 (20): cost per cell-step against grid size, with the triad.

Two tables, each for 1 and 2 threads (--threads), timed best of --repeat, every kernel
interleaved with a STREAM-like triad (c = a + s b, 24 B per element moved, plus 8 B of
write-allocate: 32 B counted) run on arrays of the same size in the same loop, load average
printed before and after:

  adi      2D Douglas ADI (Crank-Nicolson), the six-pass reference path
           (fp_kernels.adi_steps_reference) against the fused two-pass kernel
           (fp_adi.fused_steps, serial and parallel copies, and the copy the stepper's
           measured thread choice picks), 256^2 .. 2048^2; modelled DRAM bytes per cell-step
           (reference 208 B: d = 0, two A-applications, two line solves with their factor
           scratch, u += d; fused: fp_adi.modelled_bytes) and the bandwidth they imply;
  scaling  cost per cell-step of the public stepper (FokkerPlanck.step) for "cn" and
           "explicit" in 2D (128^2 .. 2048^2) and 3D (32^3 .. 160^3).

Problem: Ornstein-Uhlenbeck, F = -|q|^2 / 2, D = gamma = 1, box [-6, 6]^K, zero flux,
Gaussian start; dt = 0.01 for "cn", 0.9 x the stability limit for "explicit".

Usage: python benchmarks/bench_fp_scaling.py [--section adi|scaling|all] [--threads 1,2]
       [--repeat 5] [--quick] [--sizes 1000,1024,1040]   (--sizes: the adi section's grids)
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

import numba
import numpy as np
from _timing import interleaved as _interleaved
from _timing import triad_kernel

from emergent.kernels import fp_adi as A
from emergent.kernels import fp_kernels as K
from emergent.stochastic.fokker_planck import FokkerPlanck, Grid, face_coefficients

REFERENCE_BYTES = 208
"""Modelled DRAM bytes per cell-step of the reference 2D ADI path: zero d (8 B written + 8 B
write-allocate), two A-applications (each reads u, a, b, d and writes d: 40 B), the axis-0
solve vectorised over rows (reads d, a, b; writes t and its factor scratch, reads both back:
56 B), the axis-1 line solve (reads d, a, b, writes t: 32 B, line scratch in cache), and
u += d (24 B): 16 + 80 + 56 + 32 + 24 = 208 B."""


def interleaved(fns, repeat):
    """Best-of-`repeat` wall times of the callables, run round robin (`_timing.interleaved`)."""
    return list(_interleaved(dict(enumerate(fns)), repeat).values())


def ou(dim, n):
    grid = Grid((-6.0,) * dim, (6.0,) * dim, (n,) * dim)
    q = grid.mesh()
    f = -0.5 * sum(x ** 2 for x in q)
    p = np.exp(-sum((x - 0.5) ** 2 for x in q))
    return grid, f, p / p.sum()


def adi_section(sizes, threads_list, repeat):
    print(f"2D Douglas ADI, ns per cell-step (best of {repeat}); GB/s = modelled bytes / "
          "time; triad GB/s counts 32 B per element")
    hdr = (f"{'grid':>7} {'thr':>3} {'reference':>9} {'fused-1':>8} {'fused-par':>9} "
           f"{'stepper':>8} {'choice':>6} {'speed-up':>8} {'ref GB/s':>8} {'fus GB/s':>8} "
           f"{'triad':>6} {'fus/triad':>9}")
    print(hdr)
    print("-" * len(hdr))
    for n in sizes:
        grid, f, p = ou(2, n)
        co = face_coefficients(grid, f, gamma=1.0, diffusion=1.0)
        pad = [(a.reshape((1,) + a.shape), b.reshape((1,) + b.shape)) for a, b in co]
        dt = 0.01
        steps = max(2, int(3e7 // (n * n)))
        cells = n * n
        tri = [np.empty(cells), np.ones(cells), np.ones(cells)]
        for threads in threads_list:
            if threads > numba.config.NUMBA_NUM_THREADS:
                continue
            numba.set_num_threads(threads)
            plan1 = A.AdiPlan(co, dt, threads=1)
            u = p.reshape(plan1.shape3).copy()
            stepper = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=dt, method="cn")
            q = p.reshape((1, n, n))
            K.adi_steps_reference(q, pad, dt, 1)
            plan1.steps(p, 1)
            A.fused_steps(u, plan1.coefficients, plan1.factors, dt, 1, True, plan1.y,
                          grouped=plan1.grouped)
            stepper.step(p, 1)  # builds its plan and measures its thread choice
            triad_kernel(*tri, 0.5, 1)
            t_ref, t_f1, t_fp, t_st, t_tr = interleaved([
                partial(K.adi_steps_reference, q, pad, dt, steps),
                partial(A.fused_steps, u, plan1.coefficients, plan1.factors, dt, steps, False,
                        plan1.y, grouped=plan1.grouped),
                partial(A.fused_steps, u, plan1.coefficients, plan1.factors, dt, steps, True,
                        plan1.y, grouped=plan1.grouped),
                partial(stepper.step, p, steps),
                partial(triad_kernel, *tri, 0.5, 5),
            ], repeat)
            ns = [t / (cells * steps) * 1e9 for t in (t_ref, t_f1, t_fp, t_st)]
            triad_gbs = 32 * cells * 5 / t_tr / 1e9
            fused_bytes = A.modelled_bytes(2)
            best_fused = min(ns[1], ns[2])
            choice = "par" if stepper._adi.parallel else "1"
            print(f"{n:>5}^2 {threads:>3} {ns[0]:9.2f} {ns[1]:8.2f} {ns[2]:9.2f} {ns[3]:8.2f} "
                  f"{choice:>6} {ns[0] / ns[1]:8.2f} {REFERENCE_BYTES / ns[0]:8.1f} "
                  f"{fused_bytes / best_fused:8.1f} {triad_gbs:6.1f} "
                  f"{fused_bytes / best_fused / triad_gbs:9.0%}")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    print(f"modelled bytes per cell-step: reference {REFERENCE_BYTES}, fused serial "
          f"{A.modelled_bytes(2)}, fused parallel {A.modelled_bytes(2, parallel=True)}; "
          "speed-up = reference / fused-1 (one thread each)")


def scaling_section(sizes2, sizes3, threads_list, repeat):
    print(f"\nFokkerPlanck.step, ns per cell-step (best of {repeat}), with the triad of the "
          "same loop")
    hdr = (f"{'K':>2} {'grid':>7} {'method':>8} {'thr':>3} {'ns/cell-step':>12} "
           f"{'model B':>7} {'GB/s':>6} {'triad':>6}")
    print(hdr)
    print("-" * len(hdr))
    for dim, sizes in ((2, sizes2), (3, sizes3)):
        for n in sizes:
            grid, f, p = ou(dim, n)
            cells = n ** dim
            tri = [np.empty(cells), np.ones(cells), np.ones(cells)]
            for method in ("cn", "explicit"):
                probe = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=1.0, method="cn")
                dt = 0.01 if method == "cn" else 0.9 * probe.dt_limit
                if method == "cn":
                    model = A.modelled_bytes(dim)
                elif dim == 3:
                    model = 8 * (1 + 6 + 2)  # u, six coefficients; v written + allocated
                else:
                    model = None  # temporally blocked: DRAM bytes per update depend on depth
                steps = max(2, int((3e7 if method == "cn" else 1.5e8) // cells))
                for threads in threads_list:
                    if threads > numba.config.NUMBA_NUM_THREADS:
                        continue
                    numba.set_num_threads(threads)
                    st = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=dt, method=method)
                    out = np.empty_like(p)
                    st.step(p, 1, out=out)
                    triad_kernel(*tri, 0.5, 1)
                    t_st, t_tr = interleaved([partial(st.step, p, steps, out=out),
                                              partial(triad_kernel, *tri, 0.5, 5)], repeat)
                    ns = t_st / (cells * steps) * 1e9
                    triad_gbs = 32 * cells * 5 / t_tr / 1e9
                    gbs = f"{model / ns:6.1f}" if model else "     -"
                    mb = f"{model:7d}" if model else "      -"
                    print(f"{dim:>2} {n:>5}^{dim} {method:>8} {threads:>3} {ns:12.2f} {mb} "
                          f"{gbs} {triad_gbs:6.1f}")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--section", default="all", choices=("adi", "scaling", "all"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="smaller grids, 3 repeats")
    ap.add_argument("--sizes", default=None,
                    help="adi section grids n (n x n), e.g. 1000,1024,1040 (default 256 .. 2048)")
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    repeat = 3 if a.quick else a.repeat
    start = time.perf_counter()
    print(f"load average before: {os.getloadavg()}; Numba threads available: "
          f"{numba.config.NUMBA_NUM_THREADS}")
    if a.section in ("adi", "all"):
        sizes = (256, 512) if a.quick else (256, 512, 1024, 2048)
        if a.sizes:
            sizes = tuple(int(n) for n in a.sizes.split(","))
        adi_section(sizes, threads, repeat)
    if a.section in ("scaling", "all"):
        scaling_section((128, 512) if a.quick else (128, 256, 512, 1024, 2048),
                        (32, 64) if a.quick else (32, 64, 96, 128, 160), threads, repeat)
    print(f"load average after: {os.getloadavg()}; whole process "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
