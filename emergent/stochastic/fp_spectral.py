"""Chebyshev collocation with exact exponential time stepping for P2 (20) (high accuracy).

    dp/dt = d/dq_k ( D dp/dq_k - gamma dF/dq_k p )                                     (20)

on the box of a :class:`~emergent.stochastic.fokker_planck.Grid` with zero flux on every wall,
for a free energy that is a sum of one-axis terms, F(q) = sum_k f_k(q_k) + const (every
potential of :func:`emergent.stochastic.langevin.potential_values` is). The operator is then
the Kronecker sum of K one-axis operators L_k, and the propagator over any interval is exact:

    p(t + s) = (exp(s L_1) x ... x exp(s L_K)) p(t),

so a step costs K small matrix products (O(n^{K+1}) for n + 1 nodes per axis) and has no time
error beyond round-off. Per axis: n + 1 Chebyshev-Lobatto nodes, the collocation matrix of
L_k = d/dq (D d/dq - v), v = gamma f_k', and the zero-flux rows D p' - v p = 0 at both walls
eliminated (the wall values follow from the interior ones). exp(s L_k) is
:func:`scipy.linalg.expm` of the interior block.

Probability: collocation conserves int p only to the discretisation error; each one-axis
propagator gets the rank-one correction E + u (w^T - w^T E) / (w^T u) (w the Clenshaw-Curtis
weights, u the stationary state exp(gamma f_k / D)), after which sum w p is conserved to
round-off and the stationary state is kept. Positivity is not guaranteed (min p is reported;
the finite-volume solver of :mod:`emergent.stochastic.fokker_planck` keeps p >= 0).

Output on the grid's cells: the exact cell averages of the Chebyshev interpolant (the
antiderivative evaluated at the cell edges), so the L1 error of the cell averages is at most
the L1 error of the spectral solution. Error estimate (:func:`solve_spectral`): the L1
difference of the cell averages between the chosen degree and the next lower degree of
:data:`MODE_LADDER`, at every recorded time (spectral convergence makes the finer solution
much more accurate than this difference), plus the misfit of the initial cell averages when p0
is given on cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev as cheb
from scipy.linalg import expm

__all__ = [
    "ChebyshevAxis",
    "MODE_LADDER",
    "SpectralFokkerPlanck",
    "SpectralUnavailable",
    "axis_free_energies",
    "chebyshev_axis",
    "solve_spectral",
]

MODE_LADDER = (12, 16, 20, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 256)
"""The polynomial degrees n tried, smallest first, when the solver picks the resolution."""
MAX_NODES = 2_200_000
"""The most tensor-grid nodes the ladder climbs to (3D: degree 128)."""
MAX_CELL_CONDITION = 1e4
"""The largest condition number of the cell-average map accepted to read p0 from cells."""
SEPARABLE_RTOL = 1e-10
"""Relative size of the mixed part of F below which F counts as a sum of one-axis terms."""


class SpectralUnavailable(ValueError):
    """The problem is outside what the spectral solver handles (the message says why)."""


@dataclass
class ChebyshevAxis:
    """One axis: n + 1 Chebyshev-Lobatto nodes on [lower, upper] and its zero-flux operator.

    Parameters
    ----------
    lower, upper : float
        The interval.
    degree : int
        n, the polynomial degree (n + 1 nodes).
    drift : ndarray(shape=[n + 1])
        v = gamma df_k/dq at the nodes.
    diffusion : float
        D > 0.
    stationary : ndarray(shape=[n + 1])
        exp(gamma f_k / D) at the nodes (any positive scale): the mass-correction direction.
    cells : int
        The number of output cells on the interval.
    """

    lower: float
    upper: float
    degree: int
    drift: np.ndarray
    diffusion: float
    stationary: np.ndarray
    cells: int
    nodes: np.ndarray = field(init=False)
    weights: np.ndarray = field(init=False)
    to_coefficients: np.ndarray = field(init=False)
    cell_average: np.ndarray = field(init=False)
    _interior: np.ndarray = field(init=False, repr=False)
    _walls: np.ndarray = field(init=False, repr=False)
    _propagators: dict[float, np.ndarray] = field(init=False, repr=False)
    _from_cells: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        n = self.degree
        half = 0.5 * (self.upper - self.lower)
        xi = -np.cos(np.pi * np.arange(n + 1) / n)
        self.nodes = self.lower + half * (xi + 1.0)
        vander = cheb.chebvander(xi, n)
        self.to_coefficients = np.linalg.inv(vander)
        k = np.arange(n + 1)
        moments = np.where(k % 2 == 0, 2.0 / (1.0 - k**2.0 + (k == 1)), 0.0)
        self.weights = half * moments @ self.to_coefficients
        d1 = _differentiation_matrix(xi) / half
        flux = self.diffusion * d1 - np.diag(self.drift)  # D p' - v p at the nodes
        full = d1 @ flux
        walls = [0, n]
        inner = slice(1, n)
        wall_rows = flux[walls]
        elim = -np.linalg.solve(wall_rows[:, walls], wall_rows[:, inner])
        self._walls = elim  # p at the walls from the interior values
        self._interior = full[inner, inner] + full[inner][:, walls] @ elim
        integral = cheb.chebint(np.eye(n + 1), lbnd=-1, scl=half, axis=0)
        edges = np.linspace(-1.0, 1.0, self.cells + 1)
        cumulative = cheb.chebvander(edges, n + 1) @ integral @ self.to_coefficients
        self.cell_average = np.diff(cumulative, axis=0) / (2.0 * half / self.cells)
        self._propagators = {}

    def propagator(self, dt: float) -> np.ndarray:
        """exp(dt L) on the n + 1 nodal values, mass-corrected (cached per dt; a step within
        1e-12 of a cached one reuses it, as equally spaced recorded times differ in their
        last bits).

        Parameters
        ----------
        dt : float
            The interval (> 0).

        Returns
        -------
        ndarray(shape=[n + 1, n + 1])
            The matrix E with sum(w * (E p)) = sum(w * p) to round-off.
        """
        key = float(dt)
        for cached in self._propagators:
            if abs(cached - key) <= 1e-12 * key:
                return self._propagators[cached]
        if key not in self._propagators:
            n = self.degree
            inner = expm(key * self._interior)
            e = np.zeros((n + 1, n + 1))
            e[1:n, 1:n] = inner
            e[[0, n], 1:n] = self._walls @ inner
            u = self.stationary
            e += np.outer(u, self.weights - self.weights @ e) / (self.weights @ u)
            self._propagators[key] = e
        return self._propagators[key]

    def from_cells(self) -> np.ndarray:
        """The least-squares map from cell averages to nodal values (pseudo-inverse).

        Returns
        -------
        ndarray(shape=[n + 1, cells])
            The map.

        Raises
        ------
        SpectralUnavailable
            Too few cells, or cells too coarse to fix a degree-n polynomial stably.
        """
        if self._from_cells is None:
            if self.cells < 2 * (self.degree + 1):
                raise SpectralUnavailable(
                    f"p0 on {self.cells} cells cannot fix a degree-{self.degree} polynomial; "
                    "give p0 as a callable p0(*q)")
            cond = np.linalg.cond(self.cell_average)
            if cond > MAX_CELL_CONDITION:
                raise SpectralUnavailable(
                    f"p0 on {self.cells} cells fixes a degree-{self.degree} polynomial only "
                    f"with condition {cond:.1e}; give p0 as a callable p0(*q)")
            self._from_cells = np.linalg.pinv(self.cell_average)
        return self._from_cells


def _differentiation_matrix(x: np.ndarray) -> np.ndarray:
    """The Chebyshev-Lobatto differentiation matrix on the nodes x (barycentric form)."""
    n = x.size - 1
    c = np.ones(n + 1)
    c[0] = c[-1] = 2.0
    c *= (-1.0) ** np.arange(n + 1)
    dx = x[:, None] - x[None, :]
    d = np.outer(c, 1.0 / c) / (dx + np.eye(n + 1))
    d -= np.diag(d.sum(axis=1))
    return d


def axis_free_energies(free_energy: Callable[..., np.ndarray],
                       nodes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The one-axis parts f_k of a free energy F = sum_k f_k(q_k) + const at the nodes.

    Parameters
    ----------
    free_energy : callable
        F(*mesh), evaluated on the tensor grid of `nodes`.
    nodes : sequence of ndarray
        The nodes of every axis (K arrays).

    Returns
    -------
    list of ndarray
        f_k at the nodes of axis k (F along the line through the first node of the other
        axes).

    Raises
    ------
    SpectralUnavailable
        F is not finite at the nodes, or not a sum of one-axis terms (relative mixed part
        above 1e-10).
    """
    mesh = np.meshgrid(*nodes, indexing="ij")
    try:
        values = np.broadcast_to(np.asarray(free_energy(*mesh), dtype=float), mesh[0].shape)
    except (ValueError, FloatingPointError) as exc:
        raise SpectralUnavailable(f"free_energy at the Chebyshev nodes: {exc}") from exc
    if not np.isfinite(values).all():
        raise SpectralUnavailable("free_energy is not finite at the Chebyshev nodes "
                                  "(the walls of the box)")
    dim = len(nodes)
    parts = []
    for k in range(dim):
        idx = [0] * dim
        idx[k] = slice(None)
        parts.append(np.array(values[tuple(idx)]))
    rebuilt = -(dim - 1) * values[(0,) * dim]
    for k, f in enumerate(parts):
        shape = [1] * dim
        shape[k] = f.size
        rebuilt = rebuilt + f.reshape(shape)
    scale = max(float(np.abs(values).max()), 1.0)
    if np.abs(values - rebuilt).max() > SEPARABLE_RTOL * scale:
        raise SpectralUnavailable("free_energy is not a sum of one-axis terms "
                                  "F = sum_k f_k(q_k); the spectral solver needs that")
    return parts


def chebyshev_axis(model: Any, degrees: Sequence[int]) -> list[ChebyshevAxis]:
    """The K :class:`ChebyshevAxis` of a model for the given polynomial degrees.

    Parameters
    ----------
    model : emergent.stochastic.fokker_planck.FokkerPlanckModel
        A time-independent model with zero-flux axes and a callable free energy F(*mesh).
    degrees : sequence of int
        n per axis (>= 4).

    Returns
    -------
    list of ChebyshevAxis
        One per axis.

    Raises
    ------
    SpectralUnavailable
        A time-dependent F, F given as cell values, a periodic axis, or a free energy that is
        not a sum of one-axis terms.
    """
    grid = model.grid
    if model.time_dependent:
        raise SpectralUnavailable("the spectral solver needs a time-independent free energy")
    if not callable(model.free_energy):
        raise SpectralUnavailable("the spectral solver needs free_energy as a callable F(*q), "
                                  "not values on the cells")
    if any(grid.periodic):
        raise SpectralUnavailable("the spectral solver handles zero-flux axes only")
    degrees = [int(n) for n in degrees]
    if len(degrees) != grid.ndim or min(degrees) < 4:
        raise ValueError(f"degrees: need {grid.ndim} degrees >= 4, got {degrees}")
    nodes = [grid.lower[k] + 0.5 * (grid.upper[k] - grid.lower[k])
             * (1.0 - np.cos(np.pi * np.arange(n + 1) / n)) for k, n in enumerate(degrees)]
    parts = axis_free_energies(model.free_energy, nodes)
    axes = []
    for k, n in enumerate(degrees):
        half = 0.5 * (grid.upper[k] - grid.lower[k])
        xi = -np.cos(np.pi * np.arange(n + 1) / n)
        drift = model.gamma * (_differentiation_matrix(xi) / half) @ parts[k]
        x = model.gamma * parts[k] / model.diffusion
        axes.append(ChebyshevAxis(grid.lower[k], grid.upper[k], n, drift, model.diffusion,
                                  np.exp(x - x.max()), grid.cells[k]))
    return axes


def _along(mats: Sequence[np.ndarray], p: np.ndarray) -> np.ndarray:
    """Apply mats[k] along axis k of p (a tensor product of matrices)."""
    if p.ndim == 1:
        return mats[0] @ p
    if p.ndim == 2:
        return mats[0] @ p @ mats[1].T
    a, b, c = p.shape
    q = (mats[0] @ p.reshape(a, b * c)).reshape(mats[0].shape[0], b, c)
    q = np.matmul(mats[1], q)
    return q @ mats[2].T


class SpectralFokkerPlanck:
    """The spectral solver of P2 (20) for one model and polynomial degrees (see the module).

    Parameters
    ----------
    model : emergent.stochastic.fokker_planck.FokkerPlanckModel
        Time-independent, zero-flux axes, F a callable sum of one-axis terms.
    degrees : int or sequence of int
        n per axis (n + 1 Chebyshev nodes); one int for every axis.

    Raises
    ------
    SpectralUnavailable
        The model is outside the solver's scope (the message says why).
    ValueError
        A degree below 4.
    """

    def __init__(self, model: Any, degrees: int | Sequence[int]) -> None:
        dim = model.grid.ndim
        if np.ndim(degrees) == 0:
            degrees = (int(degrees),) * dim  # type: ignore[arg-type]
        self.model = model
        self.axes = chebyshev_axis(model, degrees)  # type: ignore[arg-type]
        self.degrees = tuple(ax.degree for ax in self.axes)

    @property
    def nodes(self) -> list[np.ndarray]:
        """The Chebyshev nodes of every axis (K arrays)."""
        return [ax.nodes for ax in self.axes]

    def propagate(self, p: np.ndarray, dt: float) -> np.ndarray:
        """The nodal values `dt` later (exact in time up to round-off).

        Parameters
        ----------
        p : ndarray(shape=[n_1 + 1, ..., n_K + 1])
            Nodal values.
        dt : float
            The interval (> 0).

        Returns
        -------
        ndarray
            exp(dt L) p, of the shape of `p`.
        """
        return _along([ax.propagator(dt) for ax in self.axes], p)

    def from_function(self, p0: Callable[..., np.ndarray]) -> np.ndarray:
        """Nodal values of a density given as a callable p0(*mesh).

        Parameters
        ----------
        p0 : callable
            The density at points (K coordinate arrays of one shape).

        Returns
        -------
        ndarray
            p0 at the tensor grid of nodes.

        Raises
        ------
        ValueError
            p0 not finite or negative somewhere.
        """
        mesh = np.meshgrid(*self.nodes, indexing="ij")
        values = np.array(np.broadcast_to(np.asarray(p0(*mesh), dtype=float), mesh[0].shape))
        if not np.isfinite(values).all() or (values < 0).any():
            raise ValueError("p0 must be finite and >= 0 at every point")
        return values

    def from_cells(self, p_cells: np.ndarray) -> tuple[np.ndarray, float]:
        """Nodal values whose cell averages fit `p_cells` best (least squares), and the L1
        misfit of those cell averages.

        Parameters
        ----------
        p_cells : ndarray(shape=grid.cells)
            Cell averages.

        Returns
        -------
        (ndarray, float)
            The nodal values and sum |C p - p_cells| h^K.

        Raises
        ------
        SpectralUnavailable
            Cells too few or too coarse for the degree (see :meth:`ChebyshevAxis.from_cells`).
        """
        nodal = _along([ax.from_cells() for ax in self.axes], p_cells)
        misfit = float(np.abs(self.to_cells(nodal) - p_cells).sum()
                       * self.model.grid.cell_volume)
        return nodal, misfit

    def to_cells(self, p: np.ndarray) -> np.ndarray:
        """Exact cell averages of the Chebyshev interpolant of the nodal values `p`.

        Parameters
        ----------
        p : ndarray
            Nodal values.

        Returns
        -------
        ndarray(shape=grid.cells)
            The averages over the grid's cells.
        """
        return _along([ax.cell_average for ax in self.axes], p)

    def mass(self, p: np.ndarray) -> float:
        """int p d^Kq by Clenshaw-Curtis quadrature (exact for the interpolant).

        Parameters
        ----------
        p : ndarray
            Nodal values.

        Returns
        -------
        float
            The total probability.
        """
        return float(_along([ax.weights[None, :] for ax in self.axes], p).ravel()[0])


def _run(solver: SpectralFokkerPlanck, p0: np.ndarray | Callable[..., np.ndarray],
         times: np.ndarray) -> tuple[list[np.ndarray], dict[str, float]]:
    """Cell averages at every recorded time (the first is p0's) and the run's diagnostics."""
    if callable(p0):
        nodal, misfit = solver.from_function(p0), 0.0
        first = solver.to_cells(nodal)
    else:
        nodal, misfit = solver.from_cells(p0)
        first = np.array(p0, dtype=float)
    mass0 = solver.mass(nodal)
    states = [first]
    drift, low = 0.0, float(nodal.min())
    for t0, t1 in zip(times[:-1], times[1:], strict=True):
        nodal = solver.propagate(nodal, float(t1 - t0))
        states.append(solver.to_cells(nodal))
        drift = max(drift, abs(solver.mass(nodal) - mass0))
        low = min(low, float(nodal.min()))
    info = {"misfit": misfit, "mass_drift": drift, "min_p_nodes": low,
            "min_p": float(min(s.min() for s in states[1:]))}
    return states, info


def solve_spectral(p0: np.ndarray | Callable[..., np.ndarray], model: Any, times: np.ndarray,
                   *, tol: float | None = None, degree: int | None = None
                   ) -> tuple[list[np.ndarray], dict[str, Any]]:
    """P2 (20) by Chebyshev collocation and exact propagators, at the recorded `times`.

    With `tol` the degree climbs :data:`MODE_LADDER` until the L1 difference of the cell
    averages to the previous rung is <= tol at every recorded time; with `degree` that degree
    is used and compared with the rung below it.

    Parameters
    ----------
    p0 : ndarray(shape=grid.cells) or callable
        The initial density: cell averages, or a callable p0(*q) evaluated at the nodes.
    model : emergent.stochastic.fokker_planck.FokkerPlanckModel
        Time-independent, zero-flux, F a callable sum of one-axis terms.
    times : ndarray
        Increasing recorded times, times[0] the initial time.
    tol : float, optional
        The requested L1 error of the cell averages (> 0).
    degree : int, optional
        A fixed polynomial degree per axis (>= 8) instead of `tol`.

    Returns
    -------
    (list of ndarray, dict)
        The cell averages at every recorded time, and info: ``method`` ("spectral"),
        ``degree``, ``error_estimate``, ``mass_drift`` (largest |int p(t) - int p(0)|),
        ``min_p`` (smallest cell average after t = 0), ``min_p_nodes``, ``misfit`` (of p0 on
        cells), ``tol``.

    Raises
    ------
    SpectralUnavailable
        The model or p0 is outside the solver's scope, or the ladder ends above `tol`.
    ValueError
        Neither or both of tol and degree, tol <= 0.
    """
    if (tol is None) == (degree is None):
        raise ValueError("give exactly one of tol and degree")
    dim = model.grid.ndim
    if degree is not None:
        degree = int(degree)
        if degree < 8:
            raise ValueError(f"degree must be >= 8, got {degree}")
        lower = max([n for n in MODE_LADDER if n < degree] or [degree * 3 // 4])
        rungs: Sequence[int] = (lower, degree)
    else:
        if not np.isfinite(tol) or tol <= 0:  # type: ignore[arg-type]
            raise ValueError(f"tol must be a finite number > 0, got {tol!r}")
        rungs = [n for n in MODE_LADDER if (n + 1) ** dim <= MAX_NODES]
    previous: list[np.ndarray] | None = None
    estimate = np.inf
    for n in rungs:
        states, info = _run(SpectralFokkerPlanck(model, n), p0, times)
        if previous is not None:
            volume = model.grid.cell_volume
            estimate = max(float(np.abs(a - b).sum() * volume)
                           for a, b in zip(states[1:], previous[1:], strict=True))
            estimate += info["misfit"]
            if tol is None or estimate <= tol:
                info.update(method="spectral", degree=n, error_estimate=estimate, tol=tol)
                return states, info
        previous = states
    raise SpectralUnavailable(f"the spectral solver reached L1 ~ {estimate:.1e} at degree "
                              f"{rungs[-1]}, above tol = {tol:g}")
