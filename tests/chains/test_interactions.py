"""Metric interactions between subsystems (P2 eq 8, 56, 77-78)."""

import numpy as np
import pytest
import scipy.sparse as sp

from emergent.chains.continuum import alpha_for
from emergent.chains.interactions import (
    MetricChain,
    MetricStepper,
    constraint_56,
    discrete_action,
    flat_metric,
    operator_g,
    potential_gradient,
    solve,
    weakly_curved_metric,
)
from emergent.chains.permutation import cycle_permutation, permutation_matrix
from emergent.evolution import evolve


def _pi(n):
    return permutation_matrix(cycle_permutation(n))


@pytest.mark.equations("P2 (8)", "P2 (67)")
def test_p2_eq8_operator_g_for_permutation_is_discrete_laplacian():
    """(8), (67): G(pi) = 2I - pi - pi^T = G(pi^T) (f' = I)."""
    n = 12
    w = _pi(n)
    G = operator_g(w).toarray()
    np.testing.assert_allclose(G, (2 * sp.identity(n) - w - w.T).toarray())
    np.testing.assert_allclose(G, operator_g(w.T).toarray())


def test_p2_eq77_78_euler_lagrange_by_finite_differences():
    """(78) is the Euler-Lagrange equation of (77): K x = (1/2) dV/dx checked by central finite
    differences of the action for a random sparse w, tanh slopes f' and a curved metric."""
    rng = np.random.default_rng(2)
    n, dims = 30, 2
    w = sp.random(n, n, density=0.15, random_state=3, format="csr")
    G = operator_g(w, 1 - np.tanh(rng.standard_normal(n)) ** 2)
    g = weakly_curved_metric(n, dims, 0.2, 3, rng)
    x = rng.standard_normal((dims + 1, n))
    alpha = 1.7
    kx = potential_gradient(x, g, G, alpha)
    zero = np.zeros_like(x)
    h = 1e-5
    for idx in [(0, 0), (1, 7), (2, 29), (0, 13)]:
        e = np.zeros_like(x)
        e[idx] = h
        num = -(discrete_action(x + e, zero, g, G, alpha)
                - discrete_action(x - e, zero, g, G, alpha)) / (2 * h)
        assert 0.5 * num == pytest.approx(kx[idx], rel=1e-7)


@pytest.mark.equations("P2 (78)")
def test_p2_eq78_flat_metric_permutation_is_wave_equation():
    """(78) with g = eta, w = pi, f linear reduces to xddot_i = alpha^2 (x_{i+1} - 2x_i + x_{i-1})
    (the discrete (73)); the paper's printed sign would give the opposite (elliptic) sign."""
    rng = np.random.default_rng(0)
    n, dims = 20, 3
    x = rng.standard_normal((dims + 1, n))
    alpha = alpha_for(n)
    mc = MetricChain(flat_metric(n, dims), operator_g(_pi(n)), alpha)
    lap = np.roll(x, -1, axis=1) - 2 * x + np.roll(x, 1, axis=1)
    np.testing.assert_allclose(mc.acceleration(x), alpha**2 * lap, atol=1e-10)


@pytest.mark.equations("P2 (78)")
def test_p2_eq78_energy_conserved_and_flat_limit_converges():
    """Energy of (77) is conserved by the Verlet integration of (78) in a weakly curved metric
    (error O(dtau^2)); for smooth data and g = eta it reproduces d'Alembert at O(N^-2)."""
    rng = np.random.default_rng(5)
    n, dims = 64, 2
    alpha = alpha_for(n)
    g = weakly_curved_metric(n, dims, 0.05, 2, rng)
    s = np.arange(n) / alpha
    x0 = np.stack([np.sin(s), np.cos(s), np.sin(2 * s)])
    mc = MetricChain(g, operator_g(_pi(n)), alpha)
    e0 = mc.energy(x0, np.zeros_like(x0))
    res = solve(np.stack([x0, np.zeros_like(x0)]), mc, 400 * 0.05 / alpha, dt=0.05 / alpha,
                saves=5)
    x1, v1 = res.final
    assert mc.energy(x1, v1) == pytest.approx(e0, rel=1e-3)
    np.testing.assert_allclose(res.series["energy"], e0, rtol=1e-3)
    flat = MetricChain(flat_metric(n, dims), operator_g(_pi(n)), alpha)
    tau = 200 * 0.02 / alpha
    x2 = solve(np.stack([x0, np.zeros_like(x0)]), flat, tau, dt=0.02 / alpha).final[0]
    exact = np.stack([np.sin(s) * np.cos(tau), np.cos(s) * np.cos(tau),
                      np.sin(2 * s) * np.cos(2 * tau)])
    assert np.abs(x2 - exact).max() < 0.01


@pytest.mark.equations("P2 (55)", "P2 (56)")
def test_p2_eq56_constraint_reduces_to_eq55():
    """(56) with g = eta is (55): -xdot0^2 + sum_d xdotd^2."""
    rng = np.random.default_rng(1)
    v = rng.standard_normal((3, 5))
    np.testing.assert_allclose(constraint_56(v, flat_metric(5, 2)),
                               -v[0] ** 2 + v[1] ** 2 + v[2] ** 2)


def test_interactions_bad_input():
    with pytest.raises(ValueError, match="amplitude"):
        weakly_curved_metric(8, 2, 0.7, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="D "):
        flat_metric(8, 0)
    with pytest.raises(ValueError, match="fprime"):
        operator_g(_pi(4), np.ones(3))
    with pytest.raises(ValueError, match="dt"):
        MetricStepper(MetricChain(flat_metric(4, 1), operator_g(_pi(4)), 1.0), 0.0)
    with pytest.raises(ValueError, match="alpha"):
        MetricChain(flat_metric(4, 1), operator_g(_pi(4)), 0.0)
    with pytest.raises(ValueError, match="initial"):
        solve(np.zeros((3, 4)), MetricChain(flat_metric(4, 1), operator_g(_pi(4)), 1.0), 1.0)


def _curved(n=32, dims=2):
    rng = np.random.default_rng(9)
    alpha = alpha_for(n)
    mc = MetricChain(weakly_curved_metric(n, dims, 0.1, 2, rng), operator_g(_pi(n)), alpha)
    s = np.arange(n) / alpha
    start = np.stack([np.stack([s, np.cos(s), np.sin(s)]), np.stack([np.ones(n), -np.sin(s),
                                                                      np.cos(s)])])
    return mc, start


def test_p2_eq78_solve_equals_verlet_steps_by_hand():
    """solve(...) of (78) is the same Verlet recursion, bit for bit, as stepping by hand with
    the default step dtau = 1 / (4 alpha) (a quarter chain step, below the flat chain's
    stability limit 1 / alpha)."""
    mc, start = _curved()
    dt = mc.default_dt()
    assert dt == 1.0 / (4 * mc.alpha) and dt < 1.0 / mc.alpha
    t_final = 40 * dt
    res = solve(start, mc, t_final, saves=3)
    assert res.info["dt"] == dt and res.states.shape == (3, *start.shape)
    x, v = mc.verlet(start[0], start[1], 20, dt)
    np.testing.assert_array_equal(res.states[1], np.stack([x, v]))
    x, v = mc.verlet(x, v, 20, dt)
    np.testing.assert_array_equal(res.final, np.stack([x, v]))


def test_metric_stepper_resume_through_save_load_is_bit_identical():
    """Checkpoint/resume: save at a recorded time, load, continue: the same bits."""
    mc, start = _curved()
    st = MetricStepper(mc)
    times = np.arange(5) / mc.alpha
    ref = evolve(st, start, times)
    mid = evolve(st, start, times[:3])
    again = evolve(st, st.load(st.save(mid)), times, start=2)
    np.testing.assert_array_equal(again, ref)
