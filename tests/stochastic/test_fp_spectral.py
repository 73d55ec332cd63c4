"""Spectral Fokker-Planck solver (P2 eq 18-20) and the method choice from the requested accuracy.

Independent routes: the exact Ornstein-Uhlenbeck Gaussian, the exact stationary state
exp(gamma F / D), conservation of probability, and the finite-volume solver.
"""

from __future__ import annotations

import numpy as np
import pytest

from emergent.stochastic.fokker_planck import (
    FokkerPlanckModel,
    Grid,
    gaussian_cells,
    ou_solution,
    solve,
)
from emergent.stochastic.fp_choice import cell_averages, coarsen
from emergent.stochastic.fp_spectral import (
    SpectralFokkerPlanck,
    SpectralUnavailable,
    solve_spectral,
)
from emergent.stochastic.langevin import potential_values

# constants that make a wrong gamma, D or stiffness visible (none of them 1)
OU = dict(stiffness=1.5, gamma=0.8, diffusion=0.6)
MEAN = (0.7, -0.4, 0.2)
VAR = (0.3, 0.5, 0.2)


def _ou_model(dim, cells=24, box=5.0, gamma=OU["gamma"], diffusion=OU["diffusion"]):
    grid = Grid((-box,) * dim, (box,) * dim, (cells,) * dim)
    return FokkerPlanckModel(grid, lambda *q: potential_values("ou", q, stiffness=1.5),
                             gamma=gamma, diffusion=diffusion)


def _p0(dim):
    def p0(*q):
        out = 1.0
        for k in range(dim):
            out = out * np.exp(-(q[k] - MEAN[k]) ** 2 / (2 * VAR[k])) / np.sqrt(2 * np.pi * VAR[k])
        return out
    return p0


def _exact(model, t):
    dim = model.grid.ndim
    return ou_solution(model.grid, t, mean0=MEAN[:dim], var0=VAR[:dim], **OU)


def _l1(a, b, grid):
    return float(np.abs(a - b).sum() * grid.cell_volume)


@pytest.mark.equations("P2 (20)")
@pytest.mark.parametrize("dim, degree, bound", [(1, 64, 1e-10), (2, 64, 1e-9), (3, 64, 1e-8)])
def test_p2_eq20_spectral_ou_exact_gaussian(dim, degree, bound):
    """P2 (20) with F = -k q^2/2 (gamma = 0.8, D = 0.6, k = 1.5): the exact Gaussian (moving
    mean, relaxing variance D/(gamma k)) to spectral accuracy in K = 1, 2, 3 at t = 1.3."""
    model = _ou_model(dim)
    solver = SpectralFokkerPlanck(model, degree)
    p = solver.propagate(solver.from_function(_p0(dim)), 1.3)
    exact = _exact(model, 1.3)
    assert _l1(solver.to_cells(p), exact, model.grid) <= bound
    # not trivially the initial state
    assert _l1(solver.to_cells(solver.from_function(_p0(dim))), exact, model.grid) > 0.1


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_spectral_wrong_constants_fail():
    """The same comparison with D and gamma swapped misses the exact Gaussian by far (the test
    above decides the constants, not only the shape)."""
    model = _ou_model(1, gamma=OU["diffusion"], diffusion=OU["gamma"])
    solver = SpectralFokkerPlanck(model, 64)
    p = solver.propagate(solver.from_function(_p0(1)), 1.3)
    assert _l1(solver.to_cells(p), _exact(_ou_model(1), 1.3), model.grid) > 1e-2


def test_spectral_convergence_is_faster_than_any_fixed_order():
    """L1 error at degrees 24, 32, 40, 48: falls by >= 10x per rung and by more than an
    order-8 method would (err(48) / err(24) < 2^-8)."""
    model = _ou_model(1)
    exact = _exact(model, 1.0)
    errs = []
    for n in (24, 32, 40, 48):
        s = SpectralFokkerPlanck(model, n)
        errs.append(_l1(s.to_cells(s.propagate(s.from_function(_p0(1)), 1.0)), exact,
                        model.grid))
    assert all(b < a / 10 for a, b in zip(errs, errs[1:], strict=False))
    assert errs[-1] / errs[0] < 2.0**-8


@pytest.mark.equations("P2 (20)")
def test_p2_eq20_spectral_stationary_state_is_fixed():
    """exp(gamma F / D) (double well, gamma = 1.3, D = 0.7) does not move under the
    propagator over t = 5."""
    grid = Grid((-2.5, -2.5), (2.5, 2.5), (16, 16))
    model = FokkerPlanckModel(grid, lambda *q: potential_values("double-well", q, height=0.5),
                              gamma=1.3, diffusion=0.7)
    solver = SpectralFokkerPlanck(model, 64)
    ps = solver.from_function(
        lambda *q: np.exp(1.3 * potential_values("double-well", q, height=0.5) / 0.7))
    after = solver.propagate(ps, 5.0)
    assert np.abs(after - ps).max() <= 1e-9 * ps.max()


@pytest.mark.equations("P2 (18)")
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_p2_eq18_spectral_probability_conserved(dim):
    """Zero flux through the walls: int p is conserved to round-off over 40 recorded steps
    (double well, the density piling up at q = +-1); info reports the drift and min p."""
    grid = Grid((-2.5,) * dim, (2.5,) * dim, (12,) * dim)
    model = FokkerPlanckModel(grid, lambda *q: potential_values("double-well", q, height=0.4),
                              gamma=1.1, diffusion=0.5)
    res = solve(_p0(dim), model, 2.0, tol=1e-4, saves=41)
    assert res.info["method"] == "spectral"
    assert res.info["mass_drift"] <= 1e-13
    total = res.series["total"]
    assert np.abs(total - total[0]).max() <= 1e-13
    assert "min_p" in res.info and res.info["min_p"] > -1e-4


@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("tol", [1e-3, 1e-5, 1e-7])
def test_auto_never_misses_the_requested_accuracy(dim, tol):
    """solve(tol=...) returns a solution whose L1 error against the exact Gaussian is <= tol
    and whose stated estimate is <= tol."""
    model = _ou_model(dim, cells=16)
    res = solve(_p0(dim), model, 1.3, tol=tol, saves=3)
    assert res.info["error_estimate"] <= tol
    assert _l1(res.final, _exact(model, 1.3), model.grid) <= tol


def test_method_choice_by_requested_accuracy():
    """No tol: the positivity-preserving finite volumes (CN, bit-identical to method='cn');
    a tol: the spectral solver; F given on the cells: finite volumes with a Richardson estimate
    that must meet tol, else a one-line error naming tol."""
    model = _ou_model(1, cells=256)
    p0 = gaussian_cells(model.grid, MEAN[:1], VAR[:1])
    default = solve(p0, model, 1.0, saves=2)
    assert default.info["method"] == "cn"
    assert np.array_equal(default.final, solve(p0, model, 1.0, saves=2, method="cn").final)
    spectral = solve(p0, model, 1.0, saves=2, tol=1e-6)
    assert spectral.info["method"] == "spectral" and spectral.info["error_estimate"] <= 1e-6
    on_cells = FokkerPlanckModel(model.grid, model.free_energy(*model.grid.mesh()),
                                 gamma=model.gamma, diffusion=model.diffusion)
    with pytest.raises(ValueError, match="tol"):
        solve(p0, on_cells, 1.0, saves=2, tol=1e-3)
    fv = solve(p0, model, 1.0, saves=2, method="cn", tol=1e-2)
    assert fv.info["method"] == "cn" and fv.info["error_estimate"] <= 1e-2
    assert _l1(fv.final, _exact(model, 1.0), model.grid) <= 1e-2
    with pytest.raises(ValueError, match="tol"):
        solve(p0, model, 1.0, saves=2, method="cn", tol=1e-9)


def test_auto_falls_back_outside_the_spectral_scope():
    """A time-dependent F (outside the spectral scope): auto with tol uses the finite volumes;
    method='spectral' there is a one-line ValueError."""
    grid = Grid((-5.0,), (5.0,), (128,))
    model = FokkerPlanckModel(grid, lambda t, q: -0.75 * (q - 0.1 * t) ** 2, gamma=0.8,
                              diffusion=0.6, time_dependent=True)
    res = solve(_p0(1), model, 0.5, tol=5e-2, saves=2)
    assert res.info["method"] == "cn"
    with pytest.raises(ValueError, match="spectral"):
        solve(_p0(1), model, 0.5, tol=5e-2, saves=2, method="spectral")
    periodic = FokkerPlanckModel(Grid((-5.0,), (5.0,), (128,), (True,)),
                                 lambda q: np.cos(q), gamma=0.8, diffusion=0.6)
    with pytest.raises(SpectralUnavailable, match="zero-flux"):
        SpectralFokkerPlanck(periodic, 32)


def test_spectral_from_cell_averages():
    """p0 given as cell averages on 256 cells: the least-squares degree-n polynomial fits them
    (misfit reported) and the solution matches the exact Gaussian; too few cells are refused."""
    model = _ou_model(1, cells=256)
    p0 = gaussian_cells(model.grid, MEAN[:1], VAR[:1])
    states, info = solve_spectral(p0, model, np.array([0.0, 1.3]), degree=64)
    assert info["misfit"] <= 1e-9
    assert np.array_equal(states[0], p0)
    assert _l1(states[1], _exact(model, 1.3), model.grid) <= 1e-8
    coarse = _ou_model(1, cells=48)
    with pytest.raises(SpectralUnavailable, match="cells"):
        solve_spectral(gaussian_cells(coarse.grid, MEAN[:1], VAR[:1]), coarse,
                       np.array([0.0, 1.0]), degree=64)


def test_cell_averages_and_coarsen():
    """Gauss-Legendre cell averages of a Gaussian equal the erf cell averages to 2e-8 (O(h^6)); two
    fine cells averaged equal one coarse cell."""
    grid = Grid((-4.0, -4.0), (4.0, 4.0), (64, 32))
    avg = cell_averages(_p0(2), grid)
    assert np.abs(avg - gaussian_cells(grid, MEAN[:2], VAR[:2])).max() <= 2e-8
    coarse = Grid((-4.0, -4.0), (4.0, 4.0), (32, 16))
    assert np.allclose(coarsen(avg), gaussian_cells(coarse, MEAN[:2], VAR[:2]), atol=2e-8)


def test_bad_input():
    """Bad tol, method or degree: one-line errors naming the parameter."""
    model = _ou_model(1)
    with pytest.raises(ValueError, match="tol"):
        solve(_p0(1), model, 1.0, tol=-1.0)
    with pytest.raises(ValueError, match="method"):
        solve(_p0(1), model, 1.0, method="magic")
    with pytest.raises(ValueError, match="tol"):
        solve(_p0(1), model, 1.0, method="spectral")
    with pytest.raises(ValueError, match="degree"):
        solve_spectral(_p0(1), model, np.array([0.0, 1.0]), degree=3)


@pytest.mark.equations("P2 (18)")
def test_p2_eq18_spectral_probability_drift_long_time():
    """Issue 16: probability drift <= 1e-13 at t = 1e4 (1,000 recorded propagator steps) and
    the density relaxed onto exp(gamma F / D)."""
    model = _ou_model(1, cells=32)
    res = solve(_p0(1), model, 1e4, tol=1e-8, saves=1001)
    assert res.info["method"] == "spectral"
    total = res.series["total"]
    assert np.abs(total - total[0]).max() <= 1e-13
    var = OU["diffusion"] / (OU["gamma"] * OU["stiffness"])
    h = model.grid.spacing[0]  # the variance of cell averages: var + h^2 / 12
    assert abs(res.series["cov"][-1][0, 0] - var - h**2 / 12) <= 1e-6
