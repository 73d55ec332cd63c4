"""The holographic map of a bulk of neural chains to its boundary (P2 §10, eq 97-100).

The bulk is a sparse network of N neurons, the first ``n_boundary`` of which are the boundary
neurons; P is the projection onto them (an n_boundary x N selection matrix). The map is

    (97)  x_d = P x,    (98)  b_d = P b,
    (99)  w_d(eps) = P eps w (I - eps w)^(-1) P^T = P (sum_{n >= 1} eps^n w^n) P^T,

((99) as extracted lost the inverse; the series form shows its meaning: w_d_ij sums eps^L over
all directed bulk paths of L edges from boundary neuron j to boundary neuron i). For a single
chain of d bulk neurons from j to i (d + 1 edges) and no other path,

    (100)  d(i, j) = log_eps w_d_ij - 1

is exactly the number of intermediate bulk neurons. Where chains cross (share a bulk neuron),
new boundary pairs become connected (i-l and k-j in the paper's words), and two crossings of
the same pair of chains open a second path, so that w_d_ij = eps^(L1) + eps^(L2) and the
recovered "length" is no longer an integer: shorter than both chains.

Convention: x_i(t + 1) = sum_j w_ij x_j(t), so an edge j -> i is w[i, j] = 1.
w_d is computed with a sparse LU factorisation of I - eps w (SciPy SuperLU), solving for the
boundary columns in blocks. :class:`BoundaryScan` steps through a sequence of eps values as the
run loop's "times" (:func:`boundary_scan` returns them as a :class:`emergent.evolution.Result`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from emergent.evolution import Recorder, Result, Tracker, evolve

__all__ = [
    "BoundaryMap",
    "BoundaryScan",
    "BulkChains",
    "boundary_bias",
    "boundary_projection",
    "boundary_scan",
    "boundary_state",
    "boundary_weights",
    "bulk_chains",
    "chain_lengths",
    "path_sum",
    "random_crossings",
]


def _check_eps(eps: float) -> float:
    if not (np.isfinite(eps) and 0 < eps < 1):
        raise ValueError(f"eps must lie in the open interval (0, 1), got {eps!r}")
    return float(eps)


def boundary_projection(n_boundary: int, n: int) -> sp.csr_matrix:
    """P of (97)-(99): the n_boundary x n matrix selecting neurons 0..n_boundary-1.

    Parameters
    ----------
    n_boundary : int
        Boundary neurons (1..n).
    n : int
        All neurons.

    Returns
    -------
    scipy.sparse.csr_matrix (n_boundary x n)

    Raises
    ------
    ValueError
        n_boundary outside 1..n.
    """
    if not (isinstance(n_boundary, int | np.integer) and 1 <= n_boundary <= n):
        raise ValueError(f"n_boundary must be an integer in 1..{n}, got {n_boundary!r}")
    return sp.csr_matrix((np.ones(n_boundary), (np.arange(n_boundary), np.arange(n_boundary))),
                         shape=(n_boundary, n))


def boundary_state(x: np.ndarray, n_boundary: int) -> np.ndarray:
    """(97): x_d = P x.

    Parameters
    ----------
    x : ndarray(shape=[N] or [..., N])
    n_boundary : int

    Returns
    -------
    ndarray(shape=[n_boundary] or [..., n_boundary])

    Raises
    ------
    ValueError
        As :func:`boundary_projection`.
    """
    x = np.asarray(x)
    return boundary_projection(n_boundary, x.shape[-1]).dot(x.T).T


def boundary_bias(b: np.ndarray, n_boundary: int) -> np.ndarray:
    """(98): b_d = P b.

    Parameters
    ----------
    b : ndarray(shape=[N])
    n_boundary : int

    Returns
    -------
    ndarray(shape=[n_boundary])

    Raises
    ------
    ValueError
        As :func:`boundary_projection`.
    """
    return boundary_state(b, n_boundary)


def boundary_weights(w: sp.spmatrix, n_boundary: int, eps: float,
                     block: int = 64) -> np.ndarray:
    """(99): w_d(eps) = P eps w (I - eps w)^(-1) P^T.

    Solves (I - eps w) Y = P^T with one sparse LU and `block` right-hand sides at a time.

    Parameters
    ----------
    w : sparse matrix (N x N)
        The bulk weights (neurons 0..n_boundary-1 are the boundary).
    n_boundary : int
        Boundary neurons.
    eps : float
        In (0, 1).
    block : int
        Right-hand sides per solve.

    Returns
    -------
    ndarray(shape=[n_boundary, n_boundary])

    Raises
    ------
    ValueError
        A bad eps or n_boundary, w not square, I - eps w singular, a non-finite result.
    """
    eps = _check_eps(eps)
    w = sp.csc_matrix(w, dtype=float)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"w must be a square sparse matrix, got shape {w.shape}")
    boundary_projection(n_boundary, n)
    a = (sp.identity(n, format="csc") - eps * w).tocsc()
    try:
        lu = spla.splu(a)
    except RuntimeError as err:
        raise ValueError(f"I - eps w is singular at eps = {eps}: eps times the spectral radius "
                         f"of w must be < 1") from err
    w_rows = eps * sp.csr_matrix(w)[:n_boundary]
    out = np.empty((n_boundary, n_boundary))
    for start in range(0, n_boundary, block):
        stop = min(start + block, n_boundary)
        rhs = np.zeros((n, stop - start))
        rhs[np.arange(start, stop), np.arange(stop - start)] = 1.0
        y = lu.solve(rhs)
        out[:, start:stop] = w_rows @ y
    if not np.isfinite(out).all():
        raise ValueError(f"w_d is not finite at eps = {eps}: the Neumann series diverges")
    return out


def chain_lengths(w_d: np.ndarray, eps: float) -> np.ndarray:
    """(100): d(i, j) = log_eps w_d_ij - 1; +inf where no chain joins j to i (w_d_ij <= 0).

    Parameters
    ----------
    w_d : ndarray(shape=[n_boundary, n_boundary])
        The boundary weights (99).
    eps : float
        In (0, 1).

    Returns
    -------
    ndarray(shape=[n_boundary, n_boundary])

    Raises
    ------
    ValueError
        eps outside (0, 1).
    """
    eps = _check_eps(eps)
    w_d = np.asarray(w_d, dtype=float)
    out = np.full(w_d.shape, np.inf)
    pos = w_d > 0
    out[pos] = np.log(w_d[pos]) / np.log(eps) - 1.0
    return out


@dataclass(frozen=True)
class BulkChains:
    """A bulk network made of chains between boundary neurons, for (97)-(100).

    Attributes
    ----------
    w : scipy.sparse.csr_matrix (N x N)
        The weights (edge j -> i is w[i, j] = 1).
    n_boundary : int
        Boundary neurons are 0..n_boundary-1.
    sources, targets : ndarray(dtype=int)
        Boundary neuron where chain c starts / ends.
    lengths : ndarray(dtype=int)
        Bulk neurons of chain c before crossings are merged.
    paths : tuple of ndarray
        The neuron sequence of every chain (boundary source, bulk..., boundary target) after
        merging.
    crossings : tuple of (int, int, int, int)
        (c1, k1, c2, k2): bulk neuron k2 of chain c2 is the same neuron as bulk neuron k1 of c1.
    """

    w: sp.csr_matrix
    n_boundary: int
    sources: np.ndarray
    targets: np.ndarray
    lengths: np.ndarray
    paths: tuple[np.ndarray, ...]
    crossings: tuple[tuple[int, int, int, int], ...]

    @property
    def n(self) -> int:
        """N, all neurons of the network (boundary and bulk).
        """
        return int(self.w.shape[0])

    def expected_lengths(self) -> np.ndarray:
        """The boundary distances (100) that disjoint chains should give.

        For chains without crossings the distance d(i, j) between boundary neurons is the
        number of bulk neurons of the chain joining them.

        Returns
        -------
        ndarray(shape=[n_boundary, n_boundary])
            lengths[c] at (targets[c], sources[c]), inf elsewhere.
        """
        out = np.full((self.n_boundary, self.n_boundary), np.inf)
        out[self.targets, self.sources] = self.lengths
        return out


def bulk_chains(lengths: Sequence[int], *,
                crossings: Sequence[tuple[int, int, int, int]] = (),
                sources: Sequence[int] | None = None,
                targets: Sequence[int] | None = None) -> BulkChains:
    """Build a bulk of chains for (97)-(100): chain c runs from boundary neuron sources[c] through
    lengths[c] bulk neurons to boundary neuron targets[c].

    Parameters
    ----------
    lengths : sequence of int
        Bulk neurons of every chain (>= 1).
    crossings : sequence of (int, int, int, int)
        (c1, k1, c2, k2) merges bulk neuron k2 (0-based) of chain c2 into bulk neuron k1 of
        chain c1 (the chains cross there).
    sources, targets : sequence of int, optional
        Boundary neurons; default 2 C boundary neurons, sources 0..C-1, targets C..2C-1 (chain c
        joins c to C + c).

    Returns
    -------
    BulkChains

    Raises
    ------
    ValueError
        Bad lengths, sources, targets or crossings.
    """
    lengths_a = np.asarray(lengths, dtype=np.int64)
    if lengths_a.ndim != 1 or lengths_a.size < 1 or np.any(lengths_a < 1):
        raise ValueError("lengths must be a non-empty list of integers >= 1 (bulk neurons)")
    c = lengths_a.size
    src = np.arange(c) if sources is None else np.asarray(sources, dtype=np.int64)
    tgt = c + np.arange(c) if targets is None else np.asarray(targets, dtype=np.int64)
    if src.shape != (c,) or tgt.shape != (c,):
        raise ValueError("sources and targets need one boundary neuron per chain")
    n_boundary = int(max(src.max(), tgt.max()) + 1)
    if src.min() < 0 or tgt.min() < 0:
        raise ValueError("sources and targets must be boundary neuron indices >= 0")
    offsets = n_boundary + np.concatenate([[0], np.cumsum(lengths_a)])
    node = [np.arange(offsets[k], offsets[k + 1]) for k in range(c)]
    merged = np.arange(offsets[-1])
    for cr in crossings:
        c1, k1, c2, k2 = (int(v) for v in cr)
        if not (0 <= c1 < c and 0 <= c2 < c and c1 != c2):
            raise ValueError(f"crossing {cr}: chains must be two different indices in 0..{c - 1}")
        if not (0 <= k1 < lengths_a[c1] and 0 <= k2 < lengths_a[c2]):
            raise ValueError(f"crossing {cr}: bulk neuron index out of range")
        merged[node[c2][k2]] = merged[node[c1][k1]]
    # relabel so that merged-away neurons disappear
    keep, new = np.unique(merged, return_inverse=True)
    paths = []
    rows, cols = [], []
    for k in range(c):
        seq = np.concatenate([[src[k]], new[node[k]], [tgt[k]]])
        paths.append(seq)
        rows.append(seq[1:])
        cols.append(seq[:-1])
    r = np.concatenate(rows)
    q = np.concatenate(cols)
    n = keep.size
    w = sp.csr_matrix((np.ones(r.size), (r, q)), shape=(n, n))
    w.sum_duplicates()
    w.data[:] = 1.0  # two chains sharing an edge still give a single unit connection
    return BulkChains(w, n_boundary, src, tgt, lengths_a, tuple(paths),
                      tuple(tuple(int(v) for v in cr) for cr in crossings))


def random_crossings(lengths: np.ndarray, count: int,
                     rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    """`count` crossings (c1, k1, c2, k2) between random pairs of chains (for :func:`bulk_chains`).

    Crossing m sits at the same fraction f_m of both chains (k = floor(f_m L)), with distinct
    f_m, so that every path moves monotonically in f: the bulk stays free of cycles. A bulk
    neuron takes part in at most one crossing. Fewer than `count` come back when the draws
    collide.

    Parameters
    ----------
    lengths : ndarray(shape=[C], dtype=int)
        Bulk neurons of each chain.
    count : int
        Crossings wanted.
    rng : numpy.random.Generator
        The source of the fractions and the chain pairs.

    Returns
    -------
    list of (int, int, int, int)
        (c1, k1, c2, k2): bulk neuron k2 of chain c2 merges into bulk neuron k1 of chain c1.
    """
    c = lengths.size
    out: list[tuple[int, int, int, int]] = []
    used: set[tuple[int, int]] = set()
    if c < 2:
        return out
    fracs = np.sort(rng.uniform(0, 1, 4 * count))
    rng.shuffle(fracs)
    for f in fracs:
        if len(out) == count:
            break
        c1, c2 = rng.choice(c, 2, replace=False)
        k1, k2 = int(f * lengths[c1]), int(f * lengths[c2])
        if (c1, k1) in used or (c2, k2) in used:
            continue
        used.update({(c1, k1), (c2, k2)})
        out.append((int(c1), k1, int(c2), k2))
    return out


def path_sum(w: sp.spmatrix, n_boundary: int, eps: float, max_length: int) -> np.ndarray:
    """Independent route to (99): P (sum_{L=1}^{max_length} eps^L w^L) P^T.

    Repeated sparse products of the boundary columns (the truncated Neumann series, exact for a
    bulk without cycles once max_length exceeds the longest path).

    Parameters
    ----------
    w : sparse matrix (N x N)
    n_boundary : int
    eps : float
        In (0, 1).
    max_length : int
        The longest path counted.

    Returns
    -------
    ndarray(shape=[n_boundary, n_boundary])

    Raises
    ------
    ValueError
        eps outside (0, 1).
    """
    eps = _check_eps(eps)
    w = sp.csr_matrix(w, dtype=float)
    n = w.shape[0]
    v = sp.csr_matrix(boundary_projection(n_boundary, n).T)
    total = np.zeros((n_boundary, n_boundary))
    for _ in range(max_length):
        v = eps * (w @ v)
        if v.nnz == 0:
            break
        total += v[:n_boundary].toarray()
    return total


@dataclass(frozen=True)
class BoundaryMap:
    """The boundary weight matrix (99) of a bulk at one eps, with the time its solve took.

    Attributes
    ----------
    eps : float
        eps of (99)-(100).
    w_d : ndarray(shape=[n_boundary, n_boundary])
        w_d(eps) of (99).
    seconds : float
        Wall time of the sparse solve.
    """

    eps: float
    w_d: np.ndarray
    seconds: float

    @property
    def lengths(self) -> np.ndarray:
        """(100): d(i, j) = log_eps w_d_ij - 1 (see :func:`chain_lengths`)."""
        return chain_lengths(self.w_d, self.eps)


class BoundaryScan:
    """Steps through a sequence of eps values: the "state" at index k is the map (99) at eps_k.

    A :class:`emergent.evolution.Stepper` over a natural sequence (not a time evolution), so
    that :func:`emergent.evolution.evolve` and the runs' loop give a scan of eps the same
    trackers, series and checkpoints as a time evolution. Times are the indices 0, 1, ...

    Parameters
    ----------
    w : sparse matrix (N x N)
        The bulk weights (neurons 0..n_boundary-1 are the boundary).
    n_boundary : int
        Boundary neurons.
    eps : sequence of float
        The eps values, each in (0, 1).

    Raises
    ------
    ValueError
        An eps outside (0, 1), an empty sequence.
    """

    def __init__(self, w: sp.spmatrix, n_boundary: int, eps: Sequence[float]) -> None:
        self.eps = tuple(_check_eps(e) for e in eps)
        if not self.eps:
            raise ValueError("eps must hold at least one value in (0, 1)")
        self.w = w
        self.n_boundary = n_boundary

    @property
    def times(self) -> np.ndarray:
        """The indices 0 .. len(eps) - 1, the scan's recorded "times"."""
        return np.arange(len(self.eps), dtype=float)

    def map(self, k: int) -> BoundaryMap:
        """The map (99) at eps_k, timed.

        Parameters
        ----------
        k : int
            Index into the eps values.

        Returns
        -------
        BoundaryMap
        """
        t0 = time.perf_counter()
        w_d = boundary_weights(self.w, self.n_boundary, self.eps[k])
        return BoundaryMap(self.eps[k], w_d, time.perf_counter() - t0)

    def advance(self, state: BoundaryMap, t0: float, t1: float) -> BoundaryMap:
        """The map (99) at index `t1` (the previous one is not needed).

        Parameters
        ----------
        state : BoundaryMap
            The map at index `t0` (unused).
        t0, t1 : float
            Indices into the eps values (whole numbers).

        Returns
        -------
        BoundaryMap
            :meth:`map` at eps_{t1}.
        """
        return self.map(int(round(t1)))

    def save(self, state: BoundaryMap) -> dict[str, object]:
        """The checkpoint of a map.

        Parameters
        ----------
        state : BoundaryMap
            The map.

        Returns
        -------
        dict of str to object
            ``eps``, ``w_d`` and ``seconds``.
        """
        return {"eps": state.eps, "w_d": state.w_d, "seconds": state.seconds}

    def load(self, saved: dict[str, object]) -> BoundaryMap:
        """The map from :meth:`save`'s checkpoint.

        Parameters
        ----------
        saved : dict of str to object
            The checkpoint (``eps``, ``w_d``, ``seconds``).

        Returns
        -------
        BoundaryMap
        """
        return BoundaryMap(float(saved["eps"]),  # type: ignore[arg-type]
                           np.asarray(saved["w_d"], dtype=float),
                           float(saved["seconds"]))  # type: ignore[arg-type]


def boundary_scan(w: sp.spmatrix, n_boundary: int, eps: Sequence[float], *,
                  trackers: Sequence[Tracker] = ()) -> Result:
    """The boundary map (99) for every eps, through the run loop (lengths (100) from it).

    Parameters
    ----------
    w : sparse matrix (N x N)
        The bulk weights.
    n_boundary : int
        Boundary neurons (0..n_boundary-1).
    eps : sequence of float
        eps values in (0, 1).
    trackers : sequence of emergent.evolution.Tracker
        Told at every eps after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        ``t`` (indices), ``states`` [len(eps), n_boundary, n_boundary] (w_d), ``final``
        (the last :class:`BoundaryMap`), ``series`` ("eps", "seconds").

    Raises
    ------
    ValueError
        A bad eps, or I - eps w singular.
    """
    scan = BoundaryScan(w, n_boundary, eps)
    recorder = Recorder(lambda f: {"eps": f.state.eps, "seconds": f.state.seconds,
                                   "w_d": f.state.w_d})
    evolve(scan, scan.map(0), scan.times, [recorder, *trackers])
    result = recorder.result()
    result.states = result.series.pop("w_d")
    return result
