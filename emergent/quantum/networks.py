"""Eigenvalues of the operator G of small random networks: the trainable variables q = lambda of
the canonical free energy P2 (45) in the quantum (P2 §5) and classical (P2 §6) limits."""

from __future__ import annotations

import numpy as np

__all__ = ["network_eigenvalues"]


def network_eigenvalues(rng: np.random.Generator, n: int, *, scale: float = 0.6) -> np.ndarray:
    """Eigenvalues of G = (I - f' w)^T (I - f' w) (P2 (8)) of a random tanh net of n neurons.

    At <x> = 0: w ~ N(0, scale^2 / n), b ~ N(0, 0.5^2), f'_ii = 1 - tanh(b_i)^2.

    Parameters
    ----------
    rng : numpy.random.Generator
        The random numbers (w first, then b).
    n : int
        The number of neurons.
    scale : float
        The standard deviation of w times sqrt(n).

    Returns
    -------
    ndarray(shape=[n])
        The eigenvalues, ascending.
    """
    w = rng.normal(0.0, scale / np.sqrt(n), (n, n))
    b = rng.normal(0.0, 0.5, n)
    m = np.eye(n) - np.diag(1 - np.tanh(b) ** 2) @ w
    return np.sort(np.linalg.eigvalsh(m.T @ m))
