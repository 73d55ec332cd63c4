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

__all__ = ["StateKeeper", "plan_times", "step_count", "step_times"]


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
