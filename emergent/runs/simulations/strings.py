"""`strings`: the pi / pi^T chain ensemble as a closed relativistic string (P2 eq 64-78).

The model is a :class:`~emergent.chains.strings.StringChain` carrying closed-string data and,
for curvature > 0, a :class:`~emergent.chains.interactions.MetricChain` integrating (78) in a
weakly curved metric alongside; both are advanced by the library steppers
(:class:`~emergent.chains.strings.StringStepper`, :class:`~emergent.chains.interactions.
MetricStepper` with its default step) through one :func:`~emergent.runs.loop.evolve_run`,
recording at chain steps 1, 1 + record_every, ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from emergent.chains.continuum import sigma_grid
from emergent.chains.interactions import (
    MetricChain,
    MetricStepper,
    light_cone_residual,
    operator_g,
    weakly_curved_metric,
)
from emergent.chains.permutation import cycle_permutation, noisy_weights, permutation_matrix
from emergent.chains.strings import (
    StringChain,
    StringData,
    StringState,
    StringStepper,
    closed_string,
    light_cone_residuals,
    nambu_goto_density,
    polyakov_action,
)
from emergent.runs.figures import fit_range, image, log_plot
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
from emergent.runs.tolerances import roundoff_bound

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["SIMULATION", "StringsParams"]


@parameters
class StringsParams:
    """Parameters of the `strings` simulation (P2 (64)-(78)).
    """

    neurons: int = param(256, "N, neurons in the closed chain (sigma grid)", low=24,
                         high=1 << 24)
    dims: int = param(3, "D, spatial dimensions of the emergent space-time", low=2, high=16)
    kind: Literal["pulsating", "kibble-turok", "unconstrained"] = param(
        "kibble-turok", "closed-string initial data", units="")
    radius: float = param(1.0, "R, size of the string", low=0.0, low_open=True, high=1e6)
    periods: float = param(1.0, "duration in units of 2 pi in tau (N steps each)", low=0.0,
                           low_open=True, high=100.0)
    record_every: int = param(4, "chain steps between recorded rows", low=1, high=1 << 20)
    activation: Literal["linear", "tanh"] = param("linear", "activation f", units="")
    noise: float = param(0.0, "std of the edge weights around 1 (noisy permutation)",
                         low=0.0, high=10.0)
    curvature: float = param(
        0.0, "max |h| of a weakly curved metric g = eta + h; > 0 also integrates eq 78",
        low=0.0, high=0.5, high_open=True)
    metric_modes: int = param(2, "Fourier modes of h(sigma)", low=1, high=64)


@dataclass
class _State:
    """The run's state: the string ensemble, the curved-metric motion and the trajectory."""

    string: StringState
    metric: np.ndarray | None  # [2, D + 1, N]: x, v of (78)
    traj: list[np.ndarray] = field(default_factory=list)
    taus: list[float] = field(default_factory=list)


class _Stepper:
    """The string ensemble and (optionally) the metric chain, advanced together in chain steps;
    the ensemble average x (68) at every step reached is kept for the field `x`."""

    def __init__(self, string: StringChain, metric: MetricChain | None) -> None:
        self.string = StringStepper(string)
        self.metric = None if metric is None else MetricStepper(metric)
        self.alpha = string.alpha

    def advance(self, state: _State, t0: float, t1: float) -> _State:
        s = self.string.advance(state.string, t0, t1)
        m = state.metric
        if self.metric is not None and m is not None:
            m = self.metric.advance(m, t0 / self.alpha, t1 / self.alpha)
        return _State(s, m, [*state.traj, s.x], [*state.taus, t1 / self.alpha])

    def save(self, state: _State) -> dict[str, np.ndarray]:
        out = {**self.string.save(state.string), "traj": np.array(state.traj),
               "taus": np.array(state.taus)}
        if state.metric is not None:
            out["xv"] = state.metric
        return out

    def load(self, saved: dict[str, np.ndarray]) -> _State:
        metric = np.asarray(saved["xv"], dtype=float) if "xv" in saved else None
        return _State(self.string.load(saved), metric, list(saved["traj"]),
                      [float(t) for t in saved["taus"]])


def _metric_start(data: StringData) -> np.ndarray:
    """x and v = d x / d tau of the continuum string at tau = 0 (v by a centred difference)."""
    h = 1e-6
    xm = data.exact(0.0)
    vm = (data.exact(h) - data.exact(-h)) / (2 * h)
    return np.stack([xm, vm])


def run(run: RunWriter[StringsParams]) -> None:
    """Evolve the string (P2 (68)-(73)) and record the constraints (75) and the action (76).

    The pi / pi^T ensemble of a closed string of :func:`~emergent.chains.strings.closed_string`
    runs for `periods` x N steps. Every `record_every` steps it records tau, the light-cone
    residuals (75) (absolute and relative to the mean energy density), the Polyakov action (76)
    and twice the Nambu-Goto action, the deviation from the exact free string (the d'Alembert
    solution (73)) and the mean time coordinate. With curvature > 0 the same data also evolve
    in a weakly curved metric by (78) (sign corrected), recording its energy H (77), the
    constraint residual (56) and the deviation from the flat string. Writes the trajectory
    ``x`` (and the metric ``g``) and the results ``alpha``, ``energy`` (and the metric energy
    and its scale).

    Parameters
    ----------
    run : RunWriter
        The run being written (parameters ``run.p``, random streams, output).

    Raises
    ------
    ParameterError
        A Kibble-Turok string with dims < 3; sizes that do not fit in memory or would take
        hours.
    NumericalError
        The string's coordinates became non-finite (a linear chain with noisy weights grows
        without bound).
    """
    p = run.p
    n, dims = p.neurons, p.dims
    total_steps = max(2, int(round(p.periods * n)))
    n_records = (total_steps - 1) // p.record_every + 1
    # the recorded trajectory x[tau, mu, sigma]; the state, derivatives and exact solution
    # (about 20 arrays of [D + 1, N]); the metric g[sigma, mu, nu] and its chain
    require_memory(nbytes((n_records, dims + 1, n), (20, dims + 1, n),
                          (8 if p.curvature > 0 else 0, n, (dims + 1) ** 2)),
                   f"neurons={n} x dims={dims} x {n_records} recorded rows (periods="
                   f"{p.periods:g}, record_every={p.record_every})")
    require_steps(float(total_steps) * (n * (dims + 1) + STEP_OVERHEAD),
                  f"periods={p.periods:g} x neurons={n} steps on neurons={n} x dims={dims}")
    if p.kind == "kibble-turok" and dims < 3:
        raise ParameterError(f"parameter 'dims': a kibble-turok string needs dims >= 3, got "
                             f"{dims} (or choose kind=pulsating)")
    data = closed_string(p.kind, n=n, dims=dims, radius=p.radius)
    weights = noisy_weights(n, p.noise, run.rng(1)) if p.noise > 0 else None
    string = StringChain.of(data, activation=p.activation, weights=weights)
    alpha: float = string.alpha
    total = max(2, int(round(p.periods * n)))
    curved = p.curvature > 0
    metric: MetricChain | None = None
    start = None
    if curved:
        g = weakly_curved_metric(n, dims, p.curvature, p.metric_modes, run.rng(2))
        metric = MetricChain(g, operator_g(permutation_matrix(cycle_permutation(n))), alpha)
        start = _metric_start(data)
        xm, vm = start
        energy0 = metric.energy(xm, vm)
        # H vanishes on constraint data (it is the integrated constraint): measure its drift
        # against the positive (Euclidean) energy scale sum v.v + alpha^2 x.G.x
        escale = float(np.sum(vm * vm) + alpha**2 * np.sum(xm * (metric.G @ xm.T).T))
    stepper = _Stepper(string, metric)
    sigma = sigma_grid(n)

    def initial() -> _State:
        return stepper.advance(_State(StringState.of(data), start), 0, 1)

    def observe(frame: Frame[_State]) -> dict[str, object]:
        st = frame.state
        t = int(round(frame.t))
        tau = t / alpha
        dt, ds = string.derivatives(st.string)
        rp, rm = light_cone_residuals(dt, ds)
        scale = float(np.mean(np.sum(dt * dt + ds * ds, axis=0))) / 4
        x = st.string.x
        row: dict[str, object] = dict(
            t=t, tau=tau,
            residual_plus=float(np.abs(rp).max()), residual_minus=float(np.abs(rm).max()),
            residual_rel=float(max(np.abs(rp).max(), np.abs(rm).max()) / scale),
            action=polyakov_action(dt, ds, alpha),
            action_nambu_goto=float(2 * nambu_goto_density(dt, ds).sum() / alpha),
            free_string_error=float(np.abs(x - data.exact(tau, sigma)).max()),
            time_coordinate=float(x[0].mean()),
        )
        if metric is not None and st.metric is not None:
            xm, vm = st.metric
            row.update(metric_energy=metric.energy(xm, vm),
                       metric_residual=light_cone_residual(vm, xm, alpha, metric.g),
                       metric_deviation=float(np.abs(xm - data.exact(tau, sigma)).max()))
        return row

    records = (total - 1) // p.record_every + 1  # rows at t = 1, 1 + every, ...
    times = 1 + p.record_every * np.arange(records)
    why = "choose less noise, activation=tanh or fewer periods"
    with numerical_failures("strings", why):
        final = evolve_run(run, stepper, initial, times, finite_rows(observe, why=why))
    run.write_field("x", np.array(final.traj), axes={"tau": np.array(final.taus),
                                                     "mu": np.arange(dims + 1), "sigma": sigma})
    run.set_result("alpha", alpha)
    run.set_result("energy", data.energy)
    if metric is not None:
        run.write_field("g", metric.g, axes={"sigma": sigma, "mu": np.arange(dims + 1),
                                             "nu": np.arange(dims + 1)})
        run.set_result("metric_energy0", energy0)
        run.set_result("metric_energy_scale", escale)


def plot(data: RunData, fig: Figure) -> None:
    """x^(1)(tau, sigma), the string in the (x^(1), x^(2)) plane and the residuals.

    Left: x^(1) over tau and sigma. Middle: the string at five times in the (x^(1), x^(2))
    plane. Right: the relative constraint residual (75) (and the curved-metric residual (56)),
    and the deviation from the free string, against tau on a log scale (tau = 0 left out).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw on.
    """
    p = SIMULATION.typed(data.params)
    x, axes = data.field("x")
    tau, sigma = axes["tau"], axes["sigma"]
    ax = fig.subplots(1, 3)
    image(ax[0], x[:, 1, :], (sigma[0], sigma[-1], tau[0], tau[-1]), symmetric=True,
          label=r"$x^{(1)}(\tau, \sigma)$")
    ax[0].set_xlabel(r"$\sigma$")
    ax[0].set_ylabel(r"$\tau$")
    ax[0].set_title("first transverse coordinate")
    for k in np.linspace(0, len(tau) - 1, 5).astype(int):
        ax[1].plot(np.r_[x[k, 1], x[k, 1, :1]], np.r_[x[k, 2], x[k, 2, :1]], lw=1,
                   label=f"$\\tau = {tau[k]:.2f}$")  # a closed string: back to sigma = 0
    ax[1].margins(x=0.05, y=0.3)  # room for the legend above the curves
    ax[1].set_aspect("equal", adjustable="datalim")
    ax[1].set_xlabel("$x^{(1)}$")
    ax[1].set_ylabel("$x^{(2)}$")
    ax[1].set_title(f"{p.kind} string in the $(x^{{(1)}}, x^{{(2)}})$ plane")
    ax[1].legend(loc="upper center", ncols=3, fontsize=6.5)
    t = data.series("tau")
    log_plot(ax[2], t, data.series("residual_rel"), label="constraint residual (75), relative")
    if "metric_residual" in data.series_names:
        log_plot(ax[2], t, data.series("metric_residual"), label="curved-metric residual (56)")
    log_plot(ax[2], t, data.series("free_string_error"),
             label=r"deviation from the free string $\max|x - x_{\rm free}|$")
    fit_range(ax[2], t[t > 0], "x", pad=0.01)
    ax[2].set_xlabel(r"$\tau$")
    ax[2].set_ylabel("residual, deviation")
    ax[2].legend()
    ax[2].set_title(f"{p.activation} activation, noise {p.noise:g}")


def checks(data: RunData) -> list[Check]:
    """The paper claims this run checks (linear activation without noise only).

    P2 (75): the light-cone constraints hold for closed-string data to the grid bound, or,
    for the unconstrained control, are violated by exactly (E^2 - R^2) / 4; P2 (76): the
    Polyakov action equals twice the Nambu-Goto action on-shell; P2 (68), (73): the pi / pi^T
    ensemble is the d'Alembert (closed-string) solution exactly on the grid; P2 (77)-(78)
    (sign corrected): the energy is conserved in a curved metric (curvature > 0).

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One verdict per claim that applies to the run's parameters.
    """
    p = SIMULATION.typed(data.params)
    out: list[Check] = []
    if p.activation != "linear" or p.noise != 0:
        return out
    n, r = p.neurons, p.radius
    res = np.maximum(data.series("residual_plus"), data.series("residual_minus"))
    bound = r * r * (2 * np.pi / n) ** 2
    err = float(data.series("free_string_error").max())
    act, ng = data.series("action"), data.series("action_nambu_goto")
    # the d'Alembert recursion x(t+1) = x_(i+1) + x_(i-1) - x(t-1) is exact on the grid; its
    # round-off (a few eps of the largest coordinate per step: R in space, tau in time) adds
    # up over the steps without cancelling in the worst case
    steps = max(2, int(round(p.periods * n)))
    roundoff = roundoff_bound(steps, 8.0) * max(r, 2 * np.pi * p.periods, 1.0)
    if p.kind != "unconstrained":
        out.append(Check("P2 (75): light-cone constraints hold for closed-string data",
                         "eta d_pm x d_pm x = 0",
                         f"max residual {res.max():.2e} (grid bound R^2 h^2 = {bound:.2e})",
                         bool(res.max() <= bound), decides=("P2 (75)",)))
        out.append(Check("P2 (76): Polyakov action equals 2 x Nambu-Goto on-shell",
                         "conformal gauge", f"max difference {np.abs(act - ng).max():.2e}",
                         bool(np.abs(act - ng).max() <= 20 * bound * 2 * np.pi),
                         decides=("P2 (76)",)))
    else:
        e = data.results["energy"]
        out.append(Check("P2 (75) control: wrong-energy data violate the constraints",
                         "residual = (E^2 - R^2)/4",
                         f"{res.max():.4f} vs {(e * e - r * r) / 4:.4f}",
                         bool(abs(res.max() - (e * e - r * r) / 4) <= bound + 1e-3),
                         decides=("P2 (75)",)))
    out.append(Check("P2 (68), (73): pi/pi^T ensemble is the d'Alembert (closed-string) solution",
                     "exact on the grid",
                     f"max error {err:.1e} (round-off bound {roundoff:.0e} for {steps} steps)",
                     bool(err <= roundoff), decides=("P2 (68)", "P2 (73)")))
    if p.curvature > 0:
        e = data.series("metric_energy")
        drift = float(np.abs(e - data.results["metric_energy0"]).max()
                      / data.results["metric_energy_scale"])
        out.append(Check("P2 (77)-(78) (sign corrected): energy conserved in a curved metric",
                         "dH/dtau = 0", f"relative drift {drift:.1e}", bool(drift <= 1e-2),
                         decides=("P2 (77)", "P2 (78)")))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("chain step t of the network (P2 (57))"),
    "tau": Output("emergent time tau = t / alpha (P2 (53), (62))"),
    "residual_plus": Output(
        "largest light-cone constraint eta d_+x d_+x of P2 (75) over the string"),
    "residual_minus": Output(
        "largest light-cone constraint eta d_-x d_-x of P2 (75) over the string"),
    "residual_rel": Output(
        "largest light-cone constraint (P2 (75)) relative to the mean energy density"),
    "action": Output("Polyakov action (P2 (76)) per unit tau at the recorded step"),
    "action_nambu_goto": Output("twice the Nambu-Goto action per unit tau at the recorded "
                                "step (equal to P2 (76) on the constraints (75))"),
    "free_string_error": Output(
        "largest deviation of x from the exact free string (d'Alembert solution of P2 (73))"),
    "time_coordinate": Output("mean over the string of the time coordinate x^(0)"),
    "metric_energy": Output("energy H of the string in the curved metric (P2 (77)-(78))"),
    "metric_residual": Output(
        "largest constraint residual (P2 (56), (75)) of the string in the curved metric"),
    "metric_deviation": Output(
        "largest deviation of the string in the curved metric from the flat free string"),
    "x": Output("ensemble-averaged hidden variables x^(mu)(tau, sigma) (P2 (68))"),
    "g": Output("weakly curved metric g_(mu nu)(sigma) = eta + h (P2 (77))"),
    "mu": Output("space-time index mu = 0..D"),
    "nu": Output("space-time index nu = 0..D"),
    "sigma": Output("position sigma_i = i / alpha on the string (P2 (62))"),
    "alpha": Output("alpha of P2 (53), N / (2 pi) for the closed string"),
    "energy": Output("energy E of the string, x^(0) = E tau"),
    "metric_energy0": Output("energy H (P2 (77)) of the string in the curved metric at tau = 0"),
    "metric_energy_scale": Output(
        "positive energy scale sum v.v + alpha^2 x.G.x of the curved-metric string at tau = 0"),
}


SIMULATION = register(Simulation(
    name="strings",
    summary="pi/pi^T chain ensemble as a closed relativistic string: constraints, Polyakov action",
    equations=("P2 64", "P2 65", "P2 68", "P2 71", "P2 72", "P2 73", "P2 75", "P2 76",
               "P2 77", "P2 78"),
    parameters=StringsParams,
    run=run,
    plot=plot,
    checks=checks,
    full={"neurons": 4096, "periods": 4.0, "record_every": 64},
    smoke={"neurons": 64, "record_every": 8, "curvature": 0.05},
    outputs=OUTPUTS,
))
"""The registered `strings` simulation (P2 (64)-(65), (68), (71)-(73), (75)-(78))."""
