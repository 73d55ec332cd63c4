"""`langevin`: an ensemble dq = gamma dF/dq dt + sqrt(2D) dW, checked against the grid solver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.runs.loop import evolve_run
from emergent.runs.registry import Check, Simulation, param, parameters, register
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
        "double-well", "free energy F(q)")
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
    ax1, ax2 = fig.subplots(1, 2)
    t = data.series("t")
    ax1.plot(t, data.series("mean"), label="mean")
    ax1.plot(t, data.series("var"), "--", label="variance")
    ax1.set_xlabel("t")
    p: LangevinParams = SIMULATION.typed(data.params)
    ax1.set_title(f"ensemble of {p.particles} ({p.potential})")
    if p.dims <= 3:
        h, axes = data.field("histogram")
        g, _ = data.field("p_grid")
        other = tuple(range(1, h.ndim))
        q = axes["q1"]
        dq = np.prod([np.diff(v[:2])[0] for k, v in axes.items() if k != "q1"]) if other else 1
        ax2.step(q, h.sum(axis=other) * dq if other else h, where="mid", label="Langevin")
        ax2.plot(q, g.sum(axis=other) * dq if other else g, label="grid solver")
        ax2.set_xlabel("q1")
        ax2.set_title(f"chi2 = {data.results['chi2']:.0f} / {data.results['chi2_dof']} cells")
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
))
