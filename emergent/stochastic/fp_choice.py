"""Which Fokker-Planck solver runs P2 (20), chosen from the requested accuracy.

``method="auto"``: without a tolerance, the positivity-preserving finite volumes
(Crank-Nicolson, :func:`emergent.stochastic.fokker_planck.solve_finite_volume`); with one, the
spectral solver (:func:`emergent.stochastic.fp_spectral.solve_spectral`) when the model is in
its scope, else the finite volumes, whose error is then estimated by Richardson extrapolation
(the same run on half the cells per axis with twice the step; both errors are O(h^2 + dt^2),
so the L1 difference of the fine result, averaged onto the coarse cells, and the coarse result
is ~3 x the fine error: the estimate is that difference). A method whose estimate exceeds the
tolerance is never returned: the call raises ValueError with the estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emergent.evolution import FunctionStepper, Recorder, Result, Tracker, evolve, record_times
from emergent.stochastic.fp_spectral import SpectralUnavailable, solve_spectral

FiniteVolume = Callable[..., Result]
"""The finite-volume solve, ``fokker_planck.solve_finite_volume`` (passed in by the caller, so
that this module does not import :mod:`emergent.stochastic.fokker_planck`)."""
MIN_COARSE_CELLS = 4

__all__ = ["CHOICES", "cell_averages", "coarsen", "solve_chosen"]

CHOICES = ("auto", "cn", "explicit", "spectral")
"""The values of ``method`` in :func:`emergent.stochastic.fokker_planck.solve`."""
_GAUSS = (np.array([-np.sqrt(0.6), 0.0, np.sqrt(0.6)]), np.array([5.0, 8.0, 5.0]) / 18.0)


def cell_averages(p0: Callable[..., np.ndarray], grid: Any) -> np.ndarray:
    """Cell averages of a density p0(*q) by 3-point Gauss-Legendre quadrature per axis.

    Parameters
    ----------
    p0 : callable
        The density at points (K coordinate arrays of one shape).
    grid : emergent.stochastic.fokker_planck.Grid
        The cells.

    Returns
    -------
    ndarray(shape=grid.cells)
        The averages (error O(h^6) for smooth p0).
    """
    nodes, weights = _GAUSS
    out = np.zeros(grid.cells)
    for idx in np.ndindex(*(3,) * grid.ndim):
        coords = [grid.axes[k] + 0.5 * grid.spacing[k] * nodes[i] for k, i in enumerate(idx)]
        mesh = np.meshgrid(*coords, indexing="ij")
        w = float(np.prod([weights[i] for i in idx]))
        out += w * np.broadcast_to(np.asarray(p0(*mesh), dtype=float), grid.cells)
    return out


def coarsen(p: np.ndarray) -> np.ndarray:
    """Averages over blocks of 2 cells per axis (cell averages on cells/2).

    Parameters
    ----------
    p : ndarray
        Cell averages with an even number of cells per axis.

    Returns
    -------
    ndarray
        The averages on the coarse cells.
    """
    shape = []
    for n in p.shape:
        shape += [n // 2, 2]
    return p.reshape(shape).mean(axis=tuple(range(1, 2 * p.ndim, 2)))


def _coarse_model(model: Any) -> Any:
    grid = model.grid
    if any(n % 2 or n < 2 * MIN_COARSE_CELLS for n in grid.cells) or not callable(
            model.free_energy):
        return None
    coarse = type(grid)(grid.lower, grid.upper, tuple(n // 2 for n in grid.cells),
                        grid.periodic)
    return type(model)(coarse, model.free_energy, model.gamma, model.diffusion,
                       model.time_dependent)


def _finite_volume(solve_fv: FiniteVolume, p0: np.ndarray, model: Any, t_final: float,
                   dt: float | None, method: str, saves: int, trackers: Sequence[Tracker],
                   tol: float | None) -> Result:
    res = solve_fv(p0, model, t_final, dt=dt, method=method, saves=saves, trackers=trackers)
    info: dict[str, Any] = dict(res.info)
    total = res.series["total"]
    info.update(mass_drift=float(np.max(np.abs(total - total[0]))),
                min_p=float(res.states[1:].min()), tol=tol)
    if tol is not None:
        coarse = _coarse_model(model)
        if coarse is None:
            raise ValueError(f"tol = {tol:g}: the finite-volume error cannot be estimated "
                             "(needs an even number of cells >= 8 per axis and F as a "
                             "callable)")
        step = 2.0 * float(info["dt"])
        if method == "explicit":
            step = min(step, 0.9 * coarse.dt_limit())
        low = solve_fv(coarsen(p0), coarse, t_final, dt=step, method=method, saves=saves)
        vol = coarse.grid.cell_volume
        estimate = max(float(np.abs(coarsen(a) - b).sum() * vol)
                       for a, b in zip(res.states[1:], low.states[1:], strict=True))
        info["error_estimate"] = estimate
        if estimate > tol:
            raise ValueError(f"tol = {tol:g}: the finite-volume error on {model.grid.cells} "
                             f"cells is ~{estimate:.1e}; refine the cells, or give F and "
                             "p0 in the spectral solver's scope")
    res.info = info
    return res


def _spectral(p0: np.ndarray | Callable[..., np.ndarray], model: Any,
              t_final: float, saves: int, trackers: Sequence[Tracker], tol: float) -> Result:
    times = record_times(t_final, saves)
    states, info = solve_spectral(p0, model, times, tol=tol)
    recorder = Recorder(lambda frame: model.diagnostics(frame.state, frame.t), keep_states=True)
    by_index = dict(zip(times.tolist(), states, strict=True))
    evolve(FunctionStepper(lambda _state, _t0, t1: by_index[t1]), states[0], times,
           [recorder, *trackers])
    return recorder.result(**info)


def solve_chosen(solve_fv: FiniteVolume, p0: np.ndarray | Callable[..., np.ndarray],
                 model: Any, t_final: float, *, dt: float | None = None,
                 method: str = "auto", saves: int = 11, trackers: Sequence[Tracker] = (),
                 tol: float | None = None) -> Result:
    """The body of :func:`emergent.stochastic.fokker_planck.solve` (see there).

    Parameters
    ----------
    solve_fv : callable
        The finite-volume solve (``fokker_planck.solve_finite_volume``).
    p0 : ndarray(shape=model.grid.cells) or callable
        The initial density (an array already checked by the caller).
    model : emergent.stochastic.fokker_planck.FokkerPlanckModel
        The problem.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The finite-volume step.
    method : {"auto", "cn", "explicit", "spectral"}
        The solver, or its choice from `tol`.
    saves : int
        Recorded times (>= 2).
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded time.
    tol : float, optional
        The requested L1 error (> 0).

    Returns
    -------
    emergent.evolution.Result
        As :func:`emergent.stochastic.fokker_planck.solve`.

    Raises
    ------
    ValueError
        As :func:`emergent.stochastic.fokker_planck.solve`.
    """
    if method not in CHOICES:
        raise ValueError(f"method must be one of {', '.join(CHOICES)}, got {method!r}")
    if tol is not None and (not np.isfinite(tol) or tol <= 0):
        raise ValueError(f"tol must be a finite number > 0, got {tol!r}")
    if method == "spectral" or (method == "auto" and tol is not None):
        if tol is None:
            raise ValueError("method 'spectral' needs tol (the requested L1 error)")
        try:
            return _spectral(p0, model, t_final, saves, trackers, tol)
        except SpectralUnavailable as exc:
            if method == "spectral":
                raise ValueError(f"method 'spectral': {exc}") from None
    fv = "cn" if method in ("auto", "spectral") else method
    cells = cell_averages(p0, model.grid) if callable(p0) else p0
    return _finite_volume(solve_fv, cells, model, t_final, dt, fv, saves, trackers, tol)
