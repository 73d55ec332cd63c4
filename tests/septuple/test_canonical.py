"""Canonical free energy of P2 (45) and the virial relation (46)."""

import numpy as np
import pytest
from scipy.integrate import dblquad

from emergent.septuple.canonical import (
    canonical_average_loss,
    canonical_free_energy,
    canonical_free_energy_gradient,
    canonical_free_energy_hessian_diag,
    virial,
)


@pytest.mark.equations("P2 (45)")
def test_p2_eq45_matches_gaussian_integral():
    """(45) = -(1/beta) log of Z = int d^2x exp(-x^T ((1 - beta m) I + beta G) x / 2) (P2 (5)-(7)),
    computed by quadrature for a 2x2 G, through its eigenvalues."""
    beta, m = 0.7, 0.3
    G = np.array([[1.2, 0.4], [0.4, 0.8]])
    A = (1 - beta * m) * np.eye(2) + beta * G
    z, _ = dblquad(lambda y, x: np.exp(-0.5 * np.array([x, y]) @ A @ np.array([x, y])),
                   -12, 12, -12, 12, epsabs=1e-13, epsrel=1e-12)
    lam = np.linalg.eigvalsh(G)
    assert canonical_free_energy(lam, beta=beta, mass=m) == pytest.approx(-np.log(z) / beta,
                                                                           rel=1e-10)


def test_gradient_and_hessian_match_finite_differences():
    beta, m = 1.1, 0.2
    lam = np.array([0.3, 1.0, 2.5])
    h = 1e-5
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        fp, f0, fm = (canonical_free_energy(lam + s * e, beta=beta, mass=m) for s in (1, 0, -1))
        assert canonical_free_energy_gradient(lam, beta=beta, mass=m)[i] == pytest.approx(
            (fp - fm) / (2 * h), rel=1e-8)
        assert canonical_free_energy_hessian_diag(lam, beta=beta, mass=m)[i] == pytest.approx(
            (fp - 2 * f0 + fm) / h**2, rel=1e-4)


@pytest.mark.equations("P2 (46)")
def test_p2_eq46_virial_relation():
    """(46): U = d(beta F)/d beta (finite difference in beta) = sum_i lambda_i dF/dlambda_i for
    m = 0. For m != 0 the printed form fails; the corrected U = sum_i (lambda_i - m) dF/dlambda_i
    holds."""
    lam = np.random.default_rng(1).uniform(0.05, 4.0, size=(20, 5))
    beta, h = 0.8, 1e-6
    for m in (0.0, 0.25):
        bf = lambda b, m=m: b * canonical_free_energy(lam, beta=b, mass=m)  # noqa: E731
        u_fd = (bf(beta + h) - bf(beta - h)) / (2 * h)
        assert np.allclose(canonical_average_loss(lam, beta=beta, mass=m), u_fd, rtol=1e-8)
        assert np.allclose(virial(lam, beta=beta, mass=m), u_fd, rtol=1e-8)
        printed = np.sum(lam * canonical_free_energy_gradient(lam, beta=beta, mass=m), axis=-1)
        assert np.allclose(printed, u_fd, rtol=1e-8) == (m == 0.0)


@pytest.mark.equations("P2 (47)")
def test_p2_eq47_first_line_for_linear_eigenvalues():
    """(47), first line: for lambda_i linear in q (d^2 lambda/dq^2 = 0),
    sum_k d^2F/dq_k^2 = -2 beta sum_{i,k} (dF/dlambda_i)^2 (dlambda_i/dq_k)^2."""
    beta = 0.9
    J = np.array([[1.0, 0.3], [-0.2, 0.7]])  # lambda = lambda0 + J q
    lam0 = np.array([1.0, 2.0])
    q0 = np.array([0.1, -0.2])
    h = 1e-4
    lap = 0.0
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        f = [canonical_free_energy(lam0 + J @ (q0 + s * e), beta=beta) for s in (1, 0, -1)]
        lap += (f[0] - 2 * f[1] + f[2]) / h**2
    dF = canonical_free_energy_gradient(lam0 + J @ q0, beta=beta)
    assert lap == pytest.approx(-2 * beta * np.sum(dF[:, None] ** 2 * J**2), rel=1e-5)


def test_bad_input():
    with pytest.raises(ValueError, match="beta"):
        canonical_free_energy(np.ones(3), beta=0.0)
    with pytest.raises(ValueError, match="q"):
        canonical_free_energy(np.array([-5.0]), beta=1.0)
