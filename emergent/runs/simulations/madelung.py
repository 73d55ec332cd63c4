"""`madelung`: the hydrodynamics of learning (P2 31-33) with the learning terms off and on.

Runs the Schrödinger reference (34) by split-step Fourier, then the Madelung equations
(32)-(33) in (p, u): with the learning terms off they must reproduce it to discretisation error;
with them on the viscosity of (33) is -gamma/mu and the problem is ill-posed. For each gamma/mu
in `ratios` and each grid in `grids` the run measures how long the learning solution stays within
`tolerance` (relative L2 of p) of the Schrödinger one, and when the solver detects the loss of
resolution. The ratio is changed by scaling mu and D together (mu = gamma / ratio,
D = D_0 mu / mu_0), which leaves (34), and so the reference, unchanged: the only difference
between the runs is the learning terms.

Recorded along every run: the relative L2 distance of p from the reference, the entropy
production (22) of the learning runs (from p and grad F = u / (2 gamma)) and of the reference,
and the five terms of the action density (28) on the reference.

Initial state: Psi_0 = (1 + a cos q_1 ...) exp(i s sin(q_1 + ...)), nodeless (p > 0), in the
potential V = v_0 cos q_1 on a periodic box of length 2 pi.

The run is a table of rows, one per (grid, recorded time); its natural sequence, the rows, goes
through one :func:`emergent.runs.loop.evolve_run` (progress, series, checkpoint and resume):
the first row of a grid computes that grid's solves with the library
(:func:`emergent.quantum.solve_schrodinger`, :func:`emergent.quantum.solve_madelung`, the
steppers behind them), and every row appends its series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from emergent.quantum import (
    ACTION_TERM_NAMES,
    ACTION_TERMS,
    Madelung,
    MadelungConstants,
    PeriodicGrid,
    Schrodinger,
    action_terms_from_wavefunction,
    entropy_production,
    make_grid,
    solve_madelung,
    solve_schrodinger,
    step_times,
    velocity_from_wavefunction,
)
from emergent.runs.figures import fit_range, log_plot, note
from emergent.runs.loop import evolve_run
from emergent.runs.registry import (
    Check,
    Output,
    ParameterError,
    Simulation,
    param,
    parameters,
    register,
)
from emergent.runs.resources import (
    STEP_OVERHEAD,
    nbytes,
    numerical_failures,
    require_memory,
    require_steps,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["MadelungParams", "initial_state"]


@parameters
class MadelungParams:
    """The parameters of the `madelung` simulation (P2 (31)-(35))."""

    dims: int = param(1, "K, number of trainable variables", low=1, high=2)
    grids: tuple[int, ...] = param((64, 128), "cells per axis, one run each", low=16, high=4096)
    ratios: tuple[float, ...] = param((0.01, 0.03, 0.1), "gamma/mu values (learning on)", low=0,
                                      low_open=True)
    t_final: float = param(1.0, "final time", low=0, low_open=True)
    dt: float = param(5e-4, "time step (RK4 limit ~2.5/(c k_max^2))", low=0, low_open=True)
    record_every: int = param(10, "steps between comparisons", low=1)
    tolerance: float = param(1e-3, "relative L2 of p counted as agreement", low=0,
                             low_open=True)
    diffusion: float = param(0.25, "D (reference)", low=0, low_open=True)
    gamma: float = param(1.0, "gamma", low=0, low_open=True)
    mu: float = param(1.0, "mu (reference)", low=0, low_open=True)
    amplitude: float = param(0.5, "density modulation a < 1 (no nodes)", low=0, high=1,
                             high_open=True)
    phase: float = param(0.3, "phase modulation s", low=0)
    v0: float = param(0.5, "potential amplitude v0")


def initial_state(grid: PeriodicGrid, *, amplitude: float, phase: float, v0: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The initial wave function and the potential of the run (nodeless for amplitude < 1).

    Psi_0 = (1 + a prod_k cos q_k) exp(i s sin(sum_k q_k)), V = v0 cos q_1.

    Parameters
    ----------
    grid : PeriodicGrid
        The grid (box 2 pi).
    amplitude : float
        a, the density modulation (< 1: no nodes, so (32)-(33) are defined).
    phase : float
        s, the phase modulation.
    v0 : float
        The potential amplitude.

    Returns
    -------
    psi0 : ndarray(shape=grid.shape), complex
        Psi_0.
    v : ndarray(shape=grid.shape)
        V.
    """
    q = grid.q
    env = 1 + amplitude * np.prod([np.cos(x) for x in q], axis=0)
    psi0 = env * np.exp(1j * phase * np.sin(sum(q)))
    v = np.broadcast_to(v0 * np.cos(q[0]), grid.shape).copy()
    return np.asarray(psi0, dtype=complex), v


def _compare(p_ref: np.ndarray, p: np.ndarray) -> float:
    return float(np.linalg.norm(p - p_ref) / np.linalg.norm(p_ref))


@dataclass
class _Table:
    """The study so far: the series rows of the current grid and the per-grid summaries."""

    grid_index: int
    rows: dict[str, np.ndarray]
    within: np.ndarray
    blow: np.ndarray
    off_err: np.ndarray


class _Study:
    """Steps through the rows (grid, recorded time) of the study; the first row of a grid
    runs the library solvers on it."""

    def __init__(self, p: MadelungParams) -> None:
        self.p = p
        self.times, self.dt = step_times(p.t_final, p.t_final / max(1, int(np.ceil(
            p.t_final / p.dt - 1e-9))), p.record_every)
        self.records = len(self.times)

    def empty(self) -> _Table:
        G, R = len(self.p.grids), len(self.p.ratios)
        return _Table(-1, {}, np.full((R, G), np.nan), np.full((R, G), np.nan),
                      np.full(G, np.nan))

    def grid_rows(self, s: _Table, gi: int) -> _Table:
        """Run grid `gi`: Schrödinger reference, learning off, learning on per ratio."""
        p, times, dt = self.p, self.times, self.dt
        base = MadelungConstants(p.diffusion, p.gamma, p.mu)
        grid = make_grid(p.grids[gi], 2 * np.pi, ndim=p.dims)
        psi0, v = initial_state(grid, amplitude=p.amplitude, phase=p.phase, v0=p.v0)
        ref = solve_schrodinger(
            psi0, Schrodinger(grid, base, potential=v, method="blanes-moan4"), p.t_final, dt=dt,
            saves=times, resolution_tol=1.0, observe=lambda f: {
                "density": np.abs(f.state) ** 2,
                **action_terms_from_wavefunction(f.state, grid, base, potential=v)})
        dens = ref.series["density"]
        p0 = np.abs(psi0) ** 2
        u0 = velocity_from_wavefunction(psi0, grid, base)
        off = solve_madelung((p0, u0), Madelung(grid, base, potential=v), p.t_final, dt=dt,
                             saves=times, on_blowup="stop",
                             observe=lambda f: {"p": f.state.p})
        e_off = [_compare(a, b) for a, b in zip(dens, off.series["p"], strict=False)]
        within, blow, off_err = s.within.copy(), s.blow.copy(), s.off_err.copy()
        off_err[gi] = max(e_off)
        err_on, ent_on = [], []
        for ri, ratio in enumerate(p.ratios):
            mu = p.gamma / ratio
            c = MadelungConstants(p.diffusion * mu / p.mu, p.gamma, mu)
            on = solve_madelung(
                (p0, u0), Madelung(grid, c, potential=v, learning=True), p.t_final, dt=dt,
                saves=times, on_blowup="stop", observe=lambda f, c=c: {
                    "p": f.state.p, "entropy": entropy_production(
                        f.state.p, [x / (2 * c.gamma) for x in f.state.u], grid, c)})
            errs = np.array([_compare(a, b) for a, b in zip(dens, on.series["p"],
                                                            strict=False)])
            ent = np.full(len(times), np.nan)
            ent[:len(on.t)] = on.series["entropy"]
            ent_on.append(ent)
            bad = np.flatnonzero(errs > p.tolerance)
            stop = on.info["t_stop"] if on.info["blowup"] else np.inf
            within[ri, gi] = min(times[bad[0]] if bad.size else p.t_final, stop)
            blow[ri, gi] = stop
            padded = np.full(len(times), np.nan)
            padded[:errs.size] = errs
            err_on.append(padded)
        padded_off = np.full(len(times), np.nan)
        padded_off[:len(e_off)] = e_off
        rows = {"t": ref.t, "grid": np.full(len(times), p.grids[gi]), "err_off": padded_off,
                "err_on": np.stack(err_on, axis=1), "entropy_production_on": np.stack(ent_on,
                                                                                      axis=1),
                "entropy_production_off": (ref.series["stochastic_entropy"]
                                           + ref.series["learning_entropy"]),
                **{f"action_{k}": ref.series[k] for k in ACTION_TERMS}}
        return _Table(gi, rows, within, blow, off_err)

    def initial(self) -> _Table:
        return self.grid_rows(self.empty(), 0)

    def advance(self, s: _Table, t0: float, t1: float) -> _Table:
        gi = int(round(t1)) // self.records
        return s if gi == s.grid_index else self.grid_rows(s, gi)

    def observe(self, frame: Frame[_Table]) -> dict[str, Any]:
        i = int(round(frame.t)) % self.records
        return {k: v[i] for k, v in frame.state.rows.items()}

    def save(self, s: _Table) -> Mapping[str, Any]:
        return {"grid_index": s.grid_index, "within": s.within, "blow": s.blow,
                "off_err": s.off_err, **{f"row_{k}": v for k, v in s.rows.items()}}

    def load(self, saved: Mapping[str, Any]) -> _Table:
        rows = {k[4:]: np.asarray(v) for k, v in saved.items() if k.startswith("row_")}
        return _Table(int(saved["grid_index"]), rows, np.asarray(saved["within"]),
                      np.asarray(saved["blow"]), np.asarray(saved["off_err"]))


def run(run: RunWriter[MadelungParams]) -> None:
    """For each grid: Schrödinger P2 (34), Madelung P2 (32)-(33) without and with learning terms.

    One row per (grid, recorded time) goes through the run loop, with the relative L2
    distance of p from the Schrödinger reference (learning terms off, and on for every
    gamma/mu), the entropy production (22) and the terms of the action density (28) (see the
    module doc). Writes the grids and ratios, the time each learning run stays within
    `tolerance` and the detected blow-up time ([ratios, grids]), the largest learning-off
    error per grid, and the worst of them as the result ``learning_off_worst``.

    Parameters
    ----------
    run : RunWriter[MadelungParams]
        The run being written; ``run.p`` holds the typed parameters.

    Raises
    ------
    ParameterError
        A `dt` above RK4's stability limit of the dispersive term on one of the grids; sizes
        that do not fit in memory or would take hours.
    NumericalError
        A solver failed numerically (other than the detected learning blow-up, which is data).
    """
    p = run.p
    # nan: no value after a learning run blew up; inf: a run that never blew up
    run.allow_nonfinite("err_on", "err_off", "entropy_production_on", "blowup_time")
    study = _Study(p)
    _check_resources(p, study)
    rows = np.arange(len(p.grids) * study.records, dtype=float)
    with numerical_failures("madelung", "choose a smaller dt"):
        final = evolve_run(run, study, study.initial, rows, study.observe)
    run.write_array("grids", np.array(p.grids))
    run.write_array("ratios", np.array(p.ratios))
    run.write_array("time_within_tolerance", final.within)
    run.write_array("blowup_time", final.blow)
    run.write_array("learning_off_max_error", final.off_err)
    run.set_result("learning_off_worst", float(np.nanmax(final.off_err)))


def _check_resources(p: MadelungParams, study: _Study) -> None:
    """Refuse up front a dt beyond RK4's limit, and sizes that cannot fit or finish."""
    solvers = 2 + len(p.ratios)  # the reference, learning off, learning on per ratio
    biggest = float(max(p.grids)) ** p.dims
    # per recorded time: the reference density and five action terms, p of every Madelung
    # solver and its entropy; per solver: about 30 complex arrays of the grid
    require_memory(nbytes((study.records * (6 + 2 * solvers), biggest),
                          (30 * solvers, biggest), itemsize=16),
                   f"grids={max(p.grids)} ** dims={p.dims} x {study.records} recorded times "
                   f"x {solvers} solvers")
    steps = p.t_final / study.dt
    grids = ",".join(map(str, p.grids))
    require_steps(steps * solvers * sum(float(n) ** p.dims + STEP_OVERHEAD for n in p.grids),
                  f"t_final={p.t_final:g} / dt={study.dt:.3g} on grids={grids} ** dims={p.dims} "
                  f"x {solvers} solvers")
    base = MadelungConstants(p.diffusion, p.gamma, p.mu)
    for n in p.grids:
        grid = make_grid(n, 2 * np.pi, ndim=p.dims)
        models = [Madelung(grid, base)] + [
            Madelung(grid, MadelungConstants(p.diffusion * (p.gamma / r) / p.mu, p.gamma,
                                             p.gamma / r), learning=True) for r in p.ratios]
        limit = min(m.dispersive_limit() for m in models)
        if study.dt > limit:
            raise ParameterError(
                f"parameter 'dt': {study.dt:g} exceeds the RK4 stability limit {limit:.3g} of "
                f"the dispersive (quantum-pressure) term on the grid of {n} cells; choose "
                f"dt <= {limit:.3g} (or coarser grids)")


def _params(data: RunData) -> MadelungParams:
    p = SIMULATION.typed(data.params)
    assert isinstance(p, MadelungParams)
    return p


def plot(data: RunData, fig: Figure) -> None:
    """Time within tolerance and blow-up per gamma/mu and grid (P2 (33)); errors on the finest grid.

    Left: against gamma/mu, how long the learning solution stays within `tolerance` of the
    Schrödinger one and when the blow-up is detected, for every grid. Right: the relative L2
    distance of p from the reference against time on the finest grid, learning terms off and
    on for every ratio, with the tolerance.

    Parameters
    ----------
    data : RunData
        A finished run.
    fig : Figure
        The figure to draw on.
    """
    grids, ratios = data.array("grids"), data.array("ratios")
    within, blow = data.array("time_within_tolerance"), data.array("blowup_time")
    ax1, ax2 = fig.subplots(1, 2)
    for gi, n in enumerate(grids):
        coarse = gi < len(grids) - 1  # open and larger: visible where the grids agree
        log_plot(ax1, ratios, within[:, gi], "o-", color=f"C{gi}", logx=True, drop_t0=False,
                 mfc="none" if coarse else None, ms=8 if coarse else 4,
                 label=f"within tolerance, {n} cells")
        log_plot(ax1, ratios, blow[:, gi], "x--", color=f"C{gi}", logx=True, drop_t0=False,
                 ms=8 if coarse else 5, label=f"blow-up detected, {n} cells")
    missing = [f"{n} cells at $\\gamma/\\mu = {r:g}$" for gi, n in enumerate(grids)
               for ri, r in enumerate(ratios) if not np.isfinite(blow[ri, gi])]
    if missing:
        lo, hi = ax1.get_ylim()
        ax1.set_ylim(lo, hi * 2.5)  # room for the note above the data
        note(ax1, "no blow-up detected: " + ", ".join(missing), loc="upper right")
    ax1.set_xlabel(r"$\gamma / \mu$")
    ax1.set_ylabel("time $t$")
    ax1.legend()
    ax1.set_title("learning terms on: agreement with Schrödinger")
    t, g = data.series("t"), data.series("grid")
    last = g == grids[-1]
    tol = _params(data).tolerance
    log_plot(ax2, t[last], data.series("err_off")[last], "k", label="learning terms off")
    eon = data.series("err_on")[last]
    for ri, r in enumerate(ratios):
        log_plot(ax2, t[last], eon[:, ri], color=f"C{ri}",
                 label=f"learning terms on, $\\gamma/\\mu = {r:g}$")
    ax2.axhline(tol, color="gray", ls=":", label="tolerance")
    fit_range(ax2, [t[last & (t > 0)]], "x", pad=0.01)
    ax2.set_xlabel("$t$")
    ax2.set_ylabel(r"$\|p - p_{\rm Schr}\| \,/\, \|p_{\rm Schr}\|$")
    ax2.legend()
    ax2.set_title(f"distance from Schrödinger, {grids[-1]} cells")


def checks(data: RunData) -> list[Check]:
    """P2 (32)-(33) off = Schrödinger (34); ill-posedness of (33) with the learning terms.

    P2 (32)-(33) without the learning terms reproduce the Schrödinger equation (34)
    (Madelung) to 1e-6 in p; P2 (33) with them has the negative viscosity -gamma/mu, and the
    problem is ill-posed: the blow-up is detected, and sooner on finer grids (our result, not
    stated in the paper; with more than one grid).

    Parameters
    ----------
    data : RunData
        A finished run.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    worst = data.results["learning_off_worst"]
    out = [Check("P2 (32)-(33) without learning terms = Schrödinger (34) (Madelung)",
                 "equivalent", f"max relative L2 of p {worst:.1e}", worst <= 1e-6,
                 decides=("P2 (32)", "P2 (33)", "P2 (34)"))]
    blow = data.array("blowup_time")
    grids = data.array("grids")
    if len(grids) > 1:
        finer_sooner = bool(np.all(np.nan_to_num(blow[:, -1], posinf=1e300)
                                   <= np.nan_to_num(blow[:, 0], posinf=1e300)))
        out.append(Check("P2 (33): negative viscosity -gamma/mu makes the problem ill-posed",
                         "not stated (our result)", "blow-up detected, sooner on finer grids"
                         if finer_sooner else "blow-up not sooner on finer grids",
                         finer_sooner and bool(np.isfinite(blow).any()),
                         decides=("P2 (33)",)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("time t (P2 (31)-(34))"),
    "grid": Output("cells per axis of the grid of this row"),
    "err_off": Output("relative L2 distance of p from the Schrodinger reference (P2 (34)), "
                      "Madelung equations with the learning terms off"),
    "err_on": Output("relative L2 distance of p from the Schrodinger reference (P2 (34)), "
                     "Madelung equations (P2 (32)-(33)) with the learning terms on, per gamma/mu"),
    "entropy_production_on": Output(
        "entropy production dS_q/dt, P2 (22), of the learning runs, per gamma/mu"),
    "entropy_production_off": Output(
        "entropy production dS_q/dt, P2 (22), of the Schrodinger reference (P2 (34))"),
    **{f"action_{k}": Output(v) for k, v in ACTION_TERM_NAMES.items()},
    "grids": Output("cells per axis of each grid"),
    "ratios": Output("gamma/mu of each learning run"),
    "time_within_tolerance": Output("time the learning run stays within the tolerance of the "
                                    "Schrodinger reference, per gamma/mu and grid"),
    "blowup_time": Output("time at which the solver detects the loss of resolution of the "
                          "learning run (inf: none), per gamma/mu and grid"),
    "learning_off_max_error": Output("largest relative L2 distance of p from the Schrodinger "
                                     "reference with the learning terms off, per grid"),
    "learning_off_worst": Output("largest relative L2 distance of p from the Schrodinger "
                                 "reference with the learning terms off, over all grids"),
}


SIMULATION = register(Simulation(
    name="madelung",
    summary="Madelung hydrodynamics (32)-(33) with learning terms off/on vs Schrödinger (34)",
    equations=("P2 31", "P2 32", "P2 33", "P2 34", "P2 35"),
    parameters=MadelungParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"grids": (64, 128, 256), "t_final": 2.0, "dt": 1.5e-4},
    smoke={"grids": (48, 64), "ratios": (0.1,), "t_final": 0.4, "dt": 1e-3},
    stochastic=False,
    outputs=OUTPUTS,
))
"""The registered `madelung` simulation (P2 (31)-(35))."""
