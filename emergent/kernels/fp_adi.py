"""Fused Douglas ADI steps of P2 (20) in 2D and 3D with factors computed once.

The scheme is that of :func:`emergent.kernels.fp_kernels.adi_steps_reference` (Douglas,
theta = 1/2, delta form):

    d_0 = dt A u,   (I - dt/2 A_k) d_k = d_(k-1)  (k = 0, 1, 2 in axis order),   u' = u + d_K.

What differs is the arithmetic's organisation, not the scheme:

* **Factors once.** The matrices I - dt/2 A_k never change, so their LU factors (no pivoting;
  they are column diagonally dominant M-matrices, whose LU without pivoting is stable) are
  computed once per stepper by :func:`factor_axis`. A periodic axis is cyclic tridiagonal: its
  L has a full last row (g) and its U a full last column (q), so a cyclic line costs one
  forward and one backward sweep like an open one (no Sherman-Morrison second solve).
* **Two passes per step.** Pass 1 walks the first axis plane by plane (a "plane" is a row in
  2D): it forms d_0 in flux form, d_0 = dt sum_k (J_k[i - 1/2] - J_k[i + 1/2]) with every face
  flux J = a p_i - b p_(i+1) evaluated once, and runs the forward sweep of the first axis,
  storing y / diag(U). Pass 2 walks back: the backward sweep of the first axis gives a final
  plane, whose in-plane solves (axis 1, then axis 2, in cache) and the update u += d_K follow
  at once. Modelled DRAM traffic, 2D zero-flux: pass 1 reads u, four face coefficients and
  two factors (lo, 1/den) and writes y (56 B read, 8 B written, 8 B write-allocate); pass 2
  reads y, one factor of the first axis, three of the second and u, and writes u (56 B):
  128 B per cell-step, against 208 B for the six passes of the reference path
  (:func:`modelled_bytes`).
* **Flux form.** Each face flux enters its two cells with opposite signs, so the sum of d_0
  over the grid vanishes up to roundings of order eps |d_0| instead of eps |a p|: this is what
  keeps the total probability from drifting in proportion to the simulated time (the
  reference path's d_0 summed a p - (a + b) p + b p per cell; at a near-stationary state its
  rounding residual repeats every step).

A 2D grid has its own loops (same operations): pass 1 row by row on 1D views that vectorise
(:func:`_forward_row`); pass 2 by groups of :data:`LANES` rows solved along axis 2 together
in a scratch and against a copy of the axis-2 factors whose rows are padded
(:func:`group_rows`, :func:`_row_group`), so that grids of a power-of-two width do not alias.

The parallel copy cuts pass 1 and the backward sweep into blocks of the plane and runs the
in-plane solves plane by plane (one extra pass over y); every cell gets the same operations in
the same order, so the serial and the parallel copies are bit-identical and the thread choice
(:func:`emergent.kernels.fp_kernels.adi_steps`) never changes a result.

Arrays are 3D (n0, n1, n2); a 2D grid (ny, nx) is passed as (ny, 1, nx) with ``has1`` false.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from emergent.kernels.cache import njit
from emergent.kernels.compile import variants
from emergent.kernels.fp_common import flushed

__all__ = ["AUTOTUNE_MIN_CELLS", "INV", "LAST_COL", "LAST_ROW", "LO", "UP", "AdiPlan",
           "factor_axis", "fused_steps", "group_rows", "modelled_bytes", "plan_tasks"]

LO, INV, UP, LAST_ROW, LAST_COL = range(5)
"""Rows of a factor array F[k, ...]: lo (sub-diagonal of L), 1/den (diagonal of U),
up (super-diagonal of U / den), and for cyclic axes g (last row of L) and q (last column of U
/ den)."""


def factor_axis(a: np.ndarray, b: np.ndarray, axis: int, s: float) -> tuple[np.ndarray, bool]:
    """LU factors of I - s A_axis for every line along `axis` (P2 (20), Douglas ADI).

    Row i of M = I - s A on a line has sub_i = -s a[i-1], diag_i = 1 + s (b[i-1] + a[i]),
    sup_i = -s b[i] (indices wrap; the wrap face of a zero-flux axis has a = b = 0, so its
    lines are plain tridiagonal). Elimination without pivoting:

        forward   y_0 = r_0,  y_i = r_i - lo_i y_(i-1),  and if cyclic
                  y_(n-1) = r_(n-1) - sum_(j <= n-2) g_j y_j  (lo_(n-1) = 0),
        backward  x_(n-1) = y_(n-1) / den_(n-1),
                  x_i = y_i / den_i - up_i x_(i+1) - q_i x_(n-1)   (q = 0 if not cyclic).

    Parameters
    ----------
    a, b : ndarray(shape=[n0, n1, n2])
        Face coefficients along `axis`
        (:func:`emergent.stochastic.fokker_planck.face_coefficients`).
    axis : int
        0, 1 or 2; lines of length >= 3.
    s : float
        The factor (dt / 2).

    Returns
    -------
    factors : ndarray(shape=[3 or 5, n0, n1, n2])
        lo, 1/den, up (and g, q when cyclic), indexed by :data:`LO` ... :data:`LAST_COL`.
    cyclic : bool
        Whether any line of the axis has a non-zero wrap face.
    """
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    n = a.shape[axis]
    if n < 3:
        raise ValueError(f"axis {axis}: need at least 3 cells per line, got {n}")
    cyclic = bool(np.take(a, -1, axis=axis).any() or np.take(b, -1, axis=axis).any())
    if axis == a.ndim - 1:  # contiguous lines: factor line by line, no transposes
        out = np.empty((5,) + a.shape)
        _factor_rows(a.reshape(-1, n), b.reshape(-1, n), float(s), out.reshape(5, -1, n),
                     cyclic)
        return (out if cyclic else np.ascontiguousarray(out[:3])), cyclic
    am = np.moveaxis(a, axis, 0)
    rest = am.shape[1:]
    a2 = np.ascontiguousarray(am.reshape(n, -1))
    b2 = np.ascontiguousarray(np.moveaxis(b, axis, 0).reshape(n, -1))
    out = np.empty((5, n, a2.shape[1]))
    _factor_lines(a2, b2, float(s), out, cyclic)
    if not cyclic:
        out = out[:3]
    out = out.reshape((out.shape[0], n) + rest)
    if axis == 0:
        return np.ascontiguousarray(out), cyclic
    return np.ascontiguousarray(np.moveaxis(out, 1, axis + 1)), cyclic


@njit(cache=True)
def _factor_rows(a: np.ndarray, b: np.ndarray, s: float, out: np.ndarray,
                 cyclic: bool) -> None:
    """:func:`_factor_lines` for lines along the last axis of a, b [L, n] into out [5, L, n],
    one line at a time (contiguous)."""
    for l in range(a.shape[0]):
        _factor_lines(a[l:l + 1].T, b[l:l + 1].T, s, out[:, l:l + 1, :].transpose(0, 2, 1),
                      cyclic)


@njit(cache=True)
def _factor_lines(a: np.ndarray, b: np.ndarray, s: float, out: np.ndarray,
                  cyclic: bool) -> None:
    """The factors of :func:`factor_axis` for lines along the first axis of a, b [n, L] into
    out [5, n, L] (lo, 1/den, up, g, q); `cyclic`: the form of the axis (if not, lo and up
    hold the plain Thomas factors and g, q are unused)."""
    n, m = a.shape
    lo = out[0]
    inv = out[1]
    up = out[2]
    g = out[3]
    q = out[4]
    f = np.zeros(m)       # column n-1 of U in the current row
    e = np.zeros(m)       # row n-1 of the matrix being eliminated, current column
    dcur = np.empty(m)
    dlast = np.empty(m)
    for l in range(m):
        # row i: sub_i = -s a[i-1], diag_i = 1 + s (b[i-1] + a[i]), sup_i = -s b[i] (wrapping)
        dcur[l] = 1.0 + s * (b[n - 1, l] + a[0, l])
        dlast[l] = 1.0 + s * (b[n - 2, l] + a[n - 1, l])
        f[l] = -s * a[n - 1, l]            # M[0, n-1]
        e[l] = -s * b[n - 1, l]            # M[n-1, 0]
        lo[0, l] = 0.0
    for j in range(n - 1):
        for l in range(m):
            fj = f[l]
            ej = e[l]
            if j == n - 2:
                fj += -s * b[n - 2, l]     # M[n-2, n-1]
                ej += -s * a[n - 2, l]     # M[n-1, n-2]
            den = dcur[l]
            inv[j, l] = 1.0 / den
            gj = ej / den
            g[j, l] = gj
            q[j, l] = fj / den
            dlast[l] -= gj * fj
            if j + 1 <= n - 2:
                sup = -s * b[j, l]
                lj = -s * a[j, l] / den    # sub_(j+1) / den_j
                lo[j + 1, l] = lj
                up[j, l] = sup / den
                dcur[l] = 1.0 + s * (b[j, l] + a[j + 1, l]) - lj * sup
                f[l] = -lj * fj
                e[l] = -gj * sup
            else:
                up[j, l] = 0.0
    for l in range(m):
        inv[n - 1, l] = 1.0 / dlast[l]
        up[n - 1, l] = 0.0
        g[n - 1, l] = 0.0
        q[n - 1, l] = 0.0
    if not cyclic:
        for l in range(m):
            lo[n - 1, l] = g[n - 2, l]     # plain Thomas: the last row's one entry
            up[n - 2, l] = q[n - 2, l]
    else:
        for l in range(m):
            lo[n - 1, l] = 0.0


def modelled_bytes(ndim: int, cyclic: tuple[bool, ...] = (), parallel: bool = False) -> int:
    """Modelled DRAM bytes per cell and step of :func:`fused_steps` (8-byte doubles).

    Pass 1 reads u, 2 ndim face coefficients, lo and 1/den of the first axis and writes y
    (plus the write-allocate read); pass 2 reads y, up of the first axis, (lo, 1/den, up) of
    every other axis and u, and writes u. A cyclic first axis adds g (pass 1) and q (pass 2),
    a cyclic other axis its g and q; the parallel copy adds one read and one write of y.

    Parameters
    ----------
    ndim : int
        2 or 3.
    cyclic : tuple of bool, optional
        Per axis, whether it is periodic (default: none).
    parallel : bool
        The parallel copy (three passes).

    Returns
    -------
    int
        Bytes per cell-step.
    """
    cyc = tuple(cyclic) + (False,) * (ndim - len(cyclic))
    pass1 = 1 + 2 * ndim + 2 + cyc[0] + 2  # reads; y written (+ its write-allocate read)
    pass2 = 1 + 1 + cyc[0] + sum(3 + 2 * c for c in cyc[1:]) + 1 + 1
    extra = 2 if parallel else 0           # y read and written once more
    return 8 * (pass1 + pass2 + extra)


@njit(cache=True)
def _face(a: np.ndarray, b: np.ndarray, u: np.ndarray, i: int, j: int, k: int, i2: int,
          j2: int, k2: int) -> float:
    """Flux / h through the face from cell (i, j, k) to its neighbour (i2, j2, k2)."""
    return a[i, j, k] * u[i, j, k] - b[i, j, k] * u[i2, j2, k2]


def _forward_py(u: np.ndarray, a0: np.ndarray, b0: np.ndarray, a1: np.ndarray,
                b1: np.ndarray, a2: np.ndarray, b2: np.ndarray, f0: np.ndarray, cyc0: bool,
                has1: bool, dt: float, y: np.ndarray, tasks: np.ndarray) -> None:
    """Pass 1: d_0 = dt A u in flux form and the forward sweep along axis 0, into y (scaled
    by 1/den); tasks[t] = (j0, j1, k0, k1) blocks of the plane, parallel over tasks."""
    n0, n1, n2 = u.shape
    for t in prange(tasks.shape[0]):
        j0 = tasks[t, 0]
        j1 = tasks[t, 1]
        k0 = tasks[t, 2]
        k1 = tasks[t, 3]
        w = k1 - k0
        m = (j1 - j0) * w
        prev_flux = np.empty(m)   # J_0 through the face below the current plane
        prev_y = np.zeros(m)      # unscaled y of the previous plane
        acc = np.zeros(m)         # cyclic: sum g_j y_j
        flux1 = np.empty(w)       # 3D: axis-1 flux through the face below the current row
        for jj in range(j1 - j0):
            for kk in range(w):
                prev_flux[jj * w + kk] = _face(a0, b0, u, n0 - 1, j0 + jj, k0 + kk, 0,
                                               j0 + jj, k0 + kk)
        for i in range(n0):
            ip = i + 1 if i < n0 - 1 else 0
            for jj in range(j1 - j0):
                j = j0 + jj
                jm = j - 1 if j > 0 else n1 - 1
                jp = j + 1 if j < n1 - 1 else 0
                # axis-2 fluxes: the face left of the cell carried from the previous one
                km = k0 - 1 if k0 > 0 else n2 - 1
                left = _face(a2, b2, u, i, j, km, i, j, k0)
                for kk in range(w):
                    k = k0 + kk
                    kp = k + 1 if k < n2 - 1 else 0
                    right = a2[i, j, k] * u[i, j, k] - b2[i, j, k] * u[i, j, kp]
                    c = jj * w + kk
                    here = a0[i, j, k] * u[i, j, k] - b0[i, j, k] * u[ip, j, k]
                    r = (prev_flux[c] - here) + (left - right)
                    left = right
                    if has1:
                        if jj == 0:  # the face below the block's first row
                            flux1[kk] = _face(a1, b1, u, i, jm, k, i, j, k)
                        up1 = _face(a1, b1, u, i, j, k, i, jp, k)
                        r += flux1[kk] - up1
                        flux1[kk] = up1
                    r = dt * r
                    prev_flux[c] = here
                    yv = r - f0[0, i, j, k] * prev_y[c]
                    if cyc0:
                        if i < n0 - 1:
                            acc[c] += f0[3, i, j, k] * yv
                        else:
                            yv -= acc[c]
                    prev_y[c] = yv
                    y[i, j, k] = yv * f0[1, i, j, k]


@njit(cache=True)
def _forward_row(u0: np.ndarray, u1: np.ndarray, a0: np.ndarray, b0: np.ndarray,
                 a2: np.ndarray, b2: np.ndarray, lo: np.ndarray, inv: np.ndarray,
                 g: np.ndarray, mode: int, dt: float, left: float, uright: float,
                 y: np.ndarray, prev_flux: np.ndarray, prev_y: np.ndarray, acc: np.ndarray,
                 fl: np.ndarray) -> None:
    """Pass 1 of :func:`_forward_py` on one strip of one row of a 2D grid, written on 1D views
    that start at the strip (so that the loops vectorise): u0, u1 the strip on this row and
    the next (axis 0), `left` the axis-2 flux into the strip's first cell, `uright` u right of
    its last; mode 0: open axis 0, 1: cyclic and not the last row (acc += g y), 2: cyclic, the
    last row (y -= acc). fl [w + 1]: scratch for the axis-2 face fluxes. The same operations
    per cell as :func:`_forward_py` (the same bits)."""
    w = u0.shape[0]
    fl[0] = left
    for k in range(w - 1):
        fl[k + 1] = a2[k] * u0[k] - b2[k] * u0[k + 1]
    fl[w] = a2[w - 1] * u0[w - 1] - b2[w - 1] * uright
    if mode == 0:
        for k in range(w):
            here = a0[k] * u0[k] - b0[k] * u1[k]
            r = dt * ((prev_flux[k] - here) + (fl[k] - fl[k + 1]))
            prev_flux[k] = here
            yv = r - lo[k] * prev_y[k]
            prev_y[k] = yv
            y[k] = yv * inv[k]
    elif mode == 1:
        for k in range(w):
            here = a0[k] * u0[k] - b0[k] * u1[k]
            r = dt * ((prev_flux[k] - here) + (fl[k] - fl[k + 1]))
            prev_flux[k] = here
            yv = r - lo[k] * prev_y[k]
            acc[k] += g[k] * yv
            prev_y[k] = yv
            y[k] = yv * inv[k]
    else:
        for k in range(w):
            here = a0[k] * u0[k] - b0[k] * u1[k]
            r = dt * ((prev_flux[k] - here) + (fl[k] - fl[k + 1]))
            prev_flux[k] = here
            yv = r - lo[k] * prev_y[k]
            yv -= acc[k]
            prev_y[k] = yv
            y[k] = yv * inv[k]


def _forward2d_py(u: np.ndarray, a0: np.ndarray, b0: np.ndarray, a2: np.ndarray,
                  b2: np.ndarray, f0: np.ndarray, cyc0: bool, dt: float, y: np.ndarray,
                  tasks: np.ndarray) -> None:
    """Pass 1 of a 2D grid (u, a, b, y [n0, n2], f0 [3 or 5, n0, n2]): :func:`_forward_py`
    row by row through :func:`_forward_row`; tasks[t, 2:4] = (k0, k1) strips, parallel over
    tasks."""
    n0, n2 = u.shape
    for t in prange(tasks.shape[0]):
        k0 = tasks[t, 2]
        k1 = tasks[t, 3]
        w = k1 - k0
        prev_flux = np.empty(w)
        prev_y = np.zeros(w)
        acc = np.zeros(w)
        fl = np.empty(w + 1)
        km = k0 - 1 if k0 > 0 else n2 - 1
        kr = k1 if k1 < n2 else 0
        for kk in range(w):
            k = k0 + kk
            prev_flux[kk] = a0[n0 - 1, k] * u[n0 - 1, k] - b0[n0 - 1, k] * u[0, k]
        g = f0[LO, 0, k0:k1]
        for i in range(n0):
            ip = i + 1 if i < n0 - 1 else 0
            mode = 0
            if cyc0:
                mode = 1 if i < n0 - 1 else 2
                g = f0[LAST_ROW, i, k0:k1]
            left = a2[i, km] * u[i, km] - b2[i, km] * u[i, k0]
            _forward_row(u[i, k0:k1], u[ip, k0:k1], a0[i, k0:k1], b0[i, k0:k1],
                         a2[i, k0:k1], b2[i, k0:k1], f0[LO, i, k0:k1], f0[INV, i, k0:k1], g,
                         mode, dt, left, u[i, kr], y[i, k0:k1], prev_flux, prev_y, acc, fl)


@njit(cache=True)
def _back_plane(y: np.ndarray, f0: np.ndarray, cyc0: bool, i: int, nxt: np.ndarray,
                last: np.ndarray, out: np.ndarray, j0: int, j1: int, k0: int, k1: int) -> None:
    """Backward sweep of axis 0 at plane i on the block [j0, j1) x [k0, k1): out = y[i] -
    up nxt - q last (nxt: the solution on plane i + 1; last: on plane n0 - 1)."""
    for j in range(j0, j1):
        if cyc0:
            for k in range(k0, k1):
                out[j, k] = y[i, j, k] - f0[2, i, j, k] * nxt[j, k] - f0[4, i, j, k] * last[j, k]
        else:
            for k in range(k0, k1):
                out[j, k] = y[i, j, k] - f0[2, i, j, k] * nxt[j, k]


ROWS = 8
"""Lines of the last axis solved together (their recurrences interleaved, which hides the
latency of each line's sequential sweep)."""


@njit(cache=True)
def _solve_rows(buf: np.ndarray, nrows: int, f2: np.ndarray, cyc2: bool, u2: np.ndarray,
                tot: np.ndarray) -> None:
    """Solve along axis 2 the first `nrows` rows of buf [>= nrows, n2], interleaved, with the
    factors f2 [3 or 5, nrows, n2] of those rows, then add them to u2 [nrows, n2] (flushing
    below TINY)."""
    n2 = buf.shape[1]
    lo = f2[0]
    inv = f2[1]
    up = f2[2]
    for r in range(nrows):
        tot[r] = 0.0
    if cyc2:
        g = f2[3]
        for r in range(nrows):
            tot[r] = g[r, 0] * buf[r, 0]
        for k in range(1, n2 - 1):
            for r in range(nrows):
                v = buf[r, k] - lo[r, k] * buf[r, k - 1]
                buf[r, k] = v
                tot[r] += g[r, k] * v
    else:
        for k in range(1, n2 - 1):
            for r in range(nrows):
                buf[r, k] -= lo[r, k] * buf[r, k - 1]
    for r in range(nrows):
        v = buf[r, n2 - 1] - lo[r, n2 - 1] * buf[r, n2 - 2]
        buf[r, n2 - 1] = (v - tot[r]) * inv[r, n2 - 1]
    if cyc2:
        q = f2[4]
        for k in range(n2 - 2, -1, -1):
            for r in range(nrows):
                buf[r, k] = (buf[r, k] * inv[r, k] - up[r, k] * buf[r, k + 1]
                             - q[r, k] * buf[r, n2 - 1])
    else:
        for k in range(n2 - 2, -1, -1):
            for r in range(nrows):
                buf[r, k] = buf[r, k] * inv[r, k] - up[r, k] * buf[r, k + 1]
    for r in range(nrows):
        for k in range(n2):
            u2[r, k] = flushed(u2[r, k] + buf[r, k])


@njit(cache=True)
def _solve_plane(buf: np.ndarray, i: int, f1: np.ndarray, cyc1: bool, f2: np.ndarray,
                 cyc2: bool, u: np.ndarray, acc: np.ndarray, tot: np.ndarray) -> None:
    """The in-plane solves of plane i (axis 1, then axis 2 by :data:`ROWS` rows) on
    buf [n1, n2], then u[i] += buf."""
    n1, n2 = buf.shape
    for k in range(n2):
        acc[k] = 0.0
    if cyc1:
        for k in range(n2):
            acc[k] += f1[3, i, 0, k] * buf[0, k]
    for j in range(1, n1):
        for k in range(n2):
            buf[j, k] -= f1[0, i, j, k] * buf[j - 1, k]
        if cyc1 and j < n1 - 1:
            for k in range(n2):
                acc[k] += f1[3, i, j, k] * buf[j, k]
    for k in range(n2):
        buf[n1 - 1, k] = (buf[n1 - 1, k] - acc[k]) * f1[1, i, n1 - 1, k]
    for j in range(n1 - 2, -1, -1):
        for k in range(n2):
            v = buf[j, k] * f1[1, i, j, k] - f1[2, i, j, k] * buf[j + 1, k]
            if cyc1:
                v -= f1[4, i, j, k] * buf[n1 - 1, k]
            buf[j, k] = v
    for j in range(0, n1, ROWS):
        rows = min(ROWS, n1 - j)
        _solve_rows(buf[j:], rows, f2[:, i, j:j + rows, :], cyc2, u[i, j:j + rows, :], tot)


@njit(cache=True)
def _backward_fused(y: np.ndarray, f0: np.ndarray, cyc0: bool, f1: np.ndarray, cyc1: bool,
                    f2: np.ndarray, cyc2: bool, u: np.ndarray) -> None:
    """Pass 2 (serial, 3D): backward sweep of axis 0, each finished plane solved in-plane and
    added to u at once (2D: :func:`_backward_2d`)."""
    n0, n1, n2 = u.shape
    nxt = np.zeros((n1, n2))
    last = np.zeros((n1, n2))
    acc = np.empty(n2)
    tot = np.empty(ROWS)
    cur = np.empty((n1, n2))
    for i in range(n0 - 1, -1, -1):
        _back_plane(y, f0, cyc0, i, nxt, last, cur, 0, n1, 0, n2)
        if i == n0 - 1 and cyc0:
            last[:, :] = cur
        nxt[:, :] = cur
        _solve_plane(cur, i, f1, cyc1, f2, cyc2, u, acc, tot)


LANES = 8
"""Rows of a 2D grid solved together along axis 2 (:func:`_row_group`), one per lane."""
PAD = 8
"""Columns of padding of the rows of the 2D row-group scratch and regrouped factors
(:func:`_row_group`, :func:`group_rows`): rows of a power-of-two length would put the
LANES lanes of one column 4 KiB apart (one L1 set, false store-to-load dependences)."""


def group_rows(f2: np.ndarray) -> np.ndarray:
    """The axis-2 factors of a 2D grid regrouped for :func:`_row_group`: group g holds the
    :data:`LANES` rows i = n0 - (g + 1) LANES + r (lane r = 0 .. LANES - 1; rows i < 0 are
    padding with lo = up = g = q = 0, 1/den = 1), each padded by :data:`PAD` columns (so that
    the lanes of one column fall in different L1 sets whatever n2 is).

    Parameters
    ----------
    f2 : ndarray(shape=[3 or 5, n0, 1, n2])
        :func:`factor_axis` of axis 2.

    Returns
    -------
    ndarray(shape=[groups, 3 or 5, LANES, n2 + PAD])
    """
    nf, n0, _, n2 = f2.shape
    groups = -(-n0 // LANES)
    pad = np.zeros((nf, groups * LANES - n0, n2))
    pad[INV] = 1.0
    full = np.concatenate([pad, f2[:, :, 0, :]], axis=1).reshape(nf, groups, LANES, n2)
    out = np.empty((groups, nf, LANES, n2 + PAD))
    out[..., :n2] = full[:, ::-1].transpose(1, 0, 2, 3)
    out[..., n2:] = 0.0
    return out


@njit(cache=True, inline="always")
def _sweep_rows(y: np.ndarray, up: np.ndarray, q: np.ndarray, cyc0: bool, swept: bool,
                nxt: np.ndarray, last: np.ndarray, is_last: bool, out: np.ndarray) -> None:
    """The backward sweep of axis 0 on one row strip (1D views starting at the strip):
    out = y - up nxt - q last (:func:`_back_plane`), nxt = out, and on the last row
    (`is_last`, cyclic) last = out; `swept`: out = y (the parallel copy swept y already)."""
    w = y.shape[0]
    if swept:
        for k in range(w):
            out[k] = y[k]
    elif cyc0:
        for k in range(w):
            v = y[k] - up[k] * nxt[k] - q[k] * last[k]
            out[k] = v
            nxt[k] = v
        if is_last:
            for k in range(w):
                last[k] = out[k]
    else:
        for k in range(w):
            v = y[k] - up[k] * nxt[k]
            out[k] = v
            nxt[k] = v


@njit(cache=True)
def _row_group(y: np.ndarray, f0: np.ndarray, cyc0: bool, swept: bool, ft: np.ndarray,
               cyc2: bool, u: np.ndarray, g: int, nxt: np.ndarray, last: np.ndarray,
               tmp: np.ndarray, tot: np.ndarray) -> None:
    """2D pass 2 on the row group g (rows i = n0 - (g + 1) LANES + r in lane r; y, u [n0, n2],
    f0 [3 or 5, n0, n2], ft = :func:`group_rows` [g]): the backward sweep of axis 0 (unless
    `swept`: y holds it already) row by row into tmp [LANES, n2 + PAD], the solve along axis 2
    of all lanes interleaved (:func:`_solve_rows`), then u += d row by row. tmp and the
    factors have padded rows: unpadded rows of a power-of-two length put the lanes of one
    column 4 KiB apart, in one L1 set and in false store-to-load dependences (the interleaved
    solve ran at half speed at n2 = 512, 1024, 2048). Every cell gets the operations of
    :func:`_back_plane` and :func:`_solve_rows` in the same order (the same bits)."""
    n0, n2 = u.shape
    low = n0 - (g + 1) * LANES
    top = low + LANES - 1
    lo = ft[LO]
    inv = ft[INV]
    up = ft[UP]
    gl = ft[LAST_ROW] if cyc2 else ft[LO]
    nq = LAST_COL if cyc0 else UP
    for r in range(LANES):
        tot[r] = 0.0
    for i in range(top, low - 1, -1):
        r = i - low
        if i < 0:
            for k in range(n2):
                tmp[r, k] = 0.0
        else:
            _sweep_rows(y[i], f0[UP, i], f0[nq, i], cyc0, swept, nxt, last, i == n0 - 1,
                        tmp[r])
    if cyc2:
        for r in range(LANES):
            tot[r] = gl[r, 0] * tmp[r, 0]
        for k in range(1, n2 - 1):
            for r in range(LANES):
                v = tmp[r, k] - lo[r, k] * tmp[r, k - 1]
                tmp[r, k] = v
                tot[r] += gl[r, k] * v
    else:
        for k in range(1, n2 - 1):
            for r in range(LANES):
                tmp[r, k] = tmp[r, k] - lo[r, k] * tmp[r, k - 1]
    for r in range(LANES):
        v = tmp[r, n2 - 1] - lo[r, n2 - 1] * tmp[r, n2 - 2]
        tmp[r, n2 - 1] = (v - tot[r]) * inv[r, n2 - 1]
    if cyc2:
        q = ft[LAST_COL]
        for k in range(n2 - 2, -1, -1):
            for r in range(LANES):
                tmp[r, k] = (tmp[r, k] * inv[r, k] - up[r, k] * tmp[r, k + 1]
                             - q[r, k] * tmp[r, n2 - 1])
    else:
        for k in range(n2 - 2, -1, -1):
            for r in range(LANES):
                tmp[r, k] = tmp[r, k] * inv[r, k] - up[r, k] * tmp[r, k + 1]
    for i in range(max(low, 0), top + 1):
        _add_row(u[i], tmp[i - low])


@njit(cache=True, inline="always")
def _add_row(u: np.ndarray, d: np.ndarray) -> None:
    """u += d on one row, flushing below TINY."""
    for k in range(u.shape[0]):
        u[k] = flushed(u[k] + d[k])


@njit(cache=True)
def _backward_2d(y: np.ndarray, f0: np.ndarray, cyc0: bool, ft: np.ndarray, cyc2: bool,
                 u: np.ndarray) -> None:
    """Pass 2 (serial, 2D): the row groups from the top down (:func:`_row_group`)."""
    n2 = u.shape[1]
    nxt = np.zeros(n2)
    last = np.zeros(n2)
    tmp = np.empty((LANES, n2 + PAD))
    tot = np.empty(LANES)
    for g in range(ft.shape[0]):
        _row_group(y, f0, cyc0, False, ft[g], cyc2, u, g, nxt, last, tmp, tot)


def _groups_py(y: np.ndarray, f0: np.ndarray, ft: np.ndarray, cyc2: bool,
               u: np.ndarray) -> None:
    """Pass 2b (parallel copy, 2D): the row groups (:func:`_row_group`) on the swept y."""
    n2 = u.shape[1]
    for g in prange(ft.shape[0]):
        unused = np.zeros(1)
        tmp = np.empty((LANES, n2 + PAD))
        tot = np.empty(LANES)
        _row_group(y, f0, False, True, ft[g], cyc2, u, g, unused, unused, tmp, tot)


def _backward_blocks_py(y: np.ndarray, f0: np.ndarray, cyc0: bool, tasks: np.ndarray) -> None:
    """Pass 2a (parallel copy): the backward sweep of axis 0 per block, in place in y."""
    n0, n1, n2 = y.shape
    for t in prange(tasks.shape[0]):
        j0 = tasks[t, 0]
        j1 = tasks[t, 1]
        k0 = tasks[t, 2]
        k1 = tasks[t, 3]
        nxt = np.zeros((n1, n2))
        last = np.zeros((n1, n2))
        cur = np.empty((n1, n2))
        for i in range(n0 - 1, -1, -1):
            _back_plane(y, f0, cyc0, i, nxt, last, cur, j0, j1, k0, k1)
            for j in range(j0, j1):
                for k in range(k0, k1):
                    y[i, j, k] = cur[j, k]
                    nxt[j, k] = cur[j, k]
                    if i == n0 - 1 and cyc0:
                        last[j, k] = cur[j, k]


def _planes_py(y: np.ndarray, f1: np.ndarray, cyc1: bool, f2: np.ndarray, cyc2: bool,
               u: np.ndarray) -> None:
    """Pass 2b (parallel copy, 3D): the in-plane solves per plane and u += d (2D:
    :func:`_groups_py`)."""
    n0, n1, n2 = u.shape
    for i in prange(n0):
        acc = np.empty(n2)
        tot = np.empty(ROWS)
        _solve_plane(y[i], i, f1, cyc1, f2, cyc2, u, acc, tot)


_FORWARD = variants(_forward_py, "adi_forward")
_FORWARD2D = variants(_forward2d_py, "adi_forward2d")
_BACK_BLOCKS = variants(_backward_blocks_py, "adi_backward_blocks")
_PLANES = variants(_planes_py, "adi_planes")
_GROUPS = variants(_groups_py, "adi_groups")


def plan_tasks(shape: tuple[int, int, int], threads: int) -> np.ndarray:
    """Blocks of the plane for pass 1 and the backward sweep: one block when serial; else
    about 4 per thread, cut along axis 1 when it is long enough (3D), else along axis 2 in
    strips of at least 64 cells.

    Parameters
    ----------
    shape : tuple of int
        (n0, n1, n2).
    threads : int
        1 for the serial copy.

    Returns
    -------
    ndarray(shape=[tasks, 4]), int64
        Rows (j0, j1, k0, k1).
    """
    _, n1, n2 = shape
    if threads <= 1:
        return np.array([[0, n1, 0, n2]], dtype=np.int64)
    want = 4 * threads
    if n1 >= want:
        edges = np.linspace(0, n1, want + 1).astype(np.int64)
        return np.array([[edges[t], edges[t + 1], 0, n2] for t in range(want)], dtype=np.int64)
    parts = max(1, min(want, n2 // 64))
    edges = np.linspace(0, n2, parts + 1).astype(np.int64)
    return np.array([[j, j + 1, edges[t], edges[t + 1]] for j in range(n1)
                     for t in range(parts)], dtype=np.int64)


def fused_steps(u: np.ndarray, coefficients: list[tuple[np.ndarray, np.ndarray]],
                factors: list[tuple[np.ndarray, bool]], dt: float, nsteps: int,
                parallel: bool, y: np.ndarray | None = None,
                blocks: int | None = None, grouped: np.ndarray | None = None) -> np.ndarray:
    """`nsteps` Douglas ADI steps of P2 (20) on u [n0, n1, n2], in place (module docstring).

    Parameters
    ----------
    u : ndarray(shape=[n0, n1, n2])
        The density, C-contiguous float64; overwritten with the result.
    coefficients : list of (ndarray, ndarray)
        Three face-coefficient pairs (a_k, b_k) of u's shape; for a 2D grid passed as
        (ny, 1, nx), the middle pair is ignored.
    factors : list of (ndarray, bool)
        :func:`factor_axis` of each axis for s = dt / 2 (the middle one ignored in 2D).
    dt : float
        The step.
    nsteps : int
        Number of steps.
    parallel : bool
        Use the parallel copy (bit-identical result).
    y : ndarray(shape=[n0, n1, n2]), optional
        Scratch of u's shape (allocated when None).
    blocks : int, optional
        The thread count the parallel copy plans its blocks for (:func:`plan_tasks`;
        default Numba's); the result does not depend on it.
    grouped : ndarray, optional
        2D: :func:`group_rows` of the axis-2 factors (computed when None; a stepper keeps
        it, :class:`AdiPlan`).

    Returns
    -------
    ndarray(shape=[n0, n1, n2])
        `u`.
    """
    n0, n1, n2 = u.shape
    has1 = n1 > 1
    (a0, b0), (a1, b1), (a2, b2) = coefficients
    (f0, c0), (f1, c1), (f2, c2) = factors
    if y is None:
        y = np.empty_like(u)
    threads = 1
    if parallel:
        import numba
        threads = numba.get_num_threads() if blocks is None else int(blocks)
    tasks = plan_tasks(u.shape, threads)
    forward = _FORWARD[parallel]
    if not has1:
        if grouped is None:
            grouped = group_rows(f2)
        u2 = u.reshape(n0, n2)
        y2 = y.reshape(n0, n2)
        f02 = f0.reshape(f0.shape[0], n0, n2)
        a02, b02, a22, b22 = (x.reshape(n0, n2) for x in (a0, b0, a2, b2))
    for _ in range(nsteps):
        if not has1:
            _FORWARD2D[parallel](u2, a02, b02, a22, b22, f02, c0, dt, y2, tasks)
            if parallel:
                _BACK_BLOCKS[True](y, f0, c0, tasks)
                _GROUPS[True](y2, f02, grouped, c2, u2)
            else:
                _backward_2d(y2, f02, c0, grouped, c2, u2)
            continue
        forward(u, a0, b0, a1, b1, a2, b2, f0, c0, has1, dt, y, tasks)
        if parallel:
            _BACK_BLOCKS[True](y, f0, c0, tasks)
            _PLANES[True](y, f1, c1, f2, c2, u)
        else:
            _backward_fused(y, f0, c0, f1, c1, f2, c2, u)
    return u


AUTOTUNE_MIN_CELLS = 1 << 16
"""Below this many cells one thread is used without measuring (a parallel region per pass
costs more than the work)."""
_CHOICE: dict[tuple[tuple[int, int, int], int], bool] = {}


class AdiPlan:
    """Everything a fused ADI stepper of P2 (20) needs, built once: coefficients as 3D arrays,
    the LU factors of every axis, scratch, and the thread choice.

    Thread choice: one thread when ``threads`` is 1, when Numba runs one thread
    (``NUMBA_NUM_THREADS=1`` or :func:`numba.set_num_threads`), or below
    :data:`AUTOTUNE_MIN_CELLS`; otherwise measured once per grid shape and thread count
    (:meth:`choose`): the parallel copy is kept only if it beats one thread by 10% in two
    interleaved trials, so a loaded machine, where it loses, keeps one thread. Both copies
    give bit-identical results.

    Parameters
    ----------
    coefficients : list of (ndarray, ndarray)
        K = 2 or 3 face-coefficient pairs (a_k, b_k) of the grid's shape.
    dt : float
        The step.
    threads : int, optional
        1 forces the serial copy; None (default) chooses as above.
    """

    def __init__(self, coefficients: list[tuple[np.ndarray, np.ndarray]], dt: float,
                 threads: int | None = None) -> None:
        shape = coefficients[0][0].shape
        if len(shape) == 2:
            shape3 = (shape[0], 1, shape[1])
            dummy = np.zeros((1, 1, 1))
            (ay, by), (ax, bx) = coefficients
            self.coefficients = [(ay.reshape(shape3), by.reshape(shape3)), (dummy, dummy),
                                 (ax.reshape(shape3), bx.reshape(shape3))]
            self.factors = [factor_axis(*self.coefficients[0], 0, 0.5 * dt),
                            (np.zeros((3, 1, 1, 1)), False),
                            factor_axis(*self.coefficients[2], 2, 0.5 * dt)]
        else:
            self.coefficients = [(np.ascontiguousarray(a), np.ascontiguousarray(b))
                                 for a, b in coefficients]
            self.factors = [factor_axis(a, b, k, 0.5 * dt)
                            for k, (a, b) in enumerate(self.coefficients)]
        self.shape = tuple(shape)
        self.shape3 = shape3 if len(shape) == 2 else tuple(shape)
        self.dt = float(dt)
        self.threads = threads
        self.y = np.empty(self.shape3)
        # 2D: the axis-2 factors regrouped for pass 2 (group_rows), built once
        self.grouped = group_rows(self.factors[2][0]) if len(shape) == 2 else None
        self.parallel: bool | None = None

    @property
    def cyclic(self) -> tuple[bool, ...]:
        """Per axis of the grid, whether its lines are cyclic (a periodic axis).

        Returns
        -------
        tuple of bool
        """
        used = [0, 2] if len(self.shape) == 2 else [0, 1, 2]
        return tuple(self.factors[k][1] for k in used)

    def choose(self, u: np.ndarray) -> bool:
        """Whether to run the parallel copy (class docstring); measured once per shape and
        thread count, on copies of `u`.

        Parameters
        ----------
        u : ndarray(shape=shape3)
            A density to time the two copies on (not modified).

        Returns
        -------
        bool
            True for the parallel copy.
        """
        import time

        import numba
        threads = numba.get_num_threads() if self.threads is None else int(self.threads)
        threads = min(threads, numba.get_num_threads())
        if threads <= 1 or u.size < AUTOTUNE_MIN_CELLS:
            return False
        key = (self.shape3, threads)
        if key not in _CHOICE:
            work = u.copy()
            best = {False: np.inf, True: np.inf}
            fused_steps(work, self.coefficients, self.factors, self.dt, 1, True, self.y,
                        grouped=self.grouped)
            fused_steps(work, self.coefficients, self.factors, self.dt, 1, False, self.y,
                        grouped=self.grouped)
            for _ in range(2):
                for par in (False, True):
                    work[...] = u
                    t0 = time.perf_counter()
                    fused_steps(work, self.coefficients, self.factors, self.dt, 2, par, self.y,
                                grouped=self.grouped)
                    best[par] = min(best[par], time.perf_counter() - t0)
            _CHOICE[key] = bool(best[True] < 0.9 * best[False])
        return _CHOICE[key]

    def steps(self, p: np.ndarray, nsteps: int) -> np.ndarray:
        """`nsteps` fused ADI steps from `p` (not modified).

        Parameters
        ----------
        p : ndarray(shape=shape)
            The density.
        nsteps : int
            Number of steps.

        Returns
        -------
        ndarray(shape=shape)
            The new density (a new array).
        """
        u = np.array(p, dtype=np.float64, order="C").reshape(self.shape3)
        if nsteps > 0:
            if self.parallel is None:
                self.parallel = self.choose(u)
            fused_steps(u, self.coefficients, self.factors, self.dt, nsteps, self.parallel,
                        self.y, grouped=self.grouped)
        return u.reshape(self.shape)
