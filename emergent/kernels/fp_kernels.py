"""Numba kernels for the finite-volume Fokker-Planck solver
(see :mod:`emergent.stochastic.fokker_planck`).

Discretisation (one axis; the others add up). Cells i = 0..n-1 of width h; the face i + 1/2
joins cell i to cell i+1 (for periodic axes the face n - 1/2 joins cell n-1 to cell 0; for
zero-flux axes its coefficients are zero, so one wrap-around indexing serves both boundaries).
The flux through face i + 1/2 divided by h is

    J_i / h = a_i p_i - b_i p_(i+1),   a_i = D/h^2 B(-x_i),   b_i = D/h^2 B(x_i),
    x_i = gamma (F_(i+1) - F_i) / D,   B(x) = x / (e^x - 1)            (Scharfetter-Gummel)

and dp_i/dt = (a_(i-1) p_(i-1) - b_(i-1) p_i) - (a_i p_i - b_i p_(i+1)) = (A p)_i.
A has zero column sums (conservation) and non-negative off-diagonals (positivity of the
explicit step below its limit); a_i / b_i = exp(x_i), so p ~ exp(gamma F / D) is stationary.

All kernels take the coefficient arrays with the shape of p (a[..., i, ...] for the face
i + 1/2 along that axis) and know nothing of grids, files or configs; the explicit 2D steps
(:mod:`emergent.kernels.fp_explicit2d`) take the same coefficients times dt as a stencil, and
the 2D/3D Crank-Nicolson steps run as fused Douglas ADI (:mod:`emergent.kernels.fp_adi`;
:func:`adi_steps_reference` keeps the six-pass path for tests). The others update in flux form,
each face flux entering its two cells with opposite signs, so probability does not drift with
the number of steps. Every
kernel sets updated densities of magnitude below TINY = 1e-150 to zero (NaN is kept), so far
tails never enter subnormal arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import prange

from emergent.kernels.cache import njit
from emergent.kernels.compile import variants
from emergent.kernels.fp_adi import AdiPlan
from emergent.kernels.fp_common import flushed, next_index, prev_index
from emergent.kernels.fp_explicit2d import KERNELS as EXPLICIT_2D

__all__ = [
    "PARALLEL_MIN_CELLS",
    "adi_steps",
    "adi_steps_reference",
    "apply_axis",
    "bernoulli",
    "cn1d_steps",
    "explicit_steps_1d",
    "explicit_steps_3d",
    "kernel",
    "solve_axis",
]

PARALLEL_MIN_CELLS = 1 << 18
"""Below this many cells the serial kernels win: a parallel region per time step costs more
than it saves, and far more on a loaded machine (see :func:`kernel`)."""


@njit(cache=True)
def _bern(x: float) -> float:
    ax = abs(x)
    if ax < 1e-6:
        return 1.0 - 0.5 * x + x * x / 12.0
    if x > 700.0:
        return x * np.exp(-x)
    return x / np.expm1(x)


@njit(cache=True)
def bernoulli(x: np.ndarray) -> np.ndarray:
    """B(x) = x / (e^x - 1), elementwise, accurate near 0 and for large |x|.

    The Bernoulli function of the Scharfetter-Gummel fluxes of P2 (20) (module docstring).

    Parameters
    ----------
    x : ndarray
        Any shape.

    Returns
    -------
    ndarray
        B(x), same shape (B(0) = 1).
    """
    out = np.empty_like(x)
    flat = x.ravel()
    of = out.ravel()
    for i in range(flat.size):
        of[i] = _bern(flat[i])
    return out


# ---------------------------------------------------------------------------------------
# explicit (forward Euler) steps in 1D and 3D, parallel over the first axis, two buffers
# (2D, in stencil form and temporally blocked: emergent.kernels.fp_explicit2d)
# ---------------------------------------------------------------------------------------
def _explicit_steps_1d(p: np.ndarray, a: np.ndarray, b: np.ndarray, dt: float,
                      nsteps: int) -> np.ndarray:
    """`nsteps` forward-Euler steps p <- p + dt A p of P2 (20) in 1D.

    Parameters
    ----------
    p : ndarray(shape=[n])
        The density; only read.
    a, b : ndarray(shape=[n])
        Face coefficients (face i + 1/2 at index i).
    dt : float
        The time step (below the explicit limit).
    nsteps : int
        Number of steps.

    Returns
    -------
    ndarray(shape=[n])
        The new density (a new array).
    """
    n = p.shape[0]
    u = p.copy()
    v = np.empty_like(u)
    for _ in range(nsteps):
        for i in prange(n):
            im = prev_index(i, n)
            ip = next_index(i, n)
            # flux form: each face flux is the same expression in both of its cells, so the
            # update sums to zero up to roundings of order eps |dp| (no drift in time)
            r = u[i] + dt * ((a[im] * u[im] - b[im] * u[i]) - (a[i] * u[i] - b[i] * u[ip]))
            v[i] = flushed(r)
        u, v = v, u
    return u


def _explicit_steps_3d(p: np.ndarray, ax: np.ndarray, bx: np.ndarray, ay: np.ndarray,
                      by: np.ndarray, az: np.ndarray, bz: np.ndarray, dt: float,
                      nsteps: int) -> np.ndarray:
    """`nsteps` forward-Euler steps p <- p + dt A p of P2 (20) in 3D.

    Parameters
    ----------
    p : ndarray(shape=[nx, ny, nz])
        The density; only read.
    ax, bx, ay, by, az, bz : ndarray(shape=[nx, ny, nz])
        Face coefficients along each axis.
    dt : float
        The time step (below the explicit limit).
    nsteps : int
        Number of steps.

    Returns
    -------
    ndarray(shape=[nx, ny, nz])
        The new density (a new array).
    """
    nx, ny, nz = p.shape
    u = p.copy()
    v = np.empty_like(u)
    for _ in range(nsteps):
        for i in prange(nx):
            im = prev_index(i, nx)
            ip = next_index(i, nx)
            for j in range(ny):
                jm = prev_index(j, ny)
                jp = next_index(j, ny)
                for k in range(nz):
                    km = prev_index(k, nz)
                    kp = next_index(k, nz)
                    c = u[i, j, k]
                    r = c + dt * (
                        ((ax[im, j, k] * u[im, j, k] - bx[im, j, k] * c)
                         - (ax[i, j, k] * c - bx[i, j, k] * u[ip, j, k]))
                        + ((ay[i, jm, k] * u[i, jm, k] - by[i, jm, k] * c)
                           - (ay[i, j, k] * c - by[i, j, k] * u[i, jp, k]))
                        + ((az[i, j, km] * u[i, j, km] - bz[i, j, km] * c)
                           - (az[i, j, k] * c - bz[i, j, k] * u[i, j, kp]))
                    )
                    v[i, j, k] = flushed(r)
        u, v = v, u
    return u


# ---------------------------------------------------------------------------------------
# tridiagonal (cyclic) line solves
# ---------------------------------------------------------------------------------------
@njit(cache=True)
def _thomas(sub: np.ndarray, diag: np.ndarray, sup: np.ndarray, rhs: np.ndarray,
            x: np.ndarray, cp: np.ndarray) -> None:
    """Solve the tridiagonal system (sub[0], sup[n-1] ignored) into x; cp is scratch."""
    n = diag.shape[0]
    den = diag[0]
    cp[0] = sup[0] / den
    x[0] = rhs[0] / den
    for i in range(1, n):
        den = diag[i] - sub[i] * cp[i - 1]
        cp[i] = sup[i] / den
        x[i] = (rhs[i] - sub[i] * x[i - 1]) / den
    for i in range(n - 2, -1, -1):
        x[i] -= cp[i] * x[i + 1]


@njit(cache=True)
def _line_solve(a: np.ndarray, b: np.ndarray, s: float, rhs: np.ndarray, x: np.ndarray,
                sub: np.ndarray, diag: np.ndarray, sup: np.ndarray, cp: np.ndarray,
                z: np.ndarray, u: np.ndarray) -> None:
    """Solve (I - s A) x = rhs on one line with face coefficients a, b (cyclic if the wrap
    face has non-zero coefficients: Sherman-Morrison with two Thomas solves)."""
    n = rhs.shape[0]
    for i in range(n):
        im = prev_index(i, n)
        sub[i] = -s * a[im]
        diag[i] = 1.0 + s * (b[im] + a[i])
        sup[i] = -s * b[i]
    top = sub[0]        # M[0, n-1]
    bottom = sup[n - 1]  # M[n-1, 0]
    if n == 1:
        x[0] = rhs[0] / diag[0]
        return
    if top == 0.0 and bottom == 0.0:
        _thomas(sub, diag, sup, rhs, x, cp)
        return
    # M = T + u v^T with u = (g, 0.., bottom), v = (1, 0.., top / g)
    g = -diag[0]
    d0 = diag[0]
    dn = diag[n - 1]
    diag[0] = d0 - g
    diag[n - 1] = dn - bottom * top / g
    _thomas(sub, diag, sup, rhs, x, cp)
    for i in range(n):
        u[i] = 0.0
    u[0] = g
    u[n - 1] = bottom
    _thomas(sub, diag, sup, u, z, cp)
    fact = (x[0] + top * x[n - 1] / g) / (1.0 + z[0] + top * z[n - 1] / g)
    for i in range(n):
        x[i] -= fact * z[i]
    diag[0] = d0
    diag[n - 1] = dn


@njit(cache=True)
def cn1d_steps(p: np.ndarray, a: np.ndarray, b: np.ndarray, dt: float,
               nsteps: int) -> np.ndarray:
    """`nsteps` Crank-Nicolson steps (I - dt/2 A) p' = (I + dt/2 A) p of P2 (20) in 1D.

    Solved in delta form with a (cyclic) tridiagonal solve per step.

    Parameters
    ----------
    p : ndarray(shape=[n])
        The density; only read.
    a, b : ndarray(shape=[n])
        Face coefficients.
    dt : float
        The time step (unconditionally stable; second order).
    nsteps : int
        Number of steps.

    Returns
    -------
    ndarray(shape=[n])
        The new density (a new array).
    """
    n = p.shape[0]
    u = p.copy()
    rhs = np.empty(n)
    sub = np.empty(n)
    diag = np.empty(n)
    sup = np.empty(n)
    cp = np.empty(n)
    z = np.empty(n)
    w = np.empty(n)
    h = 0.5 * dt
    d = np.empty(n)
    for _ in range(nsteps):
        # delta form: (I - dt/2 A) d = dt A u, u' = u + d (the solve's round-off then scales
        # with |d|, not |u|, which keeps the probability drift at round-off level)
        # flux form: every face flux enters its two cells with opposite signs, so sum(rhs)
        # vanishes up to roundings of order eps |rhs|, not eps |a u| (no drift in time)
        below = a[n - 1] * u[n - 1] - b[n - 1] * u[0]
        for i in range(n):
            ip = next_index(i, n)
            here = a[i] * u[i] - b[i] * u[ip]
            rhs[i] = dt * (below - here)
            below = here
        _line_solve(a, b, h, rhs, d, sub, diag, sup, cp, z, w)
        for i in range(n):
            r = u[i] + d[i]
            u[i] = flushed(r)
    return u


# ---------------------------------------------------------------------------------------
# ADI (Douglas, theta = 1/2) on 3D arrays; unused axes have length 1 and zero coefficients
# ---------------------------------------------------------------------------------------
def _apply_axis(u: np.ndarray, a: np.ndarray, b: np.ndarray, axis: int, scale: float,
                out: np.ndarray) -> None:
    """out += scale * A_axis u for a 3D array u (parallel over the (i, j) lines).

    Parameters
    ----------
    u : ndarray(shape=[n0, n1, n2])
        The density.
    a, b : ndarray(shape=[n0, n1, n2])
        Face coefficients along `axis`.
    axis : int
        0, 1 or 2.
    scale : float
        The factor (dt, or dt / 2).
    out : ndarray(shape=[n0, n1, n2])
        Accumulated into, in place.
    """
    n0, n1, n2 = u.shape
    for ij in prange(n0 * n1):
        i = ij // n1
        j = ij % n1
        if axis == 2:
            for k in range(n2):
                m = prev_index(k, n2)
                q = next_index(k, n2)
                out[i, j, k] += scale * (a[i, j, m] * u[i, j, m]
                                         - (b[i, j, m] + a[i, j, k]) * u[i, j, k]
                                         + b[i, j, k] * u[i, j, q])
        elif axis == 1:
            m = prev_index(j, n1)
            q = next_index(j, n1)
            for k in range(n2):
                out[i, j, k] += scale * (a[i, m, k] * u[i, m, k]
                                         - (b[i, m, k] + a[i, j, k]) * u[i, j, k]
                                         + b[i, j, k] * u[i, q, k])
        else:
            m = prev_index(i, n0)
            q = next_index(i, n0)
            for k in range(n2):
                out[i, j, k] += scale * (a[m, j, k] * u[m, j, k]
                                         - (b[m, j, k] + a[i, j, k]) * u[i, j, k]
                                         + b[i, j, k] * u[q, j, k])


def _solve_axis_py(rhs: np.ndarray, a: np.ndarray, b: np.ndarray, axis: int, s: float,
                out: np.ndarray) -> None:
    """out = (I - s A_axis)^-1 rhs, line by line along `axis` (parallel over lines).

    Cyclic lines (non-zero wrap-face coefficients) are solved with Sherman-Morrison.

    Parameters
    ----------
    rhs : ndarray(shape=[n0, n1, n2])
        The right-hand side.
    a, b : ndarray(shape=[n0, n1, n2])
        Face coefficients along `axis`.
    axis : int
        0, 1 or 2.
    s : float
        The factor (dt / 2 for Douglas ADI).
    out : ndarray(shape=[n0, n1, n2])
        The solution, written in place.
    """
    n0, n1, n2 = rhs.shape
    if axis == 0:
        n, m1, m2 = n0, n1, n2
    elif axis == 1:
        n, m1, m2 = n1, n0, n2
    else:
        n, m1, m2 = n2, n0, n1
    for line in prange(m1 * m2):
        r = line // m2
        c = line % m2
        la = np.empty(n)
        lb = np.empty(n)
        lr = np.empty(n)
        lx = np.empty(n)
        sub = np.empty(n)
        diag = np.empty(n)
        sup = np.empty(n)
        cp = np.empty(n)
        z = np.empty(n)
        w = np.empty(n)
        for t in range(n):
            if axis == 0:
                la[t] = a[t, r, c]
                lb[t] = b[t, r, c]
                lr[t] = rhs[t, r, c]
            elif axis == 1:
                la[t] = a[r, t, c]
                lb[t] = b[r, t, c]
                lr[t] = rhs[r, t, c]
            else:
                la[t] = a[r, c, t]
                lb[t] = b[r, c, t]
                lr[t] = rhs[r, c, t]
        _line_solve(la, lb, s, lr, lx, sub, diag, sup, cp, z, w)
        for t in range(n):
            if axis == 0:
                out[t, r, c] = lx[t]
            elif axis == 1:
                out[r, t, c] = lx[t]
            else:
                out[r, c, t] = lx[t]




def _accumulate_py(u: np.ndarray, d: np.ndarray) -> None:
    """u += d with |u| < TINY set to zero (flat arrays, parallel)."""
    for i in prange(u.shape[0]):
        r = u[i] + d[i]
        u[i] = flushed(r)


def _solve_mid_py(rhs: np.ndarray, a: np.ndarray, b: np.ndarray, s: float,
                  out: np.ndarray, cp: np.ndarray) -> None:
    """out = (I - s A)^-1 rhs along the middle axis of [outer, n, inner] arrays for a
    zero-flux axis: Thomas sweeps vectorised over the contiguous inner index (parallel over
    blocks of it); cp is scratch of the same shape."""
    n0, n, n2 = rhs.shape
    block = 64
    nb = (n2 + block - 1) // block
    for task in prange(n0 * nb):
        i = task // nb
        k0 = (task % nb) * block
        k1 = min(n2, k0 + block)
        for k in range(k0, k1):
            den = 1.0 + s * a[i, 0, k]
            cp[i, 0, k] = -s * b[i, 0, k] / den
            out[i, 0, k] = rhs[i, 0, k] / den
        for j in range(1, n):
            for k in range(k0, k1):
                sub = -s * a[i, j - 1, k]
                den = 1.0 + s * (b[i, j - 1, k] + a[i, j, k]) - sub * cp[i, j - 1, k]
                cp[i, j, k] = -s * b[i, j, k] / den
                out[i, j, k] = (rhs[i, j, k] - sub * out[i, j - 1, k]) / den
        for j in range(n - 2, -1, -1):
            for k in range(k0, k1):
                out[i, j, k] -= cp[i, j, k] * out[i, j + 1, k]


_KERNELS = {
    "explicit_1d": variants(_explicit_steps_1d, "explicit_steps_1d"),
    **EXPLICIT_2D,
    "explicit_3d": variants(_explicit_steps_3d, "explicit_steps_3d"),
    "apply_axis": variants(_apply_axis, "apply_axis"),
    "solve_axis": variants(_solve_axis_py, "solve_axis"),
    "solve_mid": variants(_solve_mid_py, "solve_mid"),
    "accumulate": variants(_accumulate_py, "accumulate"),
}


def kernel(name: str, cells: int) -> Callable:
    """The compiled kernel `name` for a grid of `cells` cells (parallel if it pays).

    Parameters
    ----------
    name : str
        One of "explicit_1d", "explicit_2d", "explicit_2d_blocked", "explicit_3d",
        "apply_axis", "solve_axis", "solve_mid", "accumulate".
    cells : int
        The grid's number of cells; parallel at or above :data:`PARALLEL_MIN_CELLS`.

    Returns
    -------
    callable
        The Numba dispatcher.

    Raises
    ------
    KeyError
        An unknown `name`.
    """
    return _KERNELS[name][cells >= PARALLEL_MIN_CELLS]


explicit_steps_1d = _KERNELS["explicit_1d"][False]
explicit_steps_3d = _KERNELS["explicit_3d"][True]
apply_axis = _KERNELS["apply_axis"][True]
solve_axis = _KERNELS["solve_axis"][True]


def adi_steps(p: np.ndarray, coefficients: list[tuple[np.ndarray, np.ndarray]], dt: float,
              nsteps: int, plan: AdiPlan | None = None) -> np.ndarray:
    """`nsteps` Douglas ADI steps of P2 (20) in 2D or 3D: the fused two-pass kernels of
    :mod:`emergent.kernels.fp_adi` (factors computed once, flux form, thread choice measured
    once), the scheme of :func:`adi_steps_reference` to round-off.

    Parameters
    ----------
    p : ndarray(shape=cells)
        The density (2D or 3D; a 3D array with leading axes of length 1 is also accepted when
        `coefficients` has fewer pairs); only read.
    coefficients : list of (ndarray, ndarray)
        K = 2 or 3 face-coefficient pairs (a_k, b_k), one per axis of the grid.
    dt : float
        The time step.
    nsteps : int
        Number of steps.
    plan : AdiPlan, optional
        The factors and scratch built for these coefficients and `dt` (kept by a stepper that
        calls this repeatedly); built here when None.

    Returns
    -------
    ndarray
        The new density, of `p`'s shape (a new array).
    """
    cells = coefficients[0][0].shape[-len(coefficients):]
    coeffs = [(a.reshape(cells), b.reshape(cells)) for a, b in coefficients]
    if plan is None:
        plan = AdiPlan(coeffs, dt)
    return plan.steps(np.reshape(p, cells), nsteps).reshape(np.shape(p))


def adi_steps_reference(p: np.ndarray, coefficients: list[tuple[np.ndarray, np.ndarray]],
                        dt: float, nsteps: int) -> np.ndarray:
    """The reference path of :func:`adi_steps` (six passes per step, factors rebuilt every
    step), kept for tests: `nsteps` Douglas ADI steps (theta = 1/2, second order,
    Crank-Nicolson per axis) in delta form:

        d_0 = dt A p,   (I - dt/2 A_k) d_k = d_(k-1)  (k = 1..K),   p' = p + d_K,

    algebraically the Douglas scheme y_0 = p + dt A p, (I - dt/2 A_k) y_k = y_(k-1) - dt/2 A_k p.
    p is 3D (unused leading axes of length 1); coefficients: K pairs (a_k, b_k) of p's
    shape for the last K axes. Every stage has unit column sums, so the total probability is
    conserved to round-off.

    Parameters
    ----------
    p : ndarray(shape=[n0, n1, n2])
        The density (unused leading axes of length 1); only read.
    coefficients : list of (ndarray, ndarray)
        K face-coefficient pairs (a_k, b_k) of p's shape, for the last K axes of P2 (20).
    dt : float
        The time step (unconditionally stable; second order).
    nsteps : int
        Number of steps.

    Returns
    -------
    ndarray(shape=[n0, n1, n2])
        The new density (a new array).
    """
    apply = kernel("apply_axis", p.size)
    solve = kernel("solve_axis", p.size)
    mid = kernel("solve_mid", p.size)
    accumulate = kernel("accumulate", p.size)
    u = np.ascontiguousarray(p, dtype=np.float64).copy()
    d = np.empty_like(u)
    t = np.empty_like(u)
    h = 0.5 * dt
    first = 3 - len(coefficients)
    # zero-flux axes other than the last: line-vectorised Thomas on a [outer, n, inner] view
    plans = []
    for k, (a, b) in enumerate(coefficients):
        axis = first + k
        wrap = np.take(a, -1, axis=axis).any() or np.take(b, -1, axis=axis).any()
        if axis < 2 and not wrap:
            shape = (int(np.prod(u.shape[:axis])), u.shape[axis],
                     int(np.prod(u.shape[axis + 1:])))
            plans.append((shape, a.reshape(shape), b.reshape(shape)))
        else:
            plans.append(None)
    scratch = np.empty_like(u)
    for _ in range(nsteps):
        d[...] = 0.0
        for k, (a, b) in enumerate(coefficients):
            apply(u, a, b, first + k, dt, d)
        for k, (a, b) in enumerate(coefficients):
            plan = plans[k]
            if plan is None:
                solve(d, a, b, first + k, h, t)
            else:
                shape, a3, b3 = plan
                mid(d.reshape(shape), a3, b3, h, t.reshape(shape), scratch.reshape(shape))
            d, t = t, d
        accumulate(u.reshape(-1), d.reshape(-1))
    return u
