"""`hamilton-jacobi`: the classical limit of learning (P2 §6, eq 37-46).

Four parts, each against an independent route:
1. the viscous Hamilton-Jacobi equation (38) with V = 0 on a 32-cell grid vs the exact Cole-Hopf
   solution F = log(A + B exp(gamma k^2 t / mu) cos kq) / mu, and the detected loss of
   resolution (the anti-diffusion, ill-posed for mu > 0) for several grids, against the exact
   blow-up time t* = mu log(A/B) / (gamma k^2);
2. the classical limit (viscous term dropped) in V = v0 cos q vs Hamilton's characteristics
   dq/dt = 2 gamma grad F, dP/dt = -grad V (the corrected (40)-(42), q'' = -2 gamma grad V);
3. the stationary solution (44) of (43) on grids of increasing resolution (residual order);
4. the canonical free energy (45) of random small networks (q = eigenvalues of G): equal to
   (44) with mu = 2 beta, and the virial relation (46) (U = sum (lambda_i - m) dF/dlambda_i).

Part 1 is the run's time evolution: one :func:`emergent.runs.loop.evolve_run` of the library's
:class:`emergent.quantum.HamiltonJacobiStepper` (carrying the recorded fields, so that a resumed
run writes the same `cole_hopf_F`); the stops and part 2 call
:func:`emergent.quantum.solve_hamilton_jacobi` (the same stepper).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from emergent.quantum import (
    HamiltonJacobi,
    HamiltonJacobiState,
    HamiltonJacobiStepper,
    characteristics,
    cole_hopf_solution,
    hj_residual,
    make_grid,
    network_eigenvalues,
    solve_hamilton_jacobi,
    stationary_free_energy,
    step_times,
)
from emergent.runs.figures import fit_range, image, log_plot, note
from emergent.runs.loop import evolve_run
from emergent.runs.registry import Check, Output, Simulation, param, parameters, register
from emergent.runs.resources import (
    STEP_OVERHEAD,
    nbytes,
    numerical_failures,
    require_memory,
    require_steps,
)
from emergent.septuple.canonical import (
    canonical_average_loss,
    canonical_free_energy,
    stationary_constants,
    virial,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["HamiltonJacobiParams"]


@parameters
class HamiltonJacobiParams:
    """The parameters of the `hamilton-jacobi` simulation (P2 (37)-(46))."""

    gamma: float = param(1.0, "gamma, learning rate", low=0, low_open=True)
    mu: float = param(10.0, "mu (= 2 beta in (45))", low=0, low_open=True)
    offset: float = param(2.0, "Cole-Hopf A/B > 1", low=1, low_open=True)
    grids: tuple[int, ...] = param((16, 32, 64), "grids for the anti-diffusion stop", low=8,
                                   high=4096)
    t_accuracy: float = param(0.5, "duration of the Cole-Hopf accuracy run (32 cells)", low=0,
                              low_open=True)
    cells: int = param(256, "grid for the classical limit", low=16, high=1 << 16)
    dt: float = param(1e-3, "time step", low=0, low_open=True)
    record_every: int = param(50, "steps between records", low=1)
    t_classical: float = param(1.0, "duration of the classical-limit run", low=0,
                               low_open=True)
    f0: float = param(0.2, "initial F = f0 sin q (classical limit)")
    v0: float = param(0.3, "V = v0 cos q (classical limit)")
    particles: int = param(9, "characteristics drawn", low=1, high=1000)
    beta: float = param(1.0, "beta of (45)", low=0, low_open=True, high=1e100)
    mass: float = param(0.0, "m of (45)")
    neurons: int = param(6, "neurons of the random networks", low=1, high=500)
    networks: int = param(20, "random networks", low=1, high=10**5)


@dataclass
class _Recorded:
    """A state of (38) and F at every recorded time so far."""

    state: HamiltonJacobiState
    history: np.ndarray


class _RecordingStepper:
    """The library stepper, keeping F at every recorded time in the state (and checkpoint)."""

    def __init__(self, inner: HamiltonJacobiStepper) -> None:
        self.inner = inner

    def advance(self, s: _Recorded, t0: float, t1: float) -> _Recorded:
        new = self.inner.advance(s.state, t0, t1)
        return _Recorded(new, np.concatenate([s.history, new.free_energy[None]]))

    def save(self, s: _Recorded) -> Mapping[str, Any]:
        return {**self.inner.save(s.state), "history": s.history}

    def load(self, saved: Mapping[str, Any]) -> _Recorded:
        return _Recorded(self.inner.load(saved), np.asarray(saved["history"], dtype=float))


def _interp(f: np.ndarray, x: float, length: float) -> float:
    n = f.size
    fh = np.fft.fft(f) / n
    k = 2 * np.pi * np.fft.fftfreq(n, length / n)
    return float(np.real(np.sum(fh * np.exp(1j * k * (x + length / 2)))))


def run(run: RunWriter[HamiltonJacobiParams]) -> None:
    """Parts 1-4 of the module doc (P2 (38), (40)-(42), (44)-(46)); part 1 through one evolve_run.

    Records the series ``cole_hopf_error`` (max |F - Cole-Hopf| of (38) on 32 cells) and writes
    the field ``cole_hopf_F``; the detected stop per grid (``detected_stop``) against the exact
    blow-up time; the classical-limit F and the characteristics (fields ``classical_F``,
    ``characteristics``, result ``characteristics_max_error``); the residual of (43) for the
    stationary solution (44) and its order; and, for random networks, the eigenvalues, the
    average loss U (46), the difference between (45) and (44) with mu = 2 beta, and the
    virial error (46) in the derived and the printed form.

    Parameters
    ----------
    run : RunWriter[HamiltonJacobiParams]
        The run being written; ``run.p`` holds the typed parameters.

    Raises
    ------
    ParameterError
        Sizes that do not fit in memory or would take hours.
    NumericalError
        A solution blew up or lost resolution outside the detected anti-diffusion stop (the
        message names the time).
    """
    p = run.p
    records = p.t_classical / p.dt / p.record_every + 2
    # the classical-limit states and the Cole-Hopf history; the networks' eigenvalues
    require_memory(nbytes((4 * records, p.cells), (4 * (p.t_accuracy / p.dt + 2), 32),
                          (6, p.networks, p.neurons)),
                   f"t_classical={p.t_classical:g} / dt={p.dt:g} x cells={p.cells}")
    t_star = p.mu / p.gamma * np.log(p.offset)
    require_steps(p.t_accuracy / p.dt * (32 + STEP_OVERHEAD)
                  + sum(t_star / p.dt * (n + STEP_OVERHEAD) for n in p.grids)
                  + p.t_classical / p.dt * (p.cells + STEP_OVERHEAD)
                  + p.particles * records * (p.cells + STEP_OVERHEAD),
                  f"dt={p.dt:g} for t_accuracy={p.t_accuracy:g}, t_classical="
                  f"{p.t_classical:g} on cells={p.cells} with particles={p.particles}")
    with numerical_failures("hamilton-jacobi", "choose a smaller dt, f0, v0, t_classical or "
                            "gamma/mu"):
        _run(run, p)


def _run(run: RunWriter[HamiltonJacobiParams], p: HamiltonJacobiParams) -> None:
    gam, mu = p.gamma, p.mu
    ch = dict(gamma=gam, mu=mu, offset=p.offset, amplitude=1.0, wavenumber=1.0)
    t_star = mu / gam * np.log(p.offset)
    run.set_result("cole_hopf_blowup_time", float(t_star))
    # 1. Cole-Hopf: accuracy on the base grid (the run's time evolution)
    g = make_grid(32, 2 * np.pi)
    q = g.q[0]
    model = HamiltonJacobi(g, gam, mu)
    times, dt = step_times(p.t_accuracy, p.dt, p.record_every)

    def initial() -> _Recorded:
        s0 = model.state(cole_hopf_solution(q, 0.0, **ch))
        return _Recorded(s0, s0.free_energy[None].copy())

    def observe(frame: Frame[_Recorded]) -> dict[str, float]:
        f = frame.state.state.free_energy
        return {"cole_hopf_error": float(np.abs(f - cole_hopf_solution(q, frame.t, **ch)).max())}

    done = evolve_run(run, _RecordingStepper(HamiltonJacobiStepper(model, dt)), initial, times,
                      observe, desc="cole-hopf")
    run.write_field("cole_hopf_F", done.history, axes={"t_ch": times, "q_ch": g.axes[0]})
    # detected stop on each grid
    grids = list(p.grids)
    stops = []
    for n in grids:
        g = make_grid(n, 2 * np.pi)
        r = solve_hamilton_jacobi(cole_hopf_solution(g.q[0], 0.0, **ch),
                                  HamiltonJacobi(g, gam, mu), t_star, dt=p.dt,
                                  keep_states=False, on_blowup="stop")
        stops.append(r.info["t_stop"] if r.info["blowup"] else np.inf)
    run.write_array("grids", np.array(grids))
    run.write_array("detected_stop", np.array(stops))
    # 2. classical limit vs characteristics
    g = make_grid(p.cells, 2 * np.pi)
    q = g.q[0]
    f0, v = p.f0 * np.sin(q), p.v0 * np.cos(q)
    times, dt = step_times(p.t_classical, p.dt, p.record_every)
    r = solve_hamilton_jacobi(f0, HamiltonJacobi(g, gam, None, potential=v), p.t_classical,
                              dt=dt, saves=times)
    assert r.states is not None
    starts = np.linspace(-2.5, 2.5, p.particles)
    worst = 0.0
    paths = []
    for x0 in starts:
        xs, mom, F = characteristics([x0], [p.f0 * np.cos(x0)], gamma=gam, times=r.t,
                                     grad_potential=lambda x: -p.v0 * np.sin(x),
                                     potential=lambda x: p.v0 * np.cos(x[0]),
                                     f0=p.f0 * np.sin(x0))
        for i in range(r.t.size):
            grad = g.gradient(r.states[i])[0]
            worst = max(worst, abs(_interp(grad, xs[i, 0], 2 * np.pi) - mom[i, 0]),
                        abs(_interp(r.states[i], xs[i, 0], 2 * np.pi) - F[i]))
        paths.append(xs[:, 0])
    run.write_field("classical_F", r.states, axes={"t_cl": r.t, "q_cl": g.axes[0]})
    run.write_field("characteristics", np.array(paths).T,
                    axes={"t_cl": r.t, "particle": np.arange(len(starts))})
    run.set_result("characteristics_max_error", worst)
    # 3. stationary solution (44): residual of (43) on two grids
    res = []
    for n in (p.cells // 4, p.cells // 2):
        axes = np.linspace(0.2, 2.0, n)
        F = stationary_free_energy(axes[:, None], mu=mu, c0=0.3, ck=0.5)
        res.append(float(np.abs(hj_residual(F, (axes[1] - axes[0],), gamma=gam, mu=mu)).max()))
    run.set_result("stationary_residual", res[1])
    run.set_result("stationary_residual_order", float(np.log2(res[0] / res[1])))
    # 4. canonical free energy of random small networks: (44) with mu = 2 beta, virial (46)
    lam = np.stack([network_eigenvalues(run.rng(1, i), p.neurons)
                    for i in range(p.networks)])
    beta, m = p.beta, p.mass
    mu_c, ck, c0 = stationary_constants(p.neurons, beta=beta, mass=m)
    eq44 = float(np.abs(canonical_free_energy(lam, beta=beta, mass=m)
                        - stationary_free_energy(lam, mu=mu_c, c0=c0, ck=ck)).max())
    h = 1e-6 * beta
    bf = [b * canonical_free_energy(lam, beta=b, mass=m) for b in (beta + h, beta - h)]
    u_fd = (bf[0] - bf[1]) / (2 * h)
    run.write_array("eigenvalues", lam)
    run.write_array("average_loss", canonical_average_loss(lam, beta=beta, mass=m))
    run.set_result("eq45_vs_eq44", eq44)
    run.set_result("virial_error", float(np.abs(virial(lam, beta=beta, mass=m) - u_fd).max()))
    printed = np.sum(lam * 0.5 / ((1 - beta * m) + beta * lam), axis=-1)
    run.set_result("virial_printed_error", float(np.abs(printed - u_fd).max()))


def _params(data: RunData) -> HamiltonJacobiParams:
    p = SIMULATION.typed(data.params)
    assert isinstance(p, HamiltonJacobiParams)
    return p


def plot(data: RunData, fig: Figure) -> None:
    """Cole-Hopf error and stops (P2 (38)), classical F and characteristics (P2 (40)-(42)).

    Left: the error of (38) against the Cole-Hopf solution over time (the detected stops of
    the anti-diffusion and the exact blow-up time are marked where they fall in the range of
    the data and listed in a note). Middle: the classical-limit F(t, q) with the
    characteristics on top. Right: sum lambda of the random networks against their average
    loss U (46).

    Parameters
    ----------
    data : RunData
        A finished run.
    fig : Figure
        The figure to draw on.
    """
    ax1, ax2, ax3 = fig.subplots(1, 3)
    t = data.series("t")
    log_plot(ax1, t, data.series("cole_hopf_error"), "o-", ms=3,
             label="(38) against Cole-Hopf, 32 cells")
    fit_range(ax1, t[t > 0], "x")
    lo, hi = ax1.get_xlim()
    t_star = data.results["cole_hopf_blowup_time"]
    stops = data.array("detected_stop")
    grids = data.array("grids")
    listed = []
    for k, (n, s) in enumerate(zip(grids, stops, strict=False)):
        if not np.isfinite(s):
            listed.append(f"{n} cells: none")
            continue
        listed.append(f"{n} cells: $t = {s:.3g}$")
        if lo <= s <= hi:
            ax1.axvline(s, color="0.5", ls=("--", "-.", ":")[k % 3], lw=0.9,
                        label=f"stop detected, {n} cells")
    if lo <= t_star <= hi:
        ax1.axvline(t_star, color="r", ls=":", label="exact blow-up $t^*$")
    note(ax1, "anti-diffusion stops detected:\n" + "\n".join(listed)
         + f"\nexact blow-up time $t^* = {t_star:.3g}$", loc="lower right")
    ax1.set_xlabel("$t$")
    ax1.set_ylabel(r"$\max_q |F - F_{\rm Cole-Hopf}|$")
    ax1.set_title("(38) against the exact Cole-Hopf solution")
    ax1.legend(loc="upper left")
    f, axes = data.field("classical_F")
    q, tc = axes["q_cl"], axes["t_cl"]
    image(ax2, f, (q[0], q[-1], tc[0], tc[-1]), label="$F(t, q)$")
    paths, pax = data.field("characteristics")
    for j in range(paths.shape[1]):
        ax2.plot(paths[:, j], pax["t_cl"], "w-", lw=0.8,
                 label="characteristics (40)-(42)" if j == 0 else None)
    ax2.set_xlim(q[0], q[-1])
    ax2.set_ylim(tc[0], tc[-1])
    ax2.set_xlabel("$q$")
    ax2.set_ylabel("$t$")
    ax2.set_title("classical limit $F(t, q)$, characteristics in white")
    lam = data.array("eigenvalues")
    ax3.plot(data.array("average_loss"), lam.sum(axis=1), "o")
    ax3.set_xlabel("average loss $U$ (46)")
    ax3.set_ylabel(r"sum of the eigenvalues $\lambda_k$ of $G$")
    ax3.set_title("random networks, canonical ensemble")


def checks(data: RunData) -> list[Check]:
    """P2 (38), (40)-(42), (44), (45), (46) against their independent routes.

    P2 (38): the viscous Hamilton-Jacobi equation agrees with the exact Cole-Hopf solution;
    P2 (33)/(38): its negative viscosity makes it ill-posed (every detected stop at or before
    the exact t*); P2 (40)-(42): the classical limit follows the characteristics (in the
    derived form dq/dt = 2 gamma dF/dq); P2 (44) solves (43); P2 (45) equals (44) with
    mu = 2 beta; P2 (46): the virial relation, with the mass m (the paper has m = 0).

    Parameters
    ----------
    data : RunData
        A finished run.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    p = _params(data)
    r = data.results
    errs = data.series("cole_hopf_error")
    stops = data.array("detected_stop")
    return [
        Check("P2 (38): viscous HJ equation (grid) = Cole-Hopf exact solution", "exact",
              f"max |F error| {np.max(errs):.1e} on 32 cells to t = {p.t_accuracy:g}",
              bool(np.max(errs) <= 1e-6)),
        Check("P2 (33)/(38): negative viscosity gamma/mu makes (38) ill-posed",
              "not stated", f"stops at t = {', '.join(f'{s:.3g}' for s in stops)} "
              f"(exact t* = {r['cole_hopf_blowup_time']:.3g})",
              bool(np.all(stops <= r["cole_hopf_blowup_time"]))),
        # the printed (42) fails (symbolic check p2-42); the row is "corrected" when the
        # derived law holds on the grid solution and "NO" when it does not
        Check("P2 (40)-(42): characteristics of the classical limit", "dq/dt = gamma dF/dq, "
              "q'' = -gamma V' (printed); derived: dq/dt = 2 gamma dF/dq, q'' = -2 gamma V'",
              f"max error {r['characteristics_max_error']:.1e} (derived form)", False,
              correction="q'' = -2 gamma V' along dq/dt = 2 gamma dF/dq (the characteristics "
              "of (38))" if r["characteristics_max_error"] <= 1e-6 else "",
              decides=("P2 (42)",)),
        Check("P2 (44): stationary solution of (43)", "exact",
              f"grid residual {r['stationary_residual']:.1e}, order "
              f"{r['stationary_residual_order']:.2f}", r["stationary_residual"] <= 1e-5),
        Check("P2 (45) = (44) with mu = 2 beta", "exact form", f"{r['eq45_vs_eq44']:.1e}",
              r["eq45_vs_eq44"] <= 1e-12),
        Check("P2 (46): virial U = sum (lambda_i - m) dF/dlambda_i (paper: m = 0)", "holds",
              f"{r['virial_error']:.1e} (printed form: {r['virial_printed_error']:.1e})",
              r["virial_error"] <= 1e-6),
    ]


OUTPUTS: dict[str, Output] = {
    "t": Output("time t of the Cole-Hopf accuracy run (P2 (38))"),
    "cole_hopf_error": Output(
        "largest deviation of F from the exact Cole-Hopf solution of P2 (38) (V = 0)"),
    "cole_hopf_F": Output("free energy F(t, q) of P2 (38) with V = 0 (Cole-Hopf data, 32 cells)"),
    "t_ch": Output("time t of the Cole-Hopf accuracy run (P2 (38))"),
    "q_ch": Output("trainable variable q of the Cole-Hopf run (grid points)"),
    "classical_F": Output(
        "free energy F(t, q) in the classical limit of P2 (38) (viscous term dropped)"),
    "characteristics": Output("positions q(t) of Hamilton's characteristics (P2 (40)-(42))"),
    "t_cl": Output("time t of the classical-limit run"),
    "q_cl": Output("trainable variable q of the classical-limit run (grid points)"),
    "particle": Output("index of the characteristic (starting point)"),
    "grids": Output("cells of each grid of the anti-diffusion stop test"),
    "detected_stop": Output(
        "time at which the solver detects the loss of resolution on each grid (inf: none)"),
    "eigenvalues": Output("eigenvalues lambda_i of G of each random network (P2 (45))"),
    "average_loss": Output("average loss U of each random network (P2 (46))"),
    "cole_hopf_blowup_time": Output("exact blow-up time t* = mu log(A/B) / (gamma k^2) of the "
                                    "anti-diffusion in P2 (38)"),
    "characteristics_max_error": Output(
        "largest deviation of F and grad F in the classical limit from the characteristics"),
    "stationary_residual": Output(
        "largest residual of P2 (43) for the stationary solution (44) on the finer grid"),
    "stationary_residual_order": Output(
        "convergence order of the residual of P2 (43) for the stationary solution (44)"),
    "eq45_vs_eq44": Output(
        "largest difference between the canonical F (P2 (45)) and (44) with mu = 2 beta"),
    "virial_error": Output(
        "largest error of the virial relation U = sum (lambda_i - m) dF/dlambda_i (P2 (46))"),
    "virial_printed_error": Output(
        "largest error of the virial relation (P2 (46)) in the form the paper prints"),
}


SIMULATION = register(Simulation(
    name="hamilton-jacobi",
    summary="Classical limit of learning: viscous HJ (38), characteristics (40)-(42), (44)-(46)",
    equations=("P2 37", "P2 38", "P2 40", "P2 41", "P2 42", "P2 43", "P2 44", "P2 45", "P2 46"),
    parameters=HamiltonJacobiParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"grids": (16, 32, 64, 128), "cells": 1024, "networks": 1000},
    smoke={"grids": (16, 32), "cells": 128, "networks": 5, "dt": 2e-3},
    stochastic=True,
    outputs=OUTPUTS,
))
"""The registered `hamilton-jacobi` simulation (P2 (37)-(46))."""
