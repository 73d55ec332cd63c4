"""Fokker-Planck / Langevin benchmark: emergent vs py-pde, fplanck, FiPy, side by side.

Problem (issue 4): Ornstein-Uhlenbeck, D = gamma = 1, F = -q^2/2, box [-6, 6]^K, zero flux,
Gaussian start (mean 1, var 0.25 per axis; 2D: means (1, -0.5), vars (0.25, 0.4)), t = 1.
Every solver's L1 error against the exact Gaussian and its probability drift are printed with
its time. Also: the explicit kernel's throughput against a STREAM-like triad, and Langevin
particle-steps per second, with 1 and 2 threads.

Usage: python benchmarks/bench_fokker_planck.py [--quick] [--no-peers]
(peers are imported if installed; a missing peer is skipped with a message)
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np
from numba import njit, prange

T_END = 1.0
MEAN = (1.0, -0.5)
VAR = (0.25, 0.4)


def best(fn, repeat=3):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


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
    from emergent.fokker_planck import FokkerPlanck, Grid, gaussian_cells, ou_solution
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
    err = np.abs(p - exact).sum() * grid.volume
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
@njit(cache=True, parallel=True)
def triad(a, b, c, s, reps):
    for _ in range(reps):
        for i in prange(a.size):
            a[i] = b[i] + s * c[i]


def bandwidth_section(n, steps=24):
    """Per-step and temporally blocked explicit 2D kernels against the triad, 1 and 2 threads."""
    from emergent.fokker_planck import FokkerPlanck, Grid
    from emergent.kernels import fp_kernels as K
    size = n * n
    a = np.zeros(size)
    b = np.ones(size)
    c = np.ones(size)
    grid = Grid((-6.0, -6.0), (6.0, 6.0), (n, n))
    x, y = grid.mesh()
    st = FokkerPlanck(grid, -0.5 * (x**2 + y**2), gamma=1.0, diffusion=1.0, dt=1e-6,
                      method="explicit")
    co = st.coefficients
    args = (co[0][0], co[0][1], co[1][0], co[1][1], st.dt)
    p = np.exp(-(x**2 + y**2))
    per_step = K.kernel("explicit_2d", size)
    blocked = K.kernel("explicit_2d_blocked", size)
    rows = []
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        numba.set_num_threads(threads)
        triad(a, b, c, 0.5, 1)
        t_tr, _ = best(lambda: triad(a, b, c, 0.5, 5))
        bw = 24.0 * size * 5 / t_tr
        per_step(p, *args, 1)
        t_s, q_s = best(lambda: per_step(p, *args, steps))
        blocked(p, *args, 1, K.BLOCK_STEPS, threads)
        t_b, q_b = best(lambda th=threads: blocked(p, *args, steps, K.BLOCK_STEPS, th))
        rows.append(dict(threads=threads, bw=bw, step=size * steps / t_s,
                         blocked=size * steps / t_b, same=bool(np.array_equal(q_s, q_b)),
                         drift=abs(q_b.sum() - p.sum()) / p.sum()))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def langevin_section(m, steps):
    from emergent.langevin import evolve
    q0 = np.random.default_rng(0).normal(1.0, 0.5, (m, 1))
    evolve(q0[:10], potential="ou", gamma=1.0, diffusion=1.0, dt=1e-3, steps=2, seed=0,
           boundary="free")
    rows = []
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            continue
        numba.set_num_threads(threads)
        sec, _ = best(lambda: evolve(q0, potential="ou", gamma=1.0, diffusion=1.0, dt=1e-3,
                                     steps=steps, seed=1, boundary="free"))
        rows.append((threads, m * steps / sec))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return rows


def table(title, rows):
    print(f"\n## {title}\n")
    print("| solver | time [s] | L1 error | probability drift | ratio to emergent |")
    print("| --- | ---: | ---: | ---: | ---: |")
    base = rows[0]["time"]
    for r in rows:
        print(f"| {r['name']} | {r['time']:.4g} | {r['err']:.1e} | {r['drift']:.1e} | "
              f"{r['time'] / base:.3g} |")
    if rows[0].get("setup"):
        print(f"\nemergent first call (compile or cache load + 1 step): {rows[0]['setup']:.2f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip 1024^2 and 4096^2")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--bandwidth-only", action="store_true",
                    help="only the kernel-vs-triad section")
    args = ap.parse_args()
    print(f"threads: {numba.config.NUMBA_NUM_THREADS}, cpus: {os.cpu_count()}, "
          f"load: {os.getloadavg()}")
    t0 = time.perf_counter()
    from emergent.kernels import fp_kernels  # noqa: F401  (import = cache load)
    print(f"import of the kernels (cache load): {time.perf_counter() - t0:.2f} s")
    cases = [(1024, 1, 0.1), (4096, 1, 0.1), (256, 2, 0.1)]
    if not args.quick:
        cases.append((1024, 2, 0.1))
    if args.bandwidth_only:
        cases = []
    for cells, dim, dt in cases:
        rows = [ours(cells, dim, dt)]
        if not args.no_peers and (dim == 1 or cells <= 256):
            c, d = cells, dim
            peers = [("py-pde", lambda c=c, d=d: pypde(c, d, "explicit")),
                     ("py-pde", lambda c=c, d=d: pypde(c, d, "scipy")),
                     ("fplanck", lambda c=c, d=d: fplanck_run(c, d, 2)),
                     ("fipy", lambda c=c, d=d: fipy_run(c, d, 0.01))]
            for name, fn in peers:
                try:
                    rows.append(fn())
                except ImportError:
                    print(f"[skip] {name} is not importable")
                except Exception as exc:  # a peer failing is reported, not fatal
                    print(f"[skip] {name}: {type(exc).__name__}: {exc}")
        table(f"{dim}D OU, {cells}^{dim} cells, t = 1", rows)
    n = 2048 if args.quick else 4096
    print(f"\n## explicit 2D kernel vs STREAM triad at {n}^2 (24 steps, best of 3; "
          f"blocked depth {fp_kernels.BLOCK_STEPS})\n")
    print("| threads | triad [GB/s] | per-step updates/s | per-step at 16 B | blocked updates/s "
          "| blocked at 16 B | blocked == per-step (bits) | probability drift |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for r in bandwidth_section(n):
        print(f"| {r['threads']} | {r['bw'] / 1e9:.2f} | {r['step']:.3g} | "
              f"{16 * r['step'] / r['bw']:.0%} | {r['blocked']:.3g} | "
              f"{16 * r['blocked'] / r['bw']:.0%} | {r['same']} | {r['drift']:.1e} |")
    if args.bandwidth_only:
        return
    print("\n## Langevin (1D OU, 10^6 particles x 200 steps)\n")
    print("| threads | particle-steps/s |")
    print("| ---: | ---: |")
    for th, rate in langevin_section(1_000_000, 200):
        print(f"| {th} | {rate:.3g} |")


if __name__ == "__main__":
    main()
