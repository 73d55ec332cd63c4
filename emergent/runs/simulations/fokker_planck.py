"""`fokker-planck`: p(t, q) of trainable variables drifting up F and diffusing (P2 eq 18-22)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.evolution import Frame, record_times, substeps
from emergent.runs.figures import fit_range, image
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
    require_finite,
    require_memory,
    require_steps,
)
from emergent.runs.simulations._potentials import (
    Potential,
    beta_field,
    box,
    height_field,
    mass_field,
    per_axis,
    potential_kwargs,
    stiffness_field,
)
from emergent.runs.tolerances import roundoff_bound
from emergent.stochastic.fokker_planck import (
    FokkerPlanckModel,
    FokkerPlanckStepper,
    Grid,
    gaussian_cells,
    ou_solution,
    stationary_state,
)
from emergent.stochastic.langevin import potential_values

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.runs.io import RunData, RunWriter

__all__ = ["FokkerPlanckParams", "build_problem"]

AXES = ("q1", "q2", "q3")


@parameters
class FokkerPlanckParams:
    """The parameters of the `fokker-planck` simulation."""

    dims: int = param(1, "K, number of trainable variables q_k (grid: 1..3)", low=1, high=3)
    cells: int = param(1024, "cells per axis", low=16, high=1 << 14)
    lower: float = param(-6.0, "lower edge of the box (every axis)")
    upper: float = param(6.0, "upper edge of the box (every axis)")
    boundary: Literal["zero-flux", "periodic"] = param("zero-flux", "boundary condition", units="")
    potential: Potential = param("ou", "free energy F(q): -k|q|^2/2, -h sum (q^2-1)^2, or the "
                                 "canonical F(lambda) of P2 (45)", units="")
    stiffness: float = stiffness_field()
    height: float = height_field(1.0)
    beta: float = beta_field()
    mass: float = mass_field()
    gamma: float = param(1.0, "gamma, learning rate of the drift dq/dt = gamma dF/dq")
    diffusion: float = param(1.0, "D, diffusion coefficient", low=0, low_open=True)
    t_end: float = param(1.0, "final time", low=0, low_open=True)
    dt: float = param(0.0, "time step (0: the solver's default, min(0.02, 2 x explicit limit) "
                      "for cn, 0.9 x the limit for explicit)", low=0)
    method: Literal["cn", "explicit"] = param("cn", "time stepping", units="")
    saves: int = param(51, "recorded times (including t = 0)", low=2, high=100000)
    mean0: tuple[float, ...] = param((1.0,), "mean of the initial Gaussian (1 or K values)")
    var0: float = param(0.25, "variance of the initial Gaussian per axis", low=0, low_open=True)


def build_problem(p: FokkerPlanckParams) -> tuple[FokkerPlanckModel, np.ndarray]:
    """The model (grid, F on the cells, gamma, D) and the Gaussian initial density.

    The grid is the same box [lower, upper] with `cells` cells on each of the K = `dims` axes;
    F is the named potential on the cell centres
    (:func:`emergent.stochastic.langevin.potential_values`; "canonical" is F of P2 (45)); p0 is
    the Gaussian of mean `mean0` and variance `var0` per axis, averaged over the cells and
    renormalised to int p0 d^Kq = 1 on the box.

    Parameters
    ----------
    p : FokkerPlanckParams
        The validated parameters of the simulation.

    Returns
    -------
    model : emergent.stochastic.fokker_planck.FokkerPlanckModel
        The problem of P2 (20).
    p0 : ndarray(shape=model.grid.cells)
        The initial density.

    Raises
    ------
    ParameterError
        upper <= lower, a box outside the domain of the canonical F, `mean0` with neither 1
        nor K values, or an initial Gaussian with less than half its mass in the box.
    """
    dim = p.dims
    lower, upper = box(p)
    grid = Grid((lower,) * dim, (upper,) * dim, (p.cells,) * dim,
                (p.boundary == "periodic",) * dim)
    f = potential_values(p.potential, grid.mesh(), **potential_kwargs(p))
    mean0 = per_axis(p.mean0, dim, "mean0")
    p0 = gaussian_cells(grid, mean0, [p.var0] * dim)
    if p0.sum() * grid.cell_volume < 0.5:
        raise ParameterError("mean0/var0: the initial Gaussian lies mostly outside the box")
    p0 /= p0.sum() * grid.cell_volume
    return FokkerPlanckModel(grid, f, gamma=p.gamma, diffusion=p.diffusion), p0


def run(run: RunWriter[FokkerPlanckParams]) -> None:
    """Solve P2 (20) on the grid; record moments, entropy and its production; compare with the
    stationary state and (Ornstein-Uhlenbeck) the exact solution.

    Parameters
    ----------
    run : RunWriter[FokkerPlanckParams]
        The run being written.

    Raises
    ------
    ParameterError
        Bad box or initial Gaussian; an explicit `dt` above the stability limit; sizes that do
        not fit in memory or steps that would take hours.
    NumericalError
        The density or a result became non-finite.
    """
    p = run.p
    points = float(p.cells) ** p.dims
    # p, F, the face coefficients and fluxes per axis, the operator (a few bands per axis)
    # and the diagnostics' temporaries
    require_memory(nbytes((16 + 8 * p.dims, points)), f"cells={p.cells} ** dims={p.dims}")
    model, p0 = build_problem(p)
    grid = model.grid
    times = record_times(p.t_end, p.saves)
    limit = model.dt_limit()
    if p.method == "explicit" and p.dt > 0 and substeps(times[0], times[1], p.dt)[1] > limit:
        raise ParameterError(f"parameter 'dt': {p.dt:g} exceeds the explicit stability limit "
                             f"{limit:.3g} of this grid and F; choose dt <= {limit:.3g}, dt=0 "
                             "(the default, 0.9 x the limit) or method=cn")
    stepper = FokkerPlanckStepper(model, dt=p.dt if p.dt > 0 else None, method=p.method)
    require_steps(p.t_end / stepper.dt * (points + STEP_OVERHEAD),
                  f"t_end={p.t_end:g} with time step {stepper.dt:.3g} on {p.cells} ** {p.dims} "
                  "cells", "the step shrinks with stiffness, gamma, height and diffusion: choose "
                  "smaller values, fewer cells or a shorter t_end")
    run.set_result("dt", substeps(times[0], times[1], stepper.dt)[1])
    run.set_result("dt_explicit_limit", stepper.dt_limit)

    def observe(frame: Frame[np.ndarray]) -> dict[str, object]:
        dens = frame.state
        d = model.diagnostics(dens)
        other = tuple(range(1, grid.ndim))
        marginal = dens.sum(axis=other) * np.prod(grid.spacing[1:]) if other else dens
        return dict(t=frame.t, total=d["total"], mean=d["mean"], cov=d["cov"],
                    entropy=d["entropy"], production=d["production"],
                    production_diffusion=d["production_diffusion"],
                    production_drift=d["production_drift"],
                    production_discrete=d["production_discrete"], min_p=float(dens.min()),
                    marginal_q1=marginal)

    why = "choose smaller gamma, stiffness, height or diffusion, or method=cn"
    with numerical_failures("fokker-planck", why):
        dens = evolve_run(run, stepper, lambda: p0, times, finite_rows(observe, why=why))
    axes = {AXES[k]: grid.axes[k] for k in range(grid.ndim)}
    run.write_field("p", dens, axes=axes)
    run.write_field("p0", p0, axes=axes)
    st = stationary_state(grid, model.free_energy, gamma=p.gamma, diffusion=p.diffusion)
    run.write_field("p_stationary", st, axes=axes)
    run.write_field("free_energy", model.free_energy, axes=axes)
    run.set_result("l1_to_stationary", float(np.abs(dens - st).sum() * grid.cell_volume))
    if p.potential == "ou" and p.boundary == "zero-flux":
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked below
            exact = ou_solution(grid, p.t_end, mean0=per_axis(p.mean0, grid.ndim, "mean0"),
                                var0=[p.var0] * grid.ndim, stiffness=p.stiffness,
                                gamma=p.gamma, diffusion=p.diffusion)
            l1 = float(np.abs(dens - exact).sum() * grid.cell_volume)
        require_finite("the result 'l1_error_exact' (the exact Ornstein-Uhlenbeck solution)", l1,
                       f"t = {p.t_end:g}", "the exact solution overflows for gamma x stiffness "
                       f"= {p.gamma * p.stiffness:g}; choose a smaller |gamma| or stiffness")
        run.set_result("l1_error_exact", l1)


def plot(data: RunData, fig: Figure) -> None:
    """The density p(t, q1) over time, the final 2D density and the entropy production (22).

    Left: the marginal density p(t, q1) against time. Middle (K >= 2 only): the final density
    p(q1, q2) (for K = 3 its marginal over q3). Right: the entropy production (22), its
    diffusion and drift parts and the differenced dS_q/dt against time.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw on.
    """
    t = data.series("t")
    marg = data.series("marginal_q1")
    p: FokkerPlanckParams = SIMULATION.typed(data.params)
    axs = fig.subplots(1, 3 if p.dims >= 2 else 2)
    ax1, ax2 = axs[0], axs[-1]
    image(ax1, marg.T, (t[0], t[-1], p.lower, p.upper), label=r"$p(t, q_1)$", crop=1e-3)
    ax1.set_xlabel("$t$")
    ax1.set_ylabel("$q_1$")
    ax1.set_title(f"marginal density, {p.potential} potential, $K = {p.dims}$")
    if p.dims >= 2:
        dens, axes = data.field("p")
        if dens.ndim == 3:
            dens = dens.sum(axis=2) * float(np.diff(axes["q3"][:2])[0])
        image(axs[1], dens.T, (p.lower, p.upper, p.lower, p.upper),
              label=r"$p(t_{\rm end}, q_1, q_2)$", crop=1e-3)
        axs[1].set_xlabel("$q_1$")
        axs[1].set_ylabel("$q_2$")
        axs[1].set_title(f"final density at $t = {t[-1]:g}$"
                         + (", marginal over $q_3$" if p.dims == 3 else ""))
    ax2.plot(t, data.series("production"), label="entropy production (22)")
    ax2.plot(t, data.series("production_diffusion"), ":", label="its diffusion part")
    ax2.plot(t, data.series("production_drift"), ":", label="its drift part")
    if len(t) > 2:
        ax2.plot(t, np.gradient(data.series("entropy"), t, edge_order=2), "--",
                 label=r"$dS_q/dt$ of the solution, differenced")
    fit_range(ax2, t, "x", pad=0.01)
    ax2.set_xlabel("$t$")
    ax2.set_ylabel(r"entropy production $dS_q/dt$")
    ax2.set_title("entropy production")
    ax2.legend()


SPATIAL_RATE_TOLERANCE = 1e-2
"""The part of the P2 (22) check's bound (relative to max |rate|) for the O(h^2) difference
between the rate of the discrete entropy and the formula on the cells (1e-3 at 1,024 cells)."""


def entropy_rate_tolerance(t: np.ndarray, entropy: np.ndarray) -> float:
    """Bound of the time-differencing error of dS_q/dt taken from the recorded entropy.

    The second-order central difference of np.gradient errs by dt^2 S'''/6 at every interior
    record; S''' is estimated by the third differences of the records, and the bound is three
    times the largest estimate (covering the higher terms while the rate changes by up to a
    factor e^(1/2) across a stencil). It shrinks as dt^2 with more records.

    Parameters
    ----------
    t : ndarray
        The recorded times (equally spaced, at least 5).
    entropy : ndarray
        S_q (P2 (21)) at those times.

    Returns
    -------
    float
        The bound (same units as dS_q/dt).
    """
    dt = float(t[1] - t[0])
    third = np.abs(np.diff(entropy, 3)) / (6.0 * dt)  # ~ dt^2 |S'''| / 6
    return 3.0 * float(third.max())


def checks(data: RunData) -> list[Check]:
    """P2 (18)-(20), (22): conservation, positivity, entropy production, the exact OU solution.

    The conservation bound is round-off that grows with the number of steps
    (:func:`emergent.runs.tolerances.roundoff_bound`): the finite-volume update conserves
    probability exactly in exact arithmetic (the fluxes telescope), and each step rounds every
    cell once per operation of its update (8 per axis: the face fluxes and, for
    Crank-Nicolson / ADI, the tridiagonal solves), plus log2(cells) for the sum that measures
    the total. The entropy-production and OU rows compare with O(h^2) + O(dt^2) discretisation
    errors, which shrink at the ``--full`` scale (more cells, smaller steps).

    Parameters
    ----------
    data : RunData
        A finished run.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    p = SIMULATION.typed(data.params)
    total = data.series("total")
    drift = float(np.abs(total - total[0]).max() / total[0])
    steps = math.ceil(p.t_end / data.results["dt"] - 1e-9)
    points = p.cells ** p.dims
    bound = roundoff_bound(steps, 8 * p.dims + math.log2(points))
    out = [Check("P2 (18): probability is conserved", "int p d^Kq = 1",
                 f"relative drift {drift:.1e} (round-off bound {bound:.0e} for {steps} steps)",
                 drift <= bound, decides=("P2 (18)",)),
           Check("P2 (18)-(20): p stays non-negative", "p >= 0",
                 f"min p = {data.series('min_p').min():.1e}",
                 bool(data.series("min_p").min() >= 0), decides=("P2 (20)",))]
    t = data.series("t")
    if len(t) >= 5:
        entropy = data.series("entropy")
        rate = np.gradient(entropy, t, edge_order=2)[1:-1]
        formula = data.series("production")[1:-1]
        scale = max(np.abs(formula).max(), 1e-300)
        dev = float(np.abs(rate - formula).max() / scale)
        tol = entropy_rate_tolerance(t, entropy) / scale + SPATIAL_RATE_TOLERANCE
        out.append(Check("P2 (22): dS_q/dt = int sqrt(p)(-4D Lap + gamma Lap F) sqrt(p)",
                         "two routes agree",
                         f"max deviation {dev:.1e} of max |rate| (bound {tol:.1e})",
                         dev <= tol, decides=("P2 (22)",)))
    if "l1_error_exact" in data.results:
        err = data.results["l1_error_exact"]
        out.append(Check("P2 (20) with F = -k q^2/2: exact Ornstein-Uhlenbeck Gaussian",
                         "L1 error <= 1e-3", f"{err:.1e}", err <= 1e-3,
                         decides=("P2 (20)",)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("time t (P2 (18))"),
    "total": Output("total probability int p(t, q) d^Kq, conserved by P2 (18)"),
    "mean": Output("mean <q_k> of p(t, q), one per trainable variable k = 1..K"),
    "cov": Output("covariance <(q_j - <q_j>)(q_k - <q_k>)> of p(t, q), K x K"),
    "entropy": Output("Shannon entropy S_q(t) = -int p log p d^Kq (P2 (21))"),
    "production": Output("entropy production dS_q/dt, P2 (22): diffusion plus drift part"),
    "production_diffusion": Output(
        "diffusion part 4 D int |grad sqrt p|^2 d^Kq of the entropy production (P2 (22))"),
    "production_drift": Output(
        "drift part gamma int p Laplacian F d^Kq of the entropy production (P2 (22))"),
    "production_discrete": Output(
        "rate of change of the discrete entropy S_q under the semi-discrete scheme"),
    "min_p": Output("smallest value of p(t, q) on the grid"),
    "marginal_q1": Output("marginal density p(t, q1), p integrated over q2..qK"),
    "p": Output("probability density p(t, q) at the final time (P2 (20))"),
    "p0": Output("initial probability density p(0, q), a Gaussian"),
    "p_stationary": Output("stationary density exp(gamma F / D) / Z of P2 (20)"),
    "free_energy": Output("free energy F(q) (P2 (19), (45))"),
    **{axis: Output(f"trainable variable q_{axis[1:]} (cell centres)") for axis in AXES},
    "dt": Output("time step of the solver"),
    "dt_explicit_limit": Output("stability limit of the explicit time step"),
    "l1_to_stationary": Output(
        "L1 distance int |p - p_st| d^Kq of the final density from the stationary "
        "density p_st"),
    "l1_error_exact": Output("L1 error int |p - p_ex| d^Kq at the final time against the "
                             "exact Ornstein-Uhlenbeck solution (OU potential only)"),
}


SIMULATION = register(Simulation(
    name="fokker-planck",
    summary="Grid Fokker-Planck for trainable variables: drift up F, diffusion, entropy production",
    equations=("P2 18", "P2 19", "P2 20", "P2 21", "P2 22", "P2 45", "P1 11.5"),
    parameters=FokkerPlanckParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"cells": 4096},
    smoke={"cells": 128, "saves": 6},
    stochastic=False,
    outputs=OUTPUTS,
))
