"""Canonical free energy of a learning system as a function of the eigenvalues of G (P2 eq 45).

P2 (5)-(9): in the Gaussian approximation the canonical partition function of the bulk loss
with mass term V(x_i) = -m x_i^2 / 2 is Z = (2 pi)^(N/2) det[(1 - beta m) I + beta G]^(-1/2),
so F = -log(Z) / beta (6) depends on the network only through the eigenvalues lambda_i of G:

    F(lambda) = 1/(2 beta) sum_i log((1 - beta m) + beta lambda_i) - N/(2 beta) log(2 pi)   (45)

Here the dynamical variables q_i of P2 §4-6 are the eigenvalues, q = lambda. With mu = 2 beta
(P2 §6) this is the stationary solution (44) F = C_0 + (1/mu) sum_k log(C_k + mu q_k) of (43),
with C_k = 2 (1 - beta m) and C_0 = -N/(2 beta) log(4 pi) (see :func:`stationary_constants`).

The average loss U = d(beta F)/d beta obeys the virial relation (46),
U = sum_i (lambda_i - m) dF/dlambda_i, which reduces to the paper's U = lambda_i dF/dlambda_i
for m = 0 (the paper sets m = 0 there).

Arrays: q has shape [..., N]; the sum runs over the last axis (the N eigenvalues), leading axes
are a batch (e.g. a grid of points in eigenvalue space).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "canonical_average_loss",
    "canonical_free_energy",
    "canonical_free_energy_gradient",
    "canonical_free_energy_hessian_diag",
    "stationary_constants",
    "virial",
]


def _check(q: np.ndarray, beta: float, mass: float) -> np.ndarray:
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be a finite number > 0, got {beta!r}")
    if not np.isfinite(mass):
        raise ValueError(f"mass must be finite, got {mass!r}")
    q = np.asarray(q, dtype=float)
    if q.ndim == 0:
        q = q[None]
    arg = (1.0 - beta * mass) + beta * q
    if np.any(arg <= 0):
        raise ValueError("q (eigenvalues lambda) must satisfy (1 - beta*mass) + beta*q > 0 "
                         "(the Gaussian integral (7) converges only then)")
    return q


def canonical_free_energy(q: np.ndarray, *, beta: float, mass: float = 0.0) -> np.ndarray:
    """F(q) of P2 (45), the free energy as a function of the eigenvalues q = lambda of G.

    Parameters
    ----------
    q : ndarray(shape=[..., N])
        Eigenvalues; the sum runs over the last axis.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of the local objective V(x) = -m x^2 / 2.

    Returns
    -------
    ndarray(shape=[...])
        F = 1/(2 beta) sum_i log((1 - beta m) + beta q_i) - N/(2 beta) log(2 pi).

    Raises
    ------
    ValueError
        beta <= 0, a non-finite mass, or (1 - beta m) + beta q <= 0 (the Gaussian integral
        P2 (7) diverges).
    """
    q = _check(q, beta, mass)
    n = q.shape[-1]
    return (np.sum(np.log((1.0 - beta * mass) + beta * q), axis=-1) / (2.0 * beta)
            - n / (2.0 * beta) * np.log(2.0 * np.pi))


def canonical_free_energy_gradient(q: np.ndarray, *, beta: float,
                                   mass: float = 0.0) -> np.ndarray:
    """dF/dq_i of P2 (45): the "force" of P2 (46).

    Parameters
    ----------
    q : ndarray(shape=[..., N])
        Eigenvalues.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of V(x) = -m x^2 / 2.

    Returns
    -------
    ndarray(shape=[..., N])
        1 / (2 ((1 - beta m) + beta q_i)).

    Raises
    ------
    ValueError
        As :func:`canonical_free_energy`.
    """
    q = _check(q, beta, mass)
    return 0.5 / ((1.0 - beta * mass) + beta * q)


def canonical_free_energy_hessian_diag(q: np.ndarray, *, beta: float,
                                       mass: float = 0.0) -> np.ndarray:
    """d^2F/dq_i^2 of P2 (45); the off-diagonal second derivatives vanish.

    Parameters
    ----------
    q : ndarray(shape=[..., N])
        Eigenvalues.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of V(x) = -m x^2 / 2.

    Returns
    -------
    ndarray(shape=[..., N])
        -beta / (2 ((1 - beta m) + beta q_i)^2).

    Raises
    ------
    ValueError
        As :func:`canonical_free_energy`.
    """
    q = _check(q, beta, mass)
    return -0.5 * beta / ((1.0 - beta * mass) + beta * q) ** 2


def canonical_average_loss(q: np.ndarray, *, beta: float, mass: float = 0.0) -> np.ndarray:
    """The average loss U = d(beta F)/d beta of P2 (10), (46).

    Parameters
    ----------
    q : ndarray(shape=[..., N])
        Eigenvalues.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of V(x) = -m x^2 / 2.

    Returns
    -------
    ndarray(shape=[...])
        1/2 sum_i (q_i - m) / ((1 - beta m) + beta q_i).

    Raises
    ------
    ValueError
        As :func:`canonical_free_energy`.
    """
    q = _check(q, beta, mass)
    return 0.5 * np.sum((q - mass) / ((1.0 - beta * mass) + beta * q), axis=-1)


def virial(q: np.ndarray, *, beta: float, mass: float = 0.0) -> np.ndarray:
    """The right side of the virial relation P2 (46): sum_i (q_i - m) dF/dq_i.

    For m = 0 this is the paper's sum_i lambda_i dF/dlambda_i; for m != 0 the relation
    U = sum_i lambda_i dF/dlambda_i as printed fails and the shift by m is needed.

    Parameters
    ----------
    q : ndarray(shape=[..., N])
        Eigenvalues.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of V(x) = -m x^2 / 2.

    Returns
    -------
    ndarray(shape=[...])
        The sum, equal to :func:`canonical_average_loss`.

    Raises
    ------
    ValueError
        As :func:`canonical_free_energy`.
    """
    q = _check(q, beta, mass)
    return np.sum((q - mass) * canonical_free_energy_gradient(q, beta=beta, mass=mass), axis=-1)


def stationary_constants(n: int, *, beta: float, mass: float = 0.0) -> tuple[float, float, float]:
    """(mu, C_k, C_0) for which P2 (45) equals the stationary solution (44) of (43).

    F = C_0 + (1/mu) sum_k log(C_k + mu q_k) with mu = 2 beta, C_k = 2 (1 - beta m),
    C_0 = -n/(2 beta) log(4 pi).

    Parameters
    ----------
    n : int
        N, the number of eigenvalues, >= 1.
    beta : float
        Inverse temperature, > 0.
    mass : float
        m of V(x) = -m x^2 / 2.

    Returns
    -------
    tuple of float
        (mu, C_k, C_0).

    Raises
    ------
    ValueError
        n < 1 or beta <= 0.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be a finite number > 0, got {beta!r}")
    return 2.0 * beta, 2.0 * (1.0 - beta * mass), -n / (2.0 * beta) * np.log(4.0 * np.pi)
