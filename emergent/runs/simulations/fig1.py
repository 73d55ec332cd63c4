"""`fig1-entropy-destruction`: -Delta F(log lambda) of P1 Fig. 1 and the phases around (9.4).

The two-peak spectrum of P1 (9.2) (a fraction gamma of the eigenvalues at lambda, the rest at
lambda^(gamma/(gamma-1)), det G = 1) gives the entropy destruction rate -Delta F (9.1), (9.3).
The run draws the curves of Fig. 1 and locates, on a grid of beta, every stationary point of
-Delta F in s = log lambda numerically (sign changes of the analytic slope, refined by Brent's
method, classified by the second derivative), the global minimum (including the plateaus at
s -> +-inf) and the phase boundaries, and compares them with the claims of P1 §9:

* beta < 1/2: a stable local minimum at s = 3 log(-1/2 + sqrt(1/4 + 1/beta)), a maximum at s = 0;
* 1/2 < beta < sqrt(N) - 1: the two extrema switch, the maximum sits at (9.4);
* beta > sqrt(N) - 1: the global minimum is at s = 0.

Derivation used for comparison (see
:func:`emergent.septuple.thermodynamics.entropy_destruction_slope`): the
stationary points solve phi(lambda) = phi(lambda^k), phi(l) = l / (1 + beta l)^3,
k = gamma/(gamma-1). For gamma = 1/3 (k = -1/2), z = lambda^(1/2) solves beta z^2 - z + 1 - beta
= 0, so besides s = 0 the only stationary point is s* = 2 log((1 - beta)/beta), for beta < 1.
The curvature at s = 0 is proportional to (2 beta - 1) for every gamma; s = 0 is the global
minimum iff (1 + beta)^-2 < min(gamma, 1 - gamma), i.e. beta > 1/sqrt(gamma) - 1 for
gamma <= 1/2 (0.732 for gamma = 1/3; sqrt(N) - 1 is this boundary for gamma = 1/N).

The analysis lives in :mod:`emergent.septuple.phases`; the scan over beta is one
:func:`emergent.runs.loop.evolve_run` of its :class:`~emergent.septuple.phases.PhaseScan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from emergent.runs.resources import nbytes, numerical_failures, require_memory
from emergent.septuple.phases import (
    PhasePoint,
    PhaseScan,
    derived_stationary,
    global_minimum,
    paper_94,
    phase_boundaries,
    stationary_points,
)
from emergent.septuple.thermodynamics import entropy_destruction_model

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from emergent.evolution import Frame
    from emergent.runs.io import RunData, RunWriter

__all__ = ["Fig1Params", "checks", "plot", "run"]


BETA_MAX = 1e100
"""The largest beta the scan allows: beyond about 1e150, beta^2 N overflows and the root
finding of the stationary points no longer ends."""


@parameters
class Fig1Params:
    """Parameters of ``fig1-entropy-destruction`` (P1 9.1-9.4)."""

    betas: tuple[float, ...] = param((0.25, 0.50, 0.73, 1.00), "beta of the Fig. 1 curves",
                                     low=0.0, low_open=True, high=BETA_MAX)
    gamma: float = param(1.0 / 3.0, "fraction of small eigenvalues (9.2)", low=0.0, high=1.0,
                         low_open=True, high_open=True)
    neurons: int = param(854, "N, number of eigenvalues", low=2, high=10**12)
    span: float = param(10.0, "plot range |log lambda| <= span", low=0.0, low_open=True,
                        high=200.0)
    points: int = param(2001, "grid points of the curves", low=11, high=10**7)
    beta_min: float = param(0.02, "smallest beta of the phase scan", low=0.0, low_open=True,
                            high=BETA_MAX)
    beta_max: float = param(100.0, "largest beta of the phase scan", low=0.0, low_open=True,
                            high=BETA_MAX)
    beta_points: int = param(300, "betas in the phase scan (log-spaced)", low=3, high=10**6)


def _row(point: PhasePoint, gamma: float) -> dict[str, float | int]:
    """The series appended at one beta of the scan."""
    b = point.beta
    return {"beta": b, "s_star": point.s_star, "kind_star": point.kind_star,
            "kind_zero": point.kind_zero, "n_stationary": point.n_stationary,
            "global_min": point.global_min, "paper_94": paper_94(b),
            "derived": derived_stationary(b, gamma)}


def run(run: RunWriter[Fig1Params]) -> None:
    """The Fig. 1 curves (9.3), the phase scan over beta (one evolve_run) and the boundaries.

    Parameters
    ----------
    run : RunWriter[Fig1Params]
        The run being written.

    Raises
    ------
    ParameterError
        beta_min >= beta_max; sizes that do not fit in memory.
    NumericalError
        -Delta F overflowed (a beta beyond the range of floating point numbers).
    """
    p = run.p
    # +-inf: the global minimum on a plateau at s -> +-inf; nan: no s* (none, or no closed form)
    run.allow_nonfinite("global_min", "s_star", "derived",
                        *(f"global_min_beta_{b:g}" for b in p.betas))
    if not p.beta_min < p.beta_max:
        raise ParameterError(f"parameters 'beta_min' and 'beta_max': beta_min = {p.beta_min:g} "
                             f"must be below beta_max = {p.beta_max:g}")
    # the curves and their temporaries; the scan's rows
    require_memory(nbytes((6 * len(p.betas) + 6, p.points), (20, p.beta_points)),
                   f"points={p.points} x betas={len(p.betas)}, beta_points={p.beta_points}")
    with numerical_failures("fig1-entropy-destruction",
                            "choose smaller betas and beta_max"):
        _run(run, p)


def _run(run: RunWriter[Fig1Params], p: Fig1Params) -> None:
    gamma, n = p.gamma, float(p.neurons)
    s = np.linspace(-p.span, p.span, p.points)
    curves = np.array([entropy_destruction_model(s, beta=b, gamma=gamma, n=n) for b in p.betas])
    run.write_field("minus_laplacian", curves,
                    axes={"beta_curve": np.asarray(p.betas), "log_lambda": s})
    betas = np.geomspace(p.beta_min, p.beta_max, p.beta_points)
    stepper = PhaseScan(gamma=gamma, n=n)

    def observe(frame: Frame[PhasePoint]) -> dict[str, float | int]:
        return _row(frame.state, gamma)

    evolve_run(run, stepper, lambda: stepper.point(float(betas[0])), betas, observe,
               desc="beta grid")
    for key, value in phase_boundaries(gamma, n, p.beta_max).items():
        run.set_result(key, value)
    # stationary points of the four Fig. 1 curves
    for b in p.betas:
        pts = stationary_points(float(b), gamma, n)
        names = {1: "min", -1: "max", 0: "inflection"}
        desc = "; ".join(f"s={x:+.6f} ({names[k]})" for x, k in pts)
        run.set_result(f"stationary_beta_{b:g}", desc)
        run.set_result(f"global_min_beta_{b:g}", global_minimum(float(b), gamma, n, pts))


def _params(data: RunData) -> Fig1Params:
    """The run's parameters as the typed dataclass."""
    p: Fig1Params = SIMULATION.typed(data.params)
    return p


def plot(data: RunData, fig: Figure) -> None:
    """P1 Fig. 1 (-Delta F (9.3) against log lambda) and the stationary points over beta.

    Left: the curves -Delta F(log lambda) of Fig. 1. Right: the stationary points against
    beta, with (9.4) as printed, the derived 2 log((1 - beta)/beta) and the phase boundaries.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.
    fig : matplotlib.figure.Figure
        The figure to draw into.
    """
    curves, axes = data.field("minus_laplacian")
    s = axes["log_lambda"]
    ax1, ax2 = fig.subplots(1, 2)
    for b, c in zip(axes["beta_curve"], curves, strict=True):
        ax1.plot(s, c, label=f"$\\beta = {b:g}$")
    ax1.set_xlabel(r"$\log\lambda$")
    ax1.set_ylabel(r"$-\Delta F$, P1 (9.3)")
    fit_range(ax1, s, "x", pad=0)
    p = _params(data)
    ax1.set_title(f"P1 Fig. 1: $\\gamma = {p.gamma:.3g}$, $N = {p.neurons}$")
    ax1.legend()
    beta = data.series("beta")
    ks = data.series("kind_star")
    ss = data.series("s_star")
    for kind, mk, lab in ((1, "o", "stationary minimum"), (-1, "x", "stationary maximum")):
        sel = ks == kind
        if sel.any():
            ax2.plot(beta[sel], ss[sel], mk, ms=3, label=lab)
    ax2.plot(beta, data.series("paper_94"), "k--", lw=1, label="P1 (9.4) as printed")
    ax2.plot(beta, data.series("derived"), "r-", lw=1,
             label=r"derived: $2\log((1-\beta)/\beta)$")
    ax2.set_xscale("log")
    r = data.results
    for key, col, lab in (
            ("beta_switch", "g", "minimum turns into maximum"),
            ("beta_star_vanishes", "m", "the maximum vanishes"),
            ("beta_global_zero", "b", r"global minimum at $\log\lambda = 0$ from here"),
            ("sqrt_n_minus_1", "k", r"$\sqrt{N} - 1$ (P1 §9 as printed)")):
        ax2.axvline(r[key], color=col, lw=0.8, ls=":", label=lab)
    fit_range(ax2, [beta, r["sqrt_n_minus_1"]], "x", pad=0.02)
    fit_range(ax2, [ss, data.series("paper_94"), data.series("derived")], "y")
    ax2.set_xlabel(r"$\beta$")
    ax2.set_ylabel(r"stationary point $\log\lambda^*$")
    ax2.set_title("stationary points of $-\\Delta F$ against $\\beta$")
    ax2.legend(fontsize=6.5)


def checks(data: RunData) -> list[Check]:
    """The claims of P1 §9 on the phases, (9.4) and the phase boundaries, against the run.

    Parameters
    ----------
    data : RunData
        A finished run of this simulation.

    Returns
    -------
    list of Check
        One comparison per claim.
    """
    r = data.results
    p = _params(data)
    beta = data.series("beta")
    ss, ks, kz = data.series("s_star"), data.series("kind_star"), data.series("kind_zero")
    gmin = data.series("global_min")
    n = float(p.neurons)
    sq = np.sqrt(n) - 1
    low = beta < 0.5 - 1e-9
    mid = (beta > 0.5 + 1e-9) & (beta < sq)
    high = beta > sq
    out = []
    ok_low = bool(np.all(kz[low] == -1) and np.all(ks[low] == 1) and np.all(ss[low] > 0))
    out.append(Check(
        "P1 §9: beta < 1/2: log lambda = 0 is a maximum, a stable minimum at log lambda > 0",
        "max at 0, min at s > 0", f"{'holds' if ok_low else 'fails'} on {low.sum()} betas",
        ok_low))
    if np.any(low & np.isfinite(ss)):
        dev = float(np.nanmax(np.abs(ss[low] - data.series("paper_94")[low])))
        dev_ours = float(np.nanmax(np.abs(ss[low] - data.series("derived")[low])))
        out.append(Check(
            "P1 (9.4): the non-trivial extremum sits at 3 log(-1/2 + sqrt(1/4 + 1/beta))",
            "3 log(-1/2 + sqrt(1/4 + 1/beta))",
            f"max deviation {dev:.3g}; from 2 log((1-beta)/beta): {dev_ours:.1e}",
            bool(dev < 1e-6),
            correction="2 log((1 - beta)/beta) for gamma = 1/3" if dev_ours < 1e-6 else "",
            decides=("P1 (9.4)",)))
    out.append(Check(
        "P1 §9: the extrema switch at beta = 1/2",
        "beta = 0.5", f"beta = {r['beta_switch']:.10f}",
        bool(abs(r["beta_switch"] - 0.5) < 1e-6)))
    has_max = bool(np.all(ks[mid] == -1))
    vanishes = r["beta_star_vanishes"]
    out.append(Check(
        "P1 §9: for 1/2 < beta < sqrt(N) - 1 an unstable maximum exists at (9.4)",
        f"1/2 < beta < {sq:.2f}",
        f"maximum exists only for beta < {vanishes:.6f}", has_max,
        correction=(f"the maximum exists only for 1/2 < beta < {vanishes:.4g}"
                    if np.all(ks[mid & (beta < vanishes - 1e-6)] == -1) else "")))
    ok_high = bool(np.all(gmin[high] == 0.0))
    out.append(Check(
        "P1 §9: beta > sqrt(N) - 1: global minimum at log lambda = 0",
        f"beta > {sq:.2f}", f"{'holds' if ok_high else 'fails'} on {high.sum()} betas", ok_high))
    out.append(Check(
        "P1 §9: the final phase (global minimum at 0) begins at beta = sqrt(N) - 1",
        f"{sq:.4f}",
        f"{r['beta_global_zero']:.4f} = 1/sqrt(gamma) - 1 for gamma = {p.gamma:.4g}; "
        f"{r['beta_global_zero_gamma_1_over_n']:.4f} for gamma = 1/N",
        bool(abs(r["beta_global_zero"] - sq) < 1e-3 * sq),
        correction=("beta = 1/sqrt(gamma) - 1 (= sqrt(N) - 1 only for gamma = 1/N)"
                    if abs(r["beta_global_zero"] - (1 / np.sqrt(p.gamma) - 1)) < 1e-6 else "")))
    out.append(Check(
        "P1 §9: only a fraction gamma < (beta + 1)^-2 can move to log lambda -> -inf",
        "gamma < (1 + beta)^-2",
        f"boundary {r['beta_global_zero']:.6f} vs (1 + beta)^-2 = gamma at "
        f"{r['beta_global_zero_expected']:.6f}",
        bool(abs(r["beta_global_zero"] - r["beta_global_zero_expected"]) < 1e-6)))
    return out


OUTPUTS: dict[str, Output] = {
    "t": Output("inverse temperature beta of the phase scan (the scan's running variable)"),
    "beta": Output("inverse temperature beta of the phase scan (P1 (9.1))"),
    "s_star": Output("non-trivial stationary point s* = log lambda of -Delta F (P1 (9.3)); "
                     "NaN where there is none"),
    "kind_star": Output("kind of s*: +1 minimum, -1 maximum, 0 inflection or none", ""),
    "kind_zero": Output("kind of the stationary point s = 0: +1 minimum, -1 maximum, "
                        "0 inflection", ""),
    "n_stationary": Output("number of stationary points of -Delta F in log lambda (P1 (9.3))"),
    "global_min": Output("log lambda of the global minimum of -Delta F (P1 (9.3)); +-inf for "
                         "a plateau"),
    "paper_94": Output("stationary point s = 3 log(-1/2 + sqrt(1/4 + 1/beta)) as P1 (9.4) "
                       "prints it"),
    "derived": Output("derived stationary point s* = 2 log((1 - beta)/beta) for gamma = 1/3"),
    "minus_laplacian": Output(
        "entropy destruction rate -Delta F of the two-peak spectrum (P1 (9.1)-(9.3), Fig. 1)"),
    "beta_curve": Output("inverse temperature beta of each Fig. 1 curve"),
    "log_lambda": Output("logarithm of the eigenvalue, log lambda (P1 (9.2))"),
    "beta_switch": Output("beta where s = 0 turns from a maximum to a minimum of -Delta F"),
    "beta_star_vanishes": Output("beta where the non-trivial stationary point s* disappears"),
    "beta_global_zero": Output("beta above which s = 0 is the global minimum of -Delta F"),
    "beta_global_zero_expected": Output(
        "derived boundary 1/sqrt(min(gamma, 1 - gamma)) - 1 of the global minimum at s = 0"),
    "beta_global_zero_gamma_1_over_n": Output(
        "beta above which s = 0 is the global minimum, for gamma = 1/N"),
    "sqrt_n_minus_1": Output("phase boundary sqrt(N) - 1 as P1 section 9 states it"),
    # per Fig. 1 curve: the names carry beta (the defaults; other betas give other names)
    **{f"stationary_beta_{b:g}": Output(
        f"stationary points of -Delta F (P1 (9.3)) in s = log lambda at beta = {b:g}", "")
       for b in Fig1Params().betas},
    **{f"global_min_beta_{b:g}": Output(
        f"log lambda of the global minimum of -Delta F (P1 (9.3)) at beta = {b:g}")
       for b in Fig1Params().betas},
}


SIMULATION = register(Simulation(
    name="fig1-entropy-destruction",
    summary="P1 Fig. 1: -Delta F(log lambda) of the two-peak spectrum and its phases in beta",
    equations=("P1 8.10", "P1 9.1", "P1 9.2", "P1 9.3", "P1 9.4"),
    parameters=Fig1Params,
    run=run,
    plot=plot,
    checks=checks,
    full={"beta_points": 3000, "points": 20001},
    smoke={"beta_points": 30, "points": 201},
    stochastic=False,
    outputs=OUTPUTS,
))
