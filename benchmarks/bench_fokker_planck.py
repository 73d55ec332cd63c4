"""Fokker-Planck / Langevin benchmark: emergent vs py-pde, fplanck, FiPy, Dedalus.

Default: the matched-accuracy tables of benchmarks/fp_matched.py (issue 16 rules: OU in 1D,
2D, 3D at L1 1e-3, 1e-5, 1e-7, each solver at its cheapest resolution reaching the target,
set-up timed apart from stepping, 1-thread and all-threads tables, best-of-N interleaved, load
printed), then the explicit kernel's throughput against a STREAM-like triad, and Langevin
particle-steps per second, with 1 and 2 threads.

Usage: python benchmarks/bench_fokker_planck.py [--matched-only] [--threads 1,all]
[--dims 1,2,3] [--budget S] [--repeat N] [--no-peers] [--quick]
(peers are imported if installed; a missing peer is skipped with a message). Single sections:
--bandwidth-only (explicit 2D kernel vs the triad), --depth-sweep (the blocked kernel's depth
and strip width), --tails (double-well runs whose far tails would be subnormal), --compile
(cold and warm Numba compile times, fresh cache), --sizes (explicit 2D stepper vs
the per-step kernel from 128^2 to 2048^2), --large-peers 1024 [--peer-limit S] (the 2D
peers at 1,024^2, each in its own process under a wall-clock limit; same grid, NOT matched
accuracy: a scaling record, not a ratio to publish).
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np
from _timing import best
from _timing import triad_kernel as triad

T_END = 1.0
MEAN = (1.0, -0.5)
VAR = (0.25, 0.4)


def exact_points(x, dim):
    """Exact OU density at points x (list of K arrays)."""
    out = 1.0
    for k in range(dim):
        m = MEAN[k] * np.exp(-T_END)
        v = VAR[k] * np.exp(-2 * T_END) + (1 - np.exp(-2 * T_END))
        out = out * np.exp(-(x[k] - m) ** 2 / (2 * v)) / np.sqrt(2 * np.pi * v)
    return out


# ------------------------------------------------------------------ emergent
def ours(cells, dim, dt):
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid, gaussian_cells, ou_solution
    grid = Grid((-6.0,) * dim, (6.0,) * dim, (cells,) * dim)
    f = -0.5 * sum(x**2 for x in grid.mesh())
    p0 = gaussian_cells(grid, MEAN[:dim], VAR[:dim])
    exact = ou_solution(grid, T_END, mean0=MEAN[:dim], var0=VAR[:dim], stiffness=1.0,
                        gamma=1.0, diffusion=1.0)
    n = int(round(T_END / dt))
    t0 = time.perf_counter()
    stepper = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=T_END / n, method="cn")
    stepper.step(p0, 1)
    first = time.perf_counter() - t0

    def go():
        st = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=T_END / n, method="cn")
        return st.step(p0, n)

    sec, p = best(go, 3 if cells**dim <= 1 << 20 else 1)
    err = np.abs(p - exact).sum() * grid.cell_volume
    drift = abs(p.sum() - p0.sum()) / p0.sum()
    return dict(name=f"emergent CN{'-ADI' if dim > 1 else ''} dt={dt:g}", time=sec, err=err,
                drift=drift, setup=first)


# ------------------------------------------------------------------ peers
def pypde(cells, dim, solver):
    import pde
    grid = pde.CartesianGrid([[-6, 6]] * dim, [cells] * dim)
    coords = ["x", "y"][:dim]
    expr = "*".join(f"exp(-({c}-({MEAN[k]}))**2/(2*{VAR[k]}))/sqrt(2*pi*{VAR[k]})"
                    for k, c in enumerate(coords))
    field = pde.ScalarField.from_expression(grid, expr)
    rhs = "laplace(p) + " + " + ".join(f"d_d{c}({c} * p)" for c in coords)
    eq = pde.PDE({"p": rhs}, bc={"derivative": 0})
    h = 12 / cells
    kw = dict(solver="explicit", dt=0.9 * h**2 / (2 * dim)) if solver == "explicit" else dict(
        solver="scipy", method="BDF", rtol=1e-6, atol=1e-9)
    t0 = time.perf_counter()
    eq.solve(field, t_range=1e-3 if solver == "explicit" else 1e-3, tracker=None, **kw)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = eq.solve(field, t_range=T_END, tracker=None, **kw)
    sec = time.perf_counter() - t0
    x = [grid.cell_coords[..., k] for k in range(dim)]
    ex = exact_points(x, dim)
    err = np.abs(res.data - ex).sum() * h**dim
    drift = abs(res.integral - field.integral) / field.integral
    return dict(name=f"py-pde {solver}", time=sec, err=err, drift=drift, setup=setup)


def fplanck_run(cells, dim, nsteps):
    if not hasattr(np, "product"):  # fplanck 0.2 calls np.product, removed in NumPy 2
        setattr(np, "product", np.prod)  # noqa: B010
    import fplanck
    from scipy.constants import k as kb
    h = 12 / cells
    sim = fplanck.fokker_planck(temperature=1 / kb, drag=1.0, extent=[12.0] * dim,
                                resolution=h, potential=fplanck.harmonic_potential(
                                    [0.0] * dim, 1.0), boundary=fplanck.boundary.reflecting)
    x = [sim.grid[k] for k in range(dim)]
    p0 = 1.0
    for k in range(dim):
        p0 = p0 * np.exp(-(x[k] - MEAN[k]) ** 2 / (2 * VAR[k]))
    p0 = p0 / (p0.sum() * h**dim)
    t0 = time.perf_counter()
    _, pt = sim.propagate_interval(lambda *a: p0, T_END, Nsteps=nsteps, normalize=False)
    sec = time.perf_counter() - t0
    p = pt[-1] / h**dim if abs(pt[-1].sum() - 1) < 1e-3 else pt[-1]
    err = np.abs(p - exact_points(x, dim)).sum() * h**dim
    drift = abs(p.sum() * h**dim - 1)
    return dict(name=f"fplanck expm Nsteps={nsteps}", time=sec, err=err, drift=drift, setup=0)


def fipy_run(cells, dim, dt):
    import fipy
    h = 12 / cells
    if dim == 1:
        mesh = fipy.Grid1D(nx=cells, dx=h) + ((-6.0,),)
    else:
        mesh = fipy.Grid2D(nx=cells, ny=cells, dx=h, dy=h) + ((-6.0,), (-6.0,))
    x = [np.asarray(mesh.cellCenters[k]) for k in range(dim)]
    p0 = 1.0
    for k in range(dim):
        p0 = p0 * np.exp(-(x[k] - MEAN[k]) ** 2 / (2 * VAR[k])) / np.sqrt(2 * np.pi * VAR[k])
    var = fipy.CellVariable(mesh=mesh, value=p0)
    u = fipy.FaceVariable(mesh=mesh, rank=1, value=-np.asarray(mesh.faceCenters))
    eq = fipy.TransientTerm() == fipy.DiffusionTerm(coeff=1.0) - \
        fipy.ExponentialConvectionTerm(coeff=u)
    n = int(round(T_END / dt))
    t0 = time.perf_counter()
    for _ in range(n):
        eq.solve(var=var, dt=T_END / n)
    sec = time.perf_counter() - t0
    p = np.asarray(var.value)
    err = np.abs(p - exact_points(x, dim)).sum() * h**dim
    drift = abs(p.sum() - p0.sum()) / p0.sum()
    return dict(name=f"FiPy implicit SG dt={dt:g}", time=sec, err=err, drift=drift, setup=0)


# ------------------------------------------------------------------ bandwidth


def bandwidth_section(n, steps=48):
    """Explicit 2D kernels against the triad, 1 and 2 threads: the per-step stencil kernel
    (a fresh result array per call) and the temporally blocked one through the public stepper,
    with a fresh result array and with a reused `out` buffer."""
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid
    size = n * n
    a = np.zeros(size)
    b = np.ones(size)
    c = np.ones(size)
    grid = Grid((-6.0, -6.0), (6.0, 6.0), (n, n))
    x, y = grid.mesh()
    st = FokkerPlanck(grid, -0.5 * (x**2 + y**2), gamma=1.0, diffusion=1.0, dt=1e-6,
                      method="explicit")
    p = np.exp(-(x**2 + y**2))
    st.step(p, 1)  # builds the stencil
    stencil = st._stencil
    per_step = K.kernel("explicit_2d", size)
    out = np.empty_like(p)
    rows = []
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        numba.set_num_threads(threads)
        triad(a, b, c, 0.5, 1)
        t_tr, _ = best(lambda: triad(a, b, c, 0.5, 5))
        bw = 24.0 * size * 5 / t_tr
        per_step(p, E2.NO_LOW, stencil, E2.GHOST, 1)
        t_s, (q_s, _) = best(lambda: per_step(p, E2.NO_LOW, stencil, E2.GHOST, steps))
        st.step(p, steps, out=out)
        t_f, _ = best(lambda: st.step(p, steps))
        t_b, q_b = best(lambda: st.step(p, steps, out=out))
        rows.append(dict(threads=threads, bw=bw, step=size * steps / t_s,
                         fresh=size * steps / t_f, blocked=size * steps / t_b,
                         plan=E2.blocked_plan((n, n), threads),
                         same=bool(np.array_equal(q_s, q_b)),
                         drift=abs(q_b.sum() - p.sum()) / p.sum()))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def depth_sweep(n, steps=48, depths=(6, 12, 16, 24, 32), strips=(256, 512, 1024, 4096)):
    """Blocked-kernel updates/s at n^2 over depth x strip width, 1 and 2 threads (the
    choice of blocked_plan)."""
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid
    grid = Grid((-6.0, -6.0), (6.0, 6.0), (n, n))
    x, y = grid.mesh()
    st = FokkerPlanck(grid, -0.5 * (x**2 + y**2), gamma=1.0, diffusion=1.0, dt=1e-6,
                      method="explicit")
    p = np.exp(-(x**2 + y**2))
    st.step(p, 1)
    out, work = np.empty_like(p), np.empty_like(p)
    out_lo, work_lo = np.empty_like(p), np.empty_like(p)
    blocked = K.kernel("explicit_2d_blocked", p.size)
    rows = []
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        numba.set_num_threads(threads)
        for depth in depths:
            for strip in strips:
                def run(d=depth, w=strip, th=threads):
                    return blocked(p, E2.NO_LOW, st._stencil, E2.GHOST, steps, d, th, w, out,
                                   out_lo, work, work_lo)
                run()
                sec, _ = best(run)
                rows.append((threads, depth, strip, n * n * steps / sec))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def sizes_section(sizes=(128, 256, 512, 1024, 2048)):
    """Updates/s of the explicit 2D stepper (blocked, reused `out`) and of the per-step kernel
    at several grid sizes, with the plan the stepper picks (all threads)."""
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid
    rows = []
    for n in sizes:
        grid = Grid((-6.0, -6.0), (6.0, 6.0), (n, n))
        x, y = grid.mesh()
        st = FokkerPlanck(grid, -0.5 * (x**2 + y**2), gamma=1.0, diffusion=1.0, dt=1e-6,
                          method="explicit")
        p = np.exp(-(x**2 + y**2))
        out = np.empty_like(p)
        steps = max(48, int(2e8 // (n * n)) // 48 * 48)
        st.step(p, steps, out=out)
        per_step = K.kernel("explicit_2d", n * n)
        per_step(p, E2.NO_LOW, st._stencil, E2.GHOST, 2)
        t_b, _ = best(lambda st=st, p=p, out=out, steps=steps: st.step(p, steps, out=out))
        t_s, _ = best(lambda st=st, p=p, steps=steps, f=per_step: f(p, E2.NO_LOW, st._stencil,
                                                                      E2.GHOST, steps))
        threads = numba.get_num_threads() if n * n >= K.PARALLEL_MIN_CELLS else 1
        rows.append((n, E2.blocked_plan((n, n), threads), n * n * steps / t_b,
                     n * n * steps / t_s))
    return rows


def tails_section():
    """Steep double well (height 1, D = gamma = 1, box [-6, 6]^K, Gaussian start): updates/s
    of the stepper once the far tails have formed, and how many cells hold subnormal numbers
    (the kernels set |p| < TINY = 1e-150 to zero, so this should be 0)."""
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid, gaussian_cells
    from emergent.stochastic.langevin import potential_values
    rows = []
    for dim, method, n, dt in [(1, "cn", 4096, 1e-3), (2, "explicit", 512, 1.27e-5),
                               (2, "cn", 512, 2e-3), (3, "explicit", 96, 5e-5)]:
        grid = Grid((-6.0,) * dim, (6.0,) * dim, (n,) * dim)
        f = potential_values("double-well", list(grid.mesh()), height=1.0)
        st = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=dt, method=method)
        p = gaussian_cells(grid, (0.5, -0.2, 0.1)[:dim], (0.25,) * dim)
        steps = max(1, int(2e7 // p.size))
        p = st.step(p, 3 * steps)  # compile, and let the tails form
        sec, q = best(lambda p=p, st=st, steps=steps: st.step(p, steps))
        sub = int(np.count_nonzero((q != 0) & (np.abs(q) < np.finfo(float).tiny)))
        rows.append((f"{dim}D {method} {n}^{dim}", p.size * steps / sec, sub, p.size))
    return rows


PEERS_2D = {"py-pde explicit": lambda n: pypde(n, 2, "explicit"),
            "fplanck expm Nsteps=2": lambda n: fplanck_run(n, 2, 2),
            "FiPy implicit SG dt=0.01": lambda n: fipy_run(n, 2, 0.01)}


def peer_child(name, cells):
    """Run one 2D peer at cells^2 (in a subprocess of large_peer_section) and print its row."""
    r = PEERS_2D[name](cells)
    print(f"{r['time']:.6g} {r['err']:.3e} {r['drift']:.3e}")


def large_peer_section(cells, limit):
    """emergent and each 2D peer at cells^2, every peer in its own process under a wall-clock
    limit: a peer that does not finish gives a lower bound on its time."""
    import subprocess
    import sys
    rows = [ours(cells, 2, 0.1)]
    for name in PEERS_2D:
        t0 = time.perf_counter()
        try:
            out = subprocess.run([sys.executable, __file__, "--peer-child", name, str(cells)],
                                 capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            rows.append(dict(name=name, time=None, wall=time.perf_counter() - t0))
            continue
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["?"])[-1]
            rows.append(dict(name=name, time=None, wall=None, failed=tail))
            continue
        sec, err, drift = map(float, out.stdout.split()[-3:])
        rows.append(dict(name=name, time=sec, err=err, drift=drift))
    return rows


def compile_child():
    """Run in a fresh NUMBA_CACHE_DIR: first-call time of every stepper path (compile)."""
    t0 = time.perf_counter()
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid
    from emergent.stochastic.langevin import LangevinModel, step_ensemble
    rows = [("import", time.perf_counter() - t0)]

    def first(name, dim, n, method):
        grid = Grid((-6.0,) * dim, (6.0,) * dim, (n,) * dim)
        f = -0.5 * sum(x**2 for x in grid.mesh())
        st = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=1e-5, method=method)
        t = time.perf_counter()
        st.step(np.ones(grid.cells), 30)
        rows.append((name, time.perf_counter() - t))

    first("1D Crank-Nicolson", 1, 256, "cn")
    first("1D explicit", 1, 256, "explicit")
    first("2D ADI", 2, 64, "cn")
    first("2D explicit, per-step (< 128^2)", 2, 64, "explicit")
    first("2D explicit, blocked (serial)", 2, 256, "explicit")
    first("3D explicit", 3, 24, "explicit")
    t = time.perf_counter()
    step_ensemble(np.zeros((10, 1)), LangevinModel("ou", boundary="free"), dt=1e-3, steps=2,
                  seed=0)
    rows.append(("Langevin", time.perf_counter() - t))
    rows.append(("total of the above", sum(r[1] for r in rows)))
    first("2D explicit, blocked, parallel copy (512^2)", 2, 512, "explicit")
    first("2D ADI, parallel copies (512^2)", 2, 512, "cn")
    for name, sec in rows:
        print(f"| {name} | {sec:.2f} |")


def compile_section():
    """Cold (fresh cache) and warm first-call times, each in a new interpreter."""
    import subprocess
    import sys
    import tempfile
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("cold (empty cache)", "warm (cache filled by the run above)"):
            print(f"\n### {label}\n\n| path | first call [s] |\n| --- | ---: |")
            out = subprocess.run([sys.executable, __file__, "--compile-child"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            print(out.strip())


def langevin_section(m, steps):
    from emergent.stochastic.langevin import LangevinModel, step_ensemble
    q0 = np.random.default_rng(0).normal(1.0, 0.5, (m, 1))
    model = LangevinModel("ou", gamma=1.0, diffusion=1.0, boundary="free")
    step_ensemble(q0[:10], model, dt=1e-3, steps=2, seed=0)
    rows = []
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        numba.set_num_threads(threads)
        sec, _ = best(lambda: step_ensemble(q0, model, dt=1e-3, steps=steps, seed=1))
        rows.append((threads, m * steps / sec))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="bandwidth section at 2048^2")
    ap.add_argument("--no-peers", action="store_true", help="matched tables: emergent only")
    ap.add_argument("--matched-only", action="store_true",
                    help="only the matched-accuracy tables (benchmarks/fp_matched.py)")
    ap.add_argument("--no-matched", action="store_true", help="skip the matched tables")
    ap.add_argument("--threads", default="1,all", help="matched tables: thread counts")
    ap.add_argument("--dims", default="1,2,3", help="matched tables: dimensions")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="matched tables: a ladder stops after stepping above this [s]")
    ap.add_argument("--repeat", type=int, default=3, help="matched tables: best of N")
    ap.add_argument("--bandwidth-only", action="store_true",
                    help="only the kernel-vs-triad section")
    ap.add_argument("--depth-sweep", action="store_true",
                    help="only the blocked kernel's depth x strip-width sweep at 4096^2")
    ap.add_argument("--compile", action="store_true",
                    help="only the cold and warm Numba compile times (fresh cache)")
    ap.add_argument("--compile-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--large-peers", type=int, metavar="CELLS", default=0,
                    help="only emergent vs the 2D peers at CELLS^2, each under --peer-limit")
    ap.add_argument("--peer-limit", type=float, default=1200.0,
                    help="wall-clock limit per peer for --large-peers [s]")
    ap.add_argument("--peer-child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--sizes", action="store_true",
                    help="only the explicit 2D stepper vs the per-step kernel at 128^2..2048^2")
    ap.add_argument("--tails", action="store_true",
                    help="only the double-well runs whose far tails would be subnormal")
    args = ap.parse_args()
    if args.compile_child:
        compile_child()
        return
    if args.peer_child:
        peer_child(args.peer_child[0], int(args.peer_child[1]))
        return
    print(f"threads: {numba.config.NUMBA_NUM_THREADS}, cpus: {os.cpu_count()}, "
          f"load: {os.getloadavg()}")
    t0 = time.perf_counter()
    from emergent.kernels import fp_kernels  # noqa: F401  (import = cache load)
    print(f"import of the kernels (cache load): {time.perf_counter() - t0:.2f} s")
    if args.large_peers:
        n = args.large_peers
        print(f"\n## 2D OU, {n}^2 cells, t = 1 (each peer limited to {args.peer_limit:g} s)\n")
        print("| solver | time [s] | L1 error | probability drift | ratio to emergent |")
        print("| --- | ---: | ---: | ---: | ---: |")
        rows = large_peer_section(n, args.peer_limit)
        base = rows[0]["time"]
        for r in rows:
            if r["time"] is not None:
                print(f"| {r['name']} | {r['time']:.4g} | {r['err']:.1e} | {r['drift']:.1e} | "
                      f"{r['time'] / base:.3g} |")
            elif r.get("failed"):
                print(f"| {r['name']} | failed: {r['failed']} | - | - | - |")
            else:
                print(f"| {r['name']} | > {r['wall']:.0f} (stopped) | - | - | "
                      f"> {r['wall'] / base:.3g} |")
        return
    if args.compile:
        print("\n## Numba compile: first call of each stepper path")
        compile_section()
        return
    if args.sizes:
        print("\n## explicit 2D: stepper (blocked, reused out) vs per-step kernel\n")
        print("| cells | (depth, bands, strip) | stepper updates/s | per-step updates/s |")
        print("| ---: | --- | ---: | ---: |")
        for n, plan, rate_b, rate_s in sizes_section():
            print(f"| {n}^2 | {plan} | {rate_b:.3g} | {rate_s:.3g} |")
        return
    if args.tails:
        print("\n## double well: updates/s with far tails (subnormal cells should be 0)\n")
        print("| case | updates/s | subnormal cells | cells |")
        print("| --- | ---: | ---: | ---: |")
        for name, rate, sub, size in tails_section():
            print(f"| {name} | {rate:.3g} | {sub} | {size} |")
        return
    if args.depth_sweep:
        print("\n## blocked explicit 2D kernel at 4096^2, 48 steps: updates/s by depth and "
              "strip width (row bands = threads)\n")
        print("| threads | depth | strip | updates/s |")
        print("| ---: | ---: | ---: | ---: |")
        for th, depth, strip, rate in depth_sweep(4096):
            print(f"| {th} | {depth} | {strip} | {rate:.3g} |")
        return
    if not args.bandwidth_only and not args.no_matched:
        import fp_matched
        opts = ["--threads", args.threads, "--dims", args.dims, "--budget", str(args.budget),
                "--repeat", str(args.repeat)]
        if args.no_peers:
            opts += ["--solvers", "emergent spectral,emergent FV (CN)"]
        fp_matched.main(opts)
        if args.matched_only:
            return
    n = 2048 if args.quick else 4096
    print(f"\n## explicit 2D kernel vs STREAM triad at {n}^2 (48 steps, best of 3)\n")
    print("Modelled DRAM bytes per cell-update (what must cross the memory bus): the per-step "
          "kernel reads p (8 B), its low-order part (8 B, compensated update, rewritten in "
          "place: 8 B) and the 4 face coefficients of its cell (32 B) and writes the new p "
          "(8 B, +8 B write-allocate): 72 B. The temporally blocked kernel "
          "(`FokkerPlanck.step`, column strips) streams p, its low part and the coefficients "
          "once per pass of `depth` steps and writes both parts: 80/depth B per update; it is "
          "compute-bound, so its updates/s are not a bandwidth figure. The triad (24 B per "
          "element, a = b + s c) is measured in the same run.\n")
    print("| threads | triad [GB/s] | per-step updates/s | per-step B/update | per-step "
          "% of triad | blocked, fresh array, updates/s | blocked, reused out, updates/s "
          "| modelled B/update (blocked) | ns/update (blocked) | (depth, bands, strip) "
          "| blocked == per-step (bits) | probability drift |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
    for r in bandwidth_section(n):
        depth = r["plan"][0]
        print(f"| {r['threads']} | {r['bw'] / 1e9:.2f} | {r['step']:.3g} | 72 | "
              f"{72 * r['step'] / r['bw']:.0%} | {r['fresh']:.3g} | {r['blocked']:.3g} | "
              f"{80 / depth:.2g} | {1e9 / r['blocked']:.2f} | {r['plan']} | {r['same']} | "
              f"{r['drift']:.1e} |")
    if args.bandwidth_only:
        return
    print("\n## Langevin (1D OU, 10^6 particles x 200 steps)\n")
    print("| threads | particle-steps/s |")
    print("| ---: | ---: |")
    for th, rate in langevin_section(1_000_000, 200):
        print(f"| {th} | {rate:.3g} |")


if __name__ == "__main__":
    main()
