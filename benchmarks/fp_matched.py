"""Fokker-Planck at matched accuracy (issue 16 rules): emergent vs py-pde, fplanck, FiPy, Dedalus.

Problem: Ornstein-Uhlenbeck, D = gamma = 1, F = -q^2/2 per axis, box [-6, 6]^K, zero flux,
Gaussian start (means (1, -0.5, 0.3), variances (0.25, 0.4, 0.3)), t = 1; the exact solution
is a Gaussian. For every solver a ladder of resolutions (grid cells, modes, steps) is climbed
(each run limited by --budget seconds of set-up + stepping); for every target L1 error
(1e-3, 1e-5, 1e-7) the cheapest rung that reaches it is then timed best-of-N, all solvers
interleaved. Set-up (grid, operators, compilation, matrix exponentials) is timed apart from the
stepping; total = set-up + stepping. Every row states its own L1 error (each solver on its own
points: cell averages or point values times the cell volume; emergent's spectral solution by
Gauss-Legendre quadrature of |p - exact| with 2n points per axis), its probability drift and
its smallest density. Dedalus 3 runs Chebyshev with zero-flux walls (tau method) in 1D and
RealFourier on the wider periodic box [-8, 8]^K in 2D/3D (its drift explicit, RK443). A ladder
stops at a rung whose stepping exceeds --budget, or before one predicted to exceed 3 x --budget
(from the growth between the last two rungs); a ladder of (modes, steps) skips a mode count once
doubling its steps no longer halves the error. Threads: the script re-runs itself per thread
count with OMP, OpenBLAS, MKL and Numba set to that count (a 1-thread table and an
all-threads table).

Run: python benchmarks/bench_fokker_planck.py [--threads 1,all] [--dims 1,2,3] [--budget S]
[--repeat N]; peers are imported when installed (a missing one is skipped with a message);
the peers live in their own venv, e.g. /tmp/bench-peers (see benchmarks/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

T_END = 1.0
MEAN = (1.0, -0.5, 0.3)
VAR = (0.25, 0.4, 0.3)
BOX = 6.0
TARGETS = (1e-3, 1e-5, 1e-7)


def moments(dim: int, t: float = T_END):
    m = [MEAN[k] * np.exp(-t) for k in range(dim)]
    v = [VAR[k] * np.exp(-2 * t) + (1 - np.exp(-2 * t)) for k in range(dim)]
    return m, v


def gaussian(points, dim, t):
    """The exact OU density at time t at points (list of K arrays)."""
    m, v = moments(dim, t)
    out = 1.0
    for k in range(dim):
        out = out * np.exp(-(points[k] - m[k]) ** 2 / (2 * v[k])) / np.sqrt(2 * np.pi * v[k])
    return out


@dataclass
class Run:
    setup: float
    step: float
    err: float
    drift: float
    minp: float
    label: str

    @property
    def total(self) -> float:
        return self.setup + self.step


# ------------------------------------------------------------------ emergent
def emergent_spectral(dim: int, n: int) -> Run:
    """Chebyshev collocation, degree n per axis, one exact propagator over [0, 1]."""
    from numpy.polynomial import legendre

    from emergent.stochastic.fokker_planck import FokkerPlanckModel, Grid
    from emergent.stochastic.fp_spectral import SpectralFokkerPlanck
    t0 = time.perf_counter()
    grid = Grid((-BOX,) * dim, (BOX,) * dim, (8,) * dim)
    model = FokkerPlanckModel(grid, lambda *q: -0.5 * sum(x**2 for x in q), gamma=1.0,
                              diffusion=1.0)
    solver = SpectralFokkerPlanck(model, n)
    for ax in solver.axes:
        ax.propagator(T_END)
    p0 = solver.from_function(lambda *q: gaussian(q, dim, 0.0))
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = solver.propagate(p0, T_END)
    step = time.perf_counter() - t0
    # L1 error of the interpolant by Gauss-Legendre quadrature (2n points per axis)
    m = min(2 * n, 160 if dim == 3 else 400)
    xg, wg = legendre.leggauss(m)
    mats = [np.polynomial.chebyshev.chebvander(xg, n) @ ax.to_coefficients
            for ax in solver.axes]
    from emergent.stochastic.fp_spectral import _along
    values = _along(mats, p)
    pts = np.meshgrid(*([BOX * xg] * dim), indexing="ij")
    w = BOX * wg
    weight = w
    for _ in range(dim - 1):
        weight = np.multiply.outer(weight, w)
    err = float(np.sum(weight * np.abs(values - gaussian(pts, dim, T_END))))
    drift = abs(solver.mass(p) - solver.mass(p0))
    return Run(setup, step, err, drift, float(p.min()), f"spectral n={n}")


def emergent_fv(dim: int, cells: int) -> Run:
    """Today's finite volumes: Crank-Nicolson (ADI in 2D/3D), steps = cells / 4."""
    from emergent.stochastic.fokker_planck import FokkerPlanck, Grid, gaussian_cells
    steps = max(8, cells // 4)
    t0 = time.perf_counter()
    grid = Grid((-BOX,) * dim, (BOX,) * dim, (cells,) * dim)
    f = -0.5 * sum(x**2 for x in grid.mesh())
    p0 = gaussian_cells(grid, MEAN[:dim], VAR[:dim])
    st = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=T_END / steps, method="cn")
    st.step(p0, 1)  # set-up: Numba compilation (or cache load) and the ADI thread choice
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = st.step(p0, steps)
    step = time.perf_counter() - t0
    m, v = moments(dim)
    exact = gaussian_cells(grid, m, v)
    err = float(np.abs(p - exact).sum() * grid.cell_volume)
    return Run(setup, step, err, abs(p.sum() - p0.sum()) * grid.cell_volume, float(p.min()),
               f"CN {cells}^{dim}, {steps} steps")


# ------------------------------------------------------------------ peers
def pypde_explicit(dim: int, cells: int) -> Run:
    """py-pde, finite differences, explicit Euler at 0.9 x its stability limit; set-up =
    grid, field, equation and make_stepper (Numba compilation)."""
    import pde
    t0 = time.perf_counter()
    grid = pde.CartesianGrid([[-BOX, BOX]] * dim, [cells] * dim)
    coords = ["x", "y", "z"][:dim]
    pts = [grid.cell_coords[..., k] for k in range(dim)]
    field = pde.ScalarField(grid, gaussian(pts, dim, 0.0))
    rhs = "laplace(p) + " + " + ".join(f"d_d{c}({c} * p)" for c in coords)
    eq = pde.PDE({"p": rhs}, bc={"derivative": 0})
    h = 2 * BOX / cells
    steps = int(np.ceil(T_END / (0.9 * h**2 / (2 * dim))))
    solver = getattr(pde, "EulerSolver", pde.ExplicitSolver)(eq, backend="numba")
    stepper = solver.make_stepper(field, dt=T_END / steps)
    state = field.copy()
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    stepper(state, 0.0, T_END)
    step = time.perf_counter() - t0
    err = float(np.abs(state.data - gaussian(pts, dim, T_END)).sum() * h**dim)
    drift = abs(state.integral - field.integral)
    return Run(setup, step, err, drift, float(state.data.min()),
               f"explicit {cells}^{dim}, {steps} steps")


def fplanck_expm(dim: int, cells: int) -> Run:
    """fplanck: finite volumes, exact time (scipy expm_multiply of its sparse matrix)."""
    if not hasattr(np, "product"):  # fplanck 0.2 calls np.product, removed in NumPy 2
        setattr(np, "product", np.prod)  # noqa: B010
    import fplanck
    from scipy.constants import k as kb
    h = 2 * BOX / cells
    t0 = time.perf_counter()
    sim = fplanck.fokker_planck(temperature=1 / kb, drag=1.0, extent=[2 * BOX] * dim,
                                resolution=h, potential=fplanck.harmonic_potential(
                                    [0.0] * dim, 1.0), boundary=fplanck.boundary.reflecting)
    pts = [sim.grid[k] for k in range(dim)]
    p0 = gaussian(pts, dim, 0.0) * h**dim
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, pt = sim.propagate_interval(lambda *a: p0, T_END, Nsteps=2, normalize=False)
    step = time.perf_counter() - t0
    p = pt[-1] / h**dim
    err = float(np.abs(p - gaussian(pts, dim, T_END)).sum() * h**dim)
    return Run(setup, step, err, abs(pt[-1].sum() - p0.sum()), float(p.min()),
               f"expm {cells}^{dim}")


def fipy_implicit(dim: int, cells: int) -> Run:
    """FiPy: finite volumes, exponential (SG) convection, backward Euler with
    steps = cells^2 / 64 (its first-order time error balanced against h^2)."""
    import fipy
    steps = max(10, cells * cells // 64)
    h = 2 * BOX / cells
    t0 = time.perf_counter()
    if dim == 1:
        mesh = fipy.Grid1D(nx=cells, dx=h) + ((-BOX,),)
    elif dim == 2:
        mesh = fipy.Grid2D(nx=cells, ny=cells, dx=h, dy=h) + ((-BOX,), (-BOX,))
    else:
        mesh = fipy.Grid3D(nx=cells, ny=cells, nz=cells, dx=h, dy=h, dz=h) + (
            (-BOX,), (-BOX,), (-BOX,))
    pts = [np.asarray(mesh.cellCenters[k]) for k in range(dim)]
    p0 = gaussian(pts, dim, 0.0)
    var = fipy.CellVariable(mesh=mesh, value=p0)
    u = fipy.FaceVariable(mesh=mesh, rank=1, value=-np.asarray(mesh.faceCenters))
    eq = fipy.TransientTerm() == fipy.DiffusionTerm(coeff=1.0) - \
        fipy.ExponentialConvectionTerm(coeff=u)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        eq.solve(var=var, dt=T_END / steps)
    step = time.perf_counter() - t0
    p = np.asarray(var.value)
    err = float(np.abs(p - gaussian(pts, dim, T_END)).sum() * h**dim)
    return Run(setup, step, err, abs(p.sum() - p0.sum()) * h**dim, float(p.min()),
               f"implicit {cells}^{dim}, {steps} steps")


def dedalus_cheb(dim: int, rung: tuple[int, int]) -> Run:
    """Dedalus 3: Chebyshev (n modes), RK443 (IMEX; every term implicit here) with `steps`
    equal steps; the zero-flux walls by a first-order tau formulation (1D only)."""
    import logging

    import dedalus.public as d3
    logging.getLogger("dedalus").setLevel(logging.WARNING)
    if dim != 1:
        raise NotImplementedError("the Dedalus rows are 1D here")
    n, steps = rung
    t0 = time.perf_counter()
    coords = d3.CartesianCoordinates("x")
    dist = d3.Distributor(coords, dtype=np.float64)
    xb = d3.Chebyshev(coords["x"], size=n, bounds=(-BOX, BOX), dealias=3 / 2)
    p = dist.Field(name="p", bases=xb)
    tau1 = dist.Field(name="tau1")
    tau2 = dist.Field(name="tau2")
    x = dist.local_grids(xb)[0]
    xf = dist.Field(bases=xb)
    xf["g"] = x
    lift_basis = xb.derivative_basis(1)
    dx = lambda a: d3.Differentiate(a, coords["x"])  # noqa: E731
    pq = dx(p) + xf * p + d3.Lift(tau1, lift_basis, -1)  # the flux D p' - v p, v = -x
    problem = d3.IVP([p, tau1, tau2], namespace=locals())
    problem.add_equation("dt(p) - dx(pq) + Lift(tau2, lift_basis, -1) = 0")
    problem.add_equation("(dx(p) + xf * p)(x=-6) = 0")
    problem.add_equation("(dx(p) + xf * p)(x=6) = 0")
    p["g"] = gaussian([x], 1, 0.0)
    solver = problem.build_solver(d3.RK443)
    solver.stop_sim_time = T_END
    dt = T_END / steps
    mass0 = float(d3.Integrate(p, "x").evaluate()["g"].ravel()[0])
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        solver.step(dt)
    step = time.perf_counter() - t0
    xs = np.linspace(-BOX, BOX, 4001)
    p.change_scales(1)
    vals = np.interp(xs, x.ravel(), p["g"].ravel())
    xq, wq = np.polynomial.legendre.leggauss(2 * n)
    pq_vals = np.array([float(d3.Interpolate(p, coords["x"], BOX * xx).evaluate()["g"]
                              .ravel()[0]) for xx in xq])
    err = float(np.sum(BOX * wq * np.abs(pq_vals - gaussian([BOX * xq], 1, T_END))))
    mass = float(d3.Integrate(p, "x").evaluate()["g"].ravel()[0])
    return Run(setup, step, err, abs(mass - mass0), float(vals.min()),
               f"Chebyshev n={n}, RK443 {steps} steps")


DEDALUS_BOX = 8.0
"""Half-width of Dedalus's periodic box in 2D/3D: the exact density is below 1e-13 at its
edge, so the periodic wrap costs nothing at the targets."""


def dedalus_fourier(dim: int, rung: tuple[int, int]) -> Run:
    """Dedalus 3 in 2D/3D: RealFourier (n modes per axis) on the periodic box
    [-DEDALUS_BOX, DEDALUS_BOX]^K, RK443 with `steps` equal steps, diffusion implicit and
    the drift div(q p) explicit (a coefficient varying along a Fourier axis cannot be on the
    implicit side). q_k p is formed on the grid by a GeneralFunction (q never goes through a
    Fourier series, whose Gibbs ringing at the periodic seam would spoil it) at scale 1:
    p is smooth and below 1e-13 at the seam, so the product is resolved without dealiasing.
    Error: L1 on the 2x-refined uniform grid (spectral interpolation); mass: the mean mode."""
    import logging

    import dedalus.public as d3
    logging.getLogger("dedalus").setLevel(logging.WARNING)
    logging.getLogger("subsystems").setLevel(logging.WARNING)
    if dim == 1:
        return dedalus_cheb(dim, rung)
    n, steps = rung
    t0 = time.perf_counter()
    names = "xyz"[:dim]
    coords = d3.CartesianCoordinates(*names)
    dist = d3.Distributor(coords, dtype=np.float64)
    bases = tuple(d3.RealFourier(coords[c], size=n, bounds=(-DEDALUS_BOX, DEDALUS_BOX),
                                 dealias=1) for c in names)
    p = dist.Field(name="p", bases=bases)
    grids = dist.local_grids(*bases)
    drift = 0
    for k, c in enumerate(names):
        flux = d3.GeneralFunction(dist, p.domain, (), np.float64, "g",
                                  lambda f, g=grids[k]: g * f.data, args=[p])
        drift = drift + d3.Differentiate(flux, coords[c])
    problem = d3.IVP([p], namespace={"p": p, "drift": drift, "lap": d3.lap})
    problem.add_equation("dt(p) - lap(p) = drift")
    pts = [np.broadcast_to(g, (n,) * dim) for g in grids]
    p["g"] = gaussian(pts, dim, 0.0)
    solver = problem.build_solver(d3.RK443)
    h = 2 * DEDALUS_BOX / n
    mass0 = float(np.sum(p["g"])) * h**dim
    setup = time.perf_counter() - t0
    dt = T_END / steps
    t0 = time.perf_counter()
    for _ in range(steps):
        solver.step(dt)
    step = time.perf_counter() - t0
    p.change_scales(1)
    mass = float(np.sum(p["g"])) * h**dim
    p.change_scales(2)
    fine = [np.broadcast_to(g, (2 * n,) * dim) for g in dist.local_grids(*bases, scales=2)]
    vals = np.asarray(p["g"])
    err = float(np.abs(vals - gaussian(fine, dim, T_END)).sum() * (h / 2) ** dim)
    return Run(setup, step, err, abs(mass - mass0), float(vals.min()),
               f"RealFourier n={n}^{dim}, RK443 {steps} steps")


# ------------------------------------------------------------------ ladders
DEDALUS_1D = sorted(((n, s) for n in (24, 32, 40, 48, 56, 64, 80, 96)
                     for s in (8, 16, 32, 64, 128, 256, 512, 1024)), key=lambda r: r[0] * r[1])
DEDALUS_2D, DEDALUS_3D = (sorted(((n, s) for n in (24, 32, 40, 48, 56, 64, 80)
                                  for s in (8, 16, 32, 64, 128, 256, 512)),
                                 key=lambda r, d=d: r[0] ** d * r[1]) for d in (2, 3))
LADDERS: dict[str, tuple[Callable[[int, Any], Run], dict[int, list[Any]]]] = {
    "emergent spectral": (emergent_spectral, {
        1: [16, 24, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80],
        2: [16, 24, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80],
        3: [16, 24, 32, 36, 40, 44, 48, 52, 56, 64, 72, 80]}),
    "emergent FV (CN)": (emergent_fv, {
        1: [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
        2: [64, 128, 256, 512, 1024, 2048], 3: [32, 64, 128, 160, 192, 256]}),
    "py-pde": (pypde_explicit, {
        1: [64, 128, 256, 512, 1024, 2048, 4096], 2: [64, 128, 256, 512], 3: [32, 64, 128]}),
    "fplanck": (fplanck_expm, {
        1: [64, 128, 256, 512, 1024, 2048, 4096, 8192], 2: [64, 128, 256, 512],
        3: [16, 32, 64]}),
    "FiPy": (fipy_implicit, {
        1: [64, 128, 256, 512, 1024], 2: [64, 128, 256], 3: [16, 32, 48]}),
    "Dedalus 3": (dedalus_fourier, {1: DEDALUS_1D, 2: DEDALUS_2D, 3: DEDALUS_3D}),
}


def climb(name: str, dim: int, budget: float) -> tuple[dict[float, tuple[Any, Run]], str]:
    """The cheapest rung per target (and a note on the ladder's end)."""
    fn, ladders = LADDERS[name]
    found: dict[float, tuple[Any, Run]] = {}
    if not ladders.get(dim):
        return found, f"no {dim}D set-up in this script"
    last = ""
    previous = None
    errors: dict[Any, float] = {}  # (n, steps) rungs: the error per (n, steps)
    saturated: set[Any] = set()  # n whose error no longer falls with more steps
    for rung in ladders.get(dim, []):
        if isinstance(rung, tuple) and rung[0] in saturated:
            continue
        try:
            r = fn(dim, rung)
        except ImportError:
            return found, "not importable"
        except NotImplementedError as exc:
            return found, str(exc)
        except Exception as exc:  # a peer failing is reported, not fatal
            return found, f"{type(exc).__name__}: {str(exc)[:80]}"
        last = f"last rung {r.label}: L1 {r.err:.1e} in {r.total:.3g} s"
        if isinstance(rung, tuple):  # twice the steps, not half the error: space-limited
            n, steps = rung
            fewer = errors.get((n, steps // 2))
            if fewer is not None and r.err > 0.5 * fewer:
                saturated.add(n)
            errors[rung] = r.err
        print(f"# {dim}D {name}: {r.label}: L1 {r.err:.1e}, set-up {r.setup:.3g} s, "
              f"stepping {r.step:.3g} s", file=sys.stderr, flush=True)
        for target in TARGETS:
            if target not in found and r.err <= target:
                found[target] = (rung, r)
        if len(found) == len(TARGETS) or r.step > budget:
            break
        # a rung predicted (by the growth from the previous rung) to step for more than
        # 3 x budget is not started: one 2D FiPy or fplanck rung can otherwise take an hour
        growth = max(2.0, r.step / previous.step) if previous and previous.step > 0 else 8
        if r.step * growth > 3 * budget:
            last += f" (next rung's stepping predicted {r.step * growth:.3g} s > 3 x --budget)"
            break
        previous = r
    return found, last


def child(dims: list[int], budget: float, repeat: int, names: list[str]) -> None:
    """One thread setting: climb every ladder, then time the chosen rungs interleaved."""
    import numba
    print(f"threads: numba {numba.get_num_threads()}, "
          f"OMP {os.environ.get('OMP_NUM_THREADS', 'unset')}; cpus {os.cpu_count()}; "
          f"load before: {os.getloadavg()}")
    for dim in dims:
        chosen = {}
        notes = {}
        for name in names:
            chosen[name], notes[name] = climb(name, dim, budget)
        runs: dict[tuple[str, Any], Run] = {}  # one timing per distinct (solver, rung)
        for _ in range(repeat):  # interleaved best-of-N
            for name in names:
                fn = LADDERS[name][0]
                for rung in dict.fromkeys(r for r, _ in chosen[name].values()):
                    r = fn(dim, rung)
                    b = runs.get((name, rung))
                    runs[(name, rung)] = r if b is None else Run(
                        min(b.setup, r.setup), min(b.step, r.step), r.err, r.drift, r.minp,
                        r.label)
        best = {(name, target): runs[(name, rung)]
                for name in names for target, (rung, _r) in chosen[name].items()}
        for target in TARGETS:
            print(f"\n### {dim}D OU, L1 <= {target:g} at t = 1\n")
            print("| solver | cheapest rung | L1 error | set-up [s] | stepping [s] | "
                  "total [s] | stepping / emergent | total / emergent | prob. drift | "
                  "min p |")
            print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            base = best.get(("emergent spectral", target))
            for name in names:
                r = best.get((name, target))
                if r is None:
                    print(f"| {name} | not reached ({notes[name]}) | | | | | | | | |")
                    continue
                ratio_s = f"{r.step / base.step:.3g}" if base else "-"
                ratio_t = f"{r.total / base.total:.3g}" if base else "-"
                print(f"| {name} | {r.label} | {r.err:.1e} | {r.setup:.3g} | {r.step:.3g} | "
                      f"{r.total:.3g} | {ratio_s} | {ratio_t} | {r.drift:.1e} | "
                      f"{r.minp:.1e} |")
    print(f"\nload after: {os.getloadavg()}")


def auto_table(dims: list[int]) -> None:
    """solve(p0, model, 1, tol=...) through the public API (whole call, ladder included)."""
    from emergent.stochastic.fokker_planck import FokkerPlanckModel, Grid, ou_solution, solve
    print("\n### `solve(method='auto', tol=...)`, whole call (degree ladder included), "
          "output on 32 cells per axis\n")
    print("| K | tol | method | degree | estimate | L1 error (cell averages) | prob. drift "
          "| min p | time [s] |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for dim in dims:
        grid = Grid((-BOX,) * dim, (BOX,) * dim, (32,) * dim)
        model = FokkerPlanckModel(grid, lambda *q: -0.5 * sum(x**2 for x in q), gamma=1.0,
                                  diffusion=1.0)
        m, v = moments(dim)
        exact = ou_solution(grid, T_END, mean0=MEAN[:dim], var0=VAR[:dim], stiffness=1.0,
                            gamma=1.0, diffusion=1.0)
        for tol in TARGETS:
            t0 = time.perf_counter()
            res = solve(lambda *q, d=dim: gaussian(q, d, 0.0), model, T_END, tol=tol, saves=2)
            sec = time.perf_counter() - t0
            err = float(np.abs(res.final - exact).sum() * grid.cell_volume)
            i = res.info
            print(f"| {dim} | {tol:g} | {i['method']} | {i.get('degree', '-')} | "
                  f"{i['error_estimate']:.1e} | {err:.1e} | {i['mass_drift']:.1e} | "
                  f"{i['min_p']:.1e} | {sec:.3g} |")


def main(argv: list[str] | None = None) -> None:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="1,all", help="comma list: 1, 2, ..., all")
    ap.add_argument("--dims", default="1,2,3")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="a ladder stops after a run whose stepping took more than this many "
                         "seconds (set-up, e.g. py-pde's compilation, does not count)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N, interleaved")
    ap.add_argument("--solvers", default=",".join(LADDERS), help="comma list of solvers")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-auto", action="store_true", help="skip the solve(tol=...) table")
    args = ap.parse_args(argv)
    dims = [int(d) for d in args.dims.split(",")]
    names = [s for s in args.solvers.split(",") if s]
    if args.child:
        child(dims, args.budget, args.repeat, names)
        if not args.no_auto:
            auto_table(dims)
        return
    for threads in args.threads.split(","):
        count = str(os.cpu_count()) if threads == "all" else threads
        env = dict(os.environ, OMP_NUM_THREADS=count, OPENBLAS_NUM_THREADS=count,
                   MKL_NUM_THREADS=count, NUMBA_NUM_THREADS=count)
        print(f"\n## Fokker-Planck at matched accuracy, {count} thread(s)\n", flush=True)
        cmd = [sys.executable, __file__, "--child", "--dims", args.dims, "--budget",
               str(args.budget), "--repeat", str(args.repeat), "--solvers", ",".join(names)]
        if args.no_auto:
            cmd.append("--no-auto")
        subprocess.run(cmd, env=env, check=True)


if __name__ == "__main__":
    main()
