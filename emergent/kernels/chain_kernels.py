"""Numba kernels for permutation-weight chains (see :mod:`emergent.chains.permutation`).

The activation argument of every kernel is the integer code of
:mod:`emergent.septuple.activations` (``Activation.code``); the kernels implement
:data:`LINEAR` and :data:`TANH` and name them here as constants (kernels import nothing of
emergent). tanh is the vectorisable :func:`emergent.kernels.fastmath.tanh` (within
:data:`~emergent.kernels.fastmath.TANH_ABS_ERROR` = 1e-15 of the exact value, ~1 ulp measured),
the same function in every kernel, so the per-step and the blocked kernels give the same bits.

The blocked kernel works on the state stored cycle by cycle (:func:`cycle_order`); a caller
that advances the same state repeatedly keeps it in that order between calls
(:func:`cycle_advance` on two caller-owned buffers, :func:`tile_items` computed once) and
writes the natural order only where it is looked at (:func:`scatter_cycles`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import prange

from emergent.kernels.activation_codes import LINEAR, TANH
from emergent.kernels.cache import njit
from emergent.kernels.compile import variants
from emergent.kernels.fastmath import tanh

__all__ = [
    "LINEAR",
    "PARALLEL_THRESHOLD",
    "TANH",
    "all_finite",
    "all_finite_serial",
    "chain_steps",
    "chain_steps_serial",
    "chain_steps_shifted",
    "chain_steps_shifted_serial",
    "cycle_advance",
    "cycle_advance_serial",
    "cycle_order",
    "cycle_steps_tiled",
    "gather_cycles",
    "gather_cycles_serial",
    "pick",
    "scatter_cycles",
    "scatter_cycles_serial",
    "shift_deviation",
    "shift_deviation_serial",
    "shift_into",
    "shift_into_serial",
    "tile_items",
]


PARALLEL_THRESHOLD = 50_000
"""Below this many neuron updates per step the serial kernels are used (thread start-up costs
more than the update)."""


def _chain_steps(
    x: np.ndarray, perm: np.ndarray, w: np.ndarray, b: np.ndarray, steps: int, activation: int
) -> np.ndarray:
    """`steps` updates x_i <- f(w_i x_perm[i] + b_i) of every row of x, P2 (1), (49)-(50).

    Compiled serially (``chain_steps_0``) and in parallel over neurons (``chain_steps_1``);
    two buffers.

    Parameters
    ----------
    x : ndarray(shape=[D + 1, N], dtype=float64)
        The subsystems x^(mu) (not modified).
    perm : ndarray(shape=[N], dtype=int64)
        The permutation (59): neuron i reads neuron perm[i].
    w : ndarray(shape=[N], dtype=float64)
        Edge weights.
    b : ndarray(shape=[N], dtype=float64)
        The bias.
    steps : int
        Number of updates (>= 0).
    activation : int
        :data:`LINEAR` or :data:`TANH`.

    Returns
    -------
    ndarray(shape=[D + 1, N])
        The state after `steps` updates (a new array).
    """
    rows, n = x.shape
    a = x.copy()
    c = np.empty_like(a)
    for _ in range(steps):
        for r in range(rows):
            src = a[r]
            dst = c[r]
            if activation == LINEAR:
                for i in prange(n):
                    dst[i] = w[i] * src[perm[i]] + b[i]
            else:
                for i in prange(n):
                    dst[i] = tanh(w[i] * src[perm[i]] + b[i])
        a, c = c, a
    return a


def _chain_steps_shifted(
    x: np.ndarray,
    perm: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    steps: int,
    activation: int,
) -> np.ndarray:
    """`steps` updates x^(mu)_i <- f(w_i x^(mu)_perm[i] + b_i + c_mu) of x (shape [M, N]).

    Like :func:`chain_steps` with an extra per-subsystem offset c added to the shared bias b;
    c carries the drift of the string's coordinates per chain step (drift / alpha, used for the
    branches (69)-(70) of :class:`emergent.chains.strings.StringChain`). Compiled serially
    (``chain_steps_shifted_0``) and in parallel over neurons within each subsystem
    (``chain_steps_shifted_1``); two buffers.

    Parameters
    ----------
    x : ndarray(shape=[M, N], dtype=float64)
        The subsystems (not modified).
    perm : ndarray(shape=[N], dtype=int64)
        The permutation: neuron i reads neuron perm[i].
    w : ndarray(shape=[N], dtype=float64)
        Edge weights.
    b : ndarray(shape=[N], dtype=float64)
        The bias shared by all subsystems.
    c : ndarray(shape=[M], dtype=float64)
        The offset of each subsystem (added at every step).
    steps : int
        Number of updates (>= 0).
    activation : int
        :data:`LINEAR` or :data:`TANH`.

    Returns
    -------
    ndarray(shape=[M, N])
        The state after `steps` updates (a new array).
    """
    rows, n = x.shape
    a = x.copy()
    d = np.empty_like(a)
    for _ in range(steps):
        for r in range(rows):
            src = a[r]
            dst = d[r]
            cr = c[r]
            if activation == LINEAR:
                for i in prange(n):
                    dst[i] = w[i] * src[perm[i]] + b[i] + cr
            else:
                for i in prange(n):
                    dst[i] = tanh(w[i] * src[perm[i]] + b[i] + cr)
        a, d = d, a
    return a


_CHAIN = variants(_chain_steps, "chain_steps")
_SHIFTED = variants(_chain_steps_shifted, "chain_steps_shifted")
#: parallel and serial (for small N, where thread start-up costs more than the update)
chain_steps, chain_steps_serial = _CHAIN[True], _CHAIN[False]
chain_steps_shifted, chain_steps_shifted_serial = _SHIFTED[True], _SHIFTED[False]


@njit(cache=True)
def cycle_order(perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cycle decomposition (P2 (59)-(60)) of a permutation index array (x_i <- x_perm[i]).

    Parameters
    ----------
    perm : ndarray(shape=[N], dtype=int64)
        A valid permutation of 0..N-1 (not checked).

    Returns
    -------
    order : ndarray(shape=[N], dtype=int64)
        The neurons listed cycle by cycle so that order[q] reads from order[q - 1] within its
        cycle (order[starts[c]] reads from the cycle's last neuron).
    starts : ndarray(shape=[cycles + 1], dtype=int64)
        Where each cycle starts in `order`, then N.
    """
    n = perm.size
    inv = np.empty(n, dtype=np.int64)
    for i in range(n):
        inv[perm[i]] = i
    seen = np.zeros(n, dtype=np.bool_)
    order = np.empty(n, dtype=np.int64)
    starts_buf = np.empty(n + 1, dtype=np.int64)
    q = 0
    c = 0
    for i0 in range(n):
        if seen[i0]:
            continue
        starts_buf[c] = q
        c += 1
        u = i0
        while not seen[u]:
            seen[u] = True
            order[q] = u
            q += 1
            u = inv[u]
    starts_buf[c] = n
    return order, starts_buf[: c + 1].copy()


@njit(cache=True)
def _sweep(out, inp, w, b, start, activation):
    """out[j] = f(w[j] inp[j - 1] + b[j]) for j >= start >= 1.

    A separate function (swapping buffers inside the caller's loop prevents vectorisation), on
    views indexed from 0 (a runtime offset inside the index makes Numba keep its negative-index
    wrap-around, which costs 4x here).
    """
    o = out[start:]
    x = inp[start - 1 : out.size - 1]
    ws = w[start:]
    bs = b[start:]
    if activation == LINEAR:
        for j in range(o.size):
            o[j] = ws[j] * x[j] + bs[j]
    else:
        for j in range(o.size):
            o[j] = tanh(ws[j] * x[j] + bs[j])


@njit(cache=True)
def _store(dst, res):
    """dst[:] = res; the number of non-finite values stored."""
    bad = 0
    for j in range(dst.size):
        v = res[j]
        dst[j] = v
        bad += 0 if np.isfinite(v) else 1
    return bad


@njit(cache=True)
def _whole_cycle(src, dst, s, length, w, b, k, activation):
    """k steps of one short cycle (length <= tile) held in a local buffer; the non-finite
    count of the result."""
    cur = src[s : s + length].copy()
    nxt = np.empty(length)
    ww = w[s : s + length]
    bb = b[s : s + length]
    for step in range(k):
        if step % 2 == 0:
            _sweep(nxt, cur, ww, bb, 1, activation)
            y0 = ww[0] * cur[length - 1] + bb[0]
            nxt[0] = y0 if activation == LINEAR else tanh(y0)
        else:
            _sweep(cur, nxt, ww, bb, 1, activation)
            y0 = ww[0] * nxt[length - 1] + bb[0]
            cur[0] = y0 if activation == LINEAR else tanh(y0)
    res = nxt if k % 2 == 1 else cur
    return _store(dst[s : s + length], res)


@njit(cache=True)
def _tile(src, dst, s, length, a, t_len, w, b, k, activation):
    """k steps of positions [a, a + t_len) of a long cycle, from a halo of k positions before;
    the non-finite count of the result."""
    h = k + t_len
    lo = a - k
    cur = np.empty(h)
    nxt = np.empty(h)
    if lo >= 0:  # no wrap-around: read the cycle's weights and bias in place
        cur[:] = src[s + lo : s + a + t_len]
        ww = w[s + lo : s + a + t_len]
        bb = b[s + lo : s + a + t_len]
    else:
        ww = np.empty(h)
        bb = np.empty(h)
        for j in range(h):
            q = lo + j
            if q < 0:
                q += length
            cur[j] = src[s + q]
            ww[j] = w[s + q]
            bb[j] = b[s + q]
    for step in range(1, k + 1):
        if step % 2 == 1:
            _sweep(nxt, cur, ww, bb, step, activation)
        else:
            _sweep(cur, nxt, ww, bb, step, activation)
    res = nxt if k % 2 == 1 else cur
    return _store(dst[s + a : s + a + t_len], res[k:])


@njit(cache=True)
def tile_items(starts: np.ndarray, tile: int) -> tuple[np.ndarray, np.ndarray]:
    """The work items of :func:`cycle_advance`: whole short cycles and tiles of long ones.

    Parameters
    ----------
    starts : ndarray(shape=[cycles + 1], dtype=int64)
        The cycle starts of :func:`cycle_order`.
    tile : int
        Positions per tile (>= 1).

    Returns
    -------
    item_c : ndarray(dtype=int64)
        The cycle of each item.
    item_a : ndarray(dtype=int64)
        The first position of the tile within its cycle, or -1 for a whole cycle (length <=
        tile).
    """
    ncyc = starts.size - 1
    count = 0
    for c in range(ncyc):
        length = starts[c + 1] - starts[c]
        count += 1 if length <= tile else (length + tile - 1) // tile
    item_c = np.empty(count, dtype=np.int64)
    item_a = np.empty(count, dtype=np.int64)
    m = 0
    for c in range(ncyc):
        length = starts[c + 1] - starts[c]
        if length <= tile:
            item_c[m] = c
            item_a[m] = -1
            m += 1
        else:
            for a in range(0, length, tile):
                item_c[m] = c
                item_a[m] = a
                m += 1
    return item_c, item_a


def _cycle_advance(
    cur: np.ndarray,
    nxt: np.ndarray,
    starts: np.ndarray,
    item_c: np.ndarray,
    item_a: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    steps: int,
    activation: int,
    tile: int,
    depth: int,
) -> tuple[bool, bool]:
    """`steps` updates x <- f(w x + b) (P2 (1), (49)) of the cycle-ordered state in `cur`.

    Within a cycle segment [s, s + L) position q reads from q - 1 (wrapping). Temporal
    blocking: each pass advances `depth` steps tile by tile (tiles of `tile` positions plus a
    halo of `depth`, all in cache), so memory is touched once per `depth` steps. Parallel over
    subsystems x tiles (and short cycles). The passes alternate between the two caller-owned
    buffers; nothing of size N is allocated.

    Parameters
    ----------
    cur : ndarray(shape=[M, N], dtype=float64)
        The subsystems with their neurons in the `order` of :func:`cycle_order`; overwritten.
    nxt : ndarray(shape=[M, N], dtype=float64)
        A second buffer of the same shape; overwritten.
    starts : ndarray(shape=[cycles + 1], dtype=int64)
        The cycle starts of :func:`cycle_order`.
    item_c, item_a : ndarray(dtype=int64)
        The work items of :func:`tile_items` for these `starts` and `tile`.
    w, b : ndarray(shape=[N], dtype=float64)
        Edge weights and bias, in cycle order.
    steps : int
        Number of updates (>= 0).
    activation : int
        :data:`LINEAR` or :data:`TANH`.
    tile : int
        Positions per tile (>= 1), as given to :func:`tile_items`.
    depth : int
        Steps per pass (clipped to 1..tile).

    Returns
    -------
    swapped : bool
        True when the state after `steps` updates is in `nxt`, False when it is in `cur`.
    finite : bool
        Whether every value of the last pass's result is finite (True for steps = 0).
    """
    rows = cur.shape[0]
    depth = max(1, min(depth, tile))
    count = item_c.size
    done = 0
    swapped = False
    bad = 0
    while done < steps:
        k = min(depth, steps - done)
        src_all = nxt if swapped else cur
        dst_all = cur if swapped else nxt
        bad = 0
        for job in prange(rows * count):  # parallel over subsystems and tiles together
            r = job // count
            it = job - r * count
            src = src_all[r]
            dst = dst_all[r]
            c = item_c[it]
            s = starts[c]
            length = starts[c + 1] - s
            a = item_a[it]
            if a < 0:
                bad += _whole_cycle(src, dst, s, length, w, b, k, activation)
            else:
                bad += _tile(src, dst, s, length, a, min(tile, length - a), w, b, k, activation)
        swapped = not swapped
        done += k
    return swapped, bad == 0


@njit(cache=True)
def cycle_steps_tiled(
    y: np.ndarray,
    starts: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    steps: int,
    activation: int,
    tile: int,
    depth: int,
) -> np.ndarray:
    """`steps` updates x <- f(w x + b) (P2 (1), (49)) of every row of y stored in cycle order.

    The one-off form of :func:`cycle_advance` (it allocates the two buffers and the work
    items). Bitwise identical to :func:`chain_steps`.

    Parameters
    ----------
    y : ndarray(shape=[M, N], dtype=float64)
        The subsystems with their neurons in the `order` of :func:`cycle_order` (not modified).
    starts : ndarray(shape=[cycles + 1], dtype=int64)
        The cycle starts of :func:`cycle_order`.
    w, b : ndarray(shape=[N], dtype=float64)
        Edge weights and bias, in cycle order.
    steps : int
        Number of updates (>= 0).
    activation : int
        :data:`LINEAR` or :data:`TANH`.
    tile : int
        Positions per tile (>= 1).
    depth : int
        Steps per pass (clipped to 1..tile).

    Returns
    -------
    ndarray(shape=[M, N])
        The state after `steps` updates, in cycle order (a new array).
    """
    item_c, item_a = tile_items(starts, tile)
    cur = y.copy()
    nxt = np.empty_like(cur)
    swapped, _ = cycle_advance(cur, nxt, starts, item_c, item_a, w, b, steps, activation, tile,
                               depth)
    return nxt if swapped else cur


def _gather_cycles(x: np.ndarray, order: np.ndarray, out: np.ndarray) -> None:
    """out[:, q] = x[:, order[q]]: a natural-order state into cycle order.

    Parameters
    ----------
    x : ndarray(shape=[M, N])
        The state, neurons in natural order.
    order : ndarray(shape=[N], dtype=int64)
        The `order` of :func:`cycle_order`.
    out : ndarray(shape=[M, N])
        Overwritten with the state in cycle order.
    """
    rows, n = x.shape
    chunk = 1 << 14
    per_row = (n + chunk - 1) // chunk
    for job in prange(rows * per_row):  # one parallel region for all rows
        r = job // per_row
        lo = (job - r * per_row) * chunk
        hi = min(n, lo + chunk)
        src = x[r]
        dst = out[r]
        for q in range(lo, hi):
            dst[q] = src[order[q]]


def _scatter_cycles(y: np.ndarray, order: np.ndarray, out: np.ndarray) -> bool:
    """out[:, order[q]] = y[:, q]: a cycle-ordered state back into natural order.

    Parameters
    ----------
    y : ndarray(shape=[M, N])
        The state in cycle order.
    order : ndarray(shape=[N], dtype=int64)
        The `order` of :func:`cycle_order`.
    out : ndarray(shape=[M, N])
        Overwritten with the state in natural order.

    Returns
    -------
    bool
        Whether every value is finite (checked in the same pass).
    """
    rows, n = y.shape
    chunk = 1 << 14
    per_row = (n + chunk - 1) // chunk
    bad = 0
    for job in prange(rows * per_row):  # one parallel region for all rows
        r = job // per_row
        lo = (job - r * per_row) * chunk
        hi = min(n, lo + chunk)
        src = y[r]
        dst = out[r]
        for q in range(lo, hi):
            v = src[q]
            dst[order[q]] = v
            bad += 0 if np.isfinite(v) else 1
    return bad == 0


def _all_finite(x: np.ndarray) -> bool:
    """Whether every value of a C-contiguous array is finite (one pass, no temporary array).

    Parameters
    ----------
    x : ndarray
        Any C-contiguous float64 array.

    Returns
    -------
    bool
    """
    flat = x.reshape(-1)
    bad = 0
    for i in prange(flat.size):
        bad += 0 if np.isfinite(flat[i]) else 1
    return bad == 0


def _shift_into(x0: np.ndarray, order: np.ndarray, starts: np.ndarray, item_c: np.ndarray,
               item_a: np.ndarray, tile: int, t: int, out: np.ndarray) -> None:
    """out = the exact solution (61) x_i(t) = x_{perm^t(i)}(0) of the linear pure chain.

    Each cycle of :func:`cycle_order` shifted by t positions, read from and written to the
    natural order directly (no temporary array); parallel over the items of
    :func:`tile_items`.

    Parameters
    ----------
    x0 : ndarray(shape=[M, N])
        The state at step 0, natural order.
    order, starts : ndarray(dtype=int64)
        The cycle decomposition of :func:`cycle_order`.
    item_c, item_a : ndarray(dtype=int64)
        The work items of :func:`tile_items` for these `starts` and `tile`.
    tile : int
        The tile of `item_a`.
    t : int
        The step (>= 0).
    out : ndarray(shape=[M, N])
        Overwritten with x(t).
    """
    rows = x0.shape[0]
    count = item_c.size
    for job in prange(rows * count):
        r = job // count
        it = job - r * count
        c = item_c[it]
        s = starts[c]
        length = starts[c + 1] - s
        a = max(item_a[it], 0)
        e = length if item_a[it] < 0 else min(length, a + tile)
        tm = t % length
        src = x0[r]
        dst = out[r]
        for j in range(a, e):
            k = j - tm
            k = k + length if k < 0 else k
            dst[order[s + j]] = src[order[s + k]]


def _shift_deviation(x: np.ndarray, x0: np.ndarray, order: np.ndarray, starts: np.ndarray,
                    item_c: np.ndarray, item_a: np.ndarray, tile: int, t: int,
                    identity: bool) -> tuple[float, float]:
    """max_i |x_i - x_{perm^t(i)}(0)| (the distance from the exact shift (61)) and sum x_i^2.

    One pass over x and x0 (natural order, read through the cycle `order` unless it is the
    identity), no temporary array of size N; parallel over the items of :func:`tile_items`.

    Parameters
    ----------
    x : ndarray(shape=[M, N])
        The state at step t.
    x0 : ndarray(shape=[M, N])
        The state at step 0.
    order, starts : ndarray(dtype=int64)
        The cycle decomposition of :func:`cycle_order`.
    item_c, item_a : ndarray(dtype=int64)
        The work items of :func:`tile_items` for these `starts` and `tile`.
    tile : int
        The tile of `item_a`.
    t : int
        The step (>= 0).
    identity : bool
        Whether order[q] = q for every q (then `order` is not read).

    Returns
    -------
    deviation : float
        The largest deviation over subsystems and neurons (NaN if x holds a NaN).
    square_sum : float
        sum over subsystems and neurons of x^2.
    """
    rows = x0.shape[0]
    count = item_c.size
    dev = np.zeros(rows * count)
    sq = np.zeros(rows * count)
    for job in prange(rows * count):
        r = job // count
        it = job - r * count
        c = item_c[it]
        s = starts[c]
        length = starts[c + 1] - s
        a = max(item_a[it], 0)
        e = length if item_a[it] < 0 else min(length, a + tile)
        tm = t % length
        xr = x[r]
        x0r = x0[r]
        m = 0.0
        acc = 0.0
        if identity:
            for j in range(a, e):
                k = j - tm
                k = k + length if k < 0 else k
                v = xr[s + j]
                acc += v * v
                d = abs(v - x0r[s + k])
                m = d if (d > m or d != d) else m  # a NaN, once met, stays
        else:
            for j in range(a, e):
                k = j - tm
                k = k + length if k < 0 else k
                v = xr[order[s + j]]
                acc += v * v
                d = abs(v - x0r[order[s + k]])
                m = d if (d > m or d != d) else m
        dev[job] = m
        sq[job] = acc
    worst = 0.0
    for v in dev:
        worst = v if (v > worst or v != v) else worst
    return worst, sq.sum()


_ADVANCE = variants(_cycle_advance, "cycle_advance")
_GATHER = variants(_gather_cycles, "gather_cycles")
_SCATTER = variants(_scatter_cycles, "scatter_cycles")
_FINITE = variants(_all_finite, "all_finite")
_SHIFT = variants(_shift_into, "shift_into")
_DEVIATION = variants(_shift_deviation, "shift_deviation", fastmath={"reassoc"})  # vectorised sum
#: parallel and serial copies (the serial ones below PARALLEL_THRESHOLD values: no thread start,
#: and a process that never started threads can fork safely)
cycle_advance, cycle_advance_serial = _ADVANCE[True], _ADVANCE[False]
gather_cycles, gather_cycles_serial = _GATHER[True], _GATHER[False]
scatter_cycles, scatter_cycles_serial = _SCATTER[True], _SCATTER[False]
all_finite, all_finite_serial = _FINITE[True], _FINITE[False]
shift_into, shift_into_serial = _SHIFT[True], _SHIFT[False]
shift_deviation, shift_deviation_serial = _DEVIATION[True], _DEVIATION[False]


def pick(kernel: str, size: int) -> Callable:
    """The parallel copy of a kernel for `size` values >= PARALLEL_THRESHOLD, else the serial.

    Parameters
    ----------
    kernel : str
        One of "cycle_advance", "gather_cycles", "scatter_cycles", "all_finite", "shift_into",
        "shift_deviation".
    size : int
        The number of values the call touches (rows x N).

    Returns
    -------
    callable
        The compiled kernel.
    """
    pairs = {"cycle_advance": _ADVANCE, "gather_cycles": _GATHER, "scatter_cycles": _SCATTER,
             "all_finite": _FINITE, "shift_into": _SHIFT, "shift_deviation": _DEVIATION}
    return pairs[kernel][size >= PARALLEL_THRESHOLD]
