"""Tolerances of the reproduce checks hold at every scale (issue 17 item 4).

Round-off bounds grow with the number of steps; the Langevin / Fokker-Planck comparison uses
a grid reference refined until its error is small against the statistics, and says NO for an
ensemble evolved with a wrong drift or diffusion; timing targets are not paper checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from emergent.runs import registry
from emergent.runs.simulations import holography, langevin, schrodinger
from emergent.runs.tolerances import (
    EPS,
    chi2_agrees,
    chi2_statistic,
    fft_operations,
    roundoff_bound,
)
from emergent.stochastic import fokker_planck as fp
from emergent.stochastic.langevin import (
    Ensemble,
    LangevinModel,
    LangevinStepper,
    histogram,
    potential_values,
)


@dataclass
class FakeRun:
    """The parts of a RunData that a checks function reads."""

    sim: registry.Simulation
    overrides: dict[str, Any]
    columns: dict[str, np.ndarray]
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        out = {p.name: p.default for p in self.sim.params}
        out.update(self.overrides)
        return out

    def series(self, name: str) -> np.ndarray:
        return np.asarray(self.columns[name], dtype=float)


def test_roundoff_bound_grows_linearly_with_steps():
    per_step = fft_operations(512 ** 2)
    assert per_step == pytest.approx(2 * 18 + 1)
    b1, b2 = roundoff_bound(240, per_step), roundoff_bound(1200, per_step)
    assert b2 == pytest.approx(5 * b1)
    assert b1 == pytest.approx(240 * 37 * EPS)
    assert roundoff_bound(0, 3.0) == roundoff_bound(1, 3.0) == 3.0 * EPS


def _schrodinger_norm_row(steps: int, drift: float, **over: Any) -> registry.Check:
    over = {"dims": 2, "cells": 512, "steps": steps, "potential": "harmonic", **over}
    norm = np.array([1.0, 1.0 + drift / 2, 1.0 + drift])
    data = FakeRun(schrodinger.SIMULATION, over,
                   {"norm": norm, "energy": np.ones(3), "error": np.zeros(3)})
    rows = schrodinger.checks(data)  # type: ignore[arg-type]
    return next(r for r in rows if "norm conserved" in r.claim)


def test_schrodinger_norm_bound_holds_for_the_full_scale_round_off():
    # --full: 1,200 Blanes-Moan steps on 512^2 points drifted 2.2e-12 (issue 17), over the
    # old fixed 1e-12; the bound grows with the steps and the FFT size
    row = _schrodinger_norm_row(1200, 2.2e-12)
    assert row.agrees and row.decides == ("P2 (34)",)
    # the same drift after 10 steps of a 1D grid is no longer round-off
    assert not _schrodinger_norm_row(10, 2.2e-12, dims=1, cells=64).agrees
    # a non-unitary step (an O(dt) loss per step) fails at any scale
    assert not _schrodinger_norm_row(1200, 1200 * 1e-6).agrees


def test_holography_has_no_timing_row_and_its_bound_follows_the_chain_length():
    over = {"chains": 400, "crossings": 100}
    cols = {"disjoint_max_error": np.array([1e-12, 3e-12]), "max_excess": np.array([0.0, 1e-12]),
            "solve_seconds": np.array([100.0, 100.0])}
    rows = holography.checks(FakeRun(holography.SIMULATION, over, cols,  # type: ignore[arg-type]
                                     {"bulk_neurons": 400_000}))
    assert [r.decides for r in rows] == [("P2 (100)",), ("P2 (99)",)]
    assert all(r.agrees for r in rows)  # 100 s of solving is no paper verdict
    assert not any("s for" in r.ours or "< 5 s" in r.claim for r in rows)
    cols["disjoint_max_error"] = np.array([1e-12, 1e-3])  # a wrong length (100) is a NO
    rows = holography.checks(FakeRun(holography.SIMULATION, over, cols,  # type: ignore[arg-type]
                                     {"bulk_neurons": 400_000}))
    assert not rows[0].agrees


def test_chi2_statistic_adds_the_reference_error_to_the_variance():
    obs, err = np.array([1.0, 2.0, 5.0]), np.array([1.0, 1.0, 0.0])
    ref = np.array([0.0, 0.0, 0.0])
    assert chi2_statistic(obs, err, ref) == (5.0, 2)
    chi2, dof = chi2_statistic(obs, err, ref, np.array([1.0, 1.0, 1.0]))
    assert (chi2, dof) == (2.5, 2)
    assert chi2_agrees(10.0, 10) and not chi2_agrees(10 + 5 * math.sqrt(20) + 1e-9, 10)


# -- the Langevin-Fokker-Planck comparison (P2 (19)-(20)) ----------------------------------

LOWER, UPPER, CELLS = -2.5, 2.5, 40
GAMMA, D, HEIGHT = 0.8, 0.35, 0.5  # gamma != 1, D != 1/4: a wrong factor shows
MEAN0, VAR0, T_END = 0.3, 0.09, 0.5


def _ensemble(gamma: float, diffusion: float, *, particles: int = 200_000,
              dt: float = 1e-3, seed: int = 3) -> np.ndarray:
    model = LangevinModel(potential="double-well", gamma=gamma, diffusion=diffusion,
                          lower=(LOWER,), upper=(UPPER,), boundary="reflect", height=HEIGHT)
    stepper = LangevinStepper(model, dt=dt, seed=seed)
    q = np.random.default_rng(seed).normal(MEAN0, math.sqrt(VAR0), (particles, 1))
    return stepper.advance(Ensemble(np.clip(q, LOWER, UPPER)), 0.0, T_END).q


def _reference(stderr: np.ndarray, **kw: Any) -> tuple[np.ndarray, np.ndarray, int]:
    grid = fp.Grid((LOWER,), (UPPER,), (CELLS,))
    return langevin.grid_reference(
        grid, lambda mesh: potential_values("double-well", mesh, height=HEIGHT),
        gamma=kw.get("gamma", GAMMA), diffusion=kw.get("diffusion", D), mean0=[MEAN0],
        var0=VAR0, t_end=T_END, stderr=stderr)


@pytest.fixture(scope="module")
def right_ensemble() -> tuple[np.ndarray, np.ndarray]:
    grid = fp.Grid((LOWER,), (UPPER,), (CELLS,))
    return histogram(_ensemble(GAMMA, D), grid)


@pytest.mark.equations("P2 (19)", "P2 (20)")
def test_langevin_ensemble_agrees_with_the_converged_grid_solution(right_ensemble):
    dens, err = right_ensemble
    ref, ref_err, refine = _reference(err)
    chi2, dof = chi2_statistic(dens, err, ref, ref_err)
    assert refine >= 2  # the 40-cell solution alone is not the reference
    assert np.sum((ref_err[err > 0] / err[err > 0]) ** 2) <= langevin.REFERENCE_SHARE * dof
    assert chi2_agrees(chi2, dof), (chi2, dof)


@pytest.mark.equations("P2 (19)", "P2 (20)")
@pytest.mark.parametrize("wrong", [{"gamma": 1.25 * GAMMA}, {"gamma": -GAMMA},
                                   {"diffusion": 1.25 * D}])
def test_langevin_comparison_says_no_for_a_wrong_drift_or_diffusion(right_ensemble, wrong):
    # the ensemble evolved with the true gamma and D against (20) with a wrong one
    dens, err = right_ensemble
    ref, ref_err, _ = _reference(err, **wrong)
    chi2, dof = chi2_statistic(dens, err, ref, ref_err)
    assert not chi2_agrees(chi2, dof), (wrong, chi2, dof)


def test_grid_reference_error_bound_covers_the_exact_ou_solution():
    # an independent route: the exact Ornstein-Uhlenbeck density (cell averages) of P2 (20)
    grid = fp.Grid((-4.0,), (4.0,), (32,))
    k, t = 1.3, 0.7
    exact = fp.ou_solution(grid, t, mean0=[0.5], var0=[0.2], stiffness=k, gamma=GAMMA,
                           diffusion=D)
    stderr = np.full(32, 1e-5)  # the statistics of a huge ensemble: forces refinement
    ref, bound, refine = langevin.grid_reference(
        grid, lambda mesh: -0.5 * k * mesh[0] ** 2, gamma=GAMMA, diffusion=D, mean0=[0.5],
        var0=0.2, t_end=t, stderr=stderr, max_work=2e7)
    coarse, _, _ = langevin.grid_reference(
        grid, lambda mesh: -0.5 * k * mesh[0] ** 2, gamma=GAMMA, diffusion=D, mean0=[0.5],
        var0=0.2, t_end=t, stderr=np.full(32, 1.0), max_work=0.0)
    assert refine >= 4
    assert np.abs(ref - exact).max() <= bound.max()
    assert np.abs(ref - exact).max() < 0.1 * np.abs(coarse - exact).max()


@pytest.mark.equations("P2 (22)")
def test_entropy_rate_bound_covers_the_differencing_error_and_shrinks_as_dt_squared():
    from emergent.runs.simulations.fokker_planck import entropy_rate_tolerance

    bounds = []
    for saves in (6, 11, 51):
        t = np.linspace(0.0, 1.0, saves)
        s = np.exp(-2.0 * t)  # dS/dt = -2 exp(-2t), the 'formula'
        rate = np.gradient(s, t, edge_order=2)[1:-1]
        exact = -2.0 * np.exp(-2.0 * t[1:-1])
        tol = entropy_rate_tolerance(t, s)
        assert np.abs(rate - exact).max() <= tol
        # a formula off by 10% is outside the bound once the records resolve the decay
        if saves >= 11:
            assert np.abs(rate - 1.1 * exact).max() > tol
        bounds.append(tol)
    assert bounds[2] < bounds[1] / 16 < bounds[0] / 16
