"""Langevin ensembles of trainable variables (P2 eq 19-20 as a stochastic differential equation).

    dq_k = gamma dF/dq_k dt + sqrt(2 D) dW_k,   k = 1..K (any K),

whose density obeys the Fokker-Planck equation (20). M particles advance in parallel (Numba)
with one SplitMix64 stream per particle derived from (seed, key, particle): results do not depend
on the number of threads. Histograms on the cells of a
:class:`emergent.stochastic.fokker_planck.Grid`
compare the ensemble with the grid solver; this is also the route for K > 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from emergent.evolution import Recorder, Result, Tracker, evolve
from emergent.kernels import langevin_kernels as LK
from emergent.stochastic.fokker_planck import Grid

__all__ = [
    "BOUNDARIES",
    "POTENTIALS",
    "Ensemble",
    "LangevinModel",
    "LangevinStepper",
    "default_dt",
    "gradient_table",
    "histogram",
    "potential_values",
    "solve",
    "step_ensemble",
    "step_times",
]

POTENTIALS = ("ou", "double-well", "canonical", "flat")
"""The named free energies F(q) of :func:`potential_values`."""
BOUNDARIES = ("reflect", "periodic", "free")
"""The walls of :class:`LangevinModel`: reflecting, periodic, or none."""


def potential_values(potential: str, coords: Sequence[np.ndarray], *, stiffness: float = 1.0,
                     height: float = 1.0, beta: float = 1.0, mass: float = 0.0) -> np.ndarray:
    """F at the points `coords` (K arrays of one shape) for a named potential.

    "ou": -stiffness |q|^2 / 2; "double-well": -height sum_k (q_k^2 - 1)^2 (maxima of F at
    q_k = +-1, where the drift up F collects the ensemble); "canonical": the canonical free
    energy of a net as a function of its eigenvalues q = lambda (P2 45,
    :func:`emergent.septuple.canonical.canonical_free_energy`); "flat": 0 (P1 11.5).

    Parameters
    ----------
    potential : {"ou", "double-well", "canonical", "flat"}
        The free energy.
    coords : sequence of ndarray
        K arrays of one shape: q_1, ..., q_K at every point (a mesh, or one value each).
    stiffness : float
        k of "ou".
    height : float
        h of "double-well".
    beta : float
        The inverse temperature of "canonical" (> 0).
    mass : float
        m of "canonical".

    Returns
    -------
    ndarray
        F at every point, of the common shape of `coords`.

    Raises
    ------
    ValueError
        An unknown potential, or for "canonical" beta <= 0 or a point outside its domain
        (1 - beta m) + beta q_k > 0.
    """
    if potential not in POTENTIALS:
        raise ValueError(f"potential must be one of {POTENTIALS}, got {potential!r}")
    q = np.stack([np.asarray(c, dtype=float) for c in coords], axis=-1)
    if potential == "ou":
        return -0.5 * stiffness * np.sum(q**2, axis=-1)
    if potential == "double-well":
        return -height * np.sum((q**2 - 1.0) ** 2, axis=-1)
    if potential == "canonical":
        from emergent.septuple.canonical import canonical_free_energy
        return canonical_free_energy(q, beta=beta, mass=mass)
    return np.zeros(q.shape[:-1])


def gradient_table(potential: str, lower: float, upper: float, *, points: int = 4097,
                   beta: float = 1.0, mass: float = 0.0) -> np.ndarray:
    """Kernel parameters for a separable potential tabulated as dF/dq_k on [lower, upper].

    Only "canonical" (P2 45) needs it: dF/dq_k from
    :func:`emergent.septuple.canonical.canonical_free_energy_gradient`, evaluated one eigenvalue
    at a time.

    Parameters
    ----------
    potential : {"canonical"}
        The potential to tabulate.
    lower, upper : float
        The range of q_k covered by the table.
    points : int
        The number of equally spaced nodes, `lower` and `upper` included (>= 2).
    beta : float
        The inverse temperature of P2 (45), > 0.
    mass : float
        m of P2 (45).

    Returns
    -------
    ndarray(shape=[points + 2])
        [lower, spacing, dF/dq at the `points` nodes], the layout the Langevin kernel reads.

    Raises
    ------
    ValueError
        Another potential, beta <= 0, or a node outside the domain (1 - beta m) + beta q > 0.
    """
    if potential != "canonical":
        raise ValueError(f"potential: only 'canonical' is tabulated, got {potential!r}")
    from emergent.septuple.canonical import canonical_free_energy_gradient
    x = np.linspace(lower, upper, points)
    g = canonical_free_energy_gradient(x[:, None], beta=beta, mass=mass)[:, 0]
    return np.concatenate([[lower, (upper - lower) / (points - 1)], g])


@dataclass(frozen=True)
class LangevinModel:
    """The physics of P2 (19)-(20) for an ensemble, given once:
    dq_k = gamma dF/dq_k dt + sqrt(2 D) dW_k.

    Parameters
    ----------
    potential : {"ou", "double-well", "canonical", "flat"}
        The free energy F(q) (:func:`potential_values`).
    gamma : float
        The drift rate (P2 (19)); any finite sign.
    diffusion : float
        D > 0.
    lower, upper : sequence of float, optional
        The box, one value or K values (needed unless `boundary` is "free").
    boundary : {"reflect", "periodic", "free"}
        Reflecting walls (zero flux, as the grid solver), a periodic box, or none.
    stiffness, height, beta, mass : float
        The constants of F: k of "ou", h of "double-well", beta and m of "canonical" (P2 (45)).

    Raises
    ------
    ValueError
        An unknown potential or boundary, D <= 0, non-finite gamma, a box with upper <= lower,
        or a missing box.
    """

    potential: str = "ou"
    gamma: float = 1.0
    diffusion: float = 1.0
    lower: tuple[float, ...] | None = None
    upper: tuple[float, ...] | None = None
    boundary: str = "reflect"
    stiffness: float = 1.0
    height: float = 1.0
    beta: float = 1.0
    mass: float = 0.0

    def __post_init__(self) -> None:
        if self.potential not in POTENTIALS:
            raise ValueError(f"potential must be one of {POTENTIALS}, got {self.potential!r}")
        if self.boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {BOUNDARIES}, got {self.boundary!r}")
        if not np.isfinite(self.diffusion) or self.diffusion <= 0:
            raise ValueError(f"diffusion must be a finite number > 0, got {self.diffusion!r}")
        if not np.isfinite(self.gamma):
            raise ValueError(f"gamma must be finite, got {self.gamma!r}")
        if self.boundary != "free":
            if self.lower is None or self.upper is None:
                raise ValueError(f"boundary={self.boundary!r} needs lower and upper")
            lo = tuple(float(x) for x in np.atleast_1d(self.lower))
            hi = tuple(float(x) for x in np.atleast_1d(self.upper))
            object.__setattr__(self, "lower", lo)
            object.__setattr__(self, "upper", hi)

    def walls(self, kdim: int) -> tuple[np.ndarray, np.ndarray, int]:
        """The box per axis for K = `kdim` and the kernel's wall code (0 free, 1 reflect,
        2 periodic).

        Parameters
        ----------
        kdim : int
            K, the number of coordinates of a particle.

        Returns
        -------
        lower, upper : ndarray(shape=[kdim])
            The box edges per axis (-inf and inf without walls; one value is repeated on every
            axis).
        wall : int
            0 free, 1 reflect, 2 periodic.

        Raises
        ------
        ValueError
            upper <= lower on an axis, or `lower`/`upper` that cannot broadcast to K values.
        """
        if self.boundary == "free":
            return np.full(kdim, -np.inf), np.full(kdim, np.inf), 0
        lo = np.broadcast_to(np.asarray(self.lower, dtype=float), (kdim,)).copy()
        hi = np.broadcast_to(np.asarray(self.upper, dtype=float), (kdim,)).copy()
        if (hi <= lo).any():
            raise ValueError("upper must exceed lower on every axis")
        return lo, hi, 1 if self.boundary == "reflect" else 2

    def curvature(self) -> float:
        """The largest |d^2F/dq^2| over the box (over [-5, 5] without one), per axis.

        F is evaluated along one axis on 2001 points and differenced twice; non-finite
        differences are skipped.

        Returns
        -------
        float
            max |F''| (0 for a flat F), used by :func:`default_dt`.

        Raises
        ------
        ValueError
            For "canonical": beta <= 0, or the range reaches outside the domain
            (1 - beta m) + beta q > 0 (without a box [-5, 5] usually does).
        """
        lo = min(self.lower) if self.lower is not None else -5.0
        hi = max(self.upper) if self.upper is not None else 5.0
        q = np.linspace(lo, hi, 2001)
        f = potential_values(self.potential, [q], stiffness=self.stiffness, height=self.height,
                             beta=self.beta, mass=self.mass)
        d2 = np.diff(f, 2) / (q[1] - q[0]) ** 2
        return float(np.abs(d2[np.isfinite(d2)]).max(initial=0.0))


DRIFT_STEP = 0.01  # default dt: |gamma| max|F''| dt <= 0.01
DIFFUSION_STEP = 0.01  # and sqrt(2 D dt) <= 0.01 x the box


def default_dt(model: LangevinModel) -> float:
    """The default Euler-Maruyama step: the drift's relaxation time resolved 100 times,
    |gamma| max|F''| dt <= 0.01 (stability needs < 2; weak error O(dt)), and the diffusion
    length sqrt(2 D dt) at most 1/100 of the box (of 10 without one).

    Parameters
    ----------
    model : LangevinModel
        The problem.

    Returns
    -------
    float
        The step.
    """
    curv = abs(model.gamma) * model.curvature()
    size = (min(h - lo for lo, h in zip(model.lower, model.upper, strict=True))
            if model.lower is not None and model.upper is not None else 10.0)
    by_drift = DRIFT_STEP / curv if curv > 0 else np.inf
    by_diffusion = (DIFFUSION_STEP * size) ** 2 / (2.0 * model.diffusion)
    return float(min(by_drift, by_diffusion))


def step_ensemble(q0: np.ndarray, model: LangevinModel, *, dt: float, steps: int, seed: int,
                  key: int = 0) -> np.ndarray:
    """Advance the ensemble q0 by `steps` Euler-Maruyama steps of size `dt` (P2 (19)).

    Parameters
    ----------
    q0 : ndarray(shape=[M, K])
        The particles.
    model : LangevinModel
        The potential, constants and box.
    dt : float
        The step (> 0).
    steps : int
        The number of steps (>= 0).
    seed, key : int
        The particles' random streams are keyed by (seed, key, particle): use a new key for
        every call within a run so that a resumed run draws the same numbers.

    Returns
    -------
    ndarray(shape=[M, K])
        A new array.

    Raises
    ------
    ValueError
        A bad q0 shape, non-finite q0, dt <= 0, steps < 0 or a seed outside [0, 2^63).
    """
    q = np.array(q0, dtype=float, ndmin=2)
    if q.ndim != 2:
        raise ValueError(f"q0 must have shape [M, K], got {np.shape(q0)}")
    if not np.isfinite(q).all():
        raise ValueError("q0 must be finite")
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
    if int(steps) < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be in [0, 2^63), got {seed}")
    lo, hi, wall = model.walls(q.shape[1])
    if model.potential == "canonical":
        a = lo.min() if np.isfinite(lo).all() else q.min() - 10.0
        b = hi.max() if np.isfinite(hi).all() else q.max() + 10.0
        par = gradient_table("canonical", a, b, beta=model.beta, mass=model.mass)
        kind = 2
    else:
        kind = {"ou": 0, "double-well": 1, "flat": 3}[model.potential]
        par = np.array([model.stiffness if model.potential == "ou" else model.height])
    LK.langevin_steps(q, kind, par, float(model.gamma), float(model.diffusion), float(dt),
                      int(steps), int(seed), int(key), lo, hi, wall)
    return q


class Ensemble(NamedTuple):
    """The state of a Langevin run: the particles and the number of the last random stream."""

    q: np.ndarray
    key: int = 0


class LangevinStepper:
    """Advances an :class:`Ensemble` between recorded times (a
    :class:`emergent.evolution.Stepper`); used by :func:`solve` and the ``langevin`` simulation.

    Each call of :meth:`advance` draws from the next stream key, so a run resumed from a
    checkpoint (which stores the key) continues bit-identically.

    Parameters
    ----------
    model : LangevinModel
        The problem.
    dt : float, optional
        The step (default :func:`default_dt`); every interval between recorded times must be
        a whole number of steps.
    seed : int
        The seed of the particles' random streams.
    """

    def __init__(self, model: LangevinModel, dt: float | None = None, seed: int = 0) -> None:
        self.model = model
        self.dt = default_dt(model) if dt is None else float(dt)
        self.seed = int(seed)

    def advance(self, state: Ensemble, t0: float, t1: float) -> Ensemble:
        """The ensemble at `t1`: round((t1 - t0) / dt) steps on stream key + 1.

        Parameters
        ----------
        state : Ensemble
            The particles at `t0` and the key of the last stream used.
        t0, t1 : float
            The interval (a whole number of steps ``dt``).

        Returns
        -------
        Ensemble
            New particles and the key used for this interval.

        Raises
        ------
        ValueError
            As :func:`step_ensemble` (e.g. t1 < t0, non-finite particles).
        """
        steps = int(round((t1 - t0) / self.dt))
        key = state.key + 1
        return Ensemble(step_ensemble(state.q, self.model, dt=self.dt, steps=steps,
                                      seed=self.seed, key=key), key)

    def save(self, state: Ensemble) -> dict[str, Any]:
        """The checkpoint: the particles and the stream key.

        Parameters
        ----------
        state : Ensemble
            The ensemble.

        Returns
        -------
        dict of str to Any
            ``q`` (ndarray(shape=[M, K])) and ``key`` (int).
        """
        return {"q": state.q, "key": state.key}

    def load(self, saved: Mapping[str, Any]) -> Ensemble:
        """The ensemble of a checkpoint made by :meth:`save`.

        Parameters
        ----------
        saved : mapping of str to Any
            The checkpoint, with ``q`` and ``key``.

        Returns
        -------
        Ensemble
            The particles (float) and the stream key.
        """
        return Ensemble(np.asarray(saved["q"], dtype=float), int(saved["key"]))


def step_times(steps: int, record_every: int, dt: float) -> np.ndarray:
    """Recorded times of a run of `steps` steps recorded every `record_every` steps (and at
    the end): t_k = min(k record_every, steps) dt.

    Parameters
    ----------
    steps : int
        The number of steps of the run (>= 0).
    record_every : int
        The steps between recorded times (>= 1).
    dt : float
        The step.

    Returns
    -------
    ndarray(shape=[ceil(steps / record_every) + 1])
        The times, from 0 to steps * dt.
    """
    marks = np.minimum(np.arange(0, -(-steps // record_every) + 1) * record_every, steps)
    return marks * dt


def solve(q0: np.ndarray, model: LangevinModel, t_final: float, *, dt: float | None = None,
          seed: int = 0, saves: int = 11, trackers: Sequence[Tracker] = ()) -> Result:
    """Evolve the ensemble `q0` from t = 0 to `t_final` under P2 (19) and record its moments.

    Parameters
    ----------
    q0 : ndarray(shape=[M, K])
        The initial particles.
    model : LangevinModel
        The potential, constants and box.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step (default :func:`default_dt`); the step used fits a whole number of
        steps between equally spaced recorded times.
    seed : int
        The seed of the random streams (results do not depend on the number of threads).
    saves : int
        Recorded times, t = 0 and `t_final` included (>= 2).
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded time after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        ``t``, ``final`` (the particles [M, K]), ``series`` (mean and var per axis) and
        ``info`` (dt, steps).

    Raises
    ------
    ValueError
        A bad q0, t_final <= 0, dt <= 0 or saves < 2.
    """
    q = np.array(q0, dtype=float, ndmin=2)
    if not (np.isfinite(t_final) and t_final > 0):
        raise ValueError(f"t_final must be a finite number > 0, got {t_final!r}")
    if int(saves) < 2:
        raise ValueError(f"saves must be >= 2, got {saves}")
    intervals = int(saves) - 1
    largest = default_dt(model) if dt is None else float(dt)
    if not (np.isfinite(largest) and largest > 0):
        raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
    every = max(1, int(np.ceil(t_final / intervals / largest - 1e-9)))
    stepper = LangevinStepper(model, t_final / (intervals * every), seed)
    times = step_times(every * intervals, every, stepper.dt)
    recorder = Recorder(lambda f: {"mean": f.state.q.mean(axis=0), "var": f.state.q.var(axis=0)})
    final = evolve(stepper, Ensemble(q), times, [recorder, *trackers])
    result = recorder.result(dt=stepper.dt, steps=every * intervals)
    result.final = final.q
    return result


def histogram(q: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Density of the ensemble q ([M, K]) on the grid's cells and its standard error.

    Returns (density, stderr), both of shape `cells`: counts / (M h^K) and
    sqrt(c (1 - c / M)) / (M h^K). Particles outside the box are not counted.

    Parameters
    ----------
    q : ndarray(shape=[M, K])
        The particles; K must equal grid.ndim.
    grid : Grid
        The cells to count in (h^K is the cell volume).

    Returns
    -------
    density : ndarray(shape=grid.cells)
        counts / (M h^K), comparable with the density of the grid solver.
    stderr : ndarray(shape=grid.cells)
        Its binomial standard error, sqrt(c (1 - c / M)) / (M h^K).

    Raises
    ------
    ValueError
        `q` not of shape [M, grid.ndim].
    """
    q = np.asarray(q, dtype=float)
    if q.ndim != 2 or q.shape[1] != grid.ndim:
        raise ValueError(f"q must have shape [M, {grid.ndim}], got {q.shape}")
    counts, _ = np.histogramdd(q, bins=[grid.edges(k) for k in range(grid.ndim)])
    m = q.shape[0]
    norm = m * grid.cell_volume
    return counts / norm, np.sqrt(counts * (1.0 - counts / m)) / norm
