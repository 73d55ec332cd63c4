"""P2 §2-3 (1)-(17): neural networks and the thermodynamics of learning.

Equation-coverage tests: each test names the equation it checks and checks it through project
code against an independent route."""

import numpy as np
import pytest

from emergent.septuple import thermodynamics as thermo
from emergent.septuple.losses import boundary_loss, bulk_hamiltonian, tachyonic
from emergent.septuple.network import NeuralSeptuple
from emergent.symbolic import HOLDS
from emergent.symbolic import equilibrium as eq


def _net(sizes, seed=0, scale=1.5):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b), w, b, rng



@pytest.mark.equations("P2 (1)", "P2 (2)", "P1 (2.5)")
def test_p2_eq1_one_step_is_f_of_wx_plus_b():
    """P2 (1): x(t+1) = f(w x(t) + b), one unclamped step of forward() against the dense
    matrix product written out by hand (w[i, j] from neuron j to neuron i)."""
    sep, w, b, rng = _net([4, 3, 2], seed=1)
    x = rng.uniform(-1, 1, size=(5, sep.n))
    wd = sep.w.toarray()
    by_hand = np.tanh(x @ wd.T + sep.bias)
    np.testing.assert_allclose(sep.forward(x, clamp_inputs=False), by_hand, rtol=1e-13)
    # the Keras-layout blocks sit in w as w[layer l+1, layer l] = W_l^T
    np.testing.assert_allclose(wd[4:7, 0:4], w[0].T)


@pytest.mark.equations("P2 (3)", "P1 (3.3)", "P1 (3.4)")
def test_p2_eq3_bulk_hamiltonian_by_hand():
    """P2 (3) (P1 3.3-3.4): H(x) = 1/2 sum_i (x_i - f(sum_j w_ij x_j + b_i))^2 - m/2 sum x_i^2
    over all neurons (input_residual=True), by explicit loops; the tachyonic potential's V'
    and V'' against central differences."""
    sep, w, b, rng = _net([3, 3, 2], seed=2)
    x = rng.uniform(-1, 1, size=(2, sep.n))
    wd = sep.w.toarray()
    m = 0.37
    ref = []
    for s in range(2):
        h = 0.0
        for i in range(sep.n):
            y = sum(wd[i, j] * x[s, j] for j in range(sep.n)) + sep.bias[i]
            h += 0.5 * (x[s, i] - np.tanh(y)) ** 2 - m / 2 * x[s, i] ** 2
        ref.append(h)
    np.testing.assert_allclose(bulk_hamiltonian(sep, x, m=m, input_residual=True), ref, rtol=1e-13)
    pot = tachyonic(m)
    z, eps = np.array([0.3, -0.7]), 1e-6
    np.testing.assert_allclose(
        (pot.value(z + eps) - pot.value(z - eps)) / (2 * eps), pot.derivative(z), rtol=1e-8
    )
    np.testing.assert_allclose(pot.second_derivative(z), -m)


@pytest.mark.equations("P1 (2.11)")
def test_p2_eq4_boundary_loss_batch_mean():
    """P2 (4): U_boundary = < 1/2 |P_out x_bar - y|^2 > over the batch, with x_bar from a plain
    numpy forward pass."""
    sep, w, b, rng = _net([4, 5, 3], seed=3)
    x_in = rng.uniform(-1, 1, size=(7, 4))
    y = rng.uniform(-1, 1, size=(7, 3))
    h = x_in
    for wk, bk in zip(w, b, strict=True):
        h = np.tanh(h @ wk + bk)
    ref = np.mean(0.5 * np.sum((h - y) ** 2, axis=1))
    assert boundary_loss(sep, x_in, y) == pytest.approx(ref, rel=1e-12)


@pytest.mark.equations("P2 (9)", "P1 (5.4)")
def test_p2_eq9_activation_slopes_are_jacobian_diagonal():
    """P2 (9) (P1 5.4): f'_ii = f'(w<x> + b)_i: the Jacobian of x -> f(w x + b) at <x>, by
    central differences, equals diag(f') w."""
    sep, w, b, rng = _net([4, 3, 3], seed=4)
    xm = rng.uniform(-0.7, 0.7, size=sep.n)
    wd = sep.w.toarray()
    h = 1e-6
    jac = np.stack(
        [(np.tanh(wd @ (xm + h * e) + sep.bias) - np.tanh(wd @ (xm - h * e) + sep.bias)) / (2 * h)
         for e in np.eye(sep.n)], axis=1)
    np.testing.assert_allclose(jac, thermo.activation_slopes(sep, xm)[:, None] * wd, atol=1e-8)


@pytest.mark.equations("P2 (10)", "P1 (6.1)")
@pytest.mark.parametrize("mean_term", [False, True])
def test_p2_eq10_average_loss_is_d_beta_f_over_d_beta(mean_term):
    """P2 (10): U = -d log Z/d beta = d(beta F)/d beta: energy() (analytic) against central
    differences of beta * free_energy(), with and without the <x> term of (5.11), m != 0."""
    sep, w, b, rng = _net([8, 5, 3], seed=5)
    s = thermo.spectrum(sep, rng.uniform(-0.5, 0.5, size=sep.n))
    beta, m, h = 1.3, 0.2, 1e-5

    def bf(bb):
        return bb * thermo.free_energy(s, beta=bb, m=m, mean_term=mean_term)

    fd = (bf(beta + h) - bf(beta - h)) / (2 * h)
    assert thermo.energy(s, beta=beta, m=m, mean_term=mean_term) == pytest.approx(fd, rel=1e-7)


@pytest.mark.equations("P2 (13)", "P1 (7.1)")
def test_p2_eq13_entropy_is_beta_squared_df_dbeta():
    """P2 (13) (P1 7.1 with log Z): S = beta^2 dF/d beta, entropy() against central
    differences of free_energy(); and P2 11-14, P2 16-17 hold symbolically (checks
    p1-6.6-6.8 and p1-7.2-7.11)."""
    lam = np.exp(np.random.default_rng(6).normal(0, 2, size=40))
    beta, h = 0.9, 1e-5
    fd = (thermo.free_energy(lam, beta=beta + h) - thermo.free_energy(lam, beta=beta - h)) / (2 * h)
    assert thermo.entropy(lam, beta=beta) == pytest.approx(beta**2 * fd, rel=1e-7)
    assert eq.check_p1_6_6_6_8().verdict == HOLDS
    assert eq.check_p1_7_2_7_11().verdict == HOLDS
