"""P2 §4-6 (18)-(48): entropic, quantum and Hamiltonian mechanics.

Equation-coverage tests: each test names the equation it checks and checks it through project
code against an independent route."""

import numpy as np
import pytest
import sympy as sp

from emergent.septuple import canonical
from emergent.symbolic import HOLDS, HOLDS_WITH_CORRECTION
from emergent.symbolic import equilibrium as eq


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


@pytest.mark.equations("P2 (43)", "P2 (44)")
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


@pytest.mark.equations("P2 (48)")
def test_p2_eq48_hamiltonian_first_derivatives_only():
    """P2 (48): recorded HOLDS WITH CORRECTION: equal to (39) with (47) for affine lambda(q);
    for lambda = (q1^2 + q2, q2^2 + 1) the missing term (gamma/mu) sum_i dF/dlambda_i
    Delta lambda_i = 1/3 at q = (1, 1), beta = 1, m = 0, gamma = 1, mu = 2 (by hand: F_lambda =
    1/6 for both, Delta lambda = 2 for both)."""
    v = eq.check_p2_48()
    assert v.verdict == HOLDS_WITH_CORRECTION
    assert v.counterexample.endswith("= 1/3")


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


@pytest.mark.equations("P2 (29)", "P2 (30)")
def test_p2_eq26_27_variations_of_action_give_29_30():
    """P2 (26)-(27): the Euler-Lagrange derivatives delta S/delta p and delta S/delta F of
    the action (26) (explicit form (28)) are the equations (29)-(30) (symbolic check
    p2-29-30, variational derivatives up to second order in SymPy)."""
    from emergent.symbolic import entropic

    v = entropic.check_p2_29_30()
    assert v.verdict == HOLDS and v.key == "p2-29-30"
