"""Numba kernels for permutation-weight chains (see :mod:`emergent.chains`)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["ACTIVATIONS", "chain_steps"]

ACTIVATIONS = ("linear", "tanh")


@njit(cache=True, parallel=True)
def chain_steps(
    x: np.ndarray, perm: np.ndarray, w: np.ndarray, b: np.ndarray, steps: int, activation: int
) -> np.ndarray:
    """`steps` updates x_i <- f(w_i x_perm[i] + b_i) of every row of x (shape [D + 1, N]).

    activation: index into ACTIVATIONS. Parallel over subsystems and neurons; two buffers.
    """
    rows, n = x.shape
    a = x.copy()
    c = np.empty_like(a)
    for _ in range(steps):
        for r in range(rows):
            src = a[r]
            dst = c[r]
            if activation == 0:
                for i in prange(n):
                    dst[i] = w[i] * src[perm[i]] + b[i]
            else:
                for i in prange(n):
                    dst[i] = np.tanh(w[i] * src[perm[i]] + b[i])
        a, c = c, a
    return a
