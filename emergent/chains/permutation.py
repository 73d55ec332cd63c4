"""Permutation-weight neural chains (P2 §7-8, eq 49-61, 66-68).

A network whose weight matrix is a permutation, w = pi (59), is stored as an index array
``perm`` with ``(w x)_i = weight_i * x[perm[i]]`` (``weight_i = 1`` for a pure permutation),
never as an N x N matrix. The single cycle of (60), pi_ij = 1 iff i - 1 = j (mod N), is
``perm[i] = (i - 1) mod N``; :func:`permutation_from_cycles` builds several cycles and
:func:`transpose` gives pi^T (the inverse, (66)). D + 1 subsystems x^(mu), mu = 0..D (50-51)
are the rows of an array of shape (D + 1, N), all processed by the same w and b:

    x^(mu)(t + 1) = f(w x^(mu)(t) + b)        (1), (49)-(50), (57) for linear f.

:func:`evolve` runs the Numba kernels of :mod:`emergent.kernels.chain_kernels`: per step
(parallel over neurons above a size threshold), or temporally blocked along the cycles
(``method="tiled"``: each cycle stored contiguously, many steps per pass over memory, parallel
over tiles), bitwise identical. :func:`shift_solution` is the exact solution of the linear
chain, :func:`ensemble` the pi / pi^T average (68).
"""

from __future__ import annotations

import numpy as np

from emergent.kernels.chain_kernels import (
    ACTIVATIONS,
    PARALLEL_THRESHOLD,
    chain_steps,
    chain_steps_serial,
    cycle_order,
    cycle_steps_tiled,
)

__all__ = [
    "ACTIVATIONS",
    "DEPTH",
    "METHODS",
    "TILE",
    "cycle_lengths",
    "cycle_permutation",
    "ensemble",
    "evolve",
    "noisy_weights",
    "permutation_from_cycles",
    "shift_solution",
    "transpose",
    "validate_permutation",
    "validate_subsystems",
]

METHODS = ("auto", "step", "tiled")
TILE = 8192  # positions per tile of the blocked kernel
DEPTH = 256  # steps per pass of the blocked kernel


def cycle_permutation(n: int, shift: int = 1) -> np.ndarray:
    """The single-cycle permutation of (60) as an index array: perm[i] = (i - shift) mod n.

    shift = 1 is the paper's pi (right-moving waves); shift = -1 is pi^T (left-moving).
    Returns ndarray(shape=[n], dtype=int64).
    """
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n (number of neurons) must be an integer >= 2, got {n!r}")
    return (np.arange(n, dtype=np.int64) - shift) % n


def permutation_from_cycles(lengths: list[int] | np.ndarray,
                            rng: np.random.Generator | None = None) -> np.ndarray:
    """A permutation made of cycles of the given lengths (59) (each the shift (60) of a block).

    Block c holds neurons [s_c, s_c + L_c) with perm[i] = i - 1 inside the block (wrapping).
    With `rng` the neurons are relabelled at random ("up to permutations of elements", (60)).
    """
    lengths_a = np.asarray(lengths, dtype=np.int64)
    if lengths_a.ndim != 1 or lengths_a.size < 1 or np.any(lengths_a < 1):
        raise ValueError("lengths (cycle lengths) must be a non-empty list of integers >= 1")
    n = int(lengths_a.sum())
    if n < 2:
        raise ValueError(f"lengths must add up to at least 2 neurons, got {n}")
    starts = np.concatenate([[0], np.cumsum(lengths_a)[:-1]])
    perm = np.arange(n, dtype=np.int64) - 1
    perm[starts] += lengths_a
    if rng is not None:
        label = rng.permutation(n)  # neuron i of the block layout is called label[i]
        out = np.empty(n, dtype=np.int64)
        out[label] = label[perm]
        perm = out
    return perm


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


def validate_subsystems(x: np.ndarray) -> int:
    """D of a state of shape (D + 1, N): ValueError unless D >= 1 (x^(0) and one x^(d))."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"D (subsystems) must be >= 1: x needs shape (D + 1, N) with D + 1 >= 2,"
                         f" got shape {x.shape}")
    return x.shape[0] - 1


def transpose(perm: np.ndarray, weights: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """pi^T of (66)-(67) as an index array (the inverse permutation), with its weights.

    (w^T x)_j = weight_{inv[j]} x_{inv[j]}: returns (inv, weights[inv]) (weights None stays None).
    """
    perm = validate_permutation(perm)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    return inv, (None if weights is None else np.asarray(weights, dtype=float)[inv])


def cycle_lengths(perm: np.ndarray) -> np.ndarray:
    """Lengths of the cycles of a permutation, in order of their smallest neuron."""
    _, starts = cycle_order(validate_permutation(perm))
    return np.diff(starts)


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
    method: str = "auto",
) -> np.ndarray:
    """Apply `steps` updates x <- f(w x + b) (eq 1, 49-50, 57) to every subsystem.

    x: ndarray(shape=[D + 1, N]) or [N]; perm: permutation index array [N]; bias, weights:
    [N] (default 0 and 1). method: "step" (one pass over memory per step; parallel over
    neurons for N >= PARALLEL_THRESHOLD), "tiled" (temporal blocking along the cycles) or
    "auto" (tiled for N >= 2^16 and steps >= 16). Returns a new array of the shape of x.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
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
    act = ACTIVATIONS.index(activation)
    if method == "auto":
        method = "tiled" if n >= 1 << 16 and steps >= 16 else "step"
    if method == "tiled" and steps > 0:
        order, starts = cycle_order(perm)
        y = cycle_steps_tiled(np.ascontiguousarray(x2[:, order]), starts, w[order], b[order],
                              int(steps), act, TILE, DEPTH)
        out = np.empty_like(y)
        out[:, order] = y
    elif n >= PARALLEL_THRESHOLD:
        out = chain_steps(x2, perm, w, b, int(steps), act)
    else:
        out = chain_steps_serial(x2, perm, w, b, int(steps), act)
    return out[0] if squeeze else out


def shift_solution(x0: np.ndarray, t: int, shift: int = 1,
                   perm: np.ndarray | None = None) -> np.ndarray:
    """Exact solution of the linear permutation chain (57), (60)-(61).

    Without perm: the single cycle perm[i] = i - shift, x_i(t) = x_{i - shift t}(0), a wave
    moving by `shift` neurons per step (right-moving for pi, left-moving for pi^T). With perm
    (any permutation, `shift` ignored): x_i(t) = x_{perm^t(i)}(0), the shift by t along each
    cycle, computed in O(N) from the cycle decomposition.
    """
    x0 = np.asarray(x0)
    if perm is None:
        return np.roll(x0, shift * t, axis=-1)
    order, starts = cycle_order(validate_permutation(perm))
    if x0.shape[-1] != order.size:
        raise ValueError(f"x0 must have {order.size} neurons in its last axis")
    y = x0[..., order]
    out = np.empty_like(y)
    for c in range(starts.size - 1):
        s, e = starts[c], starts[c + 1]
        out[..., s:e] = np.roll(y[..., s:e], t % (e - s), axis=-1)
    res = np.empty_like(x0)
    res[..., order] = out
    return res


def ensemble(x_minus: np.ndarray, x_plus: np.ndarray, perm: np.ndarray, steps: int, *,
             bias: np.ndarray | None = None, weights: np.ndarray | None = None,
             activation: str = "linear", method: str = "auto") -> np.ndarray:
    """(68): x = (x^- + x^+) / 2 with x^- evolved by w = pi (69) and x^+ by w^T = pi^T (70).

    The two branches may start from different data; for the linear pure permutation the
    average solves the discrete wave equation (73) exactly. Shapes as in :func:`evolve`.
    """
    inv, w_t = transpose(perm, weights)
    kw = dict(bias=bias, activation=activation, method=method)
    return 0.5 * (evolve(x_minus, perm, steps, weights=weights, **kw)
                  + evolve(x_plus, inv, steps, weights=w_t, **kw))
