"""`langevin`: an ensemble dq = gamma dF/dq dt + sqrt(2D) dW, checked against the grid solver."""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.runs.registry import Check, Param, Simulation, register
from emergent.runs.simulations._potentials import box, per_axis, potential_kwargs, potential_params
from emergent.stochastic.fokker_planck import FokkerPlanck, Grid, gaussian_cells, ou_solution
from emergent.stochastic.langevin import evolve, histogram, potential_values

__all__: list[str] = []

AXES = ("q1", "q2", "q3")


def _setup(p: dict[str, Any]) -> tuple[float, float, list[float]]:
    lower, upper = box(p)
    return lower, upper, per_axis(p["mean0"], p["dims"], "mean0")


def run(run: Any) -> None:
    p = run.params
    dim, m = p["dims"], p["particles"]
    lower, upper, mean0 = _setup(p)
    kw = dict(potential=p["potential"], gamma=p["gamma"], diffusion=p["diffusion"],
              dt=p["dt"], seed=run.seed, lower=[lower] * dim, upper=[upper] * dim,
              boundary="reflect", **potential_kwargs(p))
    steps, every = p["steps"], p["record_every"]
    chunks = -(-steps // every)
    state = run.restore()
    if state is None:
        rng = run.rng(0)
        q = np.clip(rng.normal(mean0, np.sqrt(p["var0"]), (m, dim)), lower, upper)
        c0 = 0
        run.append(t=0.0, mean=q.mean(axis=0), var=q.var(axis=0))
    else:
        q, c0 = state["q"], int(state["chunk"])
    for c in run.progress(range(c0, chunks), total=chunks, initial=c0):
        n = min(every, steps - c * every)
        q = evolve(q, steps=n, key=c + 1, **kw)  # key: the chunk, so a resume redraws alike
        run.append(t=(c * every + n) * p["dt"], mean=q.mean(axis=0), var=q.var(axis=0))
        run.checkpoint({"q": q, "chunk": c + 1})
    t_end = steps * p["dt"]
    run.set_result("t_end", t_end)
    if dim <= 3:
        grid = Grid((lower,) * dim, (upper,) * dim, (p["cells"],) * dim)
        axes = {AXES[k]: grid.axes[k] for k in range(dim)}
        dens, err = histogram(q, grid)
        run.write_field("histogram", dens, axes=axes)
        run.write_field("histogram_error", err, axes=axes)
        # the grid solver on the same cells from the same initial Gaussian
        p0 = gaussian_cells(grid, mean0, [p["var0"]] * dim)
        p0 /= p0.sum() * grid.cell_volume
        f = potential_values(p["potential"], grid.mesh(), **potential_kwargs(p))
        nsub = max(1, int(np.ceil(t_end / 0.01)))
        fp = FokkerPlanck(grid, f, gamma=p["gamma"], diffusion=p["diffusion"],
                          dt=t_end / nsub, method="cn").step(p0, nsub)
        run.write_field("p_grid", fp, axes=axes)
        use = err > 0
        chi2 = float(np.sum(((dens - fp)[use] / err[use]) ** 2))
        run.set_result("chi2", chi2)
        run.set_result("chi2_dof", int(use.sum()))
        if p["potential"] == "ou":
            ex = ou_solution(grid, t_end, mean0=mean0, var0=[p["var0"]] * dim,
                             stiffness=p["stiffness"], gamma=p["gamma"],
                             diffusion=p["diffusion"])
            run.set_result("l1_grid_vs_exact", float(np.abs(fp - ex).sum() * grid.cell_volume))


def plot(data: Any, fig: Any) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    t = data.series("t")
    ax1.plot(t, data.series("mean"), label="mean")
    ax1.plot(t, data.series("var"), "--", label="variance")
    ax1.set_xlabel("t")
    ax1.set_title(f"ensemble of {data.params['particles']} ({data.params['potential']})")
    if data.params["dims"] <= 3:
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


def checks(data: Any) -> list[Check]:
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
    params=(
        Param("dims", "int", 1, "K, number of trainable variables (grid check for K <= 3)",
              low=1, high=64),
        Param("particles", "int", 100_000, "M, ensemble size", low=1, high=10**9),
        Param("steps", "int", 2000, "Euler-Maruyama steps", low=1, high=10**9),
        Param("dt", "float", 5e-4, "time step", low=0, low_open=True),
        Param("record_every", "int", 100, "steps between recorded rows", low=1, high=10**9),
        Param("potential", "str", "double-well", "free energy F(q)",
              choices=("ou", "double-well", "canonical", "flat")),
        *potential_params(height=0.5),
        Param("gamma", "float", 1.0, "gamma, drift dq/dt = gamma dF/dq"),
        Param("diffusion", "float", 0.5, "D, diffusion coefficient", low=0, low_open=True),
        Param("lower", "float", -2.5, "lower wall of the reflecting box (every axis)"),
        Param("upper", "float", 2.5, "upper wall of the reflecting box (every axis)"),
        Param("cells", "int", 40, "histogram cells per axis (grid solver on the same)",
              low=4, high=4096),
        Param("mean0", "floats", [0.3], "mean of the initial Gaussian (1 or K values)"),
        Param("var0", "float", 0.09, "variance of the initial Gaussian", low=0,
              low_open=True),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"particles": 10_000_000, "steps": 20_000, "dt": 5e-5, "record_every": 1000},
    smoke={"particles": 5000, "steps": 200, "record_every": 50},
    stochastic=True,
))
