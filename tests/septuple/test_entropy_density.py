"""P1 §8 (8.1-8.10): ensemble drifting up F, entropy S(beta) and entropy density sigma."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from emergent.septuple.entropy_density import (
    advected_entropy,
    conserved_entropy,
    entropy_density,
    liouville_flow,
    quadratic_flow,
    sigma_exponential,
)

H = np.array([[-1.0, 0.3], [0.3, -0.5]])  # Hessian of a quadratic F with a maximum
LAP = float(np.trace(H))                   # Laplacian of F (constant)
ALPHA = 0.4
MEAN0 = np.array([0.5, -0.3])
COV0 = np.array([[0.3, 0.05], [0.05, 0.2]])


def _samples(m=100_000, seed=0):
    rng = np.random.default_rng(seed)
    q0 = rng.multivariate_normal(MEAN0, COV0, m)
    return q0, multivariate_normal(MEAN0, COV0).logpdf(q0)


@pytest.mark.equations("P1 (8.2)")
def test_p1_eq8_2_liouville_rk4_matches_exact_quadratic_flow():
    """(8.2) integrated by RK4 with d log J / dbeta = alpha Laplacian F equals the exact
    linear flow expm(alpha beta H) Q0 and log J = alpha beta tr H."""
    q0, _ = _samples(200)
    betas = np.linspace(0.0, 2.0, 5)
    qs, logj = liouville_flow(q0, gradient=lambda q: q @ H, laplacian=lambda q: np.full(
        len(q), LAP), alpha=ALPHA, betas=betas, substeps=32)
    for b, q, lj in zip(betas, qs, logj, strict=True):
        exact, lj_exact = quadratic_flow(q0, hessian=H, alpha=ALPHA, beta=b)
        assert np.abs(q - exact).max() < 1e-9
        assert np.allclose(lj, lj_exact, atol=1e-12)


@pytest.mark.equations("P1 (8.8)")
def test_p1_eq8_8_integrated_exponential_for_quadratic_f():
    """(8.1) as printed + (8.5)-(8.8): for a quadratic F, S(beta) = int sigma dQ equals
    S(0) exp(beta alpha Laplacian F). Route 1: quadrature of sigma = -u log(M u) of the
    advected density u(beta, Q) = p0(expm(-alpha beta H) Q) on a grid; route 2: (8.8) applied
    to sigma(0); route 3: Monte Carlo over the ensemble."""
    m_norm = 0.5
    x = np.linspace(-6, 6, 601)
    dq = x[1] - x[0]
    grid = np.stack(np.meshgrid(x, x, indexing="ij"), axis=-1).reshape(-1, 2)
    p0 = multivariate_normal(MEAN0, COV0)
    s0 = entropy_density(p0.pdf(grid), normalization=m_norm).sum() * dq**2
    q0, logp0 = _samples()
    for beta in (0.5, 1.5, 3.0):
        back, _ = quadratic_flow(grid, hessian=H, alpha=ALPHA, beta=-beta)
        u = p0.pdf(back)
        s_grid = entropy_density(u, normalization=m_norm).sum() * dq**2
        s_eq88 = float(sigma_exponential(s0, alpha=ALPHA, beta=beta, laplacian=LAP))
        assert abs(s_grid - s_eq88) < 1e-6 * abs(s_eq88)
        s_mc = advected_entropy(logp0, np.full(len(logp0), ALPHA * beta * LAP),
                                normalization=m_norm)
        assert abs(s_mc - s_eq88) < 0.02 * abs(s_eq88)
    # the exponential is not trivially 1: S changes by > 40 % over beta = 3
    assert abs(np.exp(3.0 * ALPHA * LAP) - 1) > 0.4


@pytest.mark.equations("P1 (8.6)", "P1 (8.8)")
def test_p1_eq8_8_holds_for_comoving_volumes_not_at_fixed_q():
    """Corrected reading of (8.8): sigma(beta, Q(beta)) J = sigma(0, Q0) exp(beta alpha
    Laplacian F) along each trajectory (J = volume growth), while at a fixed Q the printed
    sigma(beta, Q) = sigma(0, Q) exp(beta alpha Laplacian F) fails (sigma is also carried)."""
    p0 = multivariate_normal(MEAN0, COV0)
    beta = 2.0
    q0 = np.array([[0.2, 0.1], [0.9, -0.6], [0.5, -0.3]])
    q, logj = quadratic_flow(q0, hessian=H, alpha=ALPHA, beta=beta)
    back, _ = quadratic_flow(q, hessian=H, alpha=ALPHA, beta=-beta)
    sigma_beta_along = entropy_density(p0.pdf(back))      # advected density at Q(beta)
    lhs = sigma_beta_along * np.exp(logj)
    rhs = sigma_exponential(entropy_density(p0.pdf(q0)), alpha=ALPHA, beta=beta,
                            laplacian=LAP)
    assert np.allclose(lhs, rhs, rtol=1e-12)
    fixed_q = np.array([[0.9, -0.6]])
    back_fixed, _ = quadratic_flow(fixed_q, hessian=H, alpha=ALPHA, beta=-beta)
    printed = sigma_exponential(entropy_density(p0.pdf(fixed_q)), alpha=ALPHA, beta=beta,
                                laplacian=LAP)
    actual = entropy_density(p0.pdf(back_fixed))
    assert abs(actual[0] - printed[0]) > 0.1 * abs(printed[0])


def test_p1_eq8_3_probability_conserving_ensemble_entropy_grows_linearly():
    """For an ensemble that conserves probability (what M networks sample), S(beta) (8.3) of
    a quadratic F is S(0) + alpha beta Laplacian F (P2 eq 22 with D = 0), not exponential:
    checked against the Gaussian entropy of the ensemble's sample covariance."""
    q0, logp0 = _samples(400_000, seed=4)
    beta = 3.0
    q, logj = quadratic_flow(q0, hessian=H, alpha=ALPHA, beta=beta)
    cov = np.cov(q.T)
    s_sample = 0.5 * np.log((2 * np.pi * np.e) ** 2 * np.linalg.det(cov))
    s_mc = conserved_entropy(logp0, np.full(len(logp0), logj))
    s0_exact = 0.5 * np.log((2 * np.pi * np.e) ** 2 * np.linalg.det(COV0))
    assert abs(s_sample - (s0_exact + ALPHA * beta * LAP)) < 1e-2
    assert abs(s_mc - (s0_exact + ALPHA * beta * LAP)) < 1e-2
    assert abs(s_sample - s0_exact * np.exp(beta * ALPHA * LAP)) > 0.1


@pytest.mark.equations("P1 (8.1)", "P1 (8.5)")
def test_p1_eq8_5_exact_production_for_nonquadratic_f():
    """(8.1) as printed: dS/dbeta = alpha int Laplacian(F) sigma holds exactly (it is (8.5)
    without approximation) for a non-quadratic F; checked by differencing S(beta) of the
    ensemble against the integral, both by Monte Carlo over the same trajectories."""
    def grad(q):
        return -q * (q**2 - 1.0)  # F = -sum (q^2 - 1)^2 / 4

    def lap(q):
        return np.sum(1.0 - 3.0 * q**2, axis=1)

    q0, logp0 = _samples(50_000, seed=2)
    betas = np.array([0.99, 1.0, 1.01])
    qs, logj = liouville_flow(q0, gradient=grad, laplacian=lap, alpha=ALPHA,
                              betas=np.concatenate([[0.0], betas]), substeps=40)
    qs, logj = qs[1:], logj[1:]
    s = advected_entropy(logp0, logj, normalization=0.5)
    rate = (s[2] - s[0]) / (betas[2] - betas[0])
    sigma0 = -(np.log(0.5) + logp0)
    integral = ALPHA * np.mean(lap(qs[1]) * sigma0 * np.exp(logj[1]))
    assert abs(rate - integral) < 1e-3 * abs(integral)


@pytest.mark.equations("P1 (8.10)")
def test_p1_eq8_10_laplacian_of_canonical_free_energy():
    """(8.10): the Laplacian over eigenvalues of the canonical F (P2 45 / P1 8.9, m = 0,
    from emergent.septuple.canonical) is -beta/2 sum (1 + beta lambda)^-2 (central differences)."""
    from emergent.septuple.canonical import canonical_free_energy
    from emergent.septuple.entropy_density import canonical_laplacian
    lam = np.array([0.05, 0.3, 1.0, 4.0])
    beta, h = 1.7, 1e-4
    lap = 0.0
    for i in range(lam.size):
        e = np.zeros_like(lam)
        e[i] = h
        lap += (canonical_free_energy(lam + e, beta=beta) - 2 * canonical_free_energy(
            lam, beta=beta) + canonical_free_energy(lam - e, beta=beta)) / h**2
    assert abs(lap - canonical_laplacian(lam, beta=beta)) < 1e-5 * abs(lap)
    assert canonical_laplacian(lam, beta=beta) < 0


@pytest.mark.equations("P1 (8.11)")
def test_p1_eq8_11_corrected_exponent():
    """(8.6) with the beta-dependent Laplacian (8.10) integrates to
    -(alpha/2) sum [log(1+x) + 1/(1+x) - 1] / lambda^2 (x = beta lambda), checked by
    quadrature; the printed (8.11) exponent -(alpha/2) sum (1 + beta lambda)^-2 differs."""
    from scipy.integrate import quad

    from emergent.septuple.entropy_density import canonical_laplacian, canonical_log_sigma_factor
    lam = np.array([1e-5, 0.2, 1.0, 3.0])
    alpha, beta = 0.7, 2.0
    num = alpha * quad(lambda b: canonical_laplacian(lam, beta=b), 0.0, beta,
                       epsabs=1e-13, epsrel=1e-12)[0]
    ours = canonical_log_sigma_factor(lam, alpha=alpha, beta=beta)
    assert abs(ours - num) < 1e-9 * abs(num)
    printed = -alpha / 2 * np.sum((1 + beta * lam) ** -2)
    assert abs(ours - printed) > 0.1 * abs(printed)
