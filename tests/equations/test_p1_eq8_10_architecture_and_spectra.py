"""P1 §8-10: optimal architecture, deep vs shallow spectra, the numerical experiments.

Equation-coverage tests: each test names the equation it checks and checks it through project
code against an independent route."""

import numpy as np
import pytest
import sympy as sp
from scipy import linalg

from emergent.septuple import thermodynamics as thermo
from emergent.septuple.network import NeuralSeptuple
from emergent.symbolic import HOLDS, HOLDS_WITH_CORRECTION
from emergent.symbolic import equilibrium as eq


def _net(sizes, seed=0, scale=1.5, activation="tanh"):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b, activation), w, b, rng



@pytest.mark.equations("P1 (8.12)")
def test_p1_eq8_12_laplacian_dominated_by_small_eigenvalues():
    """P1 (8.12): Delta F ~ -(beta/2) sum_{lambda << 1/beta} (1 + beta lambda)^-2 ~ -(beta/2)
    N_<: laplacian_free_energy against the count of small eigenvalues for a separated
    spectrum (the large ones contribute O(beta^-1 lambda^-2))."""
    rng = np.random.default_rng(12)
    beta = 1.5
    lam = np.concatenate([np.exp(rng.uniform(6, 9, 25)), np.exp(rng.uniform(-9, -6, 15))]) / beta
    lap = thermo.laplacian_free_energy(lam, beta=beta)
    assert lap == pytest.approx(-beta / 2 * 15, rel=1e-2)
    # and the symbolic second derivative of F (6.5) agrees term by term
    b_, l_ = sp.symbols("beta lambda", positive=True)
    d2 = sp.diff(sp.log(1 + b_ * l_) / (2 * b_), l_, 2)
    assert sp.simplify(d2 + b_ / 2 / (1 + b_ * l_) ** 2) == 0


@pytest.mark.equations("P1 (9.5)", "P1 (9.6)", "P1 (9.7)")
def test_p1_eq9_5_9_6_mu2_mu3_equal_traces_of_matrix_log():
    """P1 (9.5)-(9.6): mu2 = Tr (log G)^2, mu3 = Tr (log G)^3 with the matrix logarithm of the
    dense G (scipy.linalg.logm), against mu2/mu3 of the low-rank spectrum; (9.7): (f'w)^n = 0
    for n >= L; (7.8)/(9.9): Tr log G = 0."""
    sep, w, b, rng = _net([9, 5, 4, 3], seed=10)
    xm = rng.uniform(-0.6, 0.6, size=sep.n)
    s = thermo.spectrum(sep, xm, mean_coords=False)
    g = thermo.dense_g(sep, xm)
    lg = linalg.logm(g).real
    assert thermo.mu2(s) == pytest.approx(np.trace(lg @ lg), rel=1e-8)
    assert thermo.mu3(s) == pytest.approx(np.trace(lg @ lg @ lg), rel=1e-7, abs=1e-9)
    assert abs(np.trace(lg)) < 1e-9
    a = np.diag(thermo.activation_slopes(sep, xm)) @ sep.w.toarray()
    n_layers = 4
    assert np.abs(np.linalg.matrix_power(a, n_layers - 1)).max() > 1e-6
    assert np.abs(np.linalg.matrix_power(a, n_layers)).max() == 0.0


@pytest.mark.equations("P1 (10.1)", "P1 (10.2)", "P1 (10.3)")
def test_p1_eq10_1_10_3_energy_and_entropy_of_separated_spectrum():
    """P1 (10.1)-(10.3): for a spectrum with N_> eigenvalues >> 1/beta and the rest << 1/beta,
    U = -d log Z/d beta ~ N_>/(2 beta) (10.1) and S_0 = beta^2 dA/d beta (7.3) ~
    -N_>/2 log beta + N_>/2 (10.3), against energy() and finite differences of log Z."""
    rng = np.random.default_rng(11)
    beta = 3.0
    lam = np.concatenate([np.exp(rng.uniform(7, 10, 20)), np.exp(rng.uniform(-10, -7, 30))])
    lam = lam / beta
    u = thermo.energy(lam, beta=beta)
    h = 1e-5
    u_fd = -(thermo.log_partition(lam, beta=beta + h) - thermo.log_partition(lam, beta=beta - h))
    assert u == pytest.approx(u_fd / (2 * h), rel=1e-6)
    assert u == pytest.approx(20 / (2 * beta), rel=1e-2)
    assert thermo.thermodynamic_entropy(lam, beta=beta) == pytest.approx(
        -10 * np.log(beta) + 10, rel=1e-12
    )
    big = np.sort(lam)[-20:]  # (10.2): C over the N_> = 20 large eigenvalues
    c_ref = -0.5 * np.sum(np.log(big)) + 50 / 2 * np.log(2 * np.pi)
    assert thermo.complexity(lam, beta=beta) == pytest.approx(c_ref, rel=1e-12)
    assert eq.check_p1_7_2_7_11().verdict == HOLDS


@pytest.mark.equations("P1 (9.8)", "P1 (9.10)", "P1 (9.11)")
def test_p1_eq9_8_9_11_log_g_form_and_odd_traces():
    """P1 (9.8)-(9.11), no hidden layers (L = 2): the printed form (9.8) of log G is false
    (log G has diagonal blocks; corrected statement asserted), while Tr log G = 0 and all odd
    traces vanish (eigenvalues pair as lambda, 1/lambda since D G D ~ G^-1); a net with a
    hidden layer has mu3 != 0 (thermo.mu3 against numpy)."""
    sep, w, b, rng = _net([7, 4], seed=16)
    xm = rng.uniform(-0.5, 0.5, size=sep.n)
    g = thermo.dense_g(sep, xm)
    lg = linalg.logm(g).real
    n_in = 7
    assert np.abs(lg[:n_in, :n_in]).max() > 1e-2  # (9.8) would make this block zero
    s = thermo.spectrum(sep, xm, mean_coords=False)
    assert abs(thermo.trace_log_power(s, 1)) < 1e-10
    assert abs(thermo.mu3(s)) < 1e-10 * thermo.mu2(s)
    assert abs(thermo.trace_log_power(s, 5)) < 1e-9 * thermo.trace_log_power(s, 4)
    logs = np.log(np.linalg.eigvalsh(g))
    np.testing.assert_allclose(np.sort(logs), -np.sort(logs)[::-1], atol=1e-10)
    deep, *_ = _net([7, 5, 4], seed=17)
    s3 = thermo.spectrum(deep, rng.uniform(-0.5, 0.5, size=deep.n), mean_coords=False)
    assert abs(thermo.mu3(s3)) > 1e-3
    assert eq.check_p1_9_8_9_9().verdict == HOLDS_WITH_CORRECTION
    assert eq.check_p1_9_10_9_11().verdict == HOLDS
