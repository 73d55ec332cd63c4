"""Fokker-Planck evolution of trainable variables on a grid (P2 eq 18-22, P1 eq 11.5).

    dp/dt = d/dq_k ( D dp/dq_k - (dq_k/dt) p ),   dq_k/dt = gamma dF/dq_k        (18)-(20)

in K = 1, 2, 3 dimensions on a box of cells (for K > 3 use :mod:`emergent.stochastic.langevin`).
Finite volumes with Scharfetter-Gummel fluxes (:mod:`emergent.kernels.fp_kernels`): conservative
to round-off, p >= 0 below the explicit stability limit, and p ~ exp(gamma F / D) is the exact
discrete stationary state. Boundaries per axis: zero flux (default) or periodic.
P1 (11.5) is the special case F = const with diffusion D/2.

Time stepping: ``"explicit"`` (forward Euler, Numba parallel; in 2D a flux-form stencil built
once per stepper, temporally blocked and compensated, :mod:`emergent.kernels.fp_explicit2d`;
dt above the stability limit is refused) or ``"cn"`` (Crank-Nicolson; tridiagonal solve in
1D, Douglas ADI in 2D/3D).
Both conserve probability to round-off, and without drift in time: every kernel updates in flux
form (each face flux enters its two cells with opposite signs), so the total changes by
roundings of the increments, not of the densities (relative drift <= 1e-13 at t = 1e4 on a
double-well transient; it used to grow ~1e-14 per unit time). The 2D explicit stepper also
carries the low-order part of p through the steps of one call (Fast2Sum), so that
increments below half an ulp of p are not rounded away. In 2D/3D Crank-Nicolson runs
as fused Douglas ADI (:mod:`emergent.kernels.fp_adi`: LU factors built once per stepper, two
passes per step, a thread count measured once per grid).
High accuracy: ``solve(..., tol=...)`` picks the Chebyshev spectral solver with exact
propagators (:mod:`emergent.stochastic.fp_spectral`, chosen in
:mod:`emergent.stochastic.fp_choice`) when the model is in its scope; it conserves probability
to round-off but does not keep p >= 0.
Positivity: explicit for dt <= limit; Crank-Nicolson in 1D for dt <= 2 x limit
(I + dt/2 A >= 0 and I - dt/2 A an M-matrix); beyond that CN stays stable but its stiff modes
may leave round-off-sized negative values in far tails.

Diagnostics (:func:`diagnostics`): total probability, mean, covariance, Shannon entropy S_q (21)
and the entropy production (22) split into its diffusion part 4 D int |grad sqrt p|^2 (>= 0)
and its drift part gamma int p Laplacian(F) (the signs of P2 (22), where the extraction lost
the square roots: int sqrt(p) (-4 D Laplacian + gamma Laplacian F) sqrt(p)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from math import erf, sqrt
from typing import Any

import numba
import numpy as np

from emergent.evolution import Recorder, Result, Tracker, evolve, record_times, substeps
from emergent.grids import GridAxes
from emergent.kernels import fp_explicit2d as E2
from emergent.kernels import fp_kernels as K
from emergent.kernels.fp_common import flush_tiny
from emergent.stochastic import fp_choice

__all__ = [
    "CN_MAX_DT",
    "METHODS",
    "FokkerPlanck",
    "FokkerPlanckModel",
    "FokkerPlanckStepper",
    "Grid",
    "check_finite",
    "check_initial",
    "default_dt",
    "diagnostics",
    "entropy_rate_from_differences",
    "face_coefficients",
    "gaussian_cells",
    "ou_solution",
    "shannon_entropy",
    "solve",
    "solve_finite_volume",
    "stability_limit",
    "stationary_state",
]

MIN_CELLS = 4


@dataclass(frozen=True)
class Grid(GridAxes):
    """A box [lower_k, upper_k] of cells[k] equal cells per axis, K = len(cells) <= 3.

    periodic[k] selects a periodic axis (else zero flux). Arrays on the grid have shape `cells`;
    ``axes`` are the cell centres (the shared vocabulary of :mod:`emergent.grids`).

    Parameters
    ----------
    lower, upper : float or sequence of float
        The edges of the box per axis (finite, upper > lower); stored as tuples of K floats.
    cells : int or sequence of int
        The number of cells per axis (>= 4); K = len(cells) is 1, 2 or 3.
    periodic : sequence of bool, optional
        One flag per axis: periodic (True) or zero flux (False, the default for every axis).

    Raises
    ------
    ValueError
        K > 3 (use :mod:`emergent.stochastic.langevin`), lengths that differ, fewer than 4 cells
        on an axis, a non-finite box or upper <= lower, or the wrong number of periodic flags.
    """

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    cells: tuple[int, ...]
    periodic: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        lower = tuple(float(x) for x in np.atleast_1d(self.lower))
        upper = tuple(float(x) for x in np.atleast_1d(self.upper))
        cells = tuple(int(n) for n in np.atleast_1d(self.cells))
        dim = len(cells)
        if dim > 3:
            raise ValueError(
                f"cells: the grid solver handles K = 1, 2, 3 dimensions, got K = {dim}; "
                "use emergent.stochastic.langevin (Langevin ensemble) for K > 3")
        if dim == 0 or len(lower) != dim or len(upper) != dim:
            raise ValueError("lower, upper and cells must have the same length K in 1..3")
        if any(n < MIN_CELLS for n in cells):
            raise ValueError(f"cells: need at least {MIN_CELLS} cells per axis, got {cells}")
        if not all(np.isfinite(lower + upper)) or any(
                u <= lo for lo, u in zip(lower, upper, strict=True)):
            raise ValueError(f"upper must exceed lower (finite), got {lower}, {upper}")
        periodic = tuple(bool(x) for x in self.periodic) if len(self.periodic) else (False,) * dim
        if len(periodic) != dim:
            raise ValueError(f"periodic: need {dim} flags, got {len(periodic)}")
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "periodic", periodic)



def _check_positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def _free_energy_values(grid: Grid, free_energy: np.ndarray | Callable, t: float,
                        time_dependent: bool) -> np.ndarray:
    if callable(free_energy):
        values = free_energy(t, *grid.mesh()) if time_dependent else free_energy(*grid.mesh())
    else:
        values = free_energy
    values = np.broadcast_to(np.asarray(values, dtype=float), grid.cells)
    if not np.isfinite(values).all():
        bad = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"free_energy: non-finite value at cell {tuple(int(i) for i in bad)}"
                         f" (t = {t:g})")
    return values


def face_coefficients(grid: Grid, free_energy: np.ndarray, *, gamma: float,
                      diffusion: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Scharfetter-Gummel coefficients (a_k, b_k) per axis, arrays of shape `cells`.

    They discretise the flux of P2 (20), J_k = gamma dF/dq_k p - D dp/dq_k, through the cell
    faces. Flux / h through the face i + 1/2 along axis k: a_k[i] p_i - b_k[i] p_(i+1), with
    a = D/h^2 B(-x), b = D/h^2 B(x), x = gamma (F_(i+1) - F_i) / D and B(x) = x / (e^x - 1)
    the Bernoulli function; the wrap face of a
    zero-flux axis has a = b = 0. B below TINY (1e-150, |x| > 350) is set to zero, like the
    densities in the kernels, to keep the arithmetic out of subnormal numbers (the stationary
    ratio across such a face is below e^-350 anyway).

    Parameters
    ----------
    grid : Grid
        The box and its cells; h = grid.spacing[k].
    free_energy : ndarray(shape=grid.cells)
        F on the cells.
    gamma : float
        The drift rate of dq/dt = gamma dF/dq (P2 (19)); any finite sign.
    diffusion : float
        D > 0.

    Returns
    -------
    list of (ndarray(shape=grid.cells), ndarray(shape=grid.cells))
        (a_k, b_k) for k = 0..K-1, C-contiguous, in units of 1/time; entry i belongs to the
        face between cell i and cell i + 1 along axis k.

    Raises
    ------
    ValueError
        D not a finite number > 0.
    """
    gamma = float(gamma)
    diffusion = _check_positive("diffusion", diffusion)
    f = np.asarray(free_energy, dtype=float)
    out = []
    for k in range(grid.ndim):
        h = grid.spacing[k]
        x = gamma * (np.roll(f, -1, axis=k) - f) / diffusion
        a = diffusion / h**2 * flush_tiny(K.bernoulli(-x))
        b = diffusion / h**2 * flush_tiny(K.bernoulli(x))
        if not grid.periodic[k]:
            idx = [slice(None)] * grid.ndim
            idx[k] = -1
            a[tuple(idx)] = 0.0
            b[tuple(idx)] = 0.0
        out.append((np.ascontiguousarray(a), np.ascontiguousarray(b)))
    return out


def stability_limit(coefficients: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
    """Largest explicit dt keeping every diagonal of I + dt A non-negative (positivity, L1
    stability): 1 / max_i sum_k (b_k[i-1] + a_k[i]).

    Parameters
    ----------
    coefficients : sequence of (ndarray, ndarray)
        The face coefficients (a_k, b_k) of :func:`face_coefficients`, one pair per axis.

    Returns
    -------
    float
        The limit on the forward-Euler step (time units).
    """
    total = 0.0
    for k, (a, b) in enumerate(coefficients):
        total = total + np.roll(b, 1, axis=k) + a
    return float(1.0 / np.max(total))


def gaussian_cells(grid: Grid, mean: Sequence[float], var: Sequence[float]) -> np.ndarray:
    """Cell averages of a normal density with diagonal covariance (product of erf differences).

    Parameters
    ----------
    grid : Grid
        The box and its cells.
    mean : sequence of float
        The mean per axis (K values).
    var : sequence of float
        The variance per axis (K values, > 0).

    Returns
    -------
    ndarray(shape=grid.cells)
        The density averaged over every cell; its integral is the normal probability of the
        box (below 1 when the tails reach past its edges), not renormalised.
    """
    out = np.ones(grid.cells)
    for k in range(grid.ndim):
        e = grid.edges(k)
        s = sqrt(2.0 * var[k])
        cdf = np.array([0.5 * (1.0 + erf((x - mean[k]) / s)) for x in e])
        shape = [1] * grid.ndim
        shape[k] = grid.cells[k]
        out = out * (np.diff(cdf) / grid.spacing[k]).reshape(shape)
    return out


def ou_solution(grid: Grid, t: float, *, mean0: Sequence[float], var0: Sequence[float],
                stiffness: float, gamma: float, diffusion: float) -> np.ndarray:
    """Exact Ornstein-Uhlenbeck density (cell averages) for F = -stiffness |q|^2 / 2:

    mean(t) = mean0 e^(-gamma k t),
    var(t) = var0 e^(-2 gamma k t) + D/(gamma k) (1 - e^(-2 gamma k t)),

    the solution of P2 (20) on all of R^K from a Gaussian with diagonal covariance (on a
    zero-flux box it holds while the tails outside the box are negligible).

    Parameters
    ----------
    grid : Grid
        The box and its cells.
    t : float
        The time.
    mean0 : sequence of float
        The initial mean per axis (K values).
    var0 : sequence of float
        The initial variance per axis (K values, > 0).
    stiffness : float
        k of F = -k |q|^2 / 2; gamma k must be nonzero (> 0 for a relaxing density).
    gamma : float
        The drift rate (P2 (19)).
    diffusion : float
        D > 0.

    Returns
    -------
    ndarray(shape=grid.cells)
        The cell averages of the Gaussian at time `t` (:func:`gaussian_cells`).
    """
    r = gamma * stiffness
    decay = np.exp(-r * t)
    mean = [m * decay for m in mean0]
    var = [v * decay**2 + diffusion / r * (1 - decay**2) for v in var0]
    return gaussian_cells(grid, mean, var)


def stationary_state(grid: Grid, free_energy: np.ndarray, *, gamma: float,
                     diffusion: float) -> np.ndarray:
    """p = exp(gamma F / D) / Z on the cells (the exact discrete stationary state).

    Zero flux in P2 (20), D dp/dq = gamma dF/dq p, holds face by face for the
    Scharfetter-Gummel scheme of :func:`face_coefficients`.

    Parameters
    ----------
    grid : Grid
        The box and its cells.
    free_energy : ndarray(shape=grid.cells)
        F on the cells.
    gamma : float
        The drift rate (P2 (19)).
    diffusion : float
        D > 0.

    Returns
    -------
    ndarray(shape=grid.cells)
        The density, normalised to sum(p) h^K = 1.

    Raises
    ------
    ValueError
        D not a finite number > 0.
    """
    diffusion = _check_positive("diffusion", diffusion)
    x = gamma * np.asarray(free_energy, dtype=float) / diffusion
    p = np.exp(x - x.max())
    return p / (p.sum() * grid.cell_volume)


def shannon_entropy(p: np.ndarray, grid: Grid) -> float:
    """S_q = -int d^Kq p log p (P2 eq 21), 0 log 0 = 0.

    Parameters
    ----------
    p : ndarray(shape=grid.cells)
        The density on the cells (entries <= 0 contribute nothing).
    grid : Grid
        The grid of `p`; the integral is the sum times the cell volume h^K.

    Returns
    -------
    float
        The Shannon entropy S_q.
    """
    pos = p[p > 0]
    return float(-np.sum(pos * np.log(pos)) * grid.cell_volume)


def _laplacian_conservative(f: np.ndarray, grid: Grid) -> np.ndarray:
    """Laplacian as the divergence of face differences (interior faces only on zero-flux axes);
    sum_i p_i lap_i h^K = -sum_faces (dp)(dF) h^K / h^2 exactly (summation by parts)."""
    out = np.zeros_like(f)
    for k in range(grid.ndim):
        h = grid.spacing[k]
        d = (np.roll(f, -1, axis=k) - f) / h**2
        if not grid.periodic[k]:
            idx = [slice(None)] * grid.ndim
            idx[k] = -1
            d[tuple(idx)] = 0.0
        out += d - np.roll(d, 1, axis=k)
    return out


def diagnostics(p: np.ndarray, grid: Grid, *, free_energy: np.ndarray, gamma: float,
                diffusion: float) -> dict[str, np.ndarray | float]:
    """Diagnostics of one state p (shape `cells`).

    Returns total, mean [K], cov [K, K], entropy S_q (21), production_diffusion
    = 4 D int |grad sqrt p|^2, production_drift = gamma int p Laplacian F, production
    = their sum (P2 eq 22), and production_discrete = -sum_faces J (Delta log p), the exact
    rate of change of the discrete S_q under the semi-discrete scheme.

    Parameters
    ----------
    p : ndarray(shape=grid.cells)
        The density on the cells.
    grid : Grid
        The box and its cells.
    free_energy : ndarray(shape=grid.cells)
        F on the cells.
    gamma : float
        The drift rate (P2 (19)).
    diffusion : float
        D > 0.

    Returns
    -------
    dict of str to float or ndarray
        ``total`` (int p), ``mean`` (ndarray(shape=[K])), ``cov`` (ndarray(shape=[K, K]),
        both normalised by the total), ``entropy`` (P2 eq 21), ``production_diffusion``,
        ``production_drift``, ``production`` (P2 eq 22) and ``production_discrete`` (floats).

    Raises
    ------
    ValueError
        D not a finite number > 0.
    """
    dv = grid.cell_volume
    total = float(p.sum() * dv)
    mesh = grid.mesh()
    mean = np.array([float((p * x).sum() * dv) / total for x in mesh])
    cov = np.empty((grid.ndim, grid.ndim))
    for i in range(grid.ndim):
        for j in range(grid.ndim):
            cov[i, j] = float((p * (mesh[i] - mean[i]) * (mesh[j] - mean[j])).sum() * dv) / total
    f = np.asarray(free_energy, dtype=float)
    root = np.sqrt(np.maximum(p, 0.0))
    fisher = 0.0
    discrete = 0.0
    coeffs = face_coefficients(grid, f, gamma=gamma, diffusion=diffusion)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(p)
    for k in range(grid.ndim):
        h = grid.spacing[k]
        d = (np.roll(root, -1, axis=k) - root) / h
        a, b = coeffs[k]
        flux = a * p - b * np.roll(p, -1, axis=k)  # J / h
        with np.errstate(invalid="ignore"):
            dlog = np.roll(logp, -1, axis=k) - logp
        if not grid.periodic[k]:
            idx = [slice(None)] * grid.ndim
            idx[k] = -1
            d[tuple(idx)] = 0.0
            dlog[tuple(idx)] = 0.0
        fisher += float(np.sum(d * d) * dv)
        mask = (flux != 0) & np.isfinite(dlog)  # faces next to an exactly empty cell: 0
        discrete += float(-np.sum(flux[mask] * dlog[mask]) * dv)
    prod_diff = 4.0 * diffusion * fisher
    prod_drift = float(gamma * np.sum(p * _laplacian_conservative(f, grid)) * dv)
    return {
        "total": total, "mean": mean, "cov": cov, "entropy": shannon_entropy(p, grid),
        "production_diffusion": prod_diff, "production_drift": prod_drift,
        "production": prod_diff + prod_drift, "production_discrete": discrete,
    }


class FokkerPlanck:
    """A compiled stepper for one grid, free energy, gamma, D, method and dt.

    ``step(p, nsteps)`` advances p (shape `cells`) by nsteps * dt and returns the new array.
    For a time-dependent F (callable F(t, *mesh)) use :func:`solve`, which rebuilds the
    coefficients each step. Memory: the explicit 2D stepper keeps its stencil (4 arrays of the
    grid's size, plus 64 ghost columns) and three work arrays (the result's low-order part and
    two scratch arrays; 16,384 cells and more) besides the face coefficients; the
    2D/3D Crank-Nicolson stepper keeps the LU factors of its ADI line solves (3 arrays per
    axis, 5 for a periodic one) and one scratch array (:class:`emergent.kernels.fp_adi.AdiPlan`).

    Parameters
    ----------
    grid : Grid
        The box and its cells.
    free_energy : ndarray(shape=grid.cells) or callable
        F on the cells, or a callable F(*mesh) evaluated on the cell centres.
    gamma : float
        The drift rate of dq/dt = gamma dF/dq (P2 (19)); any finite sign.
    diffusion : float
        D > 0.
    dt : float
        The step (> 0; for ``"explicit"`` at most the stability limit ``dt_limit``).
    method : {"cn", "explicit"}
        Crank-Nicolson (Douglas ADI in 2D/3D) or forward Euler.

    Raises
    ------
    ValueError
        An unknown method, non-finite gamma or F, D <= 0, dt <= 0, or an explicit dt above
        the stability limit (:func:`stability_limit`).
    """

    def __init__(self, grid: Grid, free_energy: np.ndarray, *, gamma: float, diffusion: float,
                 dt: float, method: str = "cn") -> None:
        if method not in ("explicit", "cn"):
            raise ValueError(f"method must be 'explicit' or 'cn', got {method!r}")
        self.grid = grid
        self.method = method
        self.gamma = float(gamma)
        if not np.isfinite(self.gamma):
            raise ValueError(f"gamma must be finite, got {gamma!r}")
        self.diffusion = _check_positive("diffusion", diffusion)
        self.dt = _check_positive("dt", dt)
        self.free_energy = _free_energy_values(grid, free_energy, 0.0, False)
        self.coefficients = face_coefficients(grid, self.free_energy, gamma=self.gamma,
                                              diffusion=self.diffusion)
        self.dt_limit = stability_limit(self.coefficients)
        if method == "explicit" and self.dt > self.dt_limit:
            raise ValueError(f"dt = {self.dt:g} exceeds the explicit stability limit "
                             f"{self.dt_limit:.6g} (use dt <= limit or method='cn')")
        self._adi: K.AdiPlan | None = None  # ADI in 2D/3D: factors built when they pay off
        self._adi_used = False
        self._stencil: np.ndarray | None = None  # explicit 2D: built on the first step
        self._low: np.ndarray | None = None  # explicit 2D, blocked: the result's low part
        self._work: tuple[np.ndarray, np.ndarray] | None = None  # and two scratch arrays

    def step(self, p: np.ndarray, nsteps: int = 1, out: np.ndarray | None = None) -> np.ndarray:
        """p after `nsteps` steps (p itself is not modified). `out` (float64, C-contiguous,
        shape `cells`, not overlapping p): write the result there, for loops that reuse one
        buffer; used by the explicit 2D stepper, which also keeps its work buffers.

        The explicit 2D stepper is compensated (:mod:`emergent.kernels.fp_explicit2d`): the
        low-order part of p starts at zero, is carried through the `nsteps` steps, and is
        rounded into the result at the end (the result is the compensated density rounded to
        nearest). So each call is a function of p and `nsteps` alone (a run resumed from a
        saved p repeats the original's bits), and a call boundary costs at most the rounding
        of one uncompensated step: prefer one call with many steps to many calls with few.

        Parameters
        ----------
        p : ndarray(shape=grid.cells)
            The density at the start.
        nsteps : int
            The number of steps of size ``dt`` (>= 0).
        out : ndarray(shape=grid.cells), optional
            A float64, C-contiguous buffer for the result that does not overlap `p`.

        Returns
        -------
        ndarray(shape=grid.cells)
            The density nsteps * dt later (`out` when given).

        Raises
        ------
        ValueError
            `p` of the wrong shape, nsteps < 0, or an unusable `out`.
        """
        p = np.ascontiguousarray(p, dtype=float)
        if p.shape != self.grid.cells:
            raise ValueError(f"p must have shape {self.grid.cells}, got {p.shape}")
        nsteps = int(nsteps)
        if nsteps < 0:
            raise ValueError(f"nsteps must be >= 0, got {nsteps}")
        if out is not None and (not isinstance(out, np.ndarray) or out.shape != p.shape
                                or out.dtype != np.float64 or not out.flags.c_contiguous
                                or np.shares_memory(out, p)):
            raise ValueError(f"out must be a C-contiguous float64 array of shape {p.shape} "
                             "that does not overlap p")
        c = self.coefficients
        size = p.size
        if self.method == "explicit" and self.grid.ndim == 2:
            res = self._explicit_2d(p, nsteps, out)
        elif self.method == "explicit" and self.grid.ndim == 1:
            res = K.kernel("explicit_1d", size)(p, c[0][0], c[0][1], self.dt, nsteps)
        elif self.method == "explicit":
            res = K.kernel("explicit_3d", size)(p, c[0][0], c[0][1], c[1][0], c[1][1],
                                                c[2][0], c[2][1], self.dt, nsteps)
        elif self.grid.ndim == 1:
            res = K.cn1d_steps(p, c[0][0], c[0][1], self.dt, nsteps)
        else:
            if self._adi is None and nsteps <= 1 and not self._adi_used:
                # one step on a fresh stepper (a time-dependent F builds one per step): the
                # factors would cost more than they save; the reference path agrees to 1e-14
                self._adi_used = True
                pad = (1,) * (3 - self.grid.ndim)
                res = K.adi_steps_reference(
                    p.reshape(pad + p.shape), [(a.reshape(pad + a.shape), b.reshape(pad + b.shape))
                                               for a, b in c], self.dt, nsteps).reshape(p.shape)
            else:
                if self._adi is None:
                    self._adi = K.AdiPlan(c, self.dt)
                res = K.adi_steps(p, c, self.dt, nsteps, plan=self._adi)
        if out is None or res is out:
            return res
        out[...] = res
        return out

    def _explicit_2d(self, p: np.ndarray, nsteps: int, out: np.ndarray | None) -> np.ndarray:
        """The temporally blocked stencil kernel (bit-identical to the per-step one, which
        small grids use), compensated: the low-order part of p starts at zero and is rounded
        into the result at the end (:meth:`step`)."""
        if self._stencil is None:
            self._stencil = E2.stencil_2d(self.coefficients, self.dt)
        if p.size < E2.BLOCKED_MIN_CELLS:
            return K.kernel("explicit_2d", p.size)(p, E2.NO_LOW, self._stencil, E2.GHOST,
                                                   nsteps)[0]
        if out is None:
            out = np.empty_like(p)
        parallel = p.size >= K.PARALLEL_MIN_CELLS
        threads = numba.get_num_threads() if parallel else 1
        depth, nchunks, strip = E2.blocked_plan(p.shape, threads)
        if self._low is None:
            self._low = np.empty_like(p)
        if self._work is None and nsteps > depth:
            self._work = (np.empty_like(p), np.empty_like(p))
        # one pass: the work arrays are never written
        work, work_lo = self._work if self._work is not None else (out, self._low)
        return K.kernel("explicit_2d_blocked", p.size)(p, E2.NO_LOW, self._stencil, E2.GHOST,
                                                       nsteps, depth, nchunks, strip, out,
                                                       self._low, work, work_lo)


def check_finite(p: np.ndarray, t: float) -> None:
    """Raise FloatingPointError naming the time and the cell if p is not finite.

    Parameters
    ----------
    p : ndarray
        The density (any shape).
    t : float
        The time of `p`, for the message.

    Raises
    ------
    FloatingPointError
        An entry of `p` is NaN or infinite; the message names the first such cell.
    """
    if not np.isfinite(p).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(p))[0])
        raise FloatingPointError(f"p became non-finite at t = {t:.6g} in cell {bad}")


@dataclass(frozen=True, eq=False)
class FokkerPlanckModel:
    """The physics of P2 (20), given once: dp/dt = -gamma div(p grad F) + D Laplacian p.

    Parameters
    ----------
    grid : Grid
        The box and its cells (K = 1, 2, 3).
    free_energy : ndarray(shape=grid.cells) or callable
        F on the cells, or a callable F(*mesh) evaluated on the cell centres, or, with
        `time_dependent`, a callable F(t, *mesh).
    gamma : float
        The learning rate of the drift dq/dt = gamma dF/dq (P2 (19)); any finite sign.
    diffusion : float
        D > 0.
    time_dependent : bool
        F depends on time: the face coefficients are rebuilt every step at its midpoint.

    Raises
    ------
    ValueError
        Non-finite F or gamma, D <= 0.
    """

    grid: Grid
    free_energy: np.ndarray | Callable[..., np.ndarray]
    gamma: float
    diffusion: float
    time_dependent: bool = False

    def __post_init__(self) -> None:
        if not np.isfinite(self.gamma):
            raise ValueError(f"gamma must be finite, got {self.gamma!r}")
        object.__setattr__(self, "gamma", float(self.gamma))
        object.__setattr__(self, "diffusion", _check_positive("diffusion", self.diffusion))
        if not callable(self.free_energy):
            object.__setattr__(self, "free_energy",
                               _free_energy_values(self.grid, self.free_energy, 0.0, False))

    def free_energy_at(self, t: float) -> np.ndarray:
        """F on the cells at time `t` (the same array for a time-independent F).

        Parameters
        ----------
        t : float
            The time (used only when the model is `time_dependent`).

        Returns
        -------
        ndarray(shape=grid.cells)
            F on the cells (a read-only broadcast view).

        Raises
        ------
        ValueError
            The callable F gave a non-finite value.
        """
        return _free_energy_values(self.grid, self.free_energy, t, self.time_dependent)

    def stepper(self, t: float, dt: float, method: str) -> FokkerPlanck:
        """The compiled one-step operator for F(t) and step `dt` (see :class:`FokkerPlanck`).

        Parameters
        ----------
        t : float
            The time at which F is evaluated.
        dt : float
            The step (> 0).
        method : {"cn", "explicit"}
            The time stepping.

        Returns
        -------
        FokkerPlanck
            The stepper.

        Raises
        ------
        ValueError
            As :class:`FokkerPlanck` (an unknown method, dt <= 0, an explicit dt above the
            limit) or a non-finite F(t).
        """
        return FokkerPlanck(self.grid, self.free_energy_at(t), gamma=self.gamma,
                            diffusion=self.diffusion, dt=dt, method=method)

    def dt_limit(self, t: float = 0.0) -> float:
        """The explicit stability limit at time `t` (:func:`stability_limit`).

        Parameters
        ----------
        t : float
            The time at which F is evaluated.

        Returns
        -------
        float
            The largest forward-Euler step that keeps p >= 0.
        """
        return stability_limit(face_coefficients(self.grid, self.free_energy_at(t),
                                                 gamma=self.gamma, diffusion=self.diffusion))

    def diagnostics(self, p: np.ndarray, t: float = 0.0) -> dict[str, Any]:
        """:func:`diagnostics` of the density `p` at time `t`.

        Parameters
        ----------
        p : ndarray(shape=grid.cells)
            The density on the cells.
        t : float
            The time at which F is evaluated.

        Returns
        -------
        dict of str to float or ndarray
            total, mean, cov, entropy (P2 eq 21) and the entropy production (P2 eq 22) with
            its parts, as :func:`diagnostics`.
        """
        return diagnostics(p, self.grid, free_energy=self.free_energy_at(t), gamma=self.gamma,
                           diffusion=self.diffusion)


METHODS = ("cn", "explicit")
"""The time-stepping methods: Crank-Nicolson (Douglas ADI in 2D/3D) and forward Euler."""
CN_MAX_DT = 0.02
"""The cap on the default Crank-Nicolson step (:func:`default_dt`)."""


def default_dt(model: FokkerPlanckModel, method: str = "cn") -> float:
    """The default time step: 0.9 x the explicit stability limit for ``"explicit"``;
    min(0.02, 2 x the limit) for ``"cn"``.

    2 x the limit keeps Crank-Nicolson positive in 1D (I + dt/2 A >= 0); the cap 0.02 keeps
    its O(dt^2) error below the O(h^2) error of the default grids (the Ornstein-Uhlenbeck
    check of P2 (20) reaches L1 <= 1e-3 at t = 1 with 1,024 cells).

    Parameters
    ----------
    model : FokkerPlanckModel
        The problem.
    method : {"cn", "explicit"}
        The time stepping.

    Returns
    -------
    float
        The step.

    Raises
    ------
    ValueError
        An unknown method.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    limit = model.dt_limit()
    return 0.9 * limit if method == "explicit" else min(CN_MAX_DT, 2.0 * limit)


class FokkerPlanckStepper:
    """Advances a density between recorded times with steps of at most `dt` (a
    :class:`emergent.evolution.Stepper`); used by :func:`solve` and the ``fokker-planck``
    simulation.

    Parameters
    ----------
    model : FokkerPlanckModel
        The problem.
    dt : float, optional
        The largest step; default :func:`default_dt`.
    method : {"cn", "explicit"}
        The time stepping.

    Raises
    ------
    ValueError
        dt <= 0, an unknown method, or an explicit dt above the stability limit.
    FloatingPointError
        (from :meth:`advance`) p became non-finite; the message names the time and the cell.
    """

    def __init__(self, model: FokkerPlanckModel, dt: float | None = None,
                 method: str = "cn") -> None:
        self.model = model
        self.method = method
        self.dt = default_dt(model, method) if dt is None else _check_positive("dt", dt)
        self.dt_limit = model.dt_limit()
        self._op: FokkerPlanck | None = None

    def operator(self, sub: float) -> FokkerPlanck:
        """The compiled operator for the step `sub`, kept while the step stays the same to
        1e-12 (equally spaced recorded times differ in their last bits; the time error of
        reusing the operator is below 1e-12 of a step).

        Parameters
        ----------
        sub : float
            The step (> 0), at most ``dt``.

        Returns
        -------
        FokkerPlanck
            The operator for F at t = 0 (a time-independent F) and step `sub`.
        """
        if self._op is None or abs(self._op.dt - sub) > 1e-12 * sub:
            self._op = self.model.stepper(0.0, sub, self.method)
        return self._op

    def advance(self, state: np.ndarray, t0: float, t1: float) -> np.ndarray:
        """The density at `t1` from the density `state` at `t0` (a new array).

        The interval is cut into equal steps of at most ``dt``
        (:func:`emergent.evolution.substeps`); a time-dependent F is evaluated at the
        midpoint of every step.

        Parameters
        ----------
        state : ndarray(shape=grid.cells)
            The density at `t0`.
        t0, t1 : float
            The interval, t0 < t1.

        Returns
        -------
        ndarray(shape=grid.cells)
            The density at `t1`.

        Raises
        ------
        FloatingPointError
            The density became non-finite; the message names the time and the cell.
        """
        n, sub = substeps(t0, t1, self.dt)
        p = state
        if self.model.time_dependent:
            t = t0
            for _ in range(n):
                p = self.model.stepper(t + 0.5 * sub, sub, self.method).step(p, 1)
                t += sub
        else:
            p = self.operator(sub).step(p, n)
        check_finite(p, t1)
        return p

    def save(self, state: np.ndarray) -> dict[str, Any]:
        """The checkpoint: the density and the step of the operator in use (so that a resumed
        run steps with the same operator, bit for bit).

        Parameters
        ----------
        state : ndarray(shape=grid.cells)
            The density.

        Returns
        -------
        dict of str to Any
            ``p`` (the density) and, once an operator is built, ``substep`` (its step).
        """
        saved: dict[str, Any] = {"p": state}
        if self._op is not None:
            saved["substep"] = self._op.dt
        return saved

    def load(self, saved: Mapping[str, Any]) -> np.ndarray:
        """The density of a checkpoint made by :meth:`save` (and its operator).

        Parameters
        ----------
        saved : mapping of str to Any
            The checkpoint: ``p`` and optionally ``substep``, whose operator is rebuilt.

        Returns
        -------
        ndarray(shape=grid.cells)
            The density, as a float array.
        """
        if "substep" in saved and not self.model.time_dependent:
            self._op = self.model.stepper(0.0, float(saved["substep"]), self.method)
        return np.asarray(saved["p"], dtype=float)


def check_initial(p0: np.ndarray, grid: Grid) -> np.ndarray:
    """`p0` as a float array after checking its shape, finiteness and sign.

    Parameters
    ----------
    p0 : array_like
        The initial density on the cells.
    grid : Grid
        The grid it must fit.

    Returns
    -------
    ndarray(shape=grid.cells)
        `p0` as float64 (not normalised).

    Raises
    ------
    ValueError
        Wrong shape, a non-finite or a negative value.
    """
    p = np.asarray(p0, dtype=float)
    if p.shape != grid.cells:
        raise ValueError(f"p0 must have shape {grid.cells}, got {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("p0 must be finite and >= 0")
    return p


def solve(p0: np.ndarray | Callable[..., np.ndarray], model: FokkerPlanckModel,
          t_final: float, *, dt: float | None = None, method: str = "auto", saves: int = 11,
          trackers: Sequence[Tracker] = (), tol: float | None = None) -> Result:
    """Evolve the density `p0` from t = 0 to `t_final` under P2 (20) and record `saves` states.

    Method choice from the requested accuracy (``method="auto"``): without `tol`, today's
    positivity-preserving finite volumes (Crank-Nicolson); with `tol`, the spectral solver of
    :mod:`emergent.stochastic.fp_spectral` (Chebyshev collocation, exact propagators) at the
    lowest degree whose estimated L1 error is <= tol, where the model is in its scope
    (time-independent F given as a callable sum of one-axis terms, zero-flux axes); else the
    finite volumes with a Richardson estimate (the same run on cells/2 with 2 dt), which must
    be <= tol. ``info`` states the method, the estimated error, the probability drift and the
    smallest density.

    Parameters
    ----------
    p0 : ndarray(shape=model.grid.cells) or callable
        The initial density (finite, >= 0): cell averages, or a callable p0(*q) (the finite
        volumes take its cell averages by 3-point Gauss-Legendre quadrature per axis).
    model : FokkerPlanckModel
        Grid, free energy, gamma and D.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step (default :func:`default_dt`).
    method : {"auto", "cn", "explicit", "spectral"}
        Chosen from `tol` (see above), Crank-Nicolson (ADI in 2D/3D), forward Euler, or the
        spectral solver (needs `tol`).
    saves : int
        Recorded times, equally spaced, t = 0 and `t_final` included (>= 2).
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded time after the result's own recorder.
    tol : float, optional
        The requested L1 error of the recorded cell averages (> 0).

    Returns
    -------
    emergent.evolution.Result
        ``t`` [saves], ``states`` [saves, *cells], ``final``, ``series`` (the
        :func:`diagnostics` of every recorded state: total, mean, cov, entropy (21),
        production (22) and its parts) and ``info``: method, dt, dt_limit (finite volumes),
        degree (spectral), error_estimate (when `tol` is given), mass_drift, min_p.

    Raises
    ------
    ValueError
        A bad p0, t_final <= 0, saves < 2, dt <= 0, an explicit dt above the limit, an
        unknown method, tol <= 0, ``"spectral"`` without tol or outside its scope, or no
        method reaching `tol` (the message gives the estimate).
    FloatingPointError
        p became non-finite (names the time and the cell).
    """
    if not callable(p0):
        p0 = check_initial(p0, model.grid)
    t_final = _check_positive("t_final", t_final)
    return fp_choice.solve_chosen(solve_finite_volume, p0, model, t_final, dt=dt,
                                  method=method, saves=saves, trackers=trackers, tol=tol)


def solve_finite_volume(p0: np.ndarray, model: FokkerPlanckModel, t_final: float, *,
                        dt: float | None = None, method: str = "cn", saves: int = 11,
                        trackers: Sequence[Tracker] = ()) -> Result:
    """Today's finite-volume solve (:class:`FokkerPlanckStepper`) of P2 (20).

    Parameters
    ----------
    p0 : ndarray(shape=model.grid.cells)
        The initial cell averages (finite, >= 0).
    model : FokkerPlanckModel
        Grid, free energy, gamma and D.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step (default :func:`default_dt`).
    method : {"cn", "explicit"}
        Crank-Nicolson (ADI in 2D/3D) or forward Euler.
    saves : int
        Recorded times (>= 2).
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded time after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        As :func:`solve`; ``info`` has dt, dt_limit and method.

    Raises
    ------
    ValueError
        As :func:`solve`.
    FloatingPointError
        p became non-finite (names the time and the cell).
    """
    p = check_initial(p0, model.grid)
    t_final = _check_positive("t_final", t_final)
    times = record_times(t_final, saves)
    stepper = FokkerPlanckStepper(model, dt, method)
    recorder = Recorder(lambda frame: model.diagnostics(frame.state, frame.t), keep_states=True)
    evolve(stepper, p, times, [recorder, *trackers])
    return recorder.result(dt=stepper.dt, dt_limit=stepper.dt_limit, method=method)


def entropy_rate_from_differences(result: Result) -> np.ndarray:
    """dS_q/dt by second-order finite differences in time of the recorded entropy (P2 (21)).

    Parameters
    ----------
    result : emergent.evolution.Result
        A result of :func:`solve`.

    Returns
    -------
    ndarray(shape=[saves])
        The rate at every recorded time, to compare with the production (22).
    """
    return np.gradient(result.series["entropy"], result.t, edge_order=2)
