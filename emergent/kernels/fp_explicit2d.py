"""Explicit 2D Fokker-Planck steps in stencil form, per step and temporally blocked.

One forward-Euler step of P2 (20) on the finite-volume grid of :mod:`emergent.kernels.fp_kernels`
is v = (I + dt A) u. The face coefficients are stored once per grid by :func:`stencil_2d` as
S[i, 0..3, ghost + j] = dt (a^x, b^x, a^y, b^y)_ij (the faces (i + 1/2, j) and (i, j + 1/2)),
and a cell is updated in flux form,

    v_ij = u_ij + ((F_(i-1/2) - F_(i+1/2)) + (G_(j-1/2) - G_(j+1/2))),
    F_(i+1/2) = S[i, 0] u_ij - S[i, 1] u_(i+1)j,   G_(j+1/2) = S[i, 2] u_ij - S[i, 3] u_i(j+1)

(indices wrap around; zero-flux faces have zero coefficients). Each face flux is the same
expression on the same operands in both of its cells, so the increments sum to zero up to
roundings of order eps |v - u| (the former five-point form v = E u + ..., E = 1 - sum of the
column's entries, carried a rounding of E into every step, 2.7e-13 per 100 time units on a
32^2 double well). p >= 0 below the explicit stability limit, where 1 - dt (b^x_(i-1) + a^x_i
+ b^y_(j-1) + a^y_j) >= 0. The ``ghost`` columns on each side repeat the row periodically, so
a strip of columns reads its coefficients as one contiguous slice.

Compensated update: the sum u + d rounds away whatever part of an increment d lies below half
an ulp of u, and in a transient (p growing slowly in some cells while it falls faster in
others) these losses have one sign: 1.3e-13 of the probability at t = 1,000 on that double
well. So each cell carries a low-order part, u = u_hi + u_lo, and is updated by Fast2Sum,

    y = d + u_lo,   v_hi = u_hi + y,   v_lo = y - (v_hi - u_hi),

which is exact (v_hi + v_lo = u_hi + y) when |u_hi| >= |y|, i.e. unless a cell more than
doubles in one step (then off by O(eps |y|)). The fluxes read u_hi only, and each face flux
is still one value in both of its cells: u_hi + u_lo changes by exactly the rounded sum of
the cell's fluxes plus its old low part, whose roundings (order eps |d|) have no systematic
sign, and nothing is rounded away. v_hi = fl(v_hi + v_lo), so u_hi is the density rounded to
nearest; both parts are set to zero where |v_hi| < TINY. The kernels take the low part of
the initial density (or an empty array for zero) and return the final one. Cost: about 1.35x
the uncompensated blocked kernel's time at one thread (four more vector operations, a load
and a store per cell), 1.1x the per-step kernel's.

The blocked kernel advances `depth` steps per pass over memory: rows stream through a ring of
three rows per level (their low parts through one ring of depth + 1 rows, updated in place:
a cell's update reads only its own low part), and the columns are cut into strips of about
``STRIP`` cells with a halo that shrinks by one column per level, so the working set of a
strip stays in the L2 cache.
Each cell gets the same expression on the same operands as in the per-step kernel, its low
part included: the two are bit-identical (no fastmath, so no reassociation or contraction).
"""

from __future__ import annotations

from math import gcd

import numpy as np
from numba import prange

from emergent.kernels.cache import njit
from emergent.kernels.compile import variants
from emergent.kernels.fp_common import TINY, flush_tiny, next_index, prev_index

__all__ = [
    "BLOCKED_MIN_CELLS",
    "BLOCK_STEPS",
    "GHOST",
    "NO_LOW",
    "STRIP",
    "blocked_plan",
    "explicit_blocked_2d",
    "explicit_steps_2d",
    "stencil_2d",
]

BLOCK_STEPS = 24
"""Most steps per pass over memory (the blocked kernel's depth); at most GHOST."""
GHOST = 32
"""Ghost columns on each side of the stencil rows (bounds the depth)."""
STRIP = 512
"""Target width of a column strip of the blocked kernel."""
BLOCKED_MIN_CELLS = 1 << 14
"""Below this many cells the grid stays in cache and the per-step kernel is as fast."""
NO_LOW = np.zeros((0, 0))
"""The low-order part "zero" of a density passed to the kernels (an empty array)."""

def stencil_2d(coefficients: list[tuple[np.ndarray, np.ndarray]], dt: float,
               ghost: int = GHOST, band: int = 256) -> np.ndarray:
    """The face coefficients of one explicit step of P2 (20), times dt, with ghost columns.

    S[i, 0..3, ghost + j] = dt (a^x, b^x, a^y, b^y) of cell (i, j) for j in
    [-ghost, ny + ghost) (periodic copies in the ghost columns), built `band` rows at a time
    so that the temporaries stay small next to S. Entries below TINY are flushed to zero.

    Parameters
    ----------
    coefficients : list of (ndarray, ndarray)
        The face coefficients ((ax, bx), (ay, by)) of the finite-volume operator A, each of
        the grid's shape (nx, ny).
    dt : float
        The time step.
    ghost : int
        Ghost columns on each side.
    band : int
        Rows built at a time.

    Returns
    -------
    ndarray(shape=[nx, 4, ny + 2 ghost])
        The stencil S.
    """
    (ax, bx), (ay, by) = coefficients
    nx, ny = ax.shape
    cols = np.arange(-ghost, ny + ghost) % ny
    out = np.empty((nx, 4, ny + 2 * ghost))
    for r0 in range(0, nx, band):
        r1 = min(nx, r0 + band)
        for k, arr in enumerate((ax, bx, ay, by)):
            out[r0:r1, k] = flush_tiny(dt * arr[r0:r1])[:, cols]
    return out


@njit(cache=True)
def _compensated(c: float, d: float, lo: float) -> tuple[float, float]:
    """The cell (c, lo) plus the increment d, as (hi, lo) (module docstring): Fast2Sum of c and
    d + lo; both parts zero where |hi| < TINY (the flush of :func:`flushed`)."""
    y = d + lo
    r = c + y
    e = y - (r - c)
    if abs(r) < TINY:
        return 0.0, 0.0
    return r, e


@njit(cache=True)
def _stencil_row(um: np.ndarray, u0: np.ndarray, up: np.ndarray, lo: np.ndarray,
                 axm: np.ndarray, bxm: np.ndarray, ax: np.ndarray, bx: np.ndarray,
                 ay: np.ndarray, by: np.ndarray, out: np.ndarray) -> None:
    """One row in flux form (module docstring): um, up the rows above and below, u0 the row
    with one more column on each side, lo the low-order part of the row's own cells (updated
    in place: a separate output would cost LLVM's vectorized loop its alias checks, 2x);
    axm, bxm the x-coefficients of the row above; ay, by start one column before the others
    (they carry the face left of the first cell). Writes the high part to out."""
    left = ay[0] * u0[0] - by[0] * u0[1]
    for k in range(out.shape[0]):
        c = u0[k + 1]
        right = ay[k + 1] * c - by[k + 1] * u0[k + 2]
        d = ((axm[k] * um[k] - bxm[k] * c) - (ax[k] * c - bx[k] * up[k])) + (left - right)
        left = right
        out[k], lo[k] = _compensated(c, d, lo[k])


def _explicit_steps_2d(p: np.ndarray, p_lo: np.ndarray, s: np.ndarray, ghost: int,
                       nsteps: int) -> tuple[np.ndarray, np.ndarray]:
    """`nsteps` forward-Euler steps v = (I + dt A) u of P2 (20) with the stencil of
    :func:`stencil_2d` (rows in parallel), compensated (module docstring).

    Parameters
    ----------
    p : ndarray(shape=[nx, ny])
        The density (its high-order part); only read.
    p_lo : ndarray(shape=[nx, ny]) or ndarray(shape=[0, 0])
        Its low-order part (the density is p + p_lo), or an empty array for zero; only read.
    s : ndarray(shape=[nx, 4, ny + 2 ghost])
        The stencil.
    ghost : int
        Its ghost columns.
    nsteps : int
        Number of steps.

    Returns
    -------
    hi, lo : ndarray(shape=[nx, ny])
        The density after `nsteps` steps, hi + lo, with hi = fl(hi + lo) (new arrays).
    """
    nx, ny = p.shape
    u = p.copy()
    lo = p_lo.copy() if p_lo.size else np.zeros_like(u)  # updated in place (own cell only)
    v = np.empty_like(u)
    for _ in range(nsteps):
        for i in prange(nx):
            im = prev_index(i, nx)
            ip = next_index(i, nx)
            row = s[i]
            above = s[im]
            for j in range(ny):
                jm = prev_index(j, ny)
                jp = next_index(j, ny)
                q = ghost + j
                c = u[i, j]
                left = row[2, q - 1] * u[i, jm] - row[3, q - 1] * c
                right = row[2, q] * c - row[3, q] * u[i, jp]
                d = (((above[0, q] * u[im, j] - above[1, q] * c)
                      - (row[0, q] * c - row[1, q] * u[ip, j])) + (left - right))
                v[i, j], lo[i, j] = _compensated(c, d, lo[i, j])
        u, v = v, u
    return u, lo


@njit(cache=True)
def _copy_wrapped(row: np.ndarray, start: int, dst: np.ndarray) -> None:
    """dst[m] = row[(start + m) % len(row)]: a row's columns with wrapped halos."""
    ny = row.shape[0]
    width = dst.shape[0]
    m = 0
    while m < width:
        col = (start + m) % ny
        take = min(width - m, ny - col)
        dst[m:m + take] = row[col:col + take]
        m += take


@njit(cache=True)
def _unit_pass(src: np.ndarray, src_lo: np.ndarray, dst: np.ndarray, dst_lo: np.ndarray,
               s: np.ndarray, ghost: int, k: int, i0: int, i1: int, j0: int, j1: int) -> None:
    """One pass of `k` steps over the unit rows [i0, i1) x columns [j0, j1): reads `src`
    and `src_lo` (empty: zero) with a halo of k rows and columns (wrapped), writes the unit's
    cells of `dst` and `dst_lo`."""
    nx, ny = src.shape
    width = j1 - j0 + 2 * k  # local column m is global column j0 - k + m
    stride = width + 8
    ring = np.empty((k + 1) * 3 * stride)  # rings of 3 rows: level 0 (input copy) .. k - 1
    # low parts: one slot per row in flight (input row g_in down to g_in - k), updated in
    # place from level to level (a level reads only the low part of its row's own cells)
    ring_lo = np.empty((k + 1) * stride)
    c0 = ghost + j0 - k  # stencil column of local column 0
    for t in range(i1 - i0 + 2 * k):
        g_in = i0 - k + t
        # level 0: the input row with its halo columns (wrapped)
        r = (g_in % 3) * stride
        _copy_wrapped(src[g_in % nx], j0 - k, ring[r:r + width])
        r = (g_in % (k + 1)) * stride
        if src_lo.size:
            _copy_wrapped(src_lo[g_in % nx], j0 - k, ring_lo[r:r + width])
        else:
            ring_lo[r:r + width] = 0.0
        for lev in range(1, k + 1):
            g = g_in - lev
            if g < i0 - k + lev:
                break
            lo = lev
            hi = width - lev
            base = (lev - 1) * 3 * stride
            rm = base + ((g - 1) % 3) * stride
            r0 = base + (g % 3) * stride
            rp = base + ((g + 1) % 3) * stride
            um = ring[rm:rm + width]
            u0 = ring[r0:r0 + width]
            up = ring[rp:rp + width]
            r = (g % (k + 1)) * stride
            low = ring_lo[r + lo:r + hi]
            if lev == k:
                res = dst[g % nx, j0:j1]
                dst_lo[g % nx, j0:j1] = low
                low = dst_lo[g % nx, j0:j1]
            else:
                r = lev * 3 * stride + (g % 3) * stride
                res = ring[r + lo:r + hi]
            co = s[g % nx]
            cm = s[(g - 1) % nx]
            _stencil_row(um[lo:hi], u0[lo - 1:hi + 1], up[lo:hi], low, cm[0, c0 + lo:c0 + hi],
                         cm[1, c0 + lo:c0 + hi], co[0, c0 + lo:c0 + hi],
                         co[1, c0 + lo:c0 + hi], co[2, c0 + lo - 1:c0 + hi],
                         co[3, c0 + lo - 1:c0 + hi], res)


def _explicit_blocked_2d(p: np.ndarray, p_lo: np.ndarray, s: np.ndarray, ghost: int,
                         nsteps: int, depth: int, nchunks: int, strip: int, out: np.ndarray,
                         out_lo: np.ndarray, work: np.ndarray,
                         work_lo: np.ndarray) -> np.ndarray:
    """`nsteps` steps, bit-identical to `explicit_steps_2d`, `depth` (<= ghost) per pass.

    The grid is cut into `nchunks` bands of rows times strips of about `strip` columns; the
    units run in parallel. A unit streams its rows once per pass with a halo of `depth` rows
    and columns (wrap-around indexing, as in the per-step kernel): on reading input row g,
    level l = 1..depth computes row g - l on its columns [-(depth - l), width + depth - l)
    from level l - 1's rows g - l - 1 .. g - l + 1 (rings of three rows per level; the
    low-order part of row g - l, which only its own cells read, is updated in place in one
    ring of depth + 1 rows), and level `depth` is written out. p, p_lo are only read; the
    passes alternate between (`out`, `out_lo`) and (`work`, `work_lo`) so that the last one
    writes `out`, which is returned.

    Parameters
    ----------
    p : ndarray(shape=[nx, ny])
        The density (its high-order part); only read.
    p_lo : ndarray(shape=[nx, ny]) or ndarray(shape=[0, 0])
        Its low-order part, or an empty array for zero; only read.
    s : ndarray(shape=[nx, 4, ny + 2 ghost])
        The stencil of :func:`stencil_2d`.
    ghost : int
        Its ghost columns.
    nsteps : int
        Number of steps.
    depth, nchunks, strip : int
        The blocking (see :func:`blocked_plan`).
    out, out_lo : ndarray(shape=[nx, ny])
        The result's high and low parts (out = fl(out + out_lo)).
    work, work_lo : ndarray(shape=[nx, ny])
        Scratch arrays (never written when nsteps <= depth: may then be `out`, `out_lo`).

    Returns
    -------
    ndarray(shape=[nx, ny])
        `out`, holding the density after `nsteps` steps (its low part in `out_lo`).

    Raises
    ------
    ValueError
        `depth` outside [1, ghost].
    """
    nx, ny = p.shape
    if depth < 1 or depth > ghost:
        raise ValueError("depth must be in [1, ghost]")
    if nsteps <= 0:
        out[:] = p
        if p_lo.size:
            out_lo[:] = p_lo
        else:
            out_lo[:] = 0.0
        return out
    npass = (nsteps + depth - 1) // depth
    nchunks = max(1, min(nx, nchunks))
    nstrips = max(1, min(ny, (ny + strip // 2) // strip))
    to_out = npass % 2 == 1  # the last pass must write `out`
    src = p
    src_lo = p_lo
    dst = out if to_out else work
    dst_lo = out_lo if to_out else work_lo
    done = 0
    while done < nsteps:
        k = min(depth, nsteps - done)
        for unit in prange(nchunks * nstrips):
            band = unit // nstrips
            col = unit % nstrips
            _unit_pass(src, src_lo, dst, dst_lo, s, ghost, k, band * nx // nchunks,
                       (band + 1) * nx // nchunks, col * ny // nstrips,
                       (col + 1) * ny // nstrips)
        done += k
        to_out = not to_out
        src = dst
        src_lo = dst_lo
        dst = out if to_out else work
        dst_lo = out_lo if to_out else work_lo
    return src


def blocked_plan(shape: tuple[int, int], threads: int) -> tuple[int, int, int]:
    """The blocking of the blocked kernel on a grid of `shape` with `threads` threads.

    About STRIP columns per strip, as many row bands as make the units a multiple of the
    threads, and a depth that keeps the halo under about 1/8 of a unit.

    Parameters
    ----------
    shape : tuple of int
        The grid (nx, ny).
    threads : int
        Numba threads.

    Returns
    -------
    depth : int
        Steps per pass (<= BLOCK_STEPS).
    nchunks : int
        Row bands.
    strip : int
        Target strip width.
    """
    nx, ny = shape
    threads = max(1, int(threads))
    nstrips = max(1, min(ny, (ny + STRIP // 2) // STRIP))
    nchunks = min(nx, threads // gcd(nstrips, threads))
    side = min(nx // nchunks, ny // nstrips)
    depth = int(min(BLOCK_STEPS, max(1, side // 16)))
    return depth, nchunks, STRIP


KERNELS = {
    "explicit_2d": variants(_explicit_steps_2d, "explicit_steps_2d"),
    "explicit_2d_blocked": variants(_explicit_blocked_2d, "explicit_blocked_2d"),
}
explicit_steps_2d = KERNELS["explicit_2d"][True]
explicit_blocked_2d = KERNELS["explicit_2d_blocked"][True]
