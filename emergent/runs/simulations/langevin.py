"""`langevin`: an ensemble dq = gamma dF/dq dt + sqrt(2D) dW, checked against the grid solver."""

from __future__ import annotations

import math
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

__all__ = ["LangevinParams"]

AXES = ("q1", "q2", "q3")


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
        # the grid solver on the same cells from the same initial Gaussian, its default step
        p0 = fp.gaussian_cells(grid, mean0, [p.var0] * dim)
        p0 /= p0.sum() * grid.cell_volume
        with numerical_failures("langevin: the grid comparison", why):
            p_grid = fp.solve(p0, fp_model, t_end, saves=2).final
        run.write_field("p_grid", p_grid, axes=axes)
        use = err > 0
        chi2 = float(np.sum(((dens - p_grid)[use] / err[use]) ** 2))
        run.set_result("chi2", chi2)
        run.set_result("chi2_dof", int(use.sum()))
        if p.potential == "ou":
            ex = fp.ou_solution(grid, t_end, mean0=mean0, var0=[p.var0] * dim,
                                stiffness=p.stiffness, gamma=p.gamma, diffusion=p.diffusion)
            run.set_result("l1_grid_vs_exact", float(np.abs(p_grid - ex).sum() * grid.cell_volume))


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
    if "chi2" not in data.results:
        return []
    chi2, dof = data.results["chi2"], data.results["chi2_dof"]
    # the Euler-Maruyama and grid discretisation errors add to the statistical one
    ok = chi2 < dof + 5 * np.sqrt(2 * dof)
    return [Check("P2 (19)-(20): Langevin ensemble density obeys the Fokker-Planck equation",
                  "histogram = grid solution within statistical error",
                  f"chi2 = {chi2:.1f} for {dof} cells", bool(ok))]


OUTPUTS: dict[str, Output] = {
    "t": Output("time t (P2 (19)-(20))"),
    "mean": Output("ensemble mean of q_k, one per trainable variable k = 1..K"),
    "var": Output("ensemble variance of q_k, one per trainable variable k = 1..K"),
    "histogram": Output(
        "density p(T, q) at the final time T, estimated by the histogram of the ensemble"),
    "histogram_error": Output("statistical error of the histogram density (one sigma)"),
    "p_grid": Output(
        "density p(T, q) at the final time T of the grid Fokker-Planck solver (P2 (20))"),
    **{axis: Output(f"trainable variable q_{axis[1:]} (cell centres)") for axis in AXES},
    "t_end": Output("final time T = steps x dt"),
    "chi2": Output("chi-squared of the histogram against the grid solution"),
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
    full={"particles": 10_000_000, "steps": 20_000, "dt": 5e-5, "record_every": 1000},
    smoke={"particles": 5000, "steps": 200, "record_every": 50},
    stochastic=True,
    outputs=OUTPUTS,
))
