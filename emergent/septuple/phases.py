"""The phases of the entropy destruction rate of the two-peak spectrum in beta (P1 §9).

A fraction gamma of the N eigenvalues of G at lambda and the rest at lambda^(gamma/(gamma-1))
(P1 9.2, det G = 1) give the entropy destruction rate -Delta F(s) of (9.1), (9.3) as a function
of s = log lambda (:func:`emergent.septuple.thermodynamics.entropy_destruction_model`). This
module finds its stationary points numerically (sign changes of the analytic slope, refined by
Brent's method, classified by the curvature), its global minimum (the plateaus at s -> +-inf
included) and the phase boundaries in beta, for comparison with the claims of P1 §9:

* beta < 1/2: a stable minimum at s = 3 log(-1/2 + sqrt(1/4 + 1/beta)) (9.4), a maximum at 0;
* 1/2 < beta < sqrt(N) - 1: the two extrema switch, the maximum sits at (9.4);
* beta > sqrt(N) - 1: the global minimum is at s = 0.

Derivation used for comparison (see
:func:`emergent.septuple.thermodynamics.entropy_destruction_slope`): the stationary points solve
phi(lambda) = phi(lambda^k), phi(l) = l / (1 + beta l)^3, k = gamma/(gamma-1). For gamma = 1/3
(k = -1/2), z = lambda^(1/2) solves beta z^2 - z + 1 - beta = 0, so besides s = 0 the only
stationary point is s* = 2 log((1 - beta)/beta), for beta < 1. The curvature at s = 0 is
proportional to (2 beta - 1) for every gamma; s = 0 is the global minimum iff
(1 + beta)^-2 < min(gamma, 1 - gamma), i.e. beta > 1/sqrt(gamma) - 1 for gamma <= 1/2.

:class:`PhaseScan` is the stepper (:class:`emergent.evolution.Stepper`) that walks a grid of
beta values; :func:`scan` drives it with :func:`emergent.evolution.evolve`, the registered
simulation ``fig1-entropy-destruction`` with :func:`emergent.runs.loop.evolve_run`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from emergent.evolution import Recorder, Result, Tracker, evolve
from emergent.septuple.thermodynamics import entropy_destruction_model, entropy_destruction_slope

__all__ = [
    "PhasePoint",
    "PhaseScan",
    "derived_stationary",
    "global_minimum",
    "paper_94",
    "phase_analysis",
    "phase_boundaries",
    "refine",
    "scan",
    "stationary_points",
]


def paper_94(beta: float) -> float:
    """The location of the non-trivial extremum as P1 (9.4) prints it.

    Parameters
    ----------
    beta : float
        Inverse temperature, > 0.

    Returns
    -------
    float
        s = 3 log(-1/2 + sqrt(1/4 + 1/beta)).
    """
    return float(3.0 * np.log(-0.5 + np.sqrt(0.25 + 1.0 / beta)))


def derived_stationary(beta: float, gamma: float) -> float:
    """The non-trivial stationary point of P1 (9.3) for gamma = 1/3: s* = 2 log((1 - beta)/beta).

    Parameters
    ----------
    beta : float
        Inverse temperature, > 0.
    gamma : float
        Fraction of small eigenvalues (9.2).

    Returns
    -------
    float
        s*, or nan for beta >= 1 or gamma != 1/3 (no closed form derived there).
    """
    if abs(gamma - 1.0 / 3.0) > 1e-12 or beta >= 1.0:
        return float("nan")
    return float(2.0 * np.log((1.0 - beta) / beta))


def stationary_points(
    beta: float, gamma: float, n: float, span: float = 60.0, points: int = 24001
) -> list[tuple[float, int]]:
    """All stationary points of -Delta F(s) of P1 (9.3) in [-span, span].

    Parameters
    ----------
    beta : float
        Inverse temperature, > 0.
    gamma : float
        Fraction of small eigenvalues, 0 < gamma < 1 (9.2).
    n : float
        N, the number of eigenvalues.
    span : float
        Half-width of the searched interval of s = log lambda.
    points : int
        Grid points on which sign changes of the slope are looked for.

    Returns
    -------
    list of (float, int)
        (s, kind) sorted by s; kind +1 minimum, -1 maximum, 0 inflection.
    """
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
    """Where -Delta F of P1 (9.3) is smallest: a stationary point or a plateau.

    Parameters
    ----------
    beta, gamma, n : float
        As for :func:`stationary_points`.
    points : list of (float, int)
        The stationary points from :func:`stationary_points`.

    Returns
    -------
    float
        s of the global minimum (+-inf for the plateaus at s -> +-inf; the one nearest 0 on a
        tie).
    """
    cands = {-np.inf: 0.5 * n * beta * gamma, np.inf: 0.5 * n * beta * (1 - gamma)}
    for s, kind in points:
        if kind >= 0:
            cands[s] = float(entropy_destruction_model(s, beta=beta, gamma=gamma, n=n))
    best = min(cands.values())
    locs = [s for s, v in cands.items() if v <= best * (1 + 1e-12)]
    return float(min(locs, key=abs))


def phase_analysis(betas: np.ndarray, gamma: float, n: float) -> dict[str, np.ndarray]:
    """The stationary points of P1 (9.3) and the global minimum at every beta of a grid.

    Parameters
    ----------
    betas : ndarray(shape=[B])
        Inverse temperatures.
    gamma, n : float
        As for :func:`stationary_points`.

    Returns
    -------
    dict of str to ndarray(shape=[B])
        s_star (the non-trivial stationary point, nan if none), kind_star and kind_zero (+1
        minimum, -1 maximum, 0 inflection, of s* and of s = 0), n_stationary (their number),
        global_min (s of the global minimum).
    """
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


def refine(predicate: Callable[[float], bool], lo: float, hi: float) -> float:
    """Bisection (60 halvings) for the point where a predicate over beta turns True.

    Parameters
    ----------
    predicate : callable(float) -> bool
        False at `lo`, True at `hi`.
    lo, hi : float
        The bracket.

    Returns
    -------
    float
        The midpoint of the final bracket.
    """
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if predicate(mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def phase_boundaries(gamma: float, n: float, beta_max: float) -> dict[str, float]:
    """The phase boundaries in beta of P1 §9, located by bisection on (9.3).

    Parameters
    ----------
    gamma : float
        Fraction of small eigenvalues (9.2).
    n : float
        N, the number of eigenvalues.
    beta_max : float
        Upper end of the searched beta range.

    Returns
    -------
    dict of str to float
        beta_switch (s = 0 turns from maximum to minimum; 1/2 by the curvature),
        beta_star_vanishes (the non-trivial extremum disappears), beta_global_zero (s = 0
        becomes the global minimum) with beta_global_zero_expected = 1/sqrt(min(gamma,
        1 - gamma)) - 1, beta_global_zero_gamma_1_over_n (the same for gamma = 1/N) and
        sqrt_n_minus_1 (the boundary P1 §9 states).
    """

    def zero_is_min(b: float) -> bool:
        return dict((round(x, 9), k) for x, k in stationary_points(b, gamma, n)).get(0.0) == 1

    def star_gone(b: float) -> bool:
        return all(abs(x) < 1e-9 for x, _ in stationary_points(b, gamma, n))

    def zero_global(b: float) -> bool:
        return global_minimum(b, gamma, n, stationary_points(b, gamma, n)) == 0.0

    g_n = 1.0 / n
    return {
        "beta_switch": refine(zero_is_min, 0.3, 0.7),
        "beta_star_vanishes": refine(star_gone, 0.5 + 1e-6, beta_max),
        "beta_global_zero": refine(zero_global, 1e-3, beta_max),
        "beta_global_zero_expected": float(1 / np.sqrt(min(gamma, 1 - gamma)) - 1),
        "beta_global_zero_gamma_1_over_n": refine(
            lambda b: global_minimum(b, g_n, n, stationary_points(b, g_n, n)) == 0.0,
            1e-3, max(beta_max, 4 * np.sqrt(n))),
        "sqrt_n_minus_1": float(np.sqrt(n) - 1),
    }


@dataclass(frozen=True)
class PhasePoint:
    """The phase analysis of P1 (9.3) at one beta (one row of :func:`phase_analysis`).

    Attributes
    ----------
    beta : float
        The inverse temperature.
    s_star : float
        The non-trivial stationary point (nan if none).
    kind_star, kind_zero : float
        +1 minimum, -1 maximum, 0 inflection (or none), of s* and of s = 0.
    n_stationary : int
        The number of stationary points.
    global_min : float
        s of the global minimum (+-inf for a plateau).
    """

    beta: float
    s_star: float
    kind_star: float
    kind_zero: float
    n_stationary: int
    global_min: float


class PhaseScan:
    """Stepper over a grid of beta: the "state" at beta is its :class:`PhasePoint`.

    The points are independent, so ``advance(state, b0, b1)`` is the analysis at b1; the
    stepper exists so that a beta scan gets the series, progress and checkpoints of
    :func:`emergent.runs.loop.evolve_run`.

    Parameters
    ----------
    gamma : float
        Fraction of small eigenvalues (P1 9.2).
    n : float
        N, the number of eigenvalues.
    """

    def __init__(self, *, gamma: float, n: float) -> None:
        self.gamma = float(gamma)
        self.n = float(n)

    def point(self, beta: float) -> PhasePoint:
        """The :class:`PhasePoint` at one beta (P1 9.3).

        Parameters
        ----------
        beta : float
            Inverse temperature, > 0.

        Returns
        -------
        PhasePoint
            The stationary points and the global minimum there.
        """
        ph = phase_analysis(np.array([beta]), self.gamma, self.n)
        return PhasePoint(beta=float(beta), s_star=float(ph["s_star"][0]),
                          kind_star=float(ph["kind_star"][0]),
                          kind_zero=float(ph["kind_zero"][0]),
                          n_stationary=int(ph["n_stationary"][0]),
                          global_min=float(ph["global_min"][0]))

    def advance(self, state: PhasePoint, t0: float, t1: float) -> PhasePoint:
        """The point at beta = `t1` (the points are independent: `state` is not needed).

        Parameters
        ----------
        state : PhasePoint
            The point at `t0`.
        t0, t1 : float
            Consecutive betas of the scan.

        Returns
        -------
        PhasePoint
            The point at `t1`.
        """
        return self.point(t1)

    def save(self, state: PhasePoint) -> dict[str, Any]:
        """The point as scalars (for a checkpoint).

        Parameters
        ----------
        state : PhasePoint
            The point.

        Returns
        -------
        dict of str to float or int
            Its fields.
        """
        return dataclasses.asdict(state)

    def load(self, saved: Mapping[str, Any]) -> PhasePoint:
        """The point from :meth:`save`'s scalars.

        Parameters
        ----------
        saved : mapping
            What :meth:`save` returned.

        Returns
        -------
        PhasePoint
            The point.
        """
        return PhasePoint(**{f.name: saved[f.name] for f in dataclasses.fields(PhasePoint)})


def scan(betas: Sequence[float] | np.ndarray, *, gamma: float, n: float,
         trackers: Sequence[Tracker] = ()) -> Result:
    """The phase analysis of P1 (9.3) over increasing betas, through :class:`PhaseScan`.

    Parameters
    ----------
    betas : sequence of float
        Strictly increasing inverse temperatures.
    gamma : float
        Fraction of small eigenvalues (9.2).
    n : float
        N, the number of eigenvalues.
    trackers : sequence of Tracker
        More trackers for :func:`emergent.evolution.evolve`.

    Returns
    -------
    Result
        t = the betas; series s_star, kind_star, kind_zero, n_stationary, global_min;
        final = the :class:`PhasePoint` at the last beta.

    Raises
    ------
    ValueError
        `betas` not strictly increasing.
    """
    stepper = PhaseScan(gamma=gamma, n=n)
    betas = np.asarray(betas, dtype=float)
    if betas.ndim != 1 or betas.size == 0:
        raise ValueError("betas must be a non-empty 1D sequence")
    rec = Recorder(lambda frame: {k: v for k, v in dataclasses.asdict(frame.state).items()
                                  if k != "beta"})
    evolve(stepper, stepper.point(float(betas[0])), betas, [rec, *trackers])
    return rec.result(gamma=float(gamma), n=float(n))
