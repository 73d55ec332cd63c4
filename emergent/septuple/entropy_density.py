"""Entropy and entropy density of an ensemble of networks drifting up the free energy (P1 §8).

Parameters Q (shape [M, K] for an ensemble of M networks) move as dQ_k/dbeta = alpha dF/dQ_k
(8.2). Along a trajectory the volume element grows as J = det(dQ/dQ0) with
d log J / dbeta = alpha Laplacian(F)(Q) (Liouville), integrated here with the positions.

Two readings of (8.1):
- as printed, dp/dbeta = -v.grad p (advective): p is constant along trajectories and is not
  normalised. Then the exact entropy production is dS/dbeta = alpha int Laplacian(F) sigma, which
  is (8.5) without approximation (the (1 - log Mp) of (8.4) comes from a dropped "+1"), and the
  entropy content of a comoving volume obeys (8.6): sigma(beta, Q(beta)) J = sigma(0, Q0)
  exp(alpha int Laplacian F dbeta), i.e. (8.8) for a quadratic F (constant Laplacian). At a fixed
  Q, (8.8) does not hold (the density is also carried along).
- the probability-conserving ensemble (continuity equation, what M particles sample):
  p(beta, Q(beta)) = p0(Q0) / J, so S(beta) = S(0) + E[log J] and dS/dbeta = alpha E[Laplacian F]
  (the drift part of P2 eq 22); for a quadratic F, S grows linearly, not exponentially.

Used by the tests of P1 §8 and available as ``emergent.septuple.entropy_density``.

Example
-------
>>> import numpy as np
>>> from emergent.septuple import entropy_density as ed
>>> q, log_j = ed.quadratic_flow(np.ones((2, 3)), hessian=np.eye(3), alpha=0.5, beta=2.0)
>>> log_j  # alpha beta tr H (Liouville)
3.0
>>> ed.canonical_laplacian(np.array([1.0, 3.0]), beta=1.0)  # (8.10)
np.float64(-0.15625)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.linalg import expm

__all__ = [
    "advected_entropy",
    "canonical_laplacian",
    "canonical_log_sigma_factor",
    "conserved_entropy",
    "entropy_density",
    "liouville_flow",
    "quadratic_flow",
    "sigma_exponential",
]


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not np.isfinite(alpha):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    return alpha


def entropy_density(p: np.ndarray, *, normalization: float = 1.0) -> np.ndarray:
    """The entropy density sigma = -p log(M p) of P1 (8.7), 0 where p = 0.

    Parameters
    ----------
    p : array_like
        Probability density (at least 1D after conversion).
    normalization : float
        M > 0.

    Returns
    -------
    ndarray
        sigma, the shape of p.

    Raises
    ------
    ValueError
        normalization <= 0.
    """
    if not normalization > 0:
        raise ValueError(f"normalization must be > 0, got {normalization!r}")
    p = np.atleast_1d(np.asarray(p, dtype=float))
    out = np.zeros_like(p)
    pos = p > 0
    out[pos] = -p[pos] * (np.log(normalization) + np.log(p[pos]))
    return out


def sigma_exponential(sigma0: np.ndarray, *, alpha: float, beta: float,
                      laplacian: float | np.ndarray) -> np.ndarray:
    """P1 (8.8): sigma(beta) = sigma(0) exp(beta alpha Laplacian F).

    Parameters
    ----------
    sigma0 : array_like
        sigma at beta = 0.
    alpha : float
        The drift rate of (8.2).
    beta : float
        Inverse temperature.
    laplacian : float or array_like
        Laplacian F (constant for a quadratic F).

    Returns
    -------
    ndarray
        sigma(beta).

    Raises
    ------
    ValueError
        A non-finite alpha.
    """
    return np.asarray(sigma0) * np.exp(beta * _check_alpha(alpha) * np.asarray(laplacian))


def quadratic_flow(q0: np.ndarray, *, hessian: np.ndarray, alpha: float,
                   beta: float) -> tuple[np.ndarray, float]:
    """The exact flow of P1 (8.2) for F = Q^T H Q / 2: Q(beta) = expm(alpha beta H) Q0.

    Parameters
    ----------
    q0 : ndarray(shape=[M, K])
        Initial parameters of M networks.
    hessian : ndarray(shape=[K, K])
        H, symmetric.
    alpha : float
        The drift rate of (8.2).
    beta : float
        Inverse temperature (the flow "time").

    Returns
    -------
    q : ndarray(shape=[M, K])
        Q(beta).
    log_j : float
        log J = alpha beta tr H (Liouville).

    Raises
    ------
    ValueError
        A non-symmetric hessian or a non-finite alpha.
    """
    h = np.asarray(hessian, dtype=float)
    alpha = _check_alpha(alpha)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or not np.allclose(h, h.T):
        raise ValueError("hessian must be a symmetric [K, K] matrix")
    m = expm(alpha * beta * h)
    return np.asarray(q0, dtype=float) @ m.T, float(alpha * beta * np.trace(h))


def liouville_flow(q0: np.ndarray, *, gradient: Callable[[np.ndarray], np.ndarray],
                   laplacian: Callable[[np.ndarray], np.ndarray], alpha: float,
                   betas: np.ndarray, substeps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Integrate P1 (8.2) and d log J/dbeta = alpha Laplacian F with classical RK4.

    Parameters
    ----------
    q0 : ndarray(shape=[M, K])
        Initial parameters.
    gradient : callable(ndarray(shape=[M, K])) -> ndarray(shape=[M, K])
        dF/dQ.
    laplacian : callable(ndarray(shape=[M, K])) -> ndarray(shape=[M])
        Laplacian F at each network.
    alpha : float
        The drift rate of (8.2).
    betas : ndarray(shape=[B])
        Strictly increasing, starting at the initial beta.
    substeps : int
        RK4 steps between consecutive betas, >= 1.

    Returns
    -------
    q : ndarray(shape=[B, M, K])
        Q at every beta.
    log_j : ndarray(shape=[B, M])
        log J at every beta.

    Raises
    ------
    ValueError
        betas not strictly increasing, substeps < 1, or a non-finite alpha.
    """
    alpha = _check_alpha(alpha)
    betas = np.asarray(betas, dtype=float)
    if betas.ndim != 1 or betas.size < 1 or np.any(np.diff(betas) <= 0):
        raise ValueError("betas must be a strictly increasing 1D array")
    if int(substeps) < 1:
        raise ValueError(f"substeps must be >= 1, got {substeps}")
    q = np.array(q0, dtype=float, ndmin=2)
    logj = np.zeros(q.shape[0])
    qs = [q.copy()]
    ls = [logj.copy()]

    def rhs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return alpha * gradient(x), alpha * laplacian(x)

    for b0, b1 in zip(betas[:-1], betas[1:], strict=True):
        h = (b1 - b0) / substeps
        for _ in range(substeps):
            k1, l1 = rhs(q)
            k2, l2 = rhs(q + 0.5 * h * k1)
            k3, l3 = rhs(q + 0.5 * h * k2)
            k4, l4 = rhs(q + h * k3)
            q = q + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            logj = logj + h / 6.0 * (l1 + 2 * l2 + 2 * l3 + l4)
        qs.append(q.copy())
        ls.append(logj.copy())
    return np.array(qs), np.array(ls)


def conserved_entropy(logp0: np.ndarray, log_jacobian: np.ndarray, *,
                      normalization: float = 1.0) -> np.ndarray:
    """S(beta) = -int p log(M p) (P1 8.3) of the probability-conserving ensemble, by Monte Carlo.

    p(beta, Q(beta)) = p0(Q0) / J gives S = -E[log(M p0) - log J].

    Parameters
    ----------
    logp0 : ndarray(shape=[M])
        log p0 at the initial samples Q0 ~ p0.
    log_jacobian : ndarray(shape=[..., M])
        log J along each trajectory.
    normalization : float
        M of (8.3).

    Returns
    -------
    ndarray(shape=[...])
        S.
    """
    return -np.mean(np.log(normalization) + np.asarray(logp0) - np.asarray(log_jacobian),
                    axis=-1)


def advected_entropy(logp0: np.ndarray, log_jacobian: np.ndarray, *,
                     normalization: float = 1.0) -> np.ndarray:
    """S(beta) = int sigma dQ for P1 (8.1) as printed (p carried unchanged along trajectories).

    By Monte Carlo over Q0 ~ p0: S = E[-log(M p0(Q0)) J].

    Parameters
    ----------
    logp0 : ndarray(shape=[M])
        log p0 at the initial samples.
    log_jacobian : ndarray(shape=[..., M])
        log J along each trajectory.
    normalization : float
        M of (8.3).

    Returns
    -------
    ndarray(shape=[...])
        S.
    """
    return np.mean(-(np.log(normalization) + np.asarray(logp0)) * np.exp(log_jacobian),
                   axis=-1)


def canonical_laplacian(lam: np.ndarray, *, beta: float) -> np.ndarray:
    """P1 (8.10): the Laplacian over the eigenvalues of F = (1/2 beta) sum log(1 + beta lambda_i).

    F is (8.9) with m = 0; the Laplacian is -beta/2 sum_i (1 + beta lambda_i)^-2.

    Parameters
    ----------
    lam : ndarray(shape=[..., N])
        Eigenvalues.
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    ndarray(shape=[...])
        Laplacian F.

    Raises
    ------
    ValueError
        beta <= 0.
    """
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta!r}")
    lam = np.asarray(lam, dtype=float)
    return -0.5 * beta * np.sum((1.0 + beta * lam) ** -2, axis=-1)


def canonical_log_sigma_factor(lam: np.ndarray, *, alpha: float, beta: float) -> np.ndarray:
    """log sigma(beta) / sigma(0) in the comoving reading of P1 (8.6) with the Laplacian (8.10).

    At fixed eigenvalues: alpha int_0^beta Laplacian F(b) db
    = -(alpha/2) sum_i [log(1 + x_i) + 1/(1 + x_i) - 1] / lambda_i^2, x_i = beta lambda_i.
    The printed (8.11), exp(-(alpha/2) sum (1 + beta lambda)^-2), is neither this nor (8.8) with
    (8.10) substituted (that gives exp(-(alpha beta^2/2) sum (1 + beta lambda)^-2)).

    Parameters
    ----------
    lam : ndarray(shape=[..., N])
        Eigenvalues.
    alpha : float
        The drift rate of (8.2).
    beta : float
        Inverse temperature, >= 0.

    Returns
    -------
    ndarray(shape=[...])
        The log factor.

    Raises
    ------
    ValueError
        beta < 0 or a non-finite alpha.
    """
    alpha = _check_alpha(alpha)
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    lam = np.asarray(lam, dtype=float)
    x = beta * lam
    small = np.abs(x) < 1e-3
    xs = np.where(small, x, 0.0)
    series = beta**2 * (0.5 - 2.0 * xs / 3.0 + 0.75 * xs**2)  # [log(1+x) + 1/(1+x) - 1]/lam^2
    safe = np.where(small, 1.0, lam)
    xl = np.where(small, 1.0, x)
    exact = (np.log1p(xl) + 1.0 / (1.0 + xl) - 1.0) / safe**2
    return -0.5 * alpha * np.sum(np.where(small, series, exact), axis=-1)
