"""Equation-ledger coverage for P2 ("The World as a Neural Network"): one test per numbered
equation that the code implements, each against an independent route."""

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp

from emergent.chains import continuum, strings
from emergent.septuple import canonical
from emergent.septuple import thermodynamics as thermo
from emergent.septuple.losses import boundary_loss, bulk_hamiltonian, tachyonic
from emergent.septuple.network import NeuralSeptuple
from emergent.symbolic import HOLDS, HOLDS_WITH_CORRECTION
from emergent.symbolic import equilibrium as eq


def _net(sizes, seed=0, scale=1.5):
    rng = np.random.default_rng(seed)
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    w = [rng.normal(size=(a, b)) * scale / np.sqrt(a) for a, b in pairs]
    b = [rng.normal(size=n) * 0.3 for n in sizes[1:]]
    return NeuralSeptuple.from_layers(w, b), w, b, rng


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


def test_p2_eq37_is_gradient_of_hamilton_jacobi_38():
    """P2 (37): d_t u_j + u_k d_k u_j + (gamma/mu) d_k^2 u_j = -2 gamma d_j V follows from the
    free-energy equation (38) -d_t F = V + gamma (d_k F)^2 + (gamma/mu) d_k^2 F with
    u_j = 2 gamma d_j F, by applying 2 gamma d_j (SymPy, two dimensions, general F and V)."""
    t, q1, q2 = sp.symbols("t q1 q2", real=True)
    gamma, mu = sp.symbols("gamma mu", positive=True)
    q = (q1, q2)
    f = sp.Function("F")(t, q1, q2)
    v = sp.Function("V")(q1, q2)
    eq38 = sp.diff(f, t) + v + gamma * sum(sp.diff(f, qk) ** 2 for qk in q) + gamma / mu * sum(
        sp.diff(f, qk, 2) for qk in q)
    u = [2 * gamma * sp.diff(f, qk) for qk in q]
    for j, qj in enumerate(q):
        eq37 = (sp.diff(u[j], t) + sum(u[k] * sp.diff(u[j], q[k]) for k in range(2))
                + gamma / mu * sum(sp.diff(u[j], qk, 2) for qk in q) + 2 * gamma * sp.diff(v, qj))
        assert sp.expand(eq37 - 2 * gamma * sp.diff(eq38, qj)) == 0


def test_p2_eq43_canonical_free_energy_is_stationary():
    """P2 (43)-(44): with mu = 2 beta (stationary_constants) the canonical F (45) makes the
    right side of (43), -gamma (dF/dq)^2 - (gamma/mu) d^2F/dq^2, vanish: checked with
    gradient and Hessian diagonal by central differences of canonical_free_energy."""
    rng = np.random.default_rng(7)
    beta, mass = 0.8, 0.3
    q = rng.uniform(0.5, 3.0, size=5)
    mu, ck, c0 = canonical.stationary_constants(q.size, beta=beta, mass=mass)
    h = 1e-4
    grad, hess = np.empty(5), np.empty(5)
    f0 = canonical.canonical_free_energy(q, beta=beta, mass=mass)
    for k in range(5):
        e = np.zeros(5)
        e[k] = h
        fp = canonical.canonical_free_energy(q + e, beta=beta, mass=mass)
        fm = canonical.canonical_free_energy(q - e, beta=beta, mass=mass)
        grad[k], hess[k] = (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / h**2
    rhs43 = -np.sum(grad**2) - np.sum(hess) / mu  # gamma = 1
    assert abs(rhs43) < 1e-6 * np.sum(grad**2)
    f44 = c0 + np.sum(np.log(ck + mu * q)) / mu
    assert f44 == pytest.approx(float(f0), rel=1e-12)


def test_p2_eq48_hamiltonian_first_derivatives_only():
    """P2 (48): recorded HOLDS WITH CORRECTION: equal to (39) with (47) for affine lambda(q);
    for lambda = (q1^2 + q2, q2^2 + 1) the missing term (gamma/mu) sum_i dF/dlambda_i
    Delta lambda_i = 1/3 at q = (1, 1), beta = 1, m = 0, gamma = 1, mu = 2 (by hand: F_lambda =
    1/6 for both, Delta lambda = 2 for both)."""
    v = eq.check_p2_48()
    assert v.verdict == HOLDS_WITH_CORRECTION
    assert v.counterexample.endswith("= 1/3")


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


def test_p2_eq23_25_total_rate_of_free_energy():
    """P2 (23)-(25): along the learning flow dq_k/dt = gamma dF/dq_k (19), dF/dt = d_tF +
    gamma (d_kF)^2 (23); with <dF/dt>_t = -V (24) this is the constraint (25)
    d_tF + gamma (d_kF)^2 + V = 0. Checked numerically: F(t, q(t)) differentiated along an
    RK45 trajectory of the flow against the right side of (23) for a concrete F(t, q)."""
    from scipy.integrate import solve_ivp

    t, q1, q2 = sp.symbols("t q1 q2", real=True)
    # numbers: F = sin(t) q1^2 / 2 + q1 q2 / 3 - q2^2 / 4, gamma = 0.7
    fx = sp.sin(t) * q1**2 / 2 + q1 * q2 / 3 - q2**2 / 4
    grad = sp.lambdify((t, q1, q2), [sp.diff(fx, q1), sp.diff(fx, q2)])
    fnum = sp.lambdify((t, q1, q2), fx)
    rate = sp.lambdify((t, q1, q2), sp.diff(fx, t) + 0.7 * (sp.diff(fx, q1) ** 2 + sp.diff(
        fx, q2) ** 2))
    sol = solve_ivp(lambda tt, y: 0.7 * np.array(grad(tt, *y)), (0, 1), [0.5, -0.3],
                    rtol=1e-11, atol=1e-12, dense_output=True)
    h, t0 = 1e-4, 0.6
    fd = (fnum(t0 + h, *sol.sol(t0 + h)) - fnum(t0 - h, *sol.sol(t0 - h))) / (2 * h)
    assert fd == pytest.approx(rate(t0, *sol.sol(t0)), rel=1e-6)


def test_p2_eq26_27_variations_of_action_give_29_30():
    """P2 (26)-(27): the Euler-Lagrange derivatives delta S/delta p and delta S/delta F of
    the action (26) (explicit form (28)) are the equations (29)-(30) (symbolic check
    p2-29-30, variational derivatives up to second order in SymPy)."""
    from emergent.symbolic import entropic

    v = entropic.check_p2_29_30()
    assert v.verdict == HOLDS and v.key == "p2-29-30"


def test_p2_eq87_88_local_constraint_sign():
    """P2 (87)-(88): (84) becomes (88) only with A = -(2/kappa) int sqrt(-g) Lambda; the
    extracted (87) (A = 2 kappa int ..., or 2/kappa with a lost fraction bar) does not give
    -2 Lambda: recorded HOLDS WITH CORRECTION."""
    v = eq.check_p2_87_88()
    assert v.verdict == HOLDS_WITH_CORRECTION
    assert "-(2/kappa)" in v.correction


def test_p2_eq82_and_eq86_variations_of_the_metric_action():
    """P2 82: with the density sqrt(-g) T^{mn} independent of the metric (as P2 states),
    delta/delta g_ab int g_mn sqrt(-g) T^{mn} = sqrt(-g) T^{ab} (SymPy, 3 x 3 metric with
    independent components, symmetric variations counted once per pair).
    P2 86: d S/d kappa of the action of eq. 84 is A + int sqrt(-g) L_M."""
    n = 3
    g = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"g{min(i, j)}{max(i, j)}"))
    dens = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"T{min(i, j)}{max(i, j)}"))
    action = sum(g[i, j] * dens[i, j] for i in range(n) for j in range(n))
    for i in range(n):
        for j in range(i, n):
            var = sp.diff(action, g[i, j]) / (1 if i == j else 2)
            assert sp.simplify(var - dens[i, j]) == 0
    kappa, a_, r_int, lm_int = sp.symbols("kappa A R_int L_int", real=True)
    s84 = r_int + kappa * lm_int + kappa * a_
    assert sp.diff(s84, kappa) == a_ + lm_int
