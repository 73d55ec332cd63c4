"""Fixed-step bookkeeping shared by the quantum steppers of P2 (34), (32)-(33) and (38).

Every quantum solver advances with a fixed step ``dt`` between recorded times. When an interval
between recorded times is a whole number of steps (the usual case: :func:`step_times` and the
solvers' ``saves`` produce such times) the step is exactly ``dt`` and the clock of step ``n`` is
``n * dt``, so a run cut into intervals of any length gives bit-identical states; otherwise the
interval is split into the fewest equal steps of at most ``dt``
(:func:`emergent.evolution.substeps`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from emergent.evolution import Frame, Tracker, record_times, substeps

__all__ = ["StateKeeper", "fewest_steps", "plan_times", "step_count", "step_times"]


def step_times(t_final: float, dt: float, record_every: int = 0) -> tuple[np.ndarray, float]:
    """Recorded times of a run of fixed steps (P2 (34), (32)-(33), (38)): every `record_every`
    steps and at the end.

    Parameters
    ----------
    t_final : float
        The final time (> 0).
    dt : float
        The largest allowed step (> 0); the step used is ``t_final / ceil(t_final / dt)``.
    record_every : int
        Steps between recorded times; 0 records only the start and the end.

    Returns
    -------
    times : ndarray(shape=[records])
        ``n * step`` for n = 0, record_every, 2 record_every, ..., and the last step.
    step : float
        The step that fits ``t_final`` exactly.

    Raises
    ------
    ValueError
        `t_final` or `dt` not finite and > 0.
    """
    _positive(t_final=t_final, dt=dt)
    steps = max(1, int(np.ceil(t_final / dt - 1e-9)))
    step = t_final / steps
    every = steps if record_every <= 0 else int(record_every)
    marks = list(range(0, steps, every)) + [steps]
    return np.array([n * step for n in marks]), step


def plan_times(t_final: float, saves: int | Sequence[float] | np.ndarray,
               dt: float) -> tuple[np.ndarray, float]:
    """The recorded times of a solve of P2 (34), (32)-(33) or (38) and the step that fits them.

    Parameters
    ----------
    t_final : float
        The final time (> 0).
    saves : int or sequence of float
        Number of equally spaced recorded times from 0 to `t_final` (>= 2), or the recorded
        times themselves (increasing, from 0 to `t_final`).
    dt : float
        The largest allowed step.

    Returns
    -------
    times : ndarray(shape=[records])
        The recorded times.
    step : float
        For equally spaced `saves`, the largest step <= `dt` that divides every interval
        (so every step is exactly `step`); for explicit times, `dt` itself.

    Raises
    ------
    ValueError
        Bad `t_final`, `dt` or `saves`.
    """
    _positive(t_final=t_final, dt=dt)
    if np.ndim(saves) == 0:
        times = record_times(t_final, int(saves))  # type: ignore[arg-type]
        n, step = substeps(0.0, t_final / (int(saves) - 1), dt)  # type: ignore[arg-type]
        return times, step
    times = np.asarray(saves, dtype=float)
    if times.ndim != 1 or times.size < 2 or times[0] != 0.0 or not np.isclose(times[-1],
                                                                                 t_final):
        raise ValueError("saves must be an int >= 2 or increasing times from 0 to t_final")
    if not np.all(np.diff(times) > 0):
        raise ValueError("saves must be strictly increasing")
    return times, float(dt)


def step_count(t0: float, t1: float, dt: float) -> tuple[int, float, int | None]:
    """How a quantum stepper (P2 (34), (32)-(33), (38)) advances from `t0` to `t1` with steps
    of at most `dt`.

    Parameters
    ----------
    t0, t1 : float
        The interval (t1 > t0).
    dt : float
        The stepper's fixed step.

    Returns
    -------
    steps : int
        The number of steps.
    step : float
        `dt` when the interval is a whole number of steps, else the equal step that fits.
    first : int or None
        When `step` is `dt` and `t0` is a whole number of steps, the number of the first step's
        start (``t0 = first * dt``, so step n ends at ``(first + n) * dt``); else None.
    """
    x = (t1 - t0) / dt
    n = int(round(x))
    if n >= 1 and abs(x - n) <= 1e-9 * max(1.0, x):
        f = t0 / dt
        first = int(round(f))
        return n, dt, (first if abs(f - first) <= 1e-9 * max(1.0, f) else None)
    n, step = substeps(t0, t1, dt)
    return n, step, None


def fewest_steps(error: Callable[[int], float], target: float, order: int, *,
                 start: int = 8, max_steps: int = 10**7) -> tuple[int, float, int]:
    """The fewest steps n with error(n) <= target, for a fixed-step integrator of known order
    (the split-step compositions of P2 (34): global error ~ C n^-order), without a ladder.

    From one run the error constant gives a first guess n = n0 (e(n0) / target)^(1/order);
    later guesses use the order measured between the two nearest runs (clamped to
    [order / 2, 2 order]), until the fewest passing count n and the failing n - 1 are both
    evaluated (the answer is verified, not extrapolated). Assumes error(n) decreases with n
    between the runs it brackets.

    Parameters
    ----------
    error : callable(int) -> float
        The error of a run with n equal steps (e.g. against an exact solution).
    target : float
        The error to reach (> 0).
    order : int
        The order of the integrator (2 for Strang, 4 for Yoshida and Blanes-Moan).
    start : int
        The first n tried (>= 1).
    max_steps : int
        Give up above this many steps.

    Returns
    -------
    steps : int
        The fewest n with error(n) <= target (error(n - 1) > target, or n = 1).
    err : float
        error(steps).
    calls : int
        How many runs the search took.

    Raises
    ------
    ValueError
        target not > 0, order < 1, start < 1, or no n <= max_steps reaches the target.
    """
    if not np.isfinite(target) or target <= 0:
        raise ValueError(f"target must be a finite number > 0, got {target!r}")
    if order < 1 or start < 1:
        raise ValueError(f"order and start must be >= 1, got {order!r}, {start!r}")
    seen: dict[int, float] = {}

    def run(n: int) -> float:
        if n not in seen:
            seen[n] = float(error(n))
        return seen[n]

    def guess(n: int) -> int:
        # order measured between n and its nearest other run, else the nominal one
        others = [m for m in seen if m != n and np.isfinite(seen[m]) and seen[m] > 0]
        p = float(order)
        if others and seen[n] > 0:
            m = min(others, key=lambda x: abs(np.log(x / n)))
            if m != n and seen[m] != seen[n]:
                p = -np.log(seen[m] / seen[n]) / np.log(m / n)
                p = min(max(p, 0.5 * order), 2.0 * order)
        return int(np.ceil(n * (seen[n] / target) ** (1.0 / p) - 1e-9))

    lo, hi = 0, None                        # error(lo) > target (lo = 0: no steps)
    n = int(start)
    while hi is None:
        e = run(n)
        if e <= target:
            hi = n
        else:
            lo = n
            if n >= max_steps:
                raise ValueError(f"no step count <= max_steps = {max_steps} reaches the "
                                 f"error target {target:g} (error {e:.2e} at {n} steps)")
            nxt = guess(n) if np.isfinite(e) else 2 * n
            n = min(max_steps, max(nxt, n + 1))
    while hi - lo > 1:
        g = guess(hi)
        mid = g if lo < g < hi else (hi - 1 if g >= hi else (lo + hi) // 2)
        if run(mid) <= target:
            hi = mid
        else:
            lo = mid
            # the fewest passing count is often the guess itself: test just above it next
            if hi - mid > 2 and run(mid + 1) <= target:
                hi = mid + 1
            elif hi - mid > 2:
                lo = mid + 1
    return hi, seen[hi], len(seen)


def _positive(**values: float) -> None:
    for name, v in values.items():
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")


class StateKeeper(Tracker):
    """Keeps an array made from the state at every recorded time (``Result.states`` of the
    solvers of P2 (32)-(33) and (38), whose state is not an array).

    Parameters
    ----------
    convert : callable(state) -> ndarray
        The array to keep (a copy is made).
    """

    def __init__(self, convert: Callable[[Any], np.ndarray]) -> None:
        self.convert = convert
        self.kept: list[np.ndarray] = []

    def record(self, frame: Frame[Any]) -> None:
        """Keep a copy of ``convert(frame.state)``.

        Parameters
        ----------
        frame : Frame
            The recorded time and its state.
        """
        self.kept.append(np.array(self.convert(frame.state), copy=True))

    def array(self) -> np.ndarray:
        """The kept arrays, stacked.

        Returns
        -------
        ndarray(shape=[records, ...])
            One kept array per recorded time, along a new first axis.
        """
        return np.array(self.kept)
