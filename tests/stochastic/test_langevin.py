"""Langevin ensembles: the SDE route to P2 eq 19-20, checked against the grid solver."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from emergent.kernels.langevin_kernels import normals
from emergent.stochastic.fokker_planck import (
    FokkerPlanckModel,
    Grid,
    gaussian_cells,
    ou_solution,
    solve,
)
from emergent.stochastic.langevin import (
    LangevinModel,
    histogram,
    potential_values,
    step_ensemble,
)


def evolve(q0, *, dt, steps, seed, key=0, **model):
    """step_ensemble with the model given by keywords (the old one-call form of the tests)."""
    return step_ensemble(q0, LangevinModel(**model), dt=dt, steps=steps, seed=seed, key=key)


def test_streams_reproducible_and_thread_independent():
    """Same seed and key -> identical ensemble whatever the number of threads; another key or
    seed -> different numbers."""
    q0 = np.zeros((3000, 2))
    kw = dict(potential="ou", gamma=1.0, diffusion=0.5, dt=1e-2, steps=20, seed=7,
              boundary="free")
    a = evolve(q0, **kw)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        b = evolve(q0, **kw)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, evolve(q0, **{**kw, "seed": 8}))
    assert not np.array_equal(a, evolve(q0, key=1, **kw))


def test_stream_normals_are_standard():
    """The per-particle streams give N(0, 1) numbers: mean, variance, kurtosis, independence
    of neighbouring streams (2e5 samples, 5 sigma bounds)."""
    z = normals(200_000, 12345, 0)
    n = z.size
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(z**4) - 3) < 5 * np.sqrt(96 / n)
    assert abs(np.mean(z[1:] * z[:-1])) < 5 / np.sqrt(n)


@pytest.mark.equations("P2 (19)", "P2 (20)")
def test_p2_eq20_langevin_histogram_matches_grid_solver_double_well():
    """The density of dq = gamma F'(q) dt + sqrt(2D) dW obeys P2 (20): histogram on the grid
    solver's cells agrees with the grid solution within the statistical error (chi^2 test)."""
    grid = Grid((-2.5,), (2.5,), (40,))
    fine = Grid((-2.5,), (2.5,), (400,))
    f = potential_values("double-well", fine.mesh(), height=0.5)
    p0 = gaussian_cells(fine, [0.3], [0.09])
    res = solve(p0, FokkerPlanckModel(fine, f, gamma=1.0, diffusion=0.5), 1.0, dt=1e-3,
                saves=2)
    p_grid = res.states[-1].reshape(40, 10).mean(axis=1)  # onto the coarse cells
    rng = np.random.default_rng(0)
    m = 40_000
    q0 = rng.normal(0.3, 0.3, (m, 1))
    q = evolve(q0, potential="double-well", height=0.5, gamma=1.0, diffusion=0.5, dt=5e-4,
               steps=2000, seed=11, lower=[-2.5], upper=[2.5])
    dens, err = histogram(q, grid)
    use = err > 0
    chi2 = np.sum(((dens - p_grid)[use] / err[use]) ** 2)
    dof = use.sum()
    assert chi2 < dof + 5 * np.sqrt(2 * dof)
    # and it is a real test: the initial density is far away in the same metric
    d0, e0 = histogram(q0, grid)
    assert np.sum(((d0 - p_grid)[use] / np.maximum(err[use], e0[use])) ** 2) > 10 * dof


@pytest.mark.equations("P2 (19)", "P2 (20)")
def test_p2_eq20_langevin_ou_2d_histogram_matches_exact():
    """K = 2 Ornstein-Uhlenbeck ensemble vs the exact Gaussian on the grid cells (chi^2)."""
    grid = Grid((-4.0, -4.0), (4.0, 4.0), (16, 16))
    rng = np.random.default_rng(1)
    m = 50_000
    q0 = np.column_stack([rng.normal(1.0, 0.5, m), rng.normal(-0.5, np.sqrt(0.4), m)])
    q = evolve(q0, potential="ou", gamma=1.0, diffusion=1.0, dt=2e-3, steps=500, seed=3,
               lower=[-4, -4], upper=[4, 4])
    exact = ou_solution(grid, 1.0, mean0=[1.0, -0.5], var0=[0.25, 0.4], stiffness=1.0,
                        gamma=1.0, diffusion=1.0)
    dens, err = histogram(q, grid)
    use = err > 0
    chi2 = np.sum(((dens - exact)[use] / err[use]) ** 2)
    dof = use.sum()
    assert chi2 < dof + 5 * np.sqrt(2 * dof)


@pytest.mark.equations("P2 (19)")
def test_p2_eq19_langevin_k5_ou_moments():
    """K = 5 (beyond the grid solver): OU mean m0 e^-t and variance v0 e^-2t + (1 - e^-2t)."""
    rng = np.random.default_rng(2)
    m, k = 20_000, 5
    q0 = rng.normal(1.0, 0.5, (m, k))
    q = evolve(q0, potential="ou", gamma=1.0, diffusion=1.0, dt=1e-3, steps=500, seed=5,
               boundary="free")
    t = 0.5
    mean = np.exp(-t)
    var = 0.25 * np.exp(-2 * t) + (1 - np.exp(-2 * t))
    assert np.abs(q.mean(axis=0) - mean).max() < 5 * np.sqrt(var / m) + 1e-3
    assert np.abs(q.var(axis=0) - var).max() < 5 * var * np.sqrt(2 / m) + 2e-3


def test_p2_eq45_canonical_drift_uses_canonical_gradient():
    """'canonical' potential: with D -> small the ensemble drifts with dq/dt = gamma dF/dlambda
    from emergent.septuple.canonical (P2 45): compare one particle's deterministic path (RK4)."""
    from emergent.septuple.canonical import canonical_free_energy_gradient
    q0 = np.array([[0.5, 2.0]])
    q = evolve(q0, potential="canonical", beta=2.0, gamma=1.0, diffusion=1e-12, dt=1e-3,
               steps=1000, seed=0, lower=[0.0, 0.0], upper=[10.0, 10.0])
    x = q0[0].copy()
    h = 1e-3
    for _ in range(1000):
        def g(y):
            return canonical_free_energy_gradient(y[:, None], beta=2.0)[:, 0]
        k1 = g(x)
        k2 = g(x + h / 2 * k1)
        k3 = g(x + h / 2 * k2)
        k4 = g(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    assert np.abs(q[0] - x).max() < 1e-3
    assert (q[0] > q0[0]).all()  # drift up the free energy


def test_bad_input():
    q0 = np.zeros((4, 1))
    with pytest.raises(ValueError, match="diffusion"):
        evolve(q0, potential="ou", gamma=1.0, diffusion=0.0, dt=1e-3, steps=1, seed=0,
               boundary="free")
    with pytest.raises(ValueError, match="potential"):
        evolve(q0, potential="nope", gamma=1.0, diffusion=1.0, dt=1e-3, steps=1, seed=0,
               boundary="free")
    with pytest.raises(ValueError, match="lower and upper"):
        evolve(q0, potential="ou", gamma=1.0, diffusion=1.0, dt=1e-3, steps=1, seed=0)


def test_simulation_langevin_end_to_end_and_seeded(tmp_path):
    """`emergent run langevin`: histogram and grid solution on the same cells agree (chi^2);
    the same seed gives the same histogram."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.simulations.langevin import checks
    runs = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.h5"
        assert main(["run", "langevin", "-o", str(out), "--quiet", "--seed", "5", "--set",
                     "particles=20000", "--set", "steps=400", "--set", "dt=1e-3"]) == 0
        runs.append(read_run(out))
    h0, axes = runs[0].field("histogram")
    assert np.array_equal(h0, runs[1].field("histogram")[0])
    assert all(c.agrees for c in checks(runs[0]))
    assert runs[0].series("t")[-1] == pytest.approx(0.4)


def test_solve_records_moments_and_resume_through_save_load_is_bit_identical():
    """P2 (19): solve() drives LangevinStepper; the OU ensemble's mean relaxes as
    m0 e^{-gamma k t}; a stepper restored from save() continues on the same random streams."""
    from emergent.evolution import evolve as run_loop
    from emergent.stochastic.langevin import Ensemble, LangevinStepper
    from emergent.stochastic.langevin import solve as lsolve

    model = LangevinModel("ou", gamma=0.8, diffusion=0.3, stiffness=1.5, boundary="free")
    q0 = np.full((20000, 1), 1.2)
    res = lsolve(q0, model, 1.0, dt=1e-3, seed=4, saves=5)
    mean = 1.2 * np.exp(-0.8 * 1.5 * res.t)
    assert np.abs(res.series["mean"][:, 0] - mean).max() < 0.02
    assert res.info["steps"] == 1000 and res.final.shape == (20000, 1)
    stepper = LangevinStepper(model, dt=1e-3, seed=4)
    half = run_loop(stepper, Ensemble(q0), res.t[:3])
    fresh = LangevinStepper(model, dt=1e-3, seed=4)
    end = run_loop(fresh, fresh.load(stepper.save(half)), res.t, start=2)
    assert np.array_equal(end.q, res.final)


def test_default_dt_resolves_drift_and_diffusion():
    """default_dt: |gamma| max|F''| dt <= 0.01 and sqrt(2 D dt) <= 1% of the box."""
    from emergent.stochastic.langevin import default_dt

    model = LangevinModel("double-well", gamma=2.0, diffusion=0.5, height=0.5, lower=-2.5,
                          upper=2.5)
    dt = default_dt(model)
    curvature = 0.5 * (12 * 2.5**2 - 4)  # |F''| = h |12 q^2 - 4| at the wall
    assert dt <= 0.01 / (2.0 * curvature) * 1.01
    assert np.sqrt(2 * 0.5 * dt) <= 0.01 * 5.0 * 1.0001
