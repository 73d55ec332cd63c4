"""Permutation-weight neural chains (P2 §7-8, eq 49-61, 66-68).

A network whose weight matrix is a permutation, w = pi (59), is stored as an index array
``perm`` with ``(w x)_i = weight_i * x[perm[i]]`` (``weight_i = 1`` for a pure permutation),
never as an N x N matrix. The single cycle of (60), pi_ij = 1 iff i - 1 = j (mod N), is
``perm[i] = (i - 1) mod N``; :func:`permutation_from_cycles` builds several cycles and
:func:`transpose` gives pi^T (the inverse, (66)). D + 1 subsystems x^(mu), mu = 0..D (50-51)
are the rows of an array of shape (D + 1, N), all processed by the same w and b:

    x^(mu)(t + 1) = f(w x^(mu)(t) + b)        (1), (49)-(50), (57) for linear f.

:func:`solve` evolves a :class:`PermutationChain` (or the pi / pi^T :class:`ChainEnsemble`)
with the one run loop of :mod:`emergent.evolution` and its :class:`ChainStepper`;
:meth:`PermutationChain.apply` (and :func:`evolve` for a one-off call) runs the Numba kernels
of :mod:`emergent.kernels.chain_kernels`: per step (parallel over neurons above a size
threshold), or temporally blocked along the cycles
(``method="tiled"``: each cycle stored contiguously, many steps per pass over memory, parallel
over tiles), bitwise identical. Between the calls of a run the :class:`ChainStepper` keeps
the state in cycle order (decomposition cached per chain, buffers reused, finiteness checked
inside the kernel), so that a run recording every few steps costs little more than the kernel.
tanh is the vectorisable one of :mod:`emergent.kernels.fastmath` (within 1e-15 of the exact
value). :func:`shift_solution` is the exact solution of the linear chain (also
:meth:`PermutationChain.exact` and, as a distance, :meth:`PermutationChain.shift_deviation`),
:func:`ensemble` the pi / pi^T average (68).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from emergent.evolution import Recorder, Result, Tracker
from emergent.evolution import evolve as evolve_loop
from emergent.kernels.chain_kernels import (
    LINEAR,
    PARALLEL_THRESHOLD,
    TANH,
    chain_steps,
    chain_steps_serial,
    cycle_order,
    pick,
    tile_items,
)
from emergent.septuple.activations import activation_code

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = [
    "CHAIN_ACTIVATIONS",
    "DEPTH",
    "METHODS",
    "TILE",
    "ChainEnsemble",
    "ChainStepper",
    "PermutationChain",
    "cycle_lengths",
    "cycle_permutation",
    "ensemble",
    "evolve",
    "noisy_weights",
    "permutation_from_cycles",
    "permutation_matrix",
    "record_steps",
    "saved_steps",
    "shift_solution",
    "solve",
    "transpose",
    "validate_permutation",
    "validate_subsystems",
]

METHODS = ("auto", "step", "tiled")
"""The kernel choices of :class:`PermutationChain`: per step, temporally blocked ("tiled"), or
chosen by size ("auto")."""
TILE = 8192
"""Positions per tile of the temporally blocked kernel (``method="tiled"``)."""
DEPTH = 256
"""Chain steps per pass over memory of the temporally blocked kernel (``method="tiled"``)."""
CHAIN_ACTIVATIONS = (LINEAR, TANH)
"""The activation codes (of :mod:`emergent.septuple.activations`) that the chain kernels
implement: linear and tanh."""


def cycle_permutation(n: int, shift: int = 1) -> np.ndarray:
    """The single-cycle permutation of (60) as an index array: perm[i] = (i - shift) mod n.

    Parameters
    ----------
    n : int
        N, the number of neurons (>= 2).
    shift : int
        1 is the paper's pi (right-moving waves, (57)); -1 is pi^T (left-moving, (66)).

    Returns
    -------
    ndarray(shape=[n], dtype=int64)

    Raises
    ------
    ValueError
        n not an integer >= 2.
    """
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n (number of neurons) must be an integer >= 2, got {n!r}")
    return (np.arange(n, dtype=np.int64) - shift) % n


def permutation_from_cycles(lengths: list[int] | np.ndarray,
                            rng: np.random.Generator | None = None) -> np.ndarray:
    """A permutation made of cycles of the given lengths (59) (each the shift (60) of a block).

    Block c holds neurons [s_c, s_c + L_c) with perm[i] = i - 1 inside the block (wrapping).
    With `rng` the neurons are relabelled at random ("up to permutations of elements", (60)).

    Parameters
    ----------
    lengths : sequence of int
        Cycle lengths L_c (each >= 1, adding up to at least 2).
    rng : numpy.random.Generator, optional
        Relabels the neurons at random.

    Returns
    -------
    ndarray(shape=[sum(lengths)], dtype=int64)

    Raises
    ------
    ValueError
        An empty list, a length < 1, fewer than 2 neurons in all.
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
    """Check that `perm` is a permutation (59) of 0..N-1; return it as contiguous int64.

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int)

    Returns
    -------
    ndarray(shape=[N], dtype=int64)

    Raises
    ------
    ValueError
        Not a 1D integer array, fewer than 2 neurons, indices out of range or repeated.
    """
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
    """D of a state of shape (D + 1, N) of (50)-(51).

    Parameters
    ----------
    x : ndarray(shape=[D + 1, N])

    Returns
    -------
    int
        D (>= 1: x^(0) and at least one x^(d)).

    Raises
    ------
    ValueError
        x not 2D or D < 1.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"D (subsystems) must be >= 1: x needs shape (D + 1, N) with D + 1 >= 2,"
                         f" got shape {x.shape}")
    return x.shape[0] - 1


def transpose(perm: np.ndarray, weights: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """pi^T of (66)-(67) as an index array (the inverse permutation), with its weights.

    (w^T x)_j = weight_{inv[j]} x_{inv[j]}.

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int)
        The permutation.
    weights : ndarray(shape=[N]), optional
        Its edge weights.

    Returns
    -------
    (ndarray, ndarray or None)
        (inv, weights[inv]); weights None stays None.

    Raises
    ------
    ValueError
        `perm` not a permutation.
    """
    perm = validate_permutation(perm)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    return inv, (None if weights is None else np.asarray(weights, dtype=float)[inv])


def cycle_lengths(perm: np.ndarray) -> np.ndarray:
    """Lengths of the cycles (59)-(60) of a permutation, in order of their smallest neuron.

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int)

    Returns
    -------
    ndarray(dtype=int64)

    Raises
    ------
    ValueError
        `perm` not a permutation.
    """
    _, starts = cycle_order(validate_permutation(perm))
    return np.diff(starts)


def permutation_matrix(perm: np.ndarray, weights: np.ndarray | None = None) -> sp.csr_matrix:
    """The weight matrix w of (59) as a sparse N x N matrix: w[i, perm[i]] = weights_i.

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int)
        The permutation index array ((60): :func:`cycle_permutation`).
    weights : ndarray(shape=[N]), optional
        The edge weights (default 1).

    Returns
    -------
    scipy.sparse.csr_matrix
        For operators such as G of P2 (8) (:func:`emergent.chains.interactions.operator_g`).

    Raises
    ------
    ValueError
        `perm` not a permutation.
    """
    import scipy.sparse as sp

    perm = validate_permutation(perm)
    n = perm.size
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    return sp.csr_matrix((w, (np.arange(n), perm)), shape=(n, n))


def noisy_weights(n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Weights w_i = 1 + noise * N(0, 1) on the edges of a permutation (59) (noise = 0: pure pi).

    Parameters
    ----------
    n : int
        N, the number of edges.
    noise : float
        Standard deviation (finite, >= 0).
    rng : numpy.random.Generator
        The source of the normal draws.

    Returns
    -------
    ndarray(shape=[n])

    Raises
    ------
    ValueError
        A negative or non-finite noise.
    """
    if not (noise >= 0 and np.isfinite(noise)):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return 1.0 + noise * rng.standard_normal(n)


def _check_steps(steps: int, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {steps!r}")
    return int(steps)


def _whole_steps(t0: float, t1: float) -> int:
    """The number of chain steps from `t0` to `t1` (times are step counts)."""
    k = int(round(t1 - t0))
    if k < 0 or abs((t1 - t0) - k) > 1e-9:
        raise ValueError(f"chain times are whole steps: cannot advance from {t0} to {t1}")
    return k


class _Cycles(NamedTuple):
    """A chain's cycle decomposition (:func:`cycle_order`) with its weights and bias reordered
    and the work items (:func:`tile_items`) of the blocked kernel."""

    order: np.ndarray
    starts: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    item_c: np.ndarray
    item_a: np.ndarray
    identity: bool


@dataclass(frozen=True, eq=False)
class PermutationChain:
    """A chain network x <- f(w x + b) with a permutation weight matrix, P2 (1), (49)-(50), (59).

    The model of :func:`solve`: ``(w x)_i = weights_i x[perm[i]]``, validated once; the cycle
    decomposition used by the temporally blocked kernel is computed once per model.

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int)
        The permutation (59) as an index array; :func:`cycle_permutation` gives (60).
    weights : ndarray(shape=[N]), optional
        Edge weights (default 1: the pure permutation; :func:`noisy_weights` for noise).
    bias : ndarray(shape=[N]), optional
        The bias b (default 0).
    activation : {"linear", "tanh"}
        The activation f, a name of :mod:`emergent.septuple.activations` with a chain kernel.
    method : {"auto", "step", "tiled"}
        The kernel: one pass over memory per step (parallel over neurons for N >=
        PARALLEL_THRESHOLD), temporal blocking along the cycles, or "auto" (tiled for
        N >= 2^16 and at least 16 steps per call). All give the same bits.

    Raises
    ------
    ValueError
        `perm` not a permutation, weights or bias of the wrong shape or not finite, an
        activation without a chain kernel, an unknown method.
    """

    perm: np.ndarray
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None
    activation: str = "linear"
    method: str = "auto"

    def __post_init__(self) -> None:
        code = activation_code(self.activation, CHAIN_ACTIVATIONS)
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        perm = validate_permutation(self.perm)
        n = perm.size
        b = np.zeros(n) if self.bias is None else np.ascontiguousarray(self.bias,
                                                                       dtype=np.float64)
        w = np.ones(n) if self.weights is None else np.ascontiguousarray(self.weights,
                                                                         dtype=np.float64)
        if b.shape != (n,) or w.shape != (n,):
            raise ValueError(f"bias and weights must have shape ({n},)")
        if not (np.isfinite(b).all() and np.isfinite(w).all()):
            raise ValueError("x, bias and weights must be finite")
        object.__setattr__(self, "perm", perm)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "bias", b)
        self.__dict__["code"] = code

    @cached_property
    def code(self) -> int:
        """The activation's kernel code (``emergent.septuple.activations``)."""
        return activation_code(self.activation, CHAIN_ACTIVATIONS)

    @property
    def n(self) -> int:
        """N, the number of neurons."""
        return int(self.perm.size)

    @cached_property
    def _cycles(self) -> _Cycles:
        """The cycle decomposition in the form the blocked kernel reads (computed once)."""
        order, starts = cycle_order(self.perm)
        assert self.weights is not None and self.bias is not None
        item_c, item_a = tile_items(starts, TILE)
        identity = bool(np.array_equal(order, np.arange(order.size)))
        return _Cycles(order, starts, self.weights[order], self.bias[order], item_c, item_a,
                       identity)

    def kernel(self, steps: int) -> str:
        """The kernel that `steps` updates use: "step" or "tiled" (``method`` resolved).

        Parameters
        ----------
        steps : int
            Updates per call.

        Returns
        -------
        str
            "tiled" for method "tiled", or for "auto" when N >= 2^16 and steps >= 16;
            otherwise "step".
        """
        if self.method == "auto":
            return "tiled" if self.n >= 1 << 16 and steps >= 16 else "step"
        return self.method

    def transposed(self) -> PermutationChain:
        """The network with w^T = pi^T (66)-(67) (the inverse permutation), same b and f.

        Returns
        -------
        PermutationChain
            The left-moving chain of (70).
        """
        inv, w_t = transpose(self.perm, self.weights)
        return PermutationChain(inv, w_t, self.bias, self.activation, self.method)

    def apply(self, x: np.ndarray, steps: int, out: np.ndarray | None = None) -> np.ndarray:
        """`steps` updates x <- f(w x + b), P2 (1), (49)-(50), (57), of every subsystem.

        A one-off call: the blocked kernel reorders the state into cycle order and back (two
        temporary arrays); :class:`ChainStepper` keeps the state in cycle order between calls
        instead.

        Parameters
        ----------
        x : ndarray(shape=[D + 1, N] or [N])
            The state (finite).
        steps : int
            Number of chain steps (>= 0).
        out : ndarray, optional
            C-contiguous float64 array of the shape of `x` (not `x` itself) to write the result
            into.

        Returns
        -------
        ndarray
            `out`, or a new array of the shape of `x`.

        Raises
        ------
        ValueError
            A negative or non-integer `steps`, a wrong shape, a non-finite `x`, a bad `out`.
        """
        steps = _check_steps(steps)
        x = np.asarray(x, dtype=np.float64)
        squeeze = x.ndim == 1
        n = self.n
        x2 = np.ascontiguousarray(x.reshape(1, -1) if squeeze else x)
        if x2.ndim != 2 or x2.shape[1] != n:
            raise ValueError(f"x must have shape (D + 1, {n}) or ({n},)")
        if not pick("all_finite", x2.size)(x2):
            raise ValueError("x, bias and weights must be finite")
        if out is None:
            res = np.empty_like(x2)
        else:
            if (not isinstance(out, np.ndarray) or out.shape != x.shape
                    or out.dtype != np.float64 or not out.flags.c_contiguous
                    or np.shares_memory(out, x)):
                raise ValueError(f"out must be a C-contiguous float64 array of shape {x.shape} "
                                 "apart from x")
            res = out.reshape(x2.shape)
        if self.kernel(steps) == "tiled" and steps > 0:
            cyc = self._cycles
            size = x2.size
            y = np.empty_like(x2)
            pick("gather_cycles", size)(x2, cyc.order, y)
            work = np.empty_like(y)
            swapped, _ = pick("cycle_advance", size)(y, work, cyc.starts, cyc.item_c, cyc.item_a,
                                                     cyc.weights, cyc.bias, steps, self.code,
                                                     TILE, DEPTH)
            pick("scatter_cycles", size)(work if swapped else y, cyc.order, res)
        else:
            kern = chain_steps if n >= PARALLEL_THRESHOLD else chain_steps_serial
            stepped = kern(x2, self.perm, self.weights, self.bias, steps, self.code)
            if out is None:
                return stepped[0] if squeeze else stepped
            res[...] = stepped
        if out is not None:
            return out
        return res[0] if squeeze else res

    def exact(self, x0: np.ndarray, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """The exact solution (61) of the linear pure permutation chain (b = 0, weights 1).

        Parameters
        ----------
        x0 : ndarray(shape=[..., N])
            The state at step 0.
        t : int
            The step (>= 0).
        out : ndarray, optional
            C-contiguous float64 array of the shape of `x0` (not `x0` itself) for the result.

        Returns
        -------
        ndarray
            x_i(t) = x_{perm^t(i)}(0), as :func:`shift_solution`, from the cached cycle
            decomposition (in `out` when given).

        Raises
        ------
        ValueError
            `x0` without N neurons in its last axis, a negative `t`, a bad `out`.
        """
        x0 = np.asarray(x0, dtype=np.float64)
        t = _check_steps(t, "t")
        if x0.ndim < 1 or x0.shape[-1] != self.n:
            raise ValueError(f"x0 must have {self.n} neurons in its last axis")
        src = np.ascontiguousarray(x0).reshape(-1, self.n)
        if out is None:
            out = np.empty(x0.shape)
        elif (out.shape != x0.shape or out.dtype != np.float64 or not out.flags.c_contiguous
              or np.shares_memory(out, x0)):
            raise ValueError(f"out must be a C-contiguous float64 array of shape {x0.shape} "
                             "apart from x0")
        cyc = self._cycles
        pick("shift_into", src.size)(src, cyc.order, cyc.starts, cyc.item_c, cyc.item_a, TILE, t,
                   out.reshape(-1, self.n))
        return out

    def shift_deviation(self, x: np.ndarray, x0: np.ndarray, t: int) -> tuple[float, float]:
        """max_i |x_i(t) - x_{perm^t(i)}(0)| (the distance from the exact shift (61)), and
        sum_i x_i(t)^2 (the norm conserved by (59)).

        One pass over both states without temporaries (the `chains` simulation records both at
        every recorded step).

        Parameters
        ----------
        x : ndarray(shape=[..., N])
            The state at step t.
        x0 : ndarray(shape=[..., N])
            The state at step 0 (same shape).
        t : int
            The step (>= 0).

        Returns
        -------
        deviation : float
            The largest deviation over all subsystems and neurons (NaN if x holds a NaN).
        square_sum : float
            sum of x^2 over all subsystems and neurons.

        Raises
        ------
        ValueError
            Shapes that differ or lack N neurons in the last axis, a negative `t`.
        """
        x = np.asarray(x, dtype=np.float64)
        x0 = np.asarray(x0, dtype=np.float64)
        t = _check_steps(t, "t")
        if x.shape != x0.shape or x.ndim < 1 or x.shape[-1] != self.n:
            raise ValueError(f"x and x0 must have the same shape with {self.n} neurons in the "
                             f"last axis, got {x.shape} and {x0.shape}")
        cyc = self._cycles
        dev, sq = pick("shift_deviation", x.size)(
            np.ascontiguousarray(x).reshape(-1, self.n),
            np.ascontiguousarray(x0).reshape(-1, self.n), cyc.order, cyc.starts, cyc.item_c,
            cyc.item_a, TILE, t, cyc.identity)
        return float(dev), float(sq)


@dataclass(frozen=True, eq=False)
class ChainEnsemble:
    """The pi / pi^T ensemble (68): branch x^- evolved by w (69), x^+ by w^T (70).

    The model of :func:`solve` for a state of shape [2, ...] holding (x^-, x^+); the
    ensemble average x = (x^- + x^+) / 2 is :meth:`average`.

    Parameters
    ----------
    chain : PermutationChain
        The network of the x^- branch; the x^+ branch uses its :meth:`~PermutationChain.transposed`
        (same bias and activation).
    """

    chain: PermutationChain

    @cached_property
    def transposed(self) -> PermutationChain:
        """The network w^T of the x^+ branch (70) (computed once)."""
        return self.chain.transposed()

    def apply(self, x: np.ndarray, steps: int) -> np.ndarray:
        """`steps` chain steps of both branches, P2 (69)-(70).

        Parameters
        ----------
        x : ndarray(shape=[2, D + 1, N] or [2, N])
            (x^-, x^+).
        steps : int
            Number of chain steps (>= 0).

        Returns
        -------
        ndarray
            A new array of the shape of `x`.

        Raises
        ------
        ValueError
            `x` without a leading axis of 2, or as in :meth:`PermutationChain.apply`.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim < 2 or x.shape[0] != 2:
            raise ValueError(f"x must hold the two branches (x^-, x^+) in its first axis, got "
                             f"shape {x.shape}")
        return np.stack([self.chain.apply(x[0], steps), self.transposed.apply(x[1], steps)])

    @staticmethod
    def average(x: np.ndarray) -> np.ndarray:
        """The ensemble average (68), x = (x^- + x^+) / 2, of a state [2, ...].

        Parameters
        ----------
        x : ndarray(shape=[2, ...])
            The branches (x^-, x^+).

        Returns
        -------
        ndarray(shape=[...])
            Their average x.
        """
        return 0.5 * (x[0] + x[1])

    def exact(self, x0: np.ndarray, t: int) -> np.ndarray:
        """The exact average (68) of the linear pure permutation: both branches shifted (61).

        Parameters
        ----------
        x0 : ndarray(shape=[2, ..., N])
            (x^-, x^+) at step 0.
        t : int
            The step.

        Returns
        -------
        ndarray(shape=[..., N])
            (x^-_{pi^t}(0) + x^+_{pi^-t}(0)) / 2.
        """
        out = self.chain.exact(x0[0], t)
        out += self.transposed.exact(x0[1], t)
        out *= 0.5
        return out


def _key(x: np.ndarray) -> tuple[int, int]:
    """(address, size in bytes) of an array's data: which buffer a state lives in."""
    return (x.__array_interface__["data"][0], x.nbytes)


class ChainStepper:
    """Advances a :class:`PermutationChain` or :class:`ChainEnsemble` state between whole steps.

    The :class:`emergent.evolution.Stepper` of :func:`solve` and of the `chains` simulation:
    times are chain steps t, each interval one kernel call of P2 (1), (49)-(50). With the
    blocked kernel (:meth:`PermutationChain.kernel`) the stepper keeps the state in cycle order
    between calls in two buffers of its own (the reordering is done once, not per call) and
    checks finiteness inside the kernel. When the cycle order is the natural order (the
    unshuffled cycles of :func:`permutation_from_cycles`, :func:`cycle_permutation`) the state
    it returns is its cycle-order buffer itself; otherwise it writes the natural order into one
    of two output arrays that it reuses. No array of size N is allocated per call. The run loop
    owns the returned array (a tracker that keeps a state copies it); a state that is not the
    array returned last is read afresh.

    Parameters
    ----------
    model : PermutationChain or ChainEnsemble
        The network.
    """

    def __init__(self, model: PermutationChain | ChainEnsemble) -> None:
        self.model = model
        self._chains = ((model.chain, model.transposed) if isinstance(model, ChainEnsemble)
                        else (model,))
        self._y: np.ndarray | None = None  # [branches, rows, N], cycle order
        self._work: np.ndarray | None = None
        self._out: list[np.ndarray] = []  # natural-order outputs, used in turn
        self._last: tuple[int, int] | None = None  # _key of the array returned last

    def _output(self, state: np.ndarray) -> np.ndarray:
        """A natural-order output array of the state's shape that is not `state` itself."""
        if not self._out or self._out[0].shape != state.shape:
            self._out = [np.empty(state.shape), np.empty(state.shape)]
        return self._out[1] if np.shares_memory(self._out[0], state) else self._out[0]

    def advance(self, state: np.ndarray, t0: float, t1: float) -> np.ndarray:
        """The state at step `t1` from the state at step `t0` (P2 (1), (49)).

        Parameters
        ----------
        state : ndarray(shape=[D + 1, N] or [N]; [2, D + 1, N] for a ChainEnsemble)
            The state at step `t0`.
        t0, t1 : float
            The chain steps (whole numbers, t1 >= t0).

        Returns
        -------
        ndarray
            `t1 - t0` updates x <- f(w x + b), of the shape of `state`, in one of the
            stepper's own arrays (never `state` itself).

        Raises
        ------
        ValueError
            `t1 - t0` not a whole number of steps >= 0, a wrong shape, a non-finite state.
        FloatingPointError
            The state overflowed (became non-finite) within these steps: a linear chain whose
            weights exceed 1 in modulus grows without bound.
        """
        steps = _whole_steps(t0, t1)
        x = np.ascontiguousarray(state, dtype=np.float64)
        chains = self._chains
        n = chains[0].n
        nb = len(chains)
        if nb == 2 and (x.ndim < 2 or x.shape[0] != 2):
            raise ValueError(f"x must hold the two branches (x^-, x^+) in its first axis, got "
                             f"shape {x.shape}")
        if x.shape[-1] != n or x.ndim - (nb == 2) not in (1, 2):
            raise ValueError(f"x must have shape (D + 1, {n}) or ({n},)")
        xb = x.reshape(nb, -1, n)
        if steps == 0 or any(c.kernel(steps) != "tiled" for c in chains):
            out = self._output(x)
            ob = out.reshape(xb.shape)
            for k, chain in enumerate(chains):
                chain.apply(xb[k], steps, out=ob[k])
            finite = bool(pick("all_finite", out.size)(out))
            self._last = None
        else:
            cycs = [c._cycles for c in chains]
            if self._y is None or self._y.shape != xb.shape:
                self._y = np.empty(xb.shape)
                self._work = np.empty(xb.shape)
                self._last = None
            assert self._work is not None
            if self._last != _key(x):  # not the array returned last: take it in
                if not pick("all_finite", x.size)(x):
                    raise ValueError("x, bias and weights must be finite")
                for k, cyc in enumerate(cycs):
                    if cyc.identity:
                        self._y[k] = xb[k]
                    else:
                        pick("gather_cycles", x.size)(xb[k], cyc.order, self._y[k])
            finite = True
            swapped = False
            for k, (chain, cyc) in enumerate(zip(chains, cycs, strict=True)):
                swapped, ok = pick("cycle_advance", x.size)(
                    self._y[k], self._work[k], cyc.starts, cyc.item_c, cyc.item_a, cyc.weights,
                    cyc.bias, steps, chain.code, TILE, DEPTH)
                finite &= bool(ok)
            if swapped:  # the same number of passes for every branch
                self._y, self._work = self._work, self._y
            if all(cyc.identity for cyc in cycs):
                out = self._y.reshape(x.shape)
            else:
                out = self._output(x)
                ob = out.reshape(xb.shape)
                for k, cyc in enumerate(cycs):
                    if cyc.identity:
                        ob[k] = self._y[k]
                    else:
                        pick("scatter_cycles", x.size)(self._y[k], cyc.order, ob[k])
            self._last = _key(out)
        if not finite:
            raise FloatingPointError(
                f"the state overflowed (non-finite) between steps {t0:g} and {t1:g}: a linear "
                "chain whose weights exceed 1 grows without bound")
        return out

    def save(self, state: np.ndarray) -> dict[str, np.ndarray]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : ndarray
            The chain state.

        Returns
        -------
        dict of str to ndarray
            ``{"x": state}``.
        """
        return {"x": np.asarray(state)}

    def load(self, saved: dict[str, np.ndarray]) -> np.ndarray:
        """The state from :meth:`save`'s checkpoint.

        Parameters
        ----------
        saved : dict of str to ndarray
            The checkpoint (key ``"x"``).

        Returns
        -------
        ndarray
            The state, a C-contiguous float64 array.
        """
        return np.ascontiguousarray(saved["x"], dtype=np.float64)


def record_steps(t_final: int, every: int) -> np.ndarray:
    """Recorded chain steps 0, every, 2 every, ..., t_final (the last one included).

    Parameters
    ----------
    t_final : int
        The last step (>= 1).
    every : int
        Steps between recorded times (>= 1).

    Returns
    -------
    ndarray(dtype=int64)
        The increasing recorded steps.

    Raises
    ------
    ValueError
        `t_final` or `every` < 1.
    """
    if _check_steps(t_final, "t_final") < 1 or _check_steps(every, "every") < 1:
        raise ValueError(f"t_final and every must be >= 1, got {t_final!r}, {every!r}")
    return np.minimum(np.arange(0, -(-t_final // every) + 1) * every, t_final).astype(np.int64)


def saved_steps(t_final: int, saves: int | Sequence[int]) -> np.ndarray:
    """The recorded chain steps of a solver's `saves` argument.

    Parameters
    ----------
    t_final : int
        The last step (>= 1).
    saves : int or sequence of int
        A number of recorded steps (>= 2), equally spaced from 0 to `t_final` and rounded to
        whole steps (duplicates dropped), or the recorded steps themselves.

    Returns
    -------
    ndarray(dtype=int64)
        Increasing steps from 0 to `t_final`.

    Raises
    ------
    ValueError
        `saves` < 2, `t_final` < 1, or steps that do not increase from 0 to `t_final`.
    """
    if isinstance(saves, int | np.integer) and not isinstance(saves, bool):
        if saves < 2:
            raise ValueError(f"saves must be >= 2, got {saves}")
        if _check_steps(t_final, "t_final") < 1:
            raise ValueError(f"t_final must be an integer >= 1, got {t_final!r}")
        return np.unique(np.round(np.linspace(0, t_final, int(saves))).astype(np.int64))
    steps = np.asarray(saves)
    if (steps.ndim != 1 or steps.size < 1 or steps.dtype.kind not in "iu" or steps[0] != 0
            or steps[-1] != t_final or np.any(np.diff(steps) <= 0)):
        raise ValueError(f"saves must be an int >= 2 or increasing integer steps from 0 to "
                         f"t_final = {t_final}, got {saves!r}")
    return steps.astype(np.int64)


def solve(initial: np.ndarray, model: PermutationChain | ChainEnsemble, t_final: int, *,
          saves: int | Sequence[int] = 11, keep_states: bool = True,
          trackers: Sequence[Tracker] = ()) -> Result:
    """Evolve a chain network from step 0 to `t_final`: P2 (1), (49)-(50), (57); (68)-(70).

    Parameters
    ----------
    initial : ndarray(shape=[D + 1, N] or [N]; [2, D + 1, N] for a ChainEnsemble)
        The state at step 0.
    model : PermutationChain or ChainEnsemble
        The network (one chain, or the pi / pi^T ensemble (68)).
    t_final : int
        The last step (>= 1; a chain's time step is 1).
    saves : int or sequence of int
        Number of recorded steps, equally spaced and rounded to whole steps, 0 and `t_final`
        included (>= 2); or the recorded steps themselves (increasing, from 0 to `t_final`).
    keep_states : bool
        Keep the state at every recorded step in ``states``.
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded step after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        ``t`` (the recorded steps), ``states`` [records, *initial.shape] (or None), ``final``,
        ``series["norm"]`` (sum_i x_i^2 / N of the state, for an ensemble of its average
        (68); conserved by a linear pure permutation (59)) and ``info`` (method, activation).

    Raises
    ------
    ValueError
        A bad `initial`, `t_final` or `saves`.
    """
    times = saved_steps(t_final, saves)
    state = np.array(initial, dtype=np.float64, order="C")
    n = model.chain.n if isinstance(model, ChainEnsemble) else model.n
    if isinstance(model, ChainEnsemble):
        model.apply(state, 0)  # validates the shape
        def norm(x: np.ndarray) -> float:
            return float(np.sum(ChainEnsemble.average(x) ** 2) / n)
    else:
        model.apply(state, 0)
        def norm(x: np.ndarray) -> float:
            return float(np.sum(x**2) / n)
    recorder = Recorder(lambda frame: {"norm": norm(frame.state)}, keep_states=keep_states)
    evolve_loop(ChainStepper(model), state, times, [recorder, *trackers])
    chain = model.chain if isinstance(model, ChainEnsemble) else model
    return recorder.result(method=chain.method, activation=chain.activation)


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
    """Apply `steps` updates x <- f(w x + b) (P2 (1), (49)-(50), (57)) to every subsystem.

    The kernel call behind :func:`solve` for a one-off permutation (it builds a
    :class:`PermutationChain` and calls its :meth:`~PermutationChain.apply`).

    Parameters
    ----------
    x : ndarray(shape=[D + 1, N] or [N])
        The state.
    perm : ndarray(shape=[N], dtype=int)
        The permutation index array.
    steps : int
        Number of chain steps (>= 0).
    bias, weights : ndarray(shape=[N]), optional
        b (default 0) and the edge weights (default 1).
    activation : {"linear", "tanh"}
        The activation f.
    method : {"auto", "step", "tiled"}
        The kernel (see :class:`PermutationChain`).

    Returns
    -------
    ndarray
        A new array of the shape of `x`.

    Raises
    ------
    ValueError
        As :class:`PermutationChain` and :meth:`PermutationChain.apply`.
    """
    return PermutationChain(perm, weights, bias, activation, method).apply(x, steps)


def shift_solution(x0: np.ndarray, t: int, shift: int = 1,
                   perm: np.ndarray | None = None) -> np.ndarray:
    """Exact solution of the linear permutation chain (57), (60)-(61).

    Without perm: the single cycle perm[i] = i - shift, x_i(t) = x_{i - shift t}(0), a wave
    moving by `shift` neurons per step (right-moving for pi, left-moving for pi^T). With perm
    (any permutation, `shift` ignored): x_i(t) = x_{perm^t(i)}(0), the shift by t along each
    cycle, computed in O(N) from the cycle decomposition.

    Parameters
    ----------
    x0 : ndarray(shape=[..., N])
        The state at step 0.
    t : int
        The step.
    shift : int
        1 (pi) or -1 (pi^T) for the single cycle.
    perm : ndarray(shape=[N], dtype=int), optional
        Any permutation.

    Returns
    -------
    ndarray
        x(t), of the shape of x0.

    Raises
    ------
    ValueError
        `perm` not a permutation or not matching the last axis of x0.
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
    average solves the discrete wave equation (73) exactly. :func:`solve` with a
    :class:`ChainEnsemble` records the same average.

    Parameters
    ----------
    x_minus, x_plus : ndarray(shape=[D + 1, N] or [N])
        The branches at step 0.
    perm : ndarray(shape=[N], dtype=int)
        The permutation of the x^- branch.
    steps : int
        Number of chain steps.
    bias, weights, activation, method
        As in :func:`evolve` (the x^+ branch uses the transposed weights (67)).

    Returns
    -------
    ndarray
        The average, of the shape of x_minus.

    Raises
    ------
    ValueError
        As :func:`evolve`.
    """
    inv, w_t = transpose(perm, weights)
    kw = dict(bias=bias, activation=activation, method=method)
    return 0.5 * (evolve(x_minus, perm, steps, weights=weights, **kw)
                  + evolve(x_plus, inv, steps, weights=w_t, **kw))
