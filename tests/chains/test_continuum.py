"""Continuum map of permutation chains (P2 eq 53, 58, 61-63, 68-73)."""

import numpy as np
import pytest

from emergent.chains.continuum import (
    alpha_for,
    centered_sigma_derivative,
    convergence_order,
    dalembert_branches,
    dalembert_spectral,
    require_resolution,
    semidiscrete_convergence,
    semidiscrete_solution,
    sigma_derivative,
    sigma_grid,
    tau_derivative,
    travelling_wave,
)
from emergent.chains.permutation import cycle_permutation, evolve


def profile(s):
    return np.exp(np.cos(s)) + 0.3 * np.sin(2 * s)


def profile_dd(s):
    return (np.sin(s) ** 2 - np.cos(s)) * np.exp(np.cos(s)) - 1.2 * np.sin(2 * s)


@pytest.mark.equations("P2 (57)", "P2 (63)")
def test_p2_eq61_63_map_is_exact_right_moving_wave():
    """P2 (57), (60)-(63): the map x(t+1) = pi x(t) is the continuum wave x(0, sigma - tau)
    sampled on the grid at tau = t / alpha (exact, Courant number 1)."""
    n = 96
    s, a = sigma_grid(n), alpha_for(n)
    x = evolve(profile(s), cycle_permutation(n), 37)
    np.testing.assert_allclose(x, travelling_wave(profile, 37 / a, s), atol=1e-13)
    # pi^T moves left (72)
    x = evolve(profile(s), cycle_permutation(n, -1), 37)
    np.testing.assert_allclose(x, travelling_wave(profile, 37 / a, s, -1), atol=1e-13)


@pytest.mark.equations("P2 (53)", "P2 (61)", "P2 (62)")
def test_p2_eq53_62_discrete_derivatives_satisfy_eq63_exactly():
    """(53) and (62) as one-sided differences turn the map into (63): d_tau x = -d_sigma x."""
    n = 50
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(n)
    a = alpha_for(n)
    x1 = evolve(x0, cycle_permutation(n), 1)
    np.testing.assert_allclose(tau_derivative(x0, x1, a), -sigma_derivative(x0, a), atol=1e-12)
    perm = cycle_permutation(n)
    np.testing.assert_allclose(sigma_derivative(x0, a, perm), sigma_derivative(x0, a))


@pytest.mark.equations("P2 (62)")
def test_p2_eq62_one_sided_derivative_first_order_centred_second_order():
    """(62) converges to d/dsigma with order 1; the centred difference with order 2."""
    ns = [32, 64, 128, 256]
    e1, e2 = [], []
    for n in ns:
        s, a = sigma_grid(n), alpha_for(n)
        exact = -np.sin(s) * np.exp(np.cos(s)) + 0.6 * np.cos(2 * s)
        e1.append(np.abs(sigma_derivative(profile(s), a) - exact).max())
        e2.append(np.abs(centered_sigma_derivative(profile(s), a) - exact).max())
    assert convergence_order(ns, e1) == pytest.approx(1.0, abs=0.05)
    assert convergence_order(ns, e2) == pytest.approx(2.0, abs=0.05)


@pytest.mark.equations("P2 (58)", "P2 (61)")
def test_p2_eq58_61_semidiscrete_matches_ode_integration():
    """The Fourier solution of (61) agrees with a direct ODE integration of (58) for w = pi."""
    from scipy.integrate import solve_ivp

    n = 40
    a = alpha_for(n)
    x0 = profile(sigma_grid(n))
    perm = cycle_permutation(n)
    sol = solve_ivp(lambda t, x: a * (x[perm] - x), (0, 0.7), x0, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(semidiscrete_solution(x0, 0.7, a), sol.y[:, -1], atol=1e-8)
    perm_t = cycle_permutation(n, -1)
    sol = solve_ivp(lambda t, x: a * (x[perm_t] - x), (0, 0.7), x0, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(semidiscrete_solution(x0, 0.7, a, -1), sol.y[:, -1], atol=1e-8)


@pytest.mark.equations("P2 (63)")
def test_p2_eq61_63_convergence_order_is_one_with_known_coefficient():
    """(61) -> (63) as N grows: error = tau/(2 alpha) max|x''| + O(N^-2), order exactly 1."""
    ns = [64, 128, 256, 512, 1024]
    tau = 1.0
    err, order = semidiscrete_convergence(profile, ns, tau=tau)
    assert order == pytest.approx(1.0, abs=0.03)
    s = np.linspace(0, 2 * np.pi, 4001)
    lead = tau / (2 * alpha_for(ns[-1])) * np.abs(profile_dd(s - tau)).max()
    assert err[-1] == pytest.approx(lead, rel=0.03)


@pytest.mark.equations("P2 (68)", "P2 (73)")
def test_p2_eq73_ensemble_is_dalembert_solution():
    """(68)-(73): the average of the pi and pi^T branches (with drift bias for <v0>) equals the
    spectral solution of the wave equation, at every integer step."""
    n = 128
    s, a = sigma_grid(n), alpha_for(n)
    u0 = profile(s)
    v0 = 0.4 + np.cos(3 * s) - 0.5 * np.sin(s)
    xm, xp, drift = dalembert_branches(u0, v0)
    bias = np.full(n, drift / a)
    for t in (1, 17, 200):
        x = 0.5 * (evolve(xm, cycle_permutation(n), t, bias=bias)
                   + evolve(xp, cycle_permutation(n, -1), t, bias=bias))
        np.testing.assert_allclose(x, dalembert_spectral(u0, v0, t / a), atol=1e-11)


@pytest.mark.equations("P2 (73)")
def test_p2_eq73_dalembert_spectral_against_closed_form():
    """The spectral route agrees with d'Alembert's formula (F(s - tau) + F(s + tau)) / 2."""
    n = 64
    s = sigma_grid(n)
    np.testing.assert_allclose(dalembert_spectral(np.cos(2 * s), 0 * s, 0.3),
                               0.5 * (np.cos(2 * (s - 0.3)) + np.cos(2 * (s + 0.3))), atol=1e-13)


def test_resolution_and_bad_input():
    with pytest.raises(ValueError, match="n \\(neurons per chain\\)"):
        require_resolution(16, modes=4)
    require_resolution(32, modes=4)
    with pytest.raises(ValueError, match="direction"):
        semidiscrete_solution(np.zeros(8), 1.0, 1.0, direction=2)
    with pytest.raises(ValueError, match="length"):
        alpha_for(8, length=0)
    with pytest.raises(ValueError, match="n "):
        sigma_grid(1)
