"""Relativistic strings from the pi / pi^T chain ensemble (P2 eq 64-76)."""


import numpy as np
import pytest

from emergent.chains.continuum import convergence_order
from emergent.chains.permutation import noisy_weights
from emergent.chains.strings import (
    StringChain,
    StringState,
    StringStepper,
    closed_string,
    light_cone_residuals,
    minkowski,
    nambu_goto_density,
    polyakov_action,
    polyakov_density,
    solve,
)
from emergent.evolution import evolve
from tests._resume import interrupted_then_resumed


class _Ensemble:
    """The ensemble at a step: model, state, step and tau (what the tests look at)."""

    def __init__(self, model, state, t):
        self.model, self.state, self.t = model, state, t
        self.alpha = model.alpha
        self.tau = t / model.alpha
        self.x = state.x

    def derivatives(self):
        return self.model.derivatives(self.state)


def _residual(kind, n, steps, **kw):
    d = closed_string(kind, n=n, dims=3, radius=1.0)
    model = StringChain.of(d, **kw)
    stepper = StringStepper(model)
    state, t = StringState.of(d), 0
    out = []
    for k in steps:
        state = stepper.advance(state, t, t + k)
        t += k
        rp, rm = light_cone_residuals(*model.derivatives(state))
        out.append(max(np.abs(rp).max(), np.abs(rm).max()))
    return np.array(out), _Ensemble(model, state, t), d


@pytest.mark.equations("P2 (75)")
@pytest.mark.parametrize("kind", ["pulsating", "kibble-turok"])
def test_p2_eq75_constraints_at_discretisation_level(kind):
    """(65), (75): for constraint-satisfying closed-string data the residuals stay at the
    discretisation level for all times (constant, O(N^-2), order 2 in N)."""
    ns = [64, 128, 256]
    worst = []
    for n in ns:
        res, _, _ = _residual(kind, n, [1, n // 3, n // 2, n])
        assert res.max() <= 1.05 * res.min()  # no growth over a full period
        worst.append(res.max())
    assert convergence_order(ns, worst) == pytest.approx(2.0, abs=0.05)


@pytest.mark.equations("P2 (75)")
def test_p2_eq75_pulsating_residual_coefficient():
    """Centred differences give |D a|^2 = (sin h / h)^2: residual = R^2 (1 - sinc^2 h) / 4."""
    n = 100
    res, _, _ = _residual("pulsating", n, [7])
    h = 2 * np.pi / n
    assert res[0] == pytest.approx((1 - (np.sin(h) / h) ** 2) / 4, rel=1e-9)


@pytest.mark.equations("P2 (75)")
def test_p2_eq75_unconstrained_control_fails():
    """Data with the wrong energy violate (75) by -(E^2 - R^2)/4, which does not shrink with N."""
    res, _, d = _residual("unconstrained", 256, [5])
    assert res[0] == pytest.approx((d.energy**2 - 1) / 4, rel=1e-3)


@pytest.mark.equations("P2 (68)", "P2 (73)")
@pytest.mark.parametrize("kind", ["pulsating", "kibble-turok"])
def test_p2_eq73_ensemble_equals_closed_string_solution(kind):
    """(68), (73): the chain ensemble is the continuum closed-string solution on the grid."""
    _, e, d = _residual(kind, 96, [1, 40, 100])
    np.testing.assert_allclose(e.x, d.exact(e.tau), atol=1e-12)


@pytest.mark.equations("P2 (76)")
def test_p2_eq76_polyakov_action_pulsating_string():
    """(76) in conformal gauge: int dsigma (-xdot^2 + x'^2) = 4 pi R^2 cos^2 tau for the
    pulsating string, with O(N^-2) error; it equals twice Nambu-Goto on-shell."""
    for n in (128, 256):
        _, e, _ = _residual("pulsating", n, [11])
        dt, ds = e.derivatives()
        a = polyakov_action(dt, ds, e.alpha)
        assert a == pytest.approx(4 * np.pi * np.cos(e.tau) ** 2, rel=20 / n**2)
        np.testing.assert_allclose(polyakov_density(dt, ds), 2 * nambu_goto_density(dt, ds),
                                   atol=5 / n**2)


@pytest.mark.equations("P2 (76)")
def test_p2_eq76_worldsheet_metric_weyl_invariance():
    """(76) is Weyl invariant: h -> lambda h leaves sqrt(-h) h^ab unchanged."""
    _, e, _ = _residual("kibble-turok", 64, [3])
    dt, ds = e.derivatives()
    h = np.array([[-1.3, 0.2], [0.2, 0.9]])
    np.testing.assert_allclose(polyakov_density(dt, ds, 3.7 * h), polyakov_density(dt, ds, h))


def test_p2_eq57_tanh_and_noise_break_the_string():
    """Linear f and an exact permutation are needed: tanh saturates X^0 = E tau (the emergent
    time stops) and a noisy permutation makes the residuals grow in time."""
    res_lin, _, _ = _residual("pulsating", 128, [1, 60, 60])
    res_tanh, e, _ = _residual("pulsating", 128, [1, 60, 60], activation="tanh")
    assert res_tanh[-1] > 100 * res_lin[-1]
    assert np.abs(e.x[0]).max() < 1.0 < e.tau  # tanh bounds the time coordinate
    w = noisy_weights(128, 0.05, np.random.default_rng(0))
    res_noise, _, _ = _residual("pulsating", 128, [1, 60, 60], weights=w)
    assert res_noise[-1] > 10 * res_lin[-1] and res_noise[-1] > res_noise[0]


def test_bad_string_input():
    with pytest.raises(ValueError, match="D "):
        minkowski(0)
    with pytest.raises(ValueError, match="n \\(neurons per chain\\)"):
        closed_string("kibble-turok", n=16, dims=3)
    with pytest.raises(ValueError, match="dims"):
        closed_string("kibble-turok", n=64, dims=2)
    with pytest.raises(ValueError, match="kind"):
        closed_string("open", n=64)
    with pytest.raises(ValueError, match="activation must be one of linear, tanh"):
        StringChain.of(closed_string(n=64), activation="relu")
    with pytest.raises(ValueError, match="previous step"):
        d = closed_string(n=64)
        StringChain.of(d).derivatives(StringState.of(d))


@pytest.mark.equations("P2 (73)")
def test_p2_eq68_73_solve_equals_stepping_and_the_closed_string():
    """solve(...) equals stepping the ensemble (68) by hand bit for bit, and its recorded
    averages are the continuum closed-string solution (73) on the grid."""
    d = closed_string("kibble-turok", n=48, dims=3)
    model = StringChain.of(d)
    res = solve(StringState.of(d), model, 30, saves=4)
    assert res.t.tolist() == [0, 10, 20, 30] and res.states.shape == (4, 4, 48)
    stepper, state = StringStepper(model), StringState.of(d)
    for t0, t1 in [(0, 10), (10, 20), (20, 30)]:
        state = stepper.advance(state, t0, t1)
    np.testing.assert_array_equal(res.final.minus, state.minus)
    np.testing.assert_array_equal(res.final.plus_prev, state.plus_prev)
    for k, t in enumerate(res.t):
        np.testing.assert_allclose(res.states[k], d.exact(t / model.alpha), atol=1e-12)
    np.testing.assert_allclose(res.series["time_coordinate"], d.energy * res.t / model.alpha,
                               atol=1e-12)


def test_string_stepper_resume_through_save_load_is_bit_identical():
    """Checkpoint/resume of the string ensemble (with noise and tanh): the same bits."""
    d = closed_string("pulsating", n=40, dims=2)
    w = noisy_weights(40, 0.1, np.random.default_rng(3))
    stepper = StringStepper(StringChain.of(d, activation="tanh", weights=w))
    times = [0, 3, 7, 12]
    ref = evolve(stepper, StringState.of(d), times)
    mid = evolve(stepper, StringState.of(d), times[:2])
    again = evolve(stepper, stepper.load(stepper.save(mid)), times, start=1)
    for name in ("minus", "plus", "minus_prev", "plus_prev"):
        np.testing.assert_array_equal(getattr(again, name), getattr(ref, name))


def test_strings_simulation_end_to_end(tmp_path):
    """`emergent run strings` writes x(tau, sigma) with its axes, residuals and the action; its
    paper checks agree for constraint data in a weakly curved metric run as well."""
    from emergent.cli import main
    from emergent.runs.io import read_run
    from emergent.runs.registry import get

    out = tmp_path / "s.h5"
    assert main(["run", "strings", "-o", str(out), "--quiet", "--set", "neurons=64",
                 "--set", "kind=pulsating", "--set", "dims=2", "--set", "curvature=0.05",
                 "--set", "record_every=8"]) == 0
    data = read_run(out)
    x, axes = data.field("x")
    assert list(axes) == ["tau", "mu", "sigma"] and x.shape == (8, 3, 64)
    checks = get("strings").checks(data)
    assert len(checks) == 4 and all(c.agrees for c in checks)
    assert data.series("metric_deviation")[-1] > 1e-3  # the curved metric changes the motion
    bad = tmp_path / "b.h5"
    assert main(["run", "strings", "-o", str(bad), "--quiet", "--set", "neurons=64",
                 "--set", "activation=tanh"]) == 0
    assert read_run(bad).series("residual_rel").max() > 0.1




def test_strings_simulation_resumes_bit_identically(tmp_path, monkeypatch):
    """An interrupted `strings` run (curved metric on) resumes to the same datasets."""
    a, b = interrupted_then_resumed(tmp_path, monkeypatch, "strings",
                                     {"neurons": 32, "record_every": 5, "curvature": 0.05,
                                      "kind": "pulsating", "dims": 2}, 3)
    assert a.keys() == b.keys() and "fields/x" in a and "series/metric_energy" in a
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
