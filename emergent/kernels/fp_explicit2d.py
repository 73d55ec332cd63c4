"""Explicit 2D Fokker-Planck steps in stencil form, per step and temporally blocked.

One forward-Euler step of P2 (20) on the finite-volume grid of :mod:`emergent.kernels.fp_kernels`
is v = (I + dt A) u. The face coefficients are stored once per grid by :func:`stencil_2d` as
S[i, 0..3, ghost + j] = dt (a^x, b^x, a^y, b^y)_ij (the faces (i + 1/2, j) and (i, j + 1/2)),
and a cell is updated in flux form,

    v_ij = u_ij + ((F_(i-1/2) - F_(i+1/2)) + (G_(j-1/2) - G_(j+1/2))),
    F_(i+1/2) = S[i, 0] u_ij - S[i, 1] u_(i+1)j,   G_(j+1/2) = S[i, 2] u_ij - S[i, 3] u_i(j+1)

(indices wrap around; zero-flux faces have zero coefficients). Each face flux is the same
expression on the same operands in both of its cells, so the update sums to zero up to
roundings of order eps |v - u|: probability is conserved to round-off without drifting in
time (the former five-point form v = E u + ..., E = 1 - sum of the column's entries, carried
a rounding of E into every step, 2.7e-13 per 100 time units on a 32^2 double well).
p >= 0 below the explicit stability limit, where 1 - dt (b^x_(i-1) + a^x_i + b^y_(j-1) +
a^y_j) >= 0. The ``ghost`` columns on each side repeat the row periodically, so a strip of
columns reads its coefficients as one contiguous slice.

The blocked kernel advances `depth` steps per pass over memory: rows stream through a ring of
three rows per level, and the columns are cut into strips of about ``STRIP`` cells with a halo
that shrinks by one column per level, so the working set of a strip stays in the L2 cache.
Each cell gets the same expression on the same operands as in the per-step kernel: the two
are bit-identical (no fastmath, so no reassociation or contraction).
"""

from __future__ import annotations

from math import gcd

import numpy as np
from numba import prange

from emergent.kernels.cache import njit
from emergent.kernels.compile import variants
from emergent.kernels.fp_common import flush_tiny, flushed, next_index, prev_index

__all__ = [
    "BLOCKED_MIN_CELLS",
    "BLOCK_STEPS",
    "GHOST",
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
def _stencil_row(um: np.ndarray, u0: np.ndarray, up: np.ndarray, axm: np.ndarray,
                 bxm: np.ndarray, ax: np.ndarray, bx: np.ndarray, ay: np.ndarray,
                 by: np.ndarray, out: np.ndarray) -> None:
    """One row in flux form (module docstring): um, up the rows above and below, u0 the row
    with one more column on each side; axm, bxm the x-coefficients of the row above; ay, by
    start one column before the others (they carry the face left of the first cell)."""
    left = ay[0] * u0[0] - by[0] * u0[1]
    for k in range(out.shape[0]):
        c = u0[k + 1]
        right = ay[k + 1] * c - by[k + 1] * u0[k + 2]
        r = c + (((axm[k] * um[k] - bxm[k] * c) - (ax[k] * c - bx[k] * up[k]))
                 + (left - right))
        left = right
        out[k] = flushed(r)


def _explicit_steps_2d(p: np.ndarray, s: np.ndarray, ghost: int, nsteps: int) -> np.ndarray:
    """`nsteps` forward-Euler steps v = (I + dt A) u of P2 (20) with the stencil of
    :func:`stencil_2d` (rows in parallel).

    Parameters
    ----------
    p : ndarray(shape=[nx, ny])
        The density; only read.
    s : ndarray(shape=[nx, 4, ny + 2 ghost])
        The stencil.
    ghost : int
        Its ghost columns.
    nsteps : int
        Number of steps.

    Returns
    -------
    ndarray(shape=[nx, ny])
        The density after `nsteps` steps (a new array).
    """
    nx, ny = p.shape
    u = p.copy()
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
                r = c + (((above[0, q] * u[im, j] - above[1, q] * c)
                          - (row[0, q] * c - row[1, q] * u[ip, j])) + (left - right))
                v[i, j] = flushed(r)
        u, v = v, u
    return u


@njit(cache=True)
def _unit_pass(src: np.ndarray, dst: np.ndarray, s: np.ndarray, ghost: int, k: int, i0: int,
               i1: int, j0: int, j1: int) -> None:
    """One pass of `k` steps over the unit rows [i0, i1) x columns [j0, j1): reads `src`
    with a halo of k rows and columns (wrapped), writes the unit's cells of `dst`."""
    nx, ny = src.shape
    width = j1 - j0 + 2 * k  # local column m is global column j0 - k + m
    stride = width + 8
    ring = np.empty((k + 1) * 3 * stride)  # rings of 3 rows: level 0 (input copy) .. k - 1
    c0 = ghost + j0 - k  # stencil column of local column 0
    for t in range(i1 - i0 + 2 * k):
        g_in = i0 - k + t
        # level 0: the input row with its halo columns (wrapped)
        r = (g_in % 3) * stride
        row_in = src[g_in % nx]
        m = 0
        while m < width:
            col = (j0 - k + m) % ny
            take = min(width - m, ny - col)
            ring[r + m:r + m + take] = row_in[col:col + take]
            m += take
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
            if lev == k:
                res = dst[g % nx, j0:j1]
            else:
                r = lev * 3 * stride + (g % 3) * stride
                res = ring[r + lo:r + hi]
            co = s[g % nx]
            cm = s[(g - 1) % nx]
            _stencil_row(um[lo:hi], u0[lo - 1:hi + 1], up[lo:hi], cm[0, c0 + lo:c0 + hi],
                         cm[1, c0 + lo:c0 + hi], co[0, c0 + lo:c0 + hi],
                         co[1, c0 + lo:c0 + hi], co[2, c0 + lo - 1:c0 + hi],
                         co[3, c0 + lo - 1:c0 + hi], res)


def _explicit_blocked_2d(p: np.ndarray, s: np.ndarray, ghost: int, nsteps: int, depth: int,
                         nchunks: int, strip: int, out: np.ndarray,
                         work: np.ndarray) -> np.ndarray:
    """`nsteps` steps, bit-identical to `explicit_steps_2d`, `depth` (<= ghost) per pass.

    The grid is cut into `nchunks` bands of rows times strips of about `strip` columns; the
    units run in parallel. A unit streams its rows once per pass with a halo of `depth` rows
    and columns (wrap-around indexing, as in the per-step kernel): on reading input row g,
    level l = 1..depth computes row g - l on its columns [-(depth - l), width + depth - l)
    from level l - 1's rows g - l - 1 .. g - l + 1 (rings of three rows per level), and level
    `depth` is written out. p is only read; the passes alternate between `out` and `work`
    (same shape as p) so that the last one writes `out`, which is returned.

    Parameters
    ----------
    p : ndarray(shape=[nx, ny])
        The density; only read.
    s : ndarray(shape=[nx, 4, ny + 2 ghost])
        The stencil of :func:`stencil_2d`.
    ghost : int
        Its ghost columns.
    nsteps : int
        Number of steps.
    depth, nchunks, strip : int
        The blocking (see :func:`blocked_plan`).
    out, work : ndarray(shape=[nx, ny])
        Output and scratch arrays.

    Returns
    -------
    ndarray(shape=[nx, ny])
        `out`, holding the density after `nsteps` steps.

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
        return out
    npass = (nsteps + depth - 1) // depth
    nchunks = max(1, min(nx, nchunks))
    nstrips = max(1, min(ny, (ny + strip // 2) // strip))
    to_out = npass % 2 == 1  # the last pass must write `out`
    src = p
    dst = out if to_out else work
    done = 0
    while done < nsteps:
        k = min(depth, nsteps - done)
        for unit in prange(nchunks * nstrips):
            band = unit // nstrips
            col = unit % nstrips
            _unit_pass(src, dst, s, ghost, k, band * nx // nchunks, (band + 1) * nx // nchunks,
                       col * ny // nstrips, (col + 1) * ny // nstrips)
        done += k
        to_out = not to_out
        src = dst
        dst = out if to_out else work
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
