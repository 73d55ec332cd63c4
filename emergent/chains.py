"""Permutation-weight neural chains (P2 §7, eq 49-61).

A network whose weight matrix is a permutation, w = pi (59), is stored as an index array
``perm`` with ``(w x)_i = weight_i * x[perm[i]]`` (``weight_i = 1`` for a pure permutation),
never as an N x N matrix. The single cycle of (60), pi_ij = 1 iff i - 1 = j (mod N), is
``perm[i] = (i - 1) mod N``. D + 1 subsystems x^(mu), mu = 0..D (50-51) are the rows of an
array of shape (D + 1, N), all processed by the same w and b:

    x^(mu)(t + 1) = f(w x^(mu)(t) + b)        (1), (49)-(50), (57) for linear f.
"""

from __future__ import annotations

import numpy as np

from emergent.kernels.chain_kernels import ACTIVATIONS, chain_steps

__all__ = [
    "ACTIVATIONS",
    "cycle_permutation",
    "evolve",
    "noisy_weights",
    "shift_solution",
    "validate_permutation",
]


def cycle_permutation(n: int, shift: int = 1) -> np.ndarray:
    """The single-cycle permutation of (60) as an index array: perm[i] = (i - shift) mod n.

    shift = 1 is the paper's pi (right-moving waves); shift = -1 is pi^T (left-moving).
    Returns ndarray(shape=[n], dtype=int64).
    """
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n (number of neurons) must be an integer >= 2, got {n!r}")
    return (np.arange(n, dtype=np.int64) - shift) % n


def validate_permutation(perm: np.ndarray) -> np.ndarray:
    """Check that `perm` is a permutation of 0..N-1; return it as contiguous int64."""
    perm = np.ascontiguousarray(perm)
    if perm.ndim != 1 or perm.dtype.kind not in "iu":
        raise ValueError("perm must be a one-dimensional integer index array")
    n = perm.size
    if n < 2:
        raise ValueError(f"perm must have at least 2 neurons, got {n}")
    seen = np.zeros(n, dtype=bool)
    if perm.min() < 0 or perm.max() >= n:
        raise ValueError(f"perm is not a permutation: indices must lie in 0..{n - 1}")
    seen[perm] = True
    if not seen.all():
        raise ValueError(
            f"perm is not a permutation: {int(n - seen.sum())} neurons receive no input"
        )
    return perm.astype(np.int64, copy=False)


def noisy_weights(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Weights w_i = 1 + noise * N(0, 1) on the edges of a permutation (noise = 0: pure pi)."""
    if not (noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return 1.0 + noise * rng.standard_normal(n)


def evolve(
    x: np.ndarray,
    perm: np.ndarray,
    steps: int,
    *,
    bias: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    activation: str = "linear",
) -> np.ndarray:
    """Apply `steps` updates x <- f(w x + b) (eq 1, 49-50, 57) to every subsystem.

    x: ndarray(shape=[D + 1, N]) or [N]; perm: permutation index array [N]; bias, weights:
    [N] (default 0 and 1). Returns a new array of the shape of x.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    perm = validate_permutation(perm)
    x = np.asarray(x, dtype=np.float64)
    squeeze = x.ndim == 1
    x2 = np.array(x.reshape(1, -1) if squeeze else x, dtype=np.float64, order="C")
    if x2.ndim != 2 or x2.shape[1] != perm.size:
        raise ValueError(f"x must have shape (D + 1, {perm.size}) or ({perm.size},)")
    n = perm.size
    b = np.zeros(n) if bias is None else np.ascontiguousarray(bias, dtype=np.float64)
    w = np.ones(n) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    if b.shape != (n,) or w.shape != (n,):
        raise ValueError(f"bias and weights must have shape ({n},)")
    if not (np.isfinite(b).all() and np.isfinite(w).all() and np.isfinite(x2).all()):
        raise ValueError("x, bias and weights must be finite")
    out = chain_steps(x2, perm, w, b, int(steps), ACTIVATIONS.index(activation))
    return out[0] if squeeze else out


def shift_solution(x0: np.ndarray, t: int, shift: int = 1) -> np.ndarray:
    """Exact solution of the linear single-cycle chain (57), (60)-(61): x(t, i) = x(0, i - t).

    With perm[i] = i - shift, after t steps x_i(t) = x_{i - shift t}(0): a wave moving by
    `shift` neurons per step (right-moving for pi, left-moving for pi^T).
    """
    return np.roll(np.asarray(x0), shift * t, axis=-1)
