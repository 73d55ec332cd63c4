"""`langevin`: an ensemble dq = gamma dF/dq dt + sqrt(2D) dW, checked against the grid solver."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.runs.figures import fit_range
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
    finite_rows,
    nbytes,
    numerical_failures,
    require_memory,
    require_steps,
)
from emergent.runs.simulations._potentials import (
    beta_field,
    box,
    height_field,
    mass_field,
    per_axis,
    potential_kwargs,
    stiffness_field,
)
from emergent.runs.tolerances import chi2_agrees, chi2_statistic
from emergent.stochastic import fokker_planck as fp
from emergent.stochastic.langevin import (
    Ensemble,
    LangevinModel,
    LangevinStepper,
    histogram,
    potential_values,
    step_times,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["LangevinParams", "grid_reference"]

AXES = ("q1", "q2", "q3")

REFERENCE_SHARE = 0.1
"""The grid reference is refined until its estimated error adds at most this fraction of the
degrees of freedom to the expected chi-squared of the comparison (P2 (19)-(20))."""

REFERENCE_WORK = 3e9
"""The most cells x steps one refinement of the grid reference may cost (beyond it the
remaining reference error enters the chi-squared's variance instead)."""


@parameters
class LangevinParams:
    """The parameters of the `langevin` simulation."""

    dims: int = param(1, "K, number of trainable variables (grid check for K <= 3)",
                      low=1, high=64)
    particles: int = param(100_000, "M, ensemble size", low=1, high=10**9)
    steps: int = param(2000, "Euler-Maruyama steps", low=1, high=10**9)
    dt: float = param(5e-4, "time step", low=0, low_open=True)
    record_every: int = param(100, "steps between recorded rows", low=1, high=10**9)
    potential: Literal["ou", "double-well", "canonical", "flat"] = param(
        "double-well", "free energy F(q)", units="")
    stiffness: float = stiffness_field()
    height: float = height_field(0.5)
    beta: float = beta_field()
    mass: float = mass_field()
    gamma: float = param(1.0, "gamma, drift dq/dt = gamma dF/dq")
    diffusion: float = param(0.5, "D, diffusion coefficient", low=0, low_open=True)
    lower: float = param(-2.5, "lower wall of the reflecting box (every axis)")
    upper: float = param(2.5, "upper wall of the reflecting box (every axis)")
    cells: int = param(40, "histogram cells per axis (grid solver on the same)", low=4, high=4096)
    mean0: tuple[float, ...] = param((0.3,), "mean of the initial Gaussian (1 or K values)")
    var0: float = param(0.09, "variance of the initial Gaussian", low=0, low_open=True)


def run(run: RunWriter[LangevinParams]) -> None:
    """Evolve the Langevin ensemble (P2 (17)) and compare its histogram with the grid solution
    of P2 (20) on the same cells (K <= 3).

    Parameters
    ----------
    run : RunWriter[LangevinParams]
        The run being written.

    Raises
    ------
    ParameterError
        Bad box or initial Gaussian; sizes that do not fit in memory; a grid comparison whose
        stable step is so small that it would take hours.
    NumericalError
        The ensemble or a result became non-finite.
    """
    p = run.p
    dim, m = p.dims, p.particles
    points = float(p.cells) ** dim if dim <= 3 else 0.0
    # positions, noise and drift of the ensemble; the grid solver's arrays (K <= 3)
    require_memory(nbytes((6, m, dim), (40, points)),
                   f"particles={m} x dims={dim}" + (f", cells={p.cells} ** dims={dim}"
                                                    if dim <= 3 else ""))
    require_steps(float(p.steps) * (m * dim + STEP_OVERHEAD),
                  f"steps={p.steps} x particles={m} x dims={dim}")
    lower, upper = box(p)
    mean0 = per_axis(p.mean0, dim, "mean0")
    inside = np.prod([0.5 * (math.erf((upper - m0) / math.sqrt(2 * p.var0))
                             - math.erf((lower - m0) / math.sqrt(2 * p.var0))) for m0 in mean0])
    if not inside >= 0.5:
        raise ParameterError(f"parameters 'mean0', 'var0': the initial Gaussian lies mostly "
                             f"outside the box [{lower:g}, {upper:g}] ({inside:.2g} of it inside)")
    t_end = p.steps * p.dt
    if dim <= 3:  # the grid comparison: refuse up front what would take hours
        grid = fp.Grid((lower,) * dim, (upper,) * dim, (p.cells,) * dim)
        f = potential_values(p.potential, grid.mesh(), **potential_kwargs(p))
        fp_model = fp.FokkerPlanckModel(grid, f, gamma=p.gamma, diffusion=p.diffusion)
        dt_grid = fp.default_dt(fp_model)
        require_steps(t_end / dt_grid * (points + STEP_OVERHEAD),
                      f"the grid comparison (t_end={t_end:g} with time step {dt_grid:.3g} on "
                      f"cells={p.cells} ** dims={dim})", "its step shrinks with stiffness, "
                      "gamma, height and diffusion: choose smaller values or fewer cells")
    model = LangevinModel(potential=p.potential, gamma=p.gamma, diffusion=p.diffusion,
                          lower=(lower,) * dim, upper=(upper,) * dim, boundary="reflect",
                          **potential_kwargs(p))
    stepper = LangevinStepper(model, dt=p.dt, seed=run.seed)

    def initial() -> Ensemble:
        q = run.rng(0).normal(mean0, np.sqrt(p.var0), (m, dim))
        return Ensemble(np.clip(q, lower, upper))

    def observe(frame: Frame[Ensemble]) -> dict[str, object]:
        q = frame.state.q
        return {"t": frame.t, "mean": q.mean(axis=0), "var": q.var(axis=0)}

    times = step_times(p.steps, p.record_every, p.dt)
    why = "choose a smaller dt, gamma or diffusion"
    with numerical_failures("langevin", why):
        q = evolve_run(run, stepper, initial, times, finite_rows(observe, why=why)).q
    run.set_result("t_end", t_end)
    if dim <= 3:
        axes = {AXES[k]: grid.axes[k] for k in range(dim)}
        dens, err = histogram(q, grid)
        run.write_field("histogram", dens, axes=axes)
        run.write_field("histogram_error", err, axes=axes)
        # the grid solver from the same initial Gaussian, refined until its error is small
        # against the statistical one, and averaged onto the histogram's cells
        with numerical_failures("langevin: the grid comparison", why):
            p_grid, p_grid_err, refine = grid_reference(
                grid, lambda mesh: potential_values(p.potential, mesh, **potential_kwargs(p)),
                gamma=p.gamma, diffusion=p.diffusion, mean0=mean0, var0=p.var0, t_end=t_end,
                stderr=err)
        run.write_field("p_grid", p_grid, axes=axes)
        run.write_field("p_grid_error", p_grid_err, axes=axes)
        run.set_result("reference_refine", refine)
        chi2, dof = chi2_statistic(dens, err, p_grid, p_grid_err)
        run.set_result("chi2", chi2)
        run.set_result("chi2_dof", dof)
        run.set_result("chi2_reference_share",
                       float(np.sum((p_grid_err[err > 0] / err[err > 0]) ** 2)))
        if p.potential == "ou":
            ex = fp.ou_solution(grid, t_end, mean0=mean0, var0=[p.var0] * dim,
                                stiffness=p.stiffness, gamma=p.gamma, diffusion=p.diffusion)
            run.set_result("l1_grid_vs_exact", float(np.abs(p_grid - ex).sum() * grid.cell_volume))


def _coarsen(fine: np.ndarray, refine: int) -> np.ndarray:
    """Average blocks of refine^K fine cells onto the coarse cells they tile."""
    shape: list[int] = []
    for n in fine.shape:
        shape += [n // refine, refine]
    return fine.reshape(shape).mean(axis=tuple(range(1, 2 * fine.ndim, 2)))


def grid_reference(grid: fp.Grid, free_energy: Callable[[list[np.ndarray]], np.ndarray], *,
                   gamma: float, diffusion: float, mean0: Sequence[float], var0: float,
                   t_end: float, stderr: np.ndarray, share: float = REFERENCE_SHARE,
                   max_work: float = REFERENCE_WORK) -> tuple[np.ndarray, np.ndarray, int]:
    """The Fokker-Planck density P2 (20) at `t_end` on `grid`'s cells, converged against `stderr`.

    The grid solver runs on the box refined r = 1, 2, 4, ... times per axis, with the step
    of the r = 1 solver divided by r (the Crank-Nicolson scheme is second order in both, so
    the error falls as r^-2), from the cell averages of the initial Gaussian on the fine cells,
    and its density is averaged back onto `grid`'s cells. The difference between two
    successive refinements bounds the error of the finer one (by about 4 x for a second-order
    scheme). Refinement stops when that bound adds at most `share` x dof to the expected
    chi-squared, sum (error / stderr)^2 <= share x dof over the cells with stderr > 0, or when
    the next refinement would cost more than `max_work` cells x steps.

    Parameters
    ----------
    grid : emergent.stochastic.fokker_planck.Grid
        The histogram's cells (zero-flux walls).
    free_energy : callable
        F(mesh) on a list of K coordinate arrays (any refinement of the box).
    gamma, diffusion : float
        gamma of the drift dq/dt = gamma dF/dq (P2 (19)) and D > 0.
    mean0 : sequence of float
        The initial Gaussian's mean per axis.
    var0 : float
        Its variance (every axis).
    t_end : float
        The final time (> 0).
    stderr : ndarray(shape=grid.cells)
        The statistical error of the density the reference is compared with.
    share : float
        The reference error's allowed share of the expected chi-squared, per cell.
    max_work : float
        The largest cells x steps of one refinement.

    Returns
    -------
    density : ndarray(shape=grid.cells)
        The converged reference, averaged over `grid`'s cells.
    error : ndarray(shape=grid.cells)
        Its error bound |p_r - p_(r/2)| (zero when no refinement was affordable).
    refine : int
        The refinement r of the returned density.
    """
    coarse = fp.FokkerPlanckModel(grid, free_energy(grid.mesh()), gamma=gamma,
                                  diffusion=diffusion)
    dt1 = fp.default_dt(coarse)
    use = stderr > 0
    dof = max(int(use.sum()), 1)
    refine, previous = 1, None
    while True:
        fine = fp.Grid(grid.lower, grid.upper, tuple(n * refine for n in grid.cells))
        model = fp.FokkerPlanckModel(fine, free_energy(fine.mesh()), gamma=gamma,
                                     diffusion=diffusion)
        p0 = fp.gaussian_cells(fine, mean0, [var0] * fine.ndim)
        p0 /= p0.sum() * fine.cell_volume
        density = _coarsen(fp.solve(p0, model, t_end, dt=dt1 / refine, saves=2).final, refine)
        error = np.zeros_like(density) if previous is None else np.abs(density - previous)
        converged = previous is not None and \
            float(np.sum((error[use] / stderr[use]) ** 2)) <= share * dof
        work = float(np.prod(grid.cells)) * (2 * refine) ** (grid.ndim + 1) * t_end / dt1
        if converged or work > max_work:
            return density, error, refine
        previous, refine = density, 2 * refine


def plot(data: RunData, fig: Figure) -> None:
    """The ensemble's mean and variance over time and its final marginal against the grid.

    Left: the mean and variance of every q_k of the Langevin ensemble against time. Right
    (K <= 3): the ensemble's histogram of q1 at the end against the marginal p(q1) of the
    grid Fokker-Planck solver, with the chi-squared of the comparison.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw on.
    """
    p: LangevinParams = SIMULATION.typed(data.params)
    axs = fig.subplots(1, 2 if p.dims <= 3 else 1, squeeze=False)[0]
    ax1 = axs[0]
    t = data.series("t")
    mean = np.asarray(data.series("mean")).reshape(len(t), -1)
    var = np.asarray(data.series("var")).reshape(len(t), -1)
    for k in range(mean.shape[1]):
        ax1.plot(t, mean[:, k], color=f"C{k}", label=f"mean $\\langle q_{k + 1}\\rangle$")
        ax1.plot(t, var[:, k], "--", color=f"C{k}", label=f"variance of $q_{k + 1}$")
    fit_range(ax1, t, "x", pad=0.01)
    ax1.set_xlabel("$t$")
    ax1.set_ylabel("ensemble mean, variance")
    ax1.set_title(f"Langevin ensemble of {p.particles} ({p.potential} potential, $K = {p.dims}$)")
    ax1.legend()
    if p.dims <= 3:
        ax2 = axs[1]
        h, axes = data.field("histogram")
        g, _ = data.field("p_grid")
        other = tuple(range(1, h.ndim))
        q = axes["q1"]
        dq = np.prod([np.diff(v[:2])[0] for k, v in axes.items() if k != "q1"]) if other else 1
        hq = h.sum(axis=other) * dq if other else h
        gq = g.sum(axis=other) * dq if other else g
        ax2.step(q, hq, where="mid", label="Langevin ensemble")
        ax2.plot(q, gq, label="grid solver")
        top = np.fmax(np.abs(hq), np.abs(gq))
        fit_range(ax2, q[top >= 1e-3 * np.nanmax(top)] if np.isfinite(top).any() else q, "x")
        ax2.set_xlabel("$q_1$")
        ax2.set_ylabel(f"marginal density $p(t = {t[-1]:g}, q_1)$")
        ax2.set_title(f"$\\chi^2 = {data.results['chi2']:.0f}$ over "
                      f"{data.results['chi2_dof']} cells")
        ax2.legend()


def checks(data: RunData) -> list[Check]:
    """P2 (19)-(20): the ensemble's histogram against the converged grid solution.

    The histogram's statistical error and the grid reference's own error bound (refined until
    it is small against the former, :func:`grid_reference`) form the chi-squared; the verdict
    is chi2 < dof + 5 sqrt(2 dof) (:func:`emergent.runs.tolerances.chi2_agrees`), the same at
    every ensemble size, step and number of cells. The Euler-Maruyama bias, O(dt), is not in
    the variance: a step too large for the ensemble's size is reported as a NO.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One row (K <= 3), none for K > 3.
    """
    if "chi2" not in data.results:
        return []
    chi2, dof = data.results["chi2"], data.results["chi2_dof"]
    refine = data.results.get("reference_refine", 1)
    return [Check("P2 (19)-(20): Langevin ensemble density obeys the Fokker-Planck equation",
                  "histogram = grid solution within statistical error",
                  f"chi2 = {chi2:.1f} for {dof} cells (grid reference refined {refine}x)",
                  chi2_agrees(chi2, dof), decides=("P2 (19)", "P2 (20)"))]


OUTPUTS: dict[str, Output] = {
    "t": Output("time t (P2 (19)-(20))"),
    "mean": Output("ensemble mean of q_k, one per trainable variable k = 1..K"),
    "var": Output("ensemble variance of q_k, one per trainable variable k = 1..K"),
    "histogram": Output(
        "density p(T, q) at the final time T, estimated by the histogram of the ensemble"),
    "histogram_error": Output("statistical error of the histogram density (one sigma)"),
    "p_grid": Output(
        "density p(T, q) at the final time T of the grid Fokker-Planck solver (P2 (20)), refined "
        "until converged and averaged over the histogram's cells"),
    **{axis: Output(f"trainable variable q_{axis[1:]} (cell centres)") for axis in AXES},
    "t_end": Output("final time T = steps x dt"),
    "p_grid_error": Output("error bound of the grid solution: the difference of its last two "
                           "refinements"),
    "chi2": Output("chi-squared of the histogram against the grid solution, variance the "
                   "statistical error squared plus the grid solution's error bound squared"),
    "reference_refine": Output("refinement per axis of the grid solution (1: the "
                               "histogram's cells)"),
    "chi2_reference_share": Output("share of the grid solution's error bound in the chi-squared: "
                                   "the sum over cells of its square over the histogram's "
                                   "variance"),
    "chi2_dof": Output("number of histogram cells in the chi-squared (degrees of freedom)"),
    "l1_grid_vs_exact": Output("L1 error int |p - p_ex| d^Kq of the grid solver's p against "
                               "the exact Ornstein-Uhlenbeck solution (OU potential only)"),
}


SIMULATION = register(Simulation(
    name="langevin",
    summary="Langevin ensemble of trainable variables (any K) vs the grid Fokker-Planck solver",
    equations=("P2 19", "P2 20", "P2 45"),
    parameters=LangevinParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"particles": 2_000_000, "steps": 10_000, "dt": 1e-4, "record_every": 1000},
    smoke={"particles": 5000, "steps": 200, "record_every": 50},
    stochastic=True,
    outputs=OUTPUTS,
))
