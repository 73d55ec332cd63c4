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
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.quantum import (
    ACTION_TERMS,
    MadelungBlowUp,
    action_terms_from_wavefunction,
    entropy_production,
    make_grid,
    solve_madelung,
    solve_schrodinger,
    velocity_from_wavefunction,
)
from emergent.runs.registry import Check, Param, Simulation, register

__all__ = ["initial_state"]


def initial_state(grid: Any, *, amplitude: float, phase: float, v0: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(Psi_0, V): nodeless for amplitude < 1."""
    q = grid.q
    env = 1 + amplitude * np.prod([np.cos(x) for x in q], axis=0)
    psi0 = env * np.exp(1j * phase * np.sin(sum(q)))
    v = np.broadcast_to(v0 * np.cos(q[0]), grid.shape).copy()
    return np.asarray(psi0, dtype=complex), v


def _compare(grid: Any, p_ref: np.ndarray, p: np.ndarray) -> float:
    return float(np.linalg.norm(p - p_ref) / np.linalg.norm(p_ref))


def run(run: Any) -> None:
    P = run.params
    K = P["dims"]
    base = dict(diffusion=P["diffusion"], gamma=P["gamma"], mu=P["mu"])
    t_final, every, dt = P["t_final"], P["record_every"], P["dt"]
    grids, ratios = list(P["grids"]), list(P["ratios"])
    times = None
    within = np.full((len(ratios), len(grids)), np.nan)
    blow = np.full((len(ratios), len(grids)), np.nan)
    off_err = np.full(len(grids), np.nan)
    state = run.restore() or {}
    done = int(state.get("done", 0))
    if done:
        within, blow, off_err = state["within"], state["blow"], state["off_err"]
    for gi in run.progress(range(done, len(grids)), total=len(grids), initial=done):
        n = grids[gi]
        grid = make_grid(n, 2 * np.pi, ndim=K)
        psi0, v = initial_state(grid, amplitude=P["amplitude"], phase=P["phase"], v0=P["v0"])
        steps = int(np.ceil(t_final / dt - 1e-9))
        refs = solve_schrodinger(psi0, grid, t_final=t_final, dt=t_final / steps, potential=v,
                                 method="blanes-moan4", record_every=every,
                                 resolution_tol=1.0, observe=lambda t, s, grid=grid, v=v: (
                                     np.abs(s) ** 2,
                                     action_terms_from_wavefunction(s, grid, potential=v,
                                                                    **base)),
                                 **base)
        terms = [r[1] for r in refs.records]
        refs.records = [r[0] for r in refs.records]
        times = refs.t
        p0 = np.abs(psi0) ** 2
        u0 = velocity_from_wavefunction(psi0, grid, **base)
        off = solve_madelung(p0, u0, grid, t_final=t_final, dt=t_final / steps, potential=v,
                             record_every=every, on_blowup="stop", observe=lambda t, p, u: p,
                             **base)
        e_off = [_compare(grid, a, b) for a, b in zip(refs.records, off.records, strict=False)]
        off_err[gi] = max(e_off)
        row: dict[str, Any] = {}
        for ri, ratio in enumerate(ratios):
            mu = P["gamma"] / ratio
            kw = dict(diffusion=P["diffusion"] * mu / P["mu"], gamma=P["gamma"], mu=mu)
            on = solve_madelung(p0, u0, grid, t_final=t_final, dt=t_final / steps, potential=v,
                                learning=True, record_every=every, on_blowup="stop",
                                observe=lambda t, p, u, kw=kw, grid=grid: (p, entropy_production(
                                    p, [x / (2 * kw["gamma"]) for x in u], grid,
                                    diffusion=kw["diffusion"], gamma=kw["gamma"])), **kw)
            errs = np.array([_compare(grid, a, b[0]) for a, b in
                             zip(refs.records, on.records, strict=False)])
            ent = np.full(len(times), np.nan)
            ent[:len(on.records)] = [b[1] for b in on.records]
            row[f"ent_on_{ri}"] = ent
            bad = np.flatnonzero(errs > P["tolerance"])
            stop = on.t_end if on.blowup else np.inf
            within[ri, gi] = min(times[bad[0]] if bad.size else t_final, stop)
            blow[ri, gi] = stop
            padded = np.full(len(times), np.nan)
            padded[:errs.size] = errs
            row[f"err_on_{ri}"] = padded
        padded_off = np.full(len(times), np.nan)
        padded_off[:len(e_off)] = e_off
        for i, t in enumerate(times):
            run.append(t=t, grid=n, err_off=padded_off[i],
                       err_on=np.array([row[f"err_on_{ri}"][i] for ri in range(len(ratios))]),
                       entropy_production_on=np.array([row[f"ent_on_{ri}"][i]
                                                       for ri in range(len(ratios))]),
                       entropy_production_off=(terms[i]["stochastic_entropy"]
                                               + terms[i]["learning_entropy"]),
                       **{f"action_{k}": terms[i][k] for k in ACTION_TERMS})
        run.checkpoint({"done": gi + 1, "within": within, "blow": blow, "off_err": off_err})
    run.write_array("grids", np.array(grids))
    run.write_array("ratios", np.array(ratios))
    run.write_array("time_within_tolerance", within)
    run.write_array("blowup_time", blow)
    run.write_array("learning_off_max_error", off_err)
    run.set_result("learning_off_worst", float(np.nanmax(off_err)))
    _ = MadelungBlowUp  # the solver raises it when on_blowup="raise"


def plot(data: Any, fig: Any) -> None:
    grids, ratios = data.array("grids"), data.array("ratios")
    within, blow = data.array("time_within_tolerance"), data.array("blowup_time")
    ax1, ax2 = fig.subplots(1, 2)
    for gi, n in enumerate(grids):
        ax1.loglog(ratios, within[:, gi], "o-", label=f"within tol, {n} cells")
        b = np.where(np.isfinite(blow[:, gi]), blow[:, gi], np.nan)
        ax1.loglog(ratios, b, "x--", label=f"blow-up detected, {n} cells")
    ax1.set_xlabel("gamma / mu")
    ax1.set_ylabel("time")
    ax1.legend(fontsize=6)
    ax1.set_title("learning terms on: agreement with Schrödinger")
    t, g = data.series("t"), data.series("grid")
    last = (g == grids[-1]) & (t > 0)
    ax2.semilogy(t[last], np.maximum(data.series("err_off")[last], 1e-17), "k",
                 label="learning off")
    eon = data.series("err_on")[last]
    for ri, r in enumerate(ratios):
        ax2.semilogy(t[last], np.maximum(eon[:, ri], 1e-17), label=f"on, gamma/mu={r:g}")
    ax2.axhline(data.params["tolerance"], color="gray", ls=":")
    ax2.set_xlabel("t")
    ax2.set_ylabel("||p - p_Schr|| / ||p_Schr||")
    ax2.legend(fontsize=6)
    ax2.set_title(f"{grids[-1]} cells")


def checks(data: Any) -> list[Check]:
    worst = data.results["learning_off_worst"]
    out = [Check("P2 (32)-(33) without learning terms = Schrödinger (34) (Madelung)",
                 "equivalent", f"max relative L2 of p {worst:.1e}", worst <= 1e-6)]
    blow = data.array("blowup_time")
    grids = data.array("grids")
    if len(grids) > 1:
        finer_sooner = bool(np.all(np.nan_to_num(blow[:, -1], posinf=1e300)
                                   <= np.nan_to_num(blow[:, 0], posinf=1e300)))
        out.append(Check("P2 (33): negative viscosity -gamma/mu makes the problem ill-posed",
                         "not stated (our result)", "blow-up detected, sooner on finer grids"
                         if finer_sooner else "blow-up not sooner on finer grids",
                         finer_sooner and bool(np.isfinite(blow).any())))
    return out


SIMULATION = register(Simulation(
    name="madelung",
    summary="Madelung hydrodynamics (32)-(33) with learning terms off/on vs Schrödinger (34)",
    equations=("P2 31", "P2 32", "P2 33", "P2 34", "P2 35"),
    params=(
        Param("dims", "int", 1, "K, number of trainable variables", low=1, high=2),
        Param("grids", "ints", (64, 128), "cells per axis, one run each", low=16, high=4096),
        Param("ratios", "floats", (0.01, 0.03, 0.1), "gamma/mu values (learning on)",
              low=0, low_open=True),
        Param("t_final", "float", 1.0, "final time", low=0, low_open=True),
        Param("dt", "float", 5e-4, "time step (RK4 limit ~2.5/(c k_max^2))", low=0,
              low_open=True),
        Param("record_every", "int", 10, "steps between comparisons", low=1),
        Param("tolerance", "float", 1e-3, "relative L2 of p counted as agreement", low=0,
              low_open=True),
        Param("diffusion", "float", 0.25, "D (reference)", low=0, low_open=True),
        Param("gamma", "float", 1.0, "gamma", low=0, low_open=True),
        Param("mu", "float", 1.0, "mu (reference)", low=0, low_open=True),
        Param("amplitude", "float", 0.5, "density modulation a < 1 (no nodes)", low=0,
              high=1, high_open=True),
        Param("phase", "float", 0.3, "phase modulation s", low=0),
        Param("v0", "float", 0.5, "potential amplitude v0"),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"grids": (64, 128, 256), "t_final": 2.0, "dt": 1.5e-4},
    smoke={"grids": (48, 64), "ratios": (0.1,), "t_final": 0.4, "dt": 1e-3},
    stochastic=False,
))
