"""Grid Fokker-Planck solver: P2 eq 18-22 and P1 eq 11.5 against independent routes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from emergent.stochastic.fokker_planck import (
    FokkerPlanck,
    FokkerPlanckModel,
    FokkerPlanckStepper,
    Grid,
    default_dt,
    diagnostics,
    entropy_rate_from_differences,
    face_coefficients,
    gaussian_cells,
    ou_solution,
    solve,
    stability_limit,
    stationary_state,
)
from emergent.stochastic.langevin import potential_values

OU = dict(stiffness=1.0, gamma=1.0, diffusion=1.0)


def _ou_problem(cells, mean0, var0):
    grid = Grid((-6.0,) * len(cells), (6.0,) * len(cells), cells)
    f = potential_values("ou", grid.mesh(), stiffness=1.0)
    return grid, f, gaussian_cells(grid, mean0, var0)


@pytest.mark.equations("P2 (20)")
@pytest.mark.parametrize("method", ["cn", "explicit"])
def test_p2_eq20_ou_exact_gaussian_1d(method):
    """P2 (20) with F = -q^2/2 (Ornstein-Uhlenbeck): exact Gaussian, L1 error <= 1e-3 at t = 1."""
    grid, f, p0 = _ou_problem((1024,), [1.0], [0.25])
    res = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=1.0), 1.0,
                dt=0.02 if method == "cn" else None, method=method, saves=3)
    exact = ou_solution(grid, 1.0, mean0=[1.0], var0=[0.25], **OU)
    err = np.abs(res.states[-1] - exact).sum() * grid.cell_volume
    assert err <= 1e-3
    assert err > 0  # not trivially the initial state
    assert np.abs(res.states[-1] - p0).sum() * grid.cell_volume > 0.1


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_ou_exact_gaussian_2d_adi():
    """P2 (20) in K = 2 (ADI Crank-Nicolson, anisotropic start): L1 error <= 1e-3 at t = 1."""
    grid, f, p0 = _ou_problem((256, 256), [1.0, -0.5], [0.25, 0.4])
    res = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=1.0), 1.0, dt=0.02,
                method="cn", saves=2)
    exact = ou_solution(grid, 1.0, mean0=[1.0, -0.5], var0=[0.25, 0.4], **OU)
    assert np.abs(res.states[-1] - exact).sum() * grid.cell_volume <= 1e-3


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_ou_3d_adi_matches_explicit_and_exact():
    """P2 (20) in K = 3: Douglas ADI and the explicit kernel agree with each other and the
    exact Gaussian to the discretisation error of a 32^3 grid."""
    grid = Grid((-5.0,) * 3, (5.0,) * 3, (32, 32, 32))
    f = potential_values("ou", grid.mesh())
    p0 = gaussian_cells(grid, [0.5, 0.0, -0.5], [0.5, 0.3, 0.6])
    exact = ou_solution(grid, 0.5, mean0=[0.5, 0.0, -0.5], var0=[0.5, 0.3, 0.6], **OU)
    r_cn = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=1.0), 0.5, dt=0.01,
                 saves=2)
    r_ex = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=1.0), 0.5,
                 method="explicit", saves=2)
    e_cn = np.abs(r_cn.states[-1] - exact).sum() * grid.cell_volume
    e_ex = np.abs(r_ex.states[-1] - exact).sum() * grid.cell_volume
    assert e_cn < 2e-2 and e_ex < 2e-2
    assert np.abs(r_cn.states[-1] - r_ex.states[-1]).sum() * grid.cell_volume < 5e-3


@pytest.mark.parametrize("cells,periodic", [((200,), (False,)), ((200,), (True,)),
                                            ((48, 40), (False, True)),
                                            ((12, 10, 14), (True, False, False))])
@pytest.mark.equations("P2 (18)")
@pytest.mark.parametrize("method", ["explicit", "cn"])
def test_p2_eq18_probability_conserved_and_positive(cells, periodic, method):
    """P2 (18) is a conservation law: total probability constant to 1e-12 relative and p >= 0
    (double well, strong drift, both boundary kinds, every K and method)."""
    dim = len(cells)
    grid = Grid((-2.5,) * dim, (2.5,) * dim, cells, periodic)
    f = potential_values("double-well", grid.mesh(), height=2.0)
    rng = np.random.default_rng(3)
    p0 = rng.random(cells) ** 4
    p0 /= p0.sum() * grid.cell_volume
    dt = None if method == "explicit" else 0.5 * stability_limit(
        face_coefficients(grid, f, gamma=1.0, diffusion=0.3))
    res = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=0.3), 0.3, dt=dt,
                method=method, saves=4)
    assert np.abs(res.series["total"] - 1.0).max() <= 1e-12
    assert (res.states >= 0).all()
    assert np.abs(res.states[-1] - p0).max() > 1e-3 * p0.max()


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_stationary_state_exp_gamma_f_over_d():
    """Stationary solution of P2 (20) is exp(gamma F / D) / Z: it is an exact discrete fixed
    point, the long-time limit from another start, and the continuum density to O(h^2)."""
    grid = Grid((-2.5,), (2.5,), (400,))
    f = potential_values("double-well", grid.mesh(), height=0.5)
    gamma, d = 0.7, 0.4
    st = stationary_state(grid, f, gamma=gamma, diffusion=d)
    stepper = FokkerPlanck(grid, f, gamma=gamma, diffusion=d, dt=1e-4, method="explicit")
    assert np.abs(stepper.step(st, 50) - st).max() <= 1e-12 * st.max()
    p0 = np.full(grid.cells, 1.0 / 5.0)  # uniform start: relaxes within the wells
    limit = stability_limit(face_coefficients(grid, f, gamma=gamma, diffusion=d))
    res = solve(p0, FokkerPlanckModel(grid, f, gamma=gamma, diffusion=d), 20.0, dt=2 * limit,
                saves=4)
    assert (res.states >= 0).all()  # Crank-Nicolson with dt <= 2 x explicit limit is positive
    assert np.abs(res.states[-1] - st).sum() * grid.cell_volume < 1e-6
    sub = 64  # continuum cell averages by a 64-point midpoint rule in every cell
    fine = -2.5 + (np.arange(400 * sub) + 0.5) * grid.spacing[0] / sub
    w = np.exp(gamma * potential_values("double-well", [fine], height=0.5) / d)
    cont = w.reshape(400, sub).mean(axis=1)
    cont /= cont.sum() * grid.cell_volume
    err = np.abs(st - cont).sum() * grid.cell_volume
    assert 1e-8 < err < 1e-3


@pytest.mark.parametrize("cells,periodic", [((37, 29), (False, False)), ((5, 64), (True, False)),
                                            ((64, 3), (False, True)), ((2, 2), (True, True)),
                                            ((70, 1100), (True, False))])
@pytest.mark.parametrize("depth,chunks,strip", [(1, 1, 512), (4, 2, 8), (6, 3, 16), (16, 1, 512),
                                                (24, 2, 300), (32, 1, 7)])
def test_explicit_blocked_2d_bit_identical_to_per_step(cells, periodic, depth, chunks, strip):
    """The temporally blocked explicit kernel (several P2 (20) steps per pass over memory, in
    column strips with shrinking halos) returns exactly the bits of the per-step kernel, the
    low-order parts of the compensated update included (from zero and from a given low part):
    general F, both boundary kinds, grids thinner than the halo, strips narrower than the
    depth, step counts that are not multiples of the depth, serial and parallel copies."""
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K

    rng = np.random.default_rng(11)
    grid = Grid((0.0, 0.0), (1.0, 2.0), cells, periodic) if min(cells) >= 4 else None
    if grid is not None:
        f = 3.0 * rng.standard_normal(cells)
        co = face_coefficients(grid, f, gamma=1.3, diffusion=0.7)
        dt = 0.9 * stability_limit(co)
    else:  # below the grid's minimum: the kernels alone, random admissible coefficients
        co = [(rng.random(cells), rng.random(cells)) for _ in range(2)]
        dt = 0.2
    s = E2.stencil_2d(co, dt)
    p0 = rng.random(cells)
    lo0 = (rng.random(cells) - 0.5) * np.spacing(p0)
    for nsteps in (0, 1, 7, 2 * depth + 1):
        for low in (E2.NO_LOW, lo0):
            ref, ref_lo = K.kernel("explicit_2d", 1)(p0, low, s, E2.GHOST, nsteps)
            for parallel in (False, True):
                out, work = np.empty_like(p0), np.empty_like(p0)
                out_lo, work_lo = np.full_like(p0, np.nan), np.empty_like(p0)
                res = K._KERNELS["explicit_2d_blocked"][parallel](
                    p0, low, s, E2.GHOST, nsteps, depth, chunks, strip, out, out_lo, work,
                    work_lo)
                assert res is out and np.array_equal(out, ref)
                assert np.array_equal(out_lo, ref_lo)
    assert not np.array_equal(ref, p0)
    assert np.any(ref_lo != 0.0)


@pytest.mark.equations("P2 (18)", "P2 (20)")
def test_p2_eq18_compensated_explicit_2d_carries_the_low_part_exactly():
    """The compensated 2D explicit update of P2 (20): hi = fl(hi + lo) in every cell; n + m
    steps in one call equal n steps then m steps with the low part handed on, bit for bit;
    and a step adds to hi + lo exactly (in rationals) the flux increment computed from hi
    plus the old low part, so that the total (P2 (18)) changes only by the roundings of the
    flux terms, none of the increment being rounded away."""
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K

    rng = np.random.default_rng(3)
    grid = Grid((-2.0, -2.0), (2.0, 2.0), (24, 20), (True, False))
    f = 2.0 * rng.standard_normal(grid.cells)
    co = face_coefficients(grid, f, gamma=1.0, diffusion=0.5)
    s = E2.stencil_2d(co, 0.9 * stability_limit(co))
    p0 = rng.random(grid.cells) ** 4
    run = K.kernel("explicit_2d", 1)
    hi, lo = run(p0, E2.NO_LOW, s, E2.GHOST, 50)
    assert np.array_equal(hi, hi + lo) and np.any(lo != 0.0)
    h1, l1 = run(p0, E2.NO_LOW, s, E2.GHOST, 20)
    h2, l2 = run(h1, l1, s, E2.GHOST, 30)
    assert np.array_equal(h2, hi) and np.array_equal(l2, lo)
    # one step from (hi, lo) adds to hi + lo exactly y = fl(d + lo), d the flux increment
    # (recomputed here with the same float64 operations), wherever |hi| >= |y|
    g, ny = E2.GHOST, grid.cells[1]
    a0, a1, a2, a3 = (s[:, k, g:g + ny] for k in range(4))
    left = np.roll(a2, 1, axis=1) * np.roll(hi, 1, axis=1) - np.roll(a3, 1, axis=1) * hi
    right = a2 * hi - a3 * np.roll(hi, -1, axis=1)
    d = (((np.roll(a0, 1, axis=0) * np.roll(hi, 1, axis=0) - np.roll(a1, 1, axis=0) * hi)
          - (a0 * hi - a1 * np.roll(hi, -1, axis=0))) + (left - right))
    assert np.array_equal(run(hi, E2.NO_LOW, s, E2.GHOST, 1)[0], hi + d)
    y = d + lo
    h3, l3 = run(hi, lo, s, E2.GHOST, 1)
    cells = np.argwhere(np.abs(hi) >= np.abs(y))
    assert len(cells) > 0.9 * hi.size
    for i, j in cells:
        assert Fraction(h3[i, j]) + Fraction(l3[i, j]) == Fraction(hi[i, j]) + Fraction(y[i, j])


@pytest.mark.parametrize("periodic", [(False, False), (True, False), (True, True)])
def test_p2_eq20_stencil_form_is_the_flux_form(periodic):
    """The 2D explicit step of fp_explicit2d (face coefficients dt (a^x, b^x, a^y, b^y) per
    cell, updated in flux form) is the forward-Euler step p + dt A p of P2 (20) written with
    the Scharfetter-Gummel face fluxes, to round-off; its diagonal 1 - dt (b^x_(i-1) + a^x_i +
    b^y_(j-1) + a^y_j) is >= 0 exactly at the stability limit (positivity)."""
    from emergent.kernels import fp_explicit2d as E2

    rng = np.random.default_rng(5)
    grid = Grid((-1.0, -2.0), (1.0, 2.0), (23, 31), periodic)
    f = 2.0 * rng.standard_normal(grid.cells)
    (ax, bx), (ay, by) = co = face_coefficients(grid, f, gamma=0.9, diffusion=0.4)
    dt = stability_limit(co)
    s = E2.stencil_2d(co, dt)
    inner = s[:, :, E2.GHOST:E2.GHOST + grid.cells[1]]
    assert np.array_equal(inner, np.stack([dt * ax, dt * bx, dt * ay, dt * by], axis=1))
    assert np.array_equal(s[:, :, E2.GHOST - 1], inner[:, :, -1])  # periodic ghost column
    diag = 1.0 - (np.roll(inner[:, 1], 1, axis=0) + inner[:, 0]
                  + np.roll(inner[:, 3], 1, axis=1) + inner[:, 2])
    assert diag.min() >= -1e-15
    p = rng.random(grid.cells)
    fx = ax * p - bx * np.roll(p, -1, axis=0)  # flux through face i + 1/2 (divided by h)
    fy = ay * p - by * np.roll(p, -1, axis=1)
    flux_form = p + dt * (np.roll(fx, 1, axis=0) - fx + np.roll(fy, 1, axis=1) - fy)
    stepper = FokkerPlanck(grid, f, gamma=0.9, diffusion=0.4, dt=dt, method="explicit")
    assert np.allclose(stepper.step(p, 1), flux_form, rtol=0, atol=1e-14 * p.max())


def test_explicit_2d_step_out_buffer():
    """step(p, n, out=...) writes the result into `out`, leaves p alone, and refuses an
    `out` of the wrong shape or one that overlaps p."""
    grid = Grid((-2.0, -2.0), (2.0, 2.0), (40, 36))
    x, y = grid.mesh()
    stepper = FokkerPlanck(grid, -0.5 * (x**2 + y**2), gamma=1.0, diffusion=0.5, dt=1e-3,
                           method="explicit")
    p = np.exp(-(x - 0.5) ** 2 - y**2)
    keep = p.copy()
    ref = stepper.step(p, 30)
    out = np.empty_like(p)
    assert stepper.step(p, 30, out=out) is out
    assert np.array_equal(out, ref) and np.array_equal(p, keep)
    assert np.array_equal(stepper.step(p, 0), p)
    with pytest.raises(ValueError, match="out must be"):
        stepper.step(p, 1, out=p)
    with pytest.raises(ValueError, match="out must be"):
        stepper.step(p, 1, out=np.empty((40, 35)))
    with pytest.raises(ValueError, match="nsteps must be >= 0"):
        stepper.step(p, -1)


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_stationary_state_exact_2d_explicit_blocked():
    """exp(gamma F / D) stays fixed to round-off under the blocked 2D explicit stepper
    (40 steps = several passes), and a non-stationary start moves and keeps its mass."""
    grid = Grid((-2.0, -1.5), (2.0, 1.5), (160, 120), (False, True))
    x, y = grid.mesh()
    f = potential_values("double-well", [x], height=1.0) + 0.5 * np.cos(2 * np.pi * y / 3.0)
    st = stationary_state(grid, f, gamma=0.8, diffusion=0.5)
    limit = stability_limit(face_coefficients(grid, f, gamma=0.8, diffusion=0.5))
    stepper = FokkerPlanck(grid, f, gamma=0.8, diffusion=0.5, dt=limit, method="explicit")
    assert np.abs(stepper.step(st, 40) - st).max() <= 1e-12 * st.max()
    p0 = np.roll(st, 7, axis=0)
    p1 = stepper.step(p0, 40)
    from emergent.kernels import fp_explicit2d as E2
    from emergent.kernels import fp_kernels as K
    assert E2.blocked_plan(grid.cells, 1)[0] < 40  # several passes
    assert np.array_equal(p1, K.kernel("explicit_2d", 1)(p0, E2.NO_LOW, stepper._stencil,
                                                         E2.GHOST, 40)[0])
    assert (p1 >= 0).all()
    assert abs(p1.sum() - p0.sum()) <= 1e-12 * p0.sum()
    assert np.abs(p1 - p0).max() > 1e-3 * p0.max()


@pytest.mark.equations("P1 (11.5)")
def test_p1_eq11_5_pure_diffusion_heat_kernel():
    """P1 (11.5): dp/dt = (D/2) Laplacian p, i.e. P2 (20) with F = 0 and diffusion D/2;
    a Gaussian spreads as var0 + D t (periodic box, far from the walls)."""
    big_d = 0.8
    grid = Grid((-8.0, -8.0), (8.0, 8.0), (160, 160), (True, True))
    p0 = gaussian_cells(grid, [0.0, 0.0], [0.5, 0.3])
    model = FokkerPlanckModel(grid, np.zeros(grid.cells), gamma=1.0, diffusion=big_d / 2)
    res = solve(p0, model, 1.0, dt=0.01, saves=2)
    exact = gaussian_cells(grid, [0.0, 0.0], [0.5 + big_d, 0.3 + big_d])
    assert np.abs(res.states[-1] - exact).sum() * grid.cell_volume < 1e-3
    assert np.allclose(np.diag(res.series["cov"][-1]), [0.5 + big_d, 0.3 + big_d], atol=2e-2)


@pytest.mark.equations("P2 (22)")
@pytest.mark.parametrize("dim", [1, 2])
def test_p2_eq22_entropy_production_two_routes(dim):
    """P2 (22): dS_q/dt from differencing S_q (21) in time equals the integral formula
    4 D int |grad sqrt p|^2 + gamma int p Laplacian F, to discretisation error; the diffusion
    part is >= 0 and the drift part is < 0 near a maximum of F."""
    cells = (400,) if dim == 1 else (160, 160)
    grid = Grid((-2.5,) * dim, (2.5,) * dim, cells)
    f = potential_values("double-well", grid.mesh(), height=0.5)
    p0 = gaussian_cells(grid, [0.8] * dim, [0.1] * dim)
    res = solve(p0, FokkerPlanckModel(grid, f, gamma=1.0, diffusion=0.2), 0.4,
                dt=2e-4 if dim == 1 else None, method="cn" if dim == 1 else "explicit",
                saves=81)
    rate = entropy_rate_from_differences(res)[2:-2]
    s = res.series
    formula = s["production"][2:-2]
    scale = np.abs(formula).max()
    assert np.abs(rate - formula).max() < 3e-2 * scale  # O(h^2): 2e-2 at h = 1/32 in 2D
    # time discretisation only (first order for the explicit 2D run)
    assert np.abs(rate - s["production_discrete"][2:-2]).max() < 1e-2 * scale
    assert (s["production_diffusion"] > 0).all()
    assert (s["production_drift"] < 0).all()


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_time_dependent_free_energy_moving_trap():
    """P2 (20) with F(t, q) = -(q - v t)^2 / 2: the mean obeys dm/dt = gamma (v t - m),
    m(t) = m0 e^-t + v (t - 1 + e^-t) for gamma = 1 (exact, linear drift)."""
    grid = Grid((-6.0,), (6.0,), (600,))
    v = 1.5

    def f(t, q):
        return -0.5 * (q - v * t) ** 2

    p0 = gaussian_cells(grid, [-1.0], [0.2])
    model = FokkerPlanckModel(grid, f, gamma=1.0, diffusion=0.5, time_dependent=True)
    res = solve(p0, model, 1.0, dt=0.005, saves=5)
    t = res.t
    exact = -np.exp(-t) + v * (t - 1 + np.exp(-t))
    assert np.abs(res.series["mean"][:, 0] - exact).max() < 2e-3
    assert np.abs(res.series["total"] - 1).max() < 1e-12


def test_bad_input_errors_name_the_parameter():
    grid = Grid((-1.0,), (1.0,), (32,))
    f = np.zeros(32)
    with pytest.raises(ValueError, match="diffusion"):
        FokkerPlanck(grid, f, gamma=1.0, diffusion=0.0, dt=1e-3)
    limit = stability_limit(face_coefficients(grid, f, gamma=1.0, diffusion=1.0))
    with pytest.raises(ValueError, match=f"stability limit {limit:.6g}"):
        FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=2 * limit, method="explicit")
    with pytest.raises(ValueError, match="free_energy.*non-finite"):
        FokkerPlanck(grid, np.where(np.arange(32) == 5, np.nan, 0.0), gamma=1.0,
                     diffusion=1.0, dt=1e-3)
    with pytest.raises(ValueError, match="cells"):
        Grid((-1.0,), (1.0,), (2,))
    with pytest.raises(ValueError, match="langevin"):
        Grid((-1.0,) * 4, (1.0,) * 4, (8,) * 4)


def test_non_finite_p_stops_with_time_and_cell():
    grid = Grid((-1.0,), (1.0,), (16,))
    p0 = np.full(16, 1e308)
    with pytest.raises(FloatingPointError, match=r"t = .* cell \("):
        solve(p0, FokkerPlanckModel(grid, np.zeros(16), gamma=1.0, diffusion=1.0), 1.0,
              method="explicit", saves=3)


def test_diagnostics_gaussian_moments_and_entropy():
    """Mean, covariance and S_q (21) of a resolved Gaussian: S = (1/2) log((2 pi e)^K det C)."""
    grid = Grid((-8.0, -8.0), (8.0, 8.0), (256, 256))
    p = gaussian_cells(grid, [0.5, -1.0], [0.7, 1.3])
    d = diagnostics(p, grid, free_energy=np.zeros(grid.cells), gamma=1.0, diffusion=1.0)
    assert abs(d["total"] - 1) < 1e-9  # the box cuts 6 sigma tails (4e-10)
    assert np.allclose(d["mean"], [0.5, -1.0], atol=1e-10)
    h2 = np.array(grid.spacing) ** 2 / 12  # centre quadrature of cell averages: var + h^2/12
    assert np.allclose(np.diag(d["cov"]) - h2, [0.7, 1.3], atol=1e-6)
    s_exact = 0.5 * np.log((2 * np.pi * np.e) ** 2 * 0.7 * 1.3)
    assert abs(d["entropy"] - s_exact) < 1e-3


@pytest.mark.parametrize("potential,extra", [
    ("ou", []),
    ("double-well", ["dims=2", "lower=-2.5", "upper=2.5", "cells=96"]),
    ("canonical", ["lower=0", "upper=6", "beta=2", "mean0=2"]),
])
def test_simulation_fokker_planck_end_to_end(tmp_path, potential, extra):
    """`emergent run fokker-planck`: p on the grid with axes, diagnostics series, checks pass."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.simulations.fokker_planck import checks
    out = tmp_path / "fp.h5"
    args = ["run", "fokker-planck", "-o", str(out), "--quiet", "--set", f"potential={potential}",
            "--set", "cells=64", "--set", "saves=41", "--set", "t_end=0.5"]
    for e in extra:
        args += ["--set", e]
    assert main(args) == 0
    data = read_run(out)
    p, axes = data.field("p")
    assert p.shape == (data.params["cells"],) * data.params["dims"] and "q1" in axes
    assert data.series("entropy").shape == (41,)
    assert all(c.agrees for c in checks(data) if "exact" not in c.claim)


def test_simulation_fokker_planck_bad_box_for_canonical(tmp_path):
    from emergent.cli import main
    assert main(["run", "fokker-planck", "-o", str(tmp_path / "x.h5"), "--quiet", "--set",
                 "potential=canonical", "--set", "cells=32"]) != 0


@pytest.mark.parametrize("dims,method", [(1, "explicit"), (1, "cn"), (2, "explicit"), (2, "cn"),
                                         (3, "explicit")])
def test_far_tails_never_subnormal_and_nan_propagates(dims, method):
    """Far tails of p in a steep double well (P2 (20)) are set to zero below TINY = 1e-150
    instead of sinking into subnormal numbers (up to 100x slower arithmetic); probability is
    still conserved to round-off and p >= 0. A NaN in p is not flushed: it propagates, so the
    non-finite check still sees it."""
    from emergent.kernels.fp_common import TINY

    n = {1: 256, 2: 160, 3: 40}[dims]
    grid = Grid((-6.0,) * dims, (6.0,) * dims, (n,) * dims)
    f = potential_values("double-well", list(grid.mesh()), height=1.0)
    co = face_coefficients(grid, f, gamma=1.0, diffusion=1.0)
    dt = stability_limit(co) * (0.9 if method == "explicit" else 4.0)
    stepper = FokkerPlanck(grid, f, gamma=1.0, diffusion=1.0, dt=dt, method=method)
    p0 = gaussian_cells(grid, (0.5, -0.2, 0.1)[:dims], (0.25,) * dims)
    p = stepper.step(p0, 400)
    small = p[p != 0]
    assert np.abs(small).min() >= max(TINY, np.finfo(float).tiny) and (p == 0).any()
    assert abs(p.sum() - p0.sum()) <= 1e-12 * p0.sum()
    if method == "explicit":
        assert (p >= 0).all()
    bad = p0.copy()
    bad.flat[bad.size // 2] = np.nan
    assert np.isnan(stepper.step(bad, 3)).any()


def test_solve_equals_stepper_driven_by_hand_and_resume_is_bit_identical():
    """solve() is evolve() over FokkerPlanckStepper: stepping by hand gives the same states,
    and a run continued from save()/load() of a middle state ends bit-identically (P2 (20))."""
    from emergent.evolution import record_times

    grid = Grid((-5.0,), (5.0,), (200,))
    model = FokkerPlanckModel(grid, potential_values("double-well", grid.mesh()), gamma=0.7,
                              diffusion=0.4)
    p0 = gaussian_cells(grid, [0.3], [0.2])
    res = solve(p0, model, 0.6, saves=7)
    stepper = FokkerPlanckStepper(model)
    times = record_times(0.6, 7)
    p = p0
    for k in range(1, 7):
        p = stepper.advance(p, times[k - 1], times[k])
        assert np.array_equal(p, res.states[k])
        if k == 3:
            saved = stepper.save(p)
    fresh = FokkerPlanckStepper(model)
    resumed = fresh.load(saved)
    for k in range(4, 7):
        resumed = fresh.advance(resumed, times[k - 1], times[k])
    assert np.array_equal(resumed, res.final)
    assert res.info["method"] == "cn" and res.info["dt"] == default_dt(model, "cn")


@pytest.mark.parametrize("method", ["cn", "explicit"])
def test_default_dt_obeys_stability_and_positivity(method):
    """The default step: explicit at 0.9 x the limit (stable, p >= 0); Crank-Nicolson at
    min(0.02, 2 x the limit), where I + dt/2 A >= 0 keeps it positive in 1D."""
    grid = Grid((-4.0,), (4.0,), (400,))
    model = FokkerPlanckModel(grid, -0.5 * 3.0 * grid.axes[0] ** 2, gamma=1.3, diffusion=0.6)
    limit = model.dt_limit()
    dt = default_dt(model, method)
    assert dt == (0.9 * limit if method == "explicit" else min(0.02, 2 * limit))
    res = solve(gaussian_cells(grid, [1.0], [0.1]), model, 0.5, method=method, saves=3)
    assert (res.states >= 0).all()
    assert np.abs(res.series["total"] - res.series["total"][0]).max() <= 1e-13
    with pytest.raises(ValueError, match="method"):
        default_dt(model, "rk4")
