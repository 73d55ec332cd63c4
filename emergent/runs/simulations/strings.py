"""`strings`: the pi / pi^T chain ensemble as a closed relativistic string (P2 eq 64-78)."""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.chains.continuum import centered_sigma_derivative, sigma_grid
from emergent.chains.interactions import MetricChain, operator_g, weakly_curved_metric
from emergent.chains.permutation import noisy_weights
from emergent.chains.strings import (
    StringEnsemble,
    closed_string,
    light_cone_residuals,
    nambu_goto_density,
    polyakov_action,
)
from emergent.runs.registry import Check, Param, ParameterError, Simulation, register

__all__ = ["SIMULATION"]

_SUBSTEPS = 4  # Verlet steps of (78) per chain step (dtau = 1 / (4 alpha))


def _pi_matrix(n: int) -> Any:
    import scipy.sparse as sp

    perm = (np.arange(n) - 1) % n
    return sp.csr_matrix((np.ones(n), (np.arange(n), perm)), shape=(n, n))


def _metric_residual(v: np.ndarray, x: np.ndarray, alpha: float, g: np.ndarray) -> float:
    """max_i |g^i(d_pm x, d_pm x)| (56)/(75) in the curved metric, from velocity and x."""
    ds = centered_sigma_derivative(x, alpha)
    worst = 0.0
    for d in (0.5 * (v + ds), 0.5 * (v - ds)):
        worst = max(worst, float(np.abs(np.einsum("mi,imn,ni->i", d, g, d)).max()))
    return worst


def run(run: Any) -> None:
    p = run.params
    n, dims = p["neurons"], p["dims"]
    if p["kind"] == "kibble-turok" and dims < 3:
        raise ParameterError(f"parameter 'dims': a kibble-turok string needs dims >= 3, got "
                             f"{dims} (or choose kind=pulsating)")
    data = closed_string(p["kind"], n=n, dims=dims, radius=p["radius"])
    weights = noisy_weights(n, p["noise"], run.rng(1)) if p["noise"] > 0 else None
    ens = StringEnsemble(data, activation=p["activation"], weights=weights)
    alpha = ens.alpha
    total = max(2, int(round(p["periods"] * n)))
    every = p["record_every"]
    curved = p["curvature"] > 0
    if curved:
        g = weakly_curved_metric(n, dims, p["curvature"], p["metric_modes"], run.rng(2))
        mc = MetricChain(g, operator_g(_pi_matrix(n)), alpha, 1.0 / (_SUBSTEPS * alpha))
        h = 1e-6
        xm = data.exact(0.0)
        vm = (data.exact(h) - data.exact(-h)) / (2 * h)
        energy0 = mc.energy(xm, vm)
        # H vanishes on constraint data (it is the integrated constraint): measure its drift
        # against the positive (Euclidean) energy scale sum v.v + alpha^2 x.G.x
        escale = float(np.sum(vm * vm) + alpha**2 * np.sum(xm * (mc.G @ xm.T).T))
    state = run.restore()
    traj: list[np.ndarray] = []
    taus: list[float] = []
    if state is not None:
        ens.load(state)
        traj, taus = list(state["traj"]), list(state["taus"])
        if curved:
            xm, vm = state["xm"], state["vm"]
    else:
        ens.advance(1)
        if curved:
            xm, vm = mc.run(xm, vm, _SUBSTEPS)
    sigma = sigma_grid(n)
    records = (total - 1) // every + 1  # rows at t = 1, 1 + every, ...
    first = (ens.t - 1) // every
    for r in run.progress(range(first, records), total=records, initial=first):
        dt, ds = ens.derivatives()
        rp, rm = light_cone_residuals(dt, ds)
        scale = float(np.mean(np.sum(dt * dt + ds * ds, axis=0))) / 4
        x = ens.x
        row = dict(
            t=ens.t, tau=ens.tau,
            residual_plus=float(np.abs(rp).max()), residual_minus=float(np.abs(rm).max()),
            residual_rel=float(max(np.abs(rp).max(), np.abs(rm).max()) / scale),
            action=polyakov_action(dt, ds, alpha),
            action_nambu_goto=float(2 * nambu_goto_density(dt, ds).sum() / alpha),
            free_string_error=float(np.abs(x - data.exact(ens.tau, sigma)).max()),
            time_coordinate=float(x[0].mean()),
        )
        if curved:
            row.update(metric_energy=mc.energy(xm, vm),
                       metric_residual=_metric_residual(vm, xm, alpha, g),
                       metric_deviation=float(np.abs(xm - data.exact(ens.tau, sigma)).max()))
        run.append(**row)
        traj.append(x)
        taus.append(ens.tau)
        if r == records - 1:
            break
        ens.advance(every)
        if curved:
            xm, vm = mc.run(xm, vm, _SUBSTEPS * every)
        st = dict(ens.state(), traj=np.array(traj), taus=np.array(taus))
        if curved:
            st.update(xm=xm, vm=vm)
        run.checkpoint(st)
    run.write_field("x", np.array(traj),
                    axes={"tau": np.array(taus), "mu": np.arange(dims + 1), "sigma": sigma})
    run.set_result("alpha", alpha)
    run.set_result("energy", data.energy)
    if curved:
        run.write_field("g", g, axes={"sigma": sigma, "mu": np.arange(dims + 1),
                                      "nu": np.arange(dims + 1)})
        run.set_result("metric_energy0", energy0)
        run.set_result("metric_energy_scale", escale)


def plot(data: Any, fig: Any) -> None:
    x, axes = data.field("x")
    tau, sigma = axes["tau"], axes["sigma"]
    ax = fig.subplots(1, 3)
    ax[0].imshow(x[:, 1, :], aspect="auto", origin="lower", cmap="RdBu_r",
                 extent=(sigma[0], sigma[-1], tau[0], tau[-1]))
    ax[0].set_xlabel("sigma")
    ax[0].set_ylabel("tau")
    ax[0].set_title("x^(1)(tau, sigma)")
    for k in np.linspace(0, len(tau) - 1, 5).astype(int):
        ax[1].plot(x[k, 1], x[k, 2], lw=1, label=f"tau={tau[k]:.2f}")
    ax[1].set_xlabel("x^(1)")
    ax[1].set_ylabel("x^(2)")
    ax[1].set_title(f"{data.params['kind']} string")
    ax[1].legend(fontsize=6)
    t = data.series("tau")
    ax[2].semilogy(t, np.maximum(data.series("residual_rel"), 1e-17), label="(75) residual (rel)")
    if "metric_residual" in data.series_names:
        ax[2].semilogy(t, data.series("metric_residual"), label="(56) curved metric")
    ax[2].semilogy(t, np.maximum(data.series("free_string_error"), 1e-17),
                   label="|x - free string|")
    ax[2].set_xlabel("tau")
    ax[2].legend(fontsize=7)
    ax[2].set_title(f"{data.params['activation']}, noise={data.params['noise']:g}")


def checks(data: Any) -> list[Check]:
    p = data.params
    out: list[Check] = []
    if p["activation"] != "linear" or p["noise"] != 0:
        return out
    n, r = p["neurons"], p["radius"]
    res = np.maximum(data.series("residual_plus"), data.series("residual_minus"))
    bound = r * r * (2 * np.pi / n) ** 2
    err = float(data.series("free_string_error").max())
    act, ng = data.series("action"), data.series("action_nambu_goto")
    if p["kind"] != "unconstrained":
        out.append(Check("P2 (75): light-cone constraints hold for closed-string data",
                         "eta d_pm x d_pm x = 0",
                         f"max residual {res.max():.2e} (grid bound R^2 h^2 = {bound:.2e})",
                         bool(res.max() <= bound)))
        out.append(Check("P2 (76): Polyakov action equals 2 x Nambu-Goto on-shell",
                         "conformal gauge", f"max difference {np.abs(act - ng).max():.2e}",
                         bool(np.abs(act - ng).max() <= 20 * bound * 2 * np.pi)))
    else:
        e = data.results["energy"]
        out.append(Check("P2 (75) control: wrong-energy data violate the constraints",
                         "residual = (E^2 - R^2)/4",
                         f"{res.max():.4f} vs {(e * e - r * r) / 4:.4f}",
                         bool(abs(res.max() - (e * e - r * r) / 4) <= bound + 1e-3)))
    out.append(Check("P2 (68), (73): pi/pi^T ensemble is the d'Alembert (closed-string) solution",
                     "exact on the grid", f"max error {err:.1e}", bool(err <= 1e-9 * max(r, 1))))
    if p["curvature"] > 0:
        e = data.series("metric_energy")
        drift = float(np.abs(e - data.results["metric_energy0"]).max()
                      / data.results["metric_energy_scale"])
        out.append(Check("P2 (77)-(78) (sign corrected): energy conserved in a curved metric",
                         "dH/dtau = 0", f"relative drift {drift:.1e}", bool(drift <= 1e-2)))
    return out


SIMULATION = register(Simulation(
    name="strings",
    summary="pi/pi^T chain ensemble as a closed relativistic string: constraints, Polyakov action",
    equations=("P2 64", "P2 65", "P2 68", "P2 71", "P2 72", "P2 73", "P2 75", "P2 76",
               "P2 77", "P2 78"),
    params=(
        Param("neurons", "int", 256, "N, neurons in the closed chain (sigma grid)", low=24,
              high=1 << 24),
        Param("dims", "int", 3, "D, spatial dimensions of the emergent space-time", low=2,
              high=16),
        Param("kind", "str", "kibble-turok", "closed-string initial data",
              choices=("pulsating", "kibble-turok", "unconstrained")),
        Param("radius", "float", 1.0, "R, size of the string", low=0.0, low_open=True,
              high=1e6),
        Param("periods", "float", 1.0, "duration in units of 2 pi in tau (N steps each)",
              low=0.0, low_open=True, high=1000.0),
        Param("record_every", "int", 4, "chain steps between recorded rows", low=1,
              high=1 << 20),
        Param("activation", "str", "linear", "activation f", choices=("linear", "tanh")),
        Param("noise", "float", 0.0, "std of the edge weights around 1 (noisy permutation)",
              low=0.0, high=10.0),
        Param("curvature", "float", 0.0,
              "max |h| of a weakly curved metric g = eta + h; > 0 also integrates eq 78",
              low=0.0, high=0.5, high_open=True),
        Param("metric_modes", "int", 2, "Fourier modes of h(sigma)", low=1, high=64),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"neurons": 4096, "periods": 4.0, "record_every": 64},
    smoke={"neurons": 64, "record_every": 8, "curvature": 0.05},
))
