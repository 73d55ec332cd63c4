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
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import brentq

from emergent.runs.registry import Check, Param, Simulation, register
from emergent.septuple.thermodynamics import entropy_destruction_model, entropy_destruction_slope

__all__ = ["paper_94", "phase_analysis", "stationary_points"]


def paper_94(beta: float) -> float:
    """The location P1 (9.4) prints: s = 3 log(-1/2 + sqrt(1/4 + 1/beta))."""
    return float(3.0 * np.log(-0.5 + np.sqrt(0.25 + 1.0 / beta)))


def derived_stationary(beta: float, gamma: float) -> float:
    """The non-trivial stationary point for gamma = 1/3: s* = 2 log((1 - beta)/beta), beta < 1
    (nan otherwise or for other gamma)."""
    if abs(gamma - 1.0 / 3.0) > 1e-12 or beta >= 1.0:
        return float("nan")
    return float(2.0 * np.log((1.0 - beta) / beta))


def stationary_points(
    beta: float, gamma: float, n: float, span: float = 60.0, points: int = 24001
) -> list[tuple[float, int]]:
    """All stationary points of -Delta F(s) (9.3) in [-span, span]:
    [(s, +1 minimum / -1 maximum / 0 inflection)]."""
    s = np.linspace(-span, span, points)
    # s = 0 is always a root; +-1e-9 bracket it so roots next to it are not lost in its cell
    s = np.union1d(s[np.abs(s) > 1e-9], [-1e-9, 1e-9])

    def slope(t):
        return entropy_destruction_slope(t, beta=beta, gamma=gamma, n=n)

    d = slope(s)
    scale = np.max(np.abs(d)) + 1e-300
    out: list[tuple[float, int]] = []
    for i in np.flatnonzero(d == 0.0):
        out.append((float(s[i]), 0))
    for i in np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0):
        root = brentq(slope, s[i], s[i + 1], xtol=1e-14, rtol=1e-14)
        out.append((float(root), 0))
    out.sort()
    result = []
    for root, _ in out:
        root = 0.0 if abs(root) < 1e-9 else root
        h = 1e-4
        curv = (slope(root + h) - slope(root - h)) / (2 * h)
        if abs(curv) < 1e-8 * scale:  # degenerate: compare the slope on both sides
            left, right = slope(root - 1e-3), slope(root + 1e-3)
            kind = 0 if np.sign(left) == np.sign(right) else (1 if right > 0 else -1)
        else:
            kind = 1 if curv > 0 else -1
        result.append((root, kind))
    return result


def global_minimum(beta: float, gamma: float, n: float, points: list[tuple[float, int]]) -> float:
    """Where -Delta F is smallest: a stationary point or a plateau (returns +-inf there)."""
    cands = {-np.inf: 0.5 * n * beta * gamma, np.inf: 0.5 * n * beta * (1 - gamma)}
    for s, kind in points:
        if kind >= 0:
            cands[s] = float(entropy_destruction_model(s, beta=beta, gamma=gamma, n=n))
    best = min(cands.values())
    locs = [s for s, v in cands.items() if v <= best * (1 + 1e-12)]
    return float(min(locs, key=abs))


def phase_analysis(betas: np.ndarray, gamma: float, n: float) -> dict[str, np.ndarray]:
    """Per beta: the non-trivial stationary point s* and its kind, the kind of s = 0 and the
    location of the global minimum."""
    s_star = np.full(betas.size, np.nan)
    kind_star = np.zeros(betas.size)
    kind_zero = np.zeros(betas.size)
    n_stat = np.zeros(betas.size, dtype=int)
    glob = np.zeros(betas.size)
    for i, beta in enumerate(betas):
        pts = stationary_points(float(beta), gamma, n)
        n_stat[i] = len(pts)
        for s, kind in pts:
            if abs(s) < 1e-9:
                kind_zero[i] = kind
            else:
                s_star[i], kind_star[i] = s, kind
        glob[i] = global_minimum(float(beta), gamma, n, pts)
    return {"s_star": s_star, "kind_star": kind_star, "kind_zero": kind_zero,
            "n_stationary": n_stat, "global_min": glob}


def _boundary(betas: np.ndarray, flag: np.ndarray) -> float:
    """The beta where a boolean flag over the sorted beta grid last changes value (midpoint)."""
    change = np.flatnonzero(flag[1:] != flag[:-1])
    if change.size == 0:
        return float("nan")
    i = change[-1]
    return float(np.sqrt(betas[i] * betas[i + 1]))


def _refine(fn, lo: float, hi: float) -> float:
    """Bisection on a boolean predicate that is False at lo and True at hi."""
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if fn(mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def run(run: Any) -> None:
    p = run.params
    gamma, n = p["gamma"], float(p["neurons"])
    s = np.linspace(-p["span"], p["span"], p["points"])
    curves = np.array([entropy_destruction_model(s, beta=b, gamma=gamma, n=n) for b in p["betas"]])
    run.write_field("minus_laplacian", curves,
                    axes={"beta_curve": np.asarray(p["betas"]), "log_lambda": s})
    betas = np.geomspace(p["beta_min"], p["beta_max"], p["beta_points"])
    state = run.restore()
    start = 0 if state is None else int(state["next"])
    for i in run.progress(range(start, betas.size), total=betas.size, desc="beta grid"):
        b = float(betas[i])
        ph = phase_analysis(np.array([b]), gamma, n)
        run.append(beta=b, s_star=ph["s_star"][0], kind_star=ph["kind_star"][0],
                   kind_zero=ph["kind_zero"][0], n_stationary=int(ph["n_stationary"][0]),
                   global_min=ph["global_min"][0], paper_94=paper_94(b),
                   derived=derived_stationary(b, gamma))
        run.checkpoint({"next": i + 1})

    def zero_is_min(b):
        return dict((round(x, 9), k) for x, k in stationary_points(b, gamma, n)).get(0.0) == 1

    def star_gone(b):
        return all(abs(x) < 1e-9 for x, _ in stationary_points(b, gamma, n))

    def zero_global(b):
        return global_minimum(b, gamma, n, stationary_points(b, gamma, n)) == 0.0

    run.set_result("beta_switch", _refine(zero_is_min, 0.3, 0.7))
    run.set_result("beta_star_vanishes", _refine(star_gone, 0.5 + 1e-6, p["beta_max"]))
    run.set_result("beta_global_zero", _refine(zero_global, 1e-3, p["beta_max"]))
    run.set_result("beta_global_zero_expected", float(1 / np.sqrt(min(gamma, 1 - gamma)) - 1))
    g_n = 1.0 / n
    run.set_result("beta_global_zero_gamma_1_over_n", _refine(
        lambda b: global_minimum(b, g_n, n, stationary_points(b, g_n, n)) == 0.0,
        1e-3, max(p["beta_max"], 4 * np.sqrt(n))))
    run.set_result("sqrt_n_minus_1", float(np.sqrt(n) - 1))
    # stationary points of the four Fig. 1 curves
    for b in p["betas"]:
        pts = stationary_points(float(b), gamma, n)
        names = {1: "min", -1: "max", 0: "inflection"}
        desc = "; ".join(f"s={x:+.6f} ({names[k]})" for x, k in pts)
        run.set_result(f"stationary_beta_{b:g}", desc)
        run.set_result(f"global_min_beta_{b:g}", global_minimum(float(b), gamma, n, pts))


def plot(data: Any, fig: Any) -> None:
    curves, axes = data.field("minus_laplacian")
    s = axes["log_lambda"]
    ax1, ax2 = fig.subplots(1, 2)
    for b, c in zip(axes["beta_curve"], curves, strict=True):
        ax1.plot(s, c, label=f"beta = {b:g}")
    ax1.set_xlabel("log lambda")
    ax1.set_ylabel("-Delta F (P1 9.3)")
    ax1.set_title(f"P1 Fig. 1: gamma = {data.params['gamma']:.3g}, N = {data.params['neurons']}")
    ax1.legend()
    beta = data.series("beta")
    ks = data.series("kind_star")
    ss = data.series("s_star")
    for kind, mk, lab in ((1, "o", "s* minimum"), (-1, "x", "s* maximum")):
        sel = ks == kind
        ax2.semilogx(beta[sel], ss[sel], mk, ms=3, label=lab)
    ax2.semilogx(beta, data.series("paper_94"), "k--", lw=1, label="P1 (9.4) as printed")
    ax2.semilogx(beta, data.series("derived"), "r-", lw=1, label="2 log((1-beta)/beta)")
    r = data.results
    for key, col in (("beta_switch", "g"), ("beta_star_vanishes", "m"),
                     ("beta_global_zero", "b"), ("sqrt_n_minus_1", "k")):
        ax2.axvline(r[key], color=col, lw=0.8, ls=":", label=key)
    ax2.set_ylim(-15, 15)
    ax2.set_xlabel("beta")
    ax2.set_ylabel("stationary log lambda")
    ax2.legend(fontsize=6)


def checks(data: Any) -> list[Check]:
    r = data.results
    p = data.params
    beta = data.series("beta")
    ss, ks, kz = data.series("s_star"), data.series("kind_star"), data.series("kind_zero")
    gmin = data.series("global_min")
    n = float(p["neurons"])
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
            correction="2 log((1 - beta)/beta) for gamma = 1/3" if dev_ours < 1e-6 else ""))
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
        f"{r['beta_global_zero']:.4f} = 1/sqrt(gamma) - 1 for gamma = {p['gamma']:.4g}; "
        f"{r['beta_global_zero_gamma_1_over_n']:.4f} for gamma = 1/N",
        bool(abs(r["beta_global_zero"] - sq) < 1e-3 * sq),
        correction=("beta = 1/sqrt(gamma) - 1 (= sqrt(N) - 1 only for gamma = 1/N)"
                    if abs(r["beta_global_zero"] - (1 / np.sqrt(p["gamma"]) - 1)) < 1e-6 else "")))
    out.append(Check(
        "P1 §9: only a fraction gamma < (beta + 1)^-2 can move to log lambda -> -inf",
        "gamma < (1 + beta)^-2",
        f"boundary {r['beta_global_zero']:.6f} vs (1 + beta)^-2 = gamma at "
        f"{r['beta_global_zero_expected']:.6f}",
        bool(abs(r["beta_global_zero"] - r["beta_global_zero_expected"]) < 1e-6)))
    return out


SIMULATION = register(Simulation(
    name="fig1-entropy-destruction",
    summary="P1 Fig. 1: -Delta F(log lambda) of the two-peak spectrum and its phases in beta",
    equations=("P1 8.10", "P1 9.1", "P1 9.2", "P1 9.3", "P1 9.4"),
    params=(
        Param("betas", "floats", (0.25, 0.50, 0.73, 1.00), "beta of the Fig. 1 curves",
              low=0.0, low_open=True),
        Param("gamma", "float", 1.0 / 3.0, "fraction of small eigenvalues (9.2)", low=0.0,
              high=1.0, low_open=True, high_open=True),
        Param("neurons", "int", 854, "N, number of eigenvalues", low=2, high=10**12),
        Param("span", "float", 10.0, "plot range |log lambda| <= span", low=0.0,
              low_open=True, high=200.0),
        Param("points", "int", 2001, "grid points of the curves", low=11, high=10**7),
        Param("beta_min", "float", 0.02, "smallest beta of the phase scan", low=0.0,
              low_open=True),
        Param("beta_max", "float", 100.0, "largest beta of the phase scan", low=0.0,
              low_open=True),
        Param("beta_points", "int", 300, "betas in the phase scan (log-spaced)", low=3,
              high=10**6),
    ),
    run=run,
    plot=plot,
    checks=checks,
    full={"beta_points": 3000, "points": 20001},
    smoke={"beta_points": 30, "points": 201},
    stochastic=False,
))
