"""P2 §7-8 (49)-(76): hidden variables and relativistic strings.

Equation-coverage tests: each test names the equation it checks and checks it through project
code against an independent route."""

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp

from emergent.chains import continuum, strings
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.network import NeuralSeptuple


@pytest.mark.equations("P2 (49)", "P2 (52)")
def test_p2_eq49_52_linearised_chain_dynamics_and_superposition():
    """P2 (49)-(52): for a permutation weight matrix (a closed chain) with b = 0 and tanh,
    one step of (1) is f'_0 w x + O(|x|^3) with f'_0 = f'(0) = 1 (49, 52), and D subsystems
    superpose, f(w sum_d x^(d)) = sum_d f(w x^(d)) + O(|x|^3) (50-51): the remainders fall by 8
    when the amplitude halves."""
    n = 12
    perm = np.roll(np.arange(n), 1)
    w = sps.csr_matrix((np.ones(n), (np.arange(n), perm)), shape=(n, n))
    sep = NeuralSeptuple.from_matrix(w, np.zeros(n), np.array([], dtype=int),
                                     np.array([], dtype=int))
    rng = np.random.default_rng(8)
    xs = rng.normal(size=(3, n))
    fp0 = thermo.activation_slopes(sep, np.zeros(n))
    np.testing.assert_allclose(fp0, 1.0)
    lin, sup = [], []
    for amp in (0.04, 0.02, 0.01):
        x = amp * xs
        step = sep.forward(x, clamp_inputs=False)
        lin.append(np.abs(step - (fp0 * (x @ w.toarray().T))).max())
        total = sep.forward(x.sum(0, keepdims=True), clamp_inputs=False)[0]
        sup.append(np.abs(total - step.sum(0)).max())
    for errs in (lin, sup):
        np.testing.assert_allclose(np.array(errs[:-1]) / np.array(errs[1:]), 8.0, rtol=0.02)


@pytest.mark.equations("P2 (64)")
def test_p2_eq64_right_moving_wave_depends_on_xi_minus_only():
    """P2 (63)-(64): the continuum of the chain map, x = profile(sigma - tau), has
    d x/d xi+ = (d_tau + d_sigma) x / 2 = 0 (central differences, O(h^2)), while
    d x/d xi- is not zero; the discrete chain (57) is the exact shift on the grid."""
    prof = lambda s: np.sin(s) + 0.3 * np.cos(3 * s)  # noqa: E731
    sig = continuum.sigma_grid(64)
    tau, h = 0.7, 1e-4
    x = lambda tt, ss: continuum.travelling_wave(prof, tt, ss)  # noqa: E731
    d_plus = ((x(tau + h, sig) - x(tau - h, sig)) + (x(tau, sig + h) - x(tau, sig - h))) / (4 * h)
    d_minus = ((x(tau + h, sig) - x(tau - h, sig)) - (x(tau, sig + h) - x(tau, sig - h))) / (4 * h)
    assert np.abs(d_plus).max() < 1e-8
    assert np.abs(d_minus).max() > 0.5
    a = continuum.alpha_for(64)
    x0 = prof(sig)
    shifted = np.roll(x0, 5)  # five steps of x(t + 1) = pi x(t)
    np.testing.assert_allclose(shifted, continuum.travelling_wave(prof, 5 / a, sig), atol=1e-12)


@pytest.mark.equations("P2 (74)")
def test_p2_eq74_dalembert_solves_light_cone_wave_equation():
    """P2 (73)-(74): d_xi- d_xi+ x = (d_tau^2 - d_sigma^2) x / 4 = 0 for dalembert_spectral
    (tau by central differences, sigma spectrally), and the ensemble of the pi and pi^T
    branches (68) reproduces it exactly."""
    n = 64
    sig = continuum.sigma_grid(n)
    u0 = np.sin(2 * sig) + 0.5 * np.cos(5 * sig)
    v0 = 0.4 * np.cos(3 * sig) + 0.2
    tau, h = 0.9, 1e-3
    xs = [continuum.dalembert_spectral(u0, v0, tau + k * h) for k in (-1, 0, 1)]
    d2t = (xs[0] - 2 * xs[1] + xs[2]) / h**2
    k = 2 * np.pi * np.fft.fftfreq(n, d=2 * np.pi / n)
    d2s = np.real(np.fft.ifft(-(k**2) * np.fft.fft(xs[1])))
    assert np.abs(d2t - d2s).max() / 4 < 1e-5
    xm, xp, drift = continuum.dalembert_branches(u0, v0)
    prof_m = np.fft.fft(xm)
    prof_p = np.fft.fft(xp)
    right = np.real(np.fft.ifft(prof_m * np.exp(-1j * k * tau)))  # profile(sigma - tau)
    left = np.real(np.fft.ifft(prof_p * np.exp(1j * k * tau)))  # profile(sigma + tau)
    np.testing.assert_allclose((right + left) / 2 + drift * tau, xs[1], atol=1e-12)


@pytest.mark.equations("P2 (65)")
def test_p2_eq65_right_moving_constraint():
    """P2 (64)-(65): for a purely right-moving string x^0 = E tau, x^1 + i x^2 = A e^{i(sigma -
    tau)}, the constraint eta d_- x d_- x = 0 holds iff A = E/2, while the d_+ part is -E^2/4
    (not a closed-string solution by itself): light_cone_residuals against the analytic
    derivatives (SymPy)."""
    tau_s, sig_s = sp.symbols("tau sigma", real=True)
    e_val = 1.4
    sig = continuum.sigma_grid(32)
    for amp, zero in ((e_val / 2, True), (0.9 * e_val / 2, False)):
        xs = [e_val * tau_s, amp * sp.cos(sig_s - tau_s), amp * sp.sin(sig_s - tau_s)]
        dt = np.array([[float(sp.diff(c, tau_s).subs({tau_s: 0.3, sig_s: s})) for s in sig]
                       for c in xs])
        ds = np.array([[float(sp.diff(c, sig_s).subs({tau_s: 0.3, sig_s: s})) for s in sig]
                       for c in xs])
        r_plus, r_minus = strings.light_cone_residuals(dt, ds)
        np.testing.assert_allclose(r_plus, -e_val**2 / 4, atol=1e-12)
        np.testing.assert_allclose(r_minus, amp**2 - e_val**2 / 4, atol=1e-12)
        assert (np.abs(r_minus).max() < 1e-12) == zero
