"""One run loop for every time evolution: a stepper, a list of recorded times, and trackers.

A *stepper* advances a state from one recorded time to the next and can turn a state into a
checkpoint (a mapping of arrays and scalars) and back. A *tracker* is told about the state at
every recorded time: it records series, shows progress, writes checkpoints or stops the run.
:func:`evolve` is the only loop; the library solvers (``emergent.stochastic``,
``emergent.quantum``, ``emergent.chains``) and every registered simulation use it. The loop knows
nothing of files or physics; the HDF5 writer, the progress bar and checkpointing are trackers in
:mod:`emergent.runs.loop`.

Example
-------
>>> import numpy as np
>>> from emergent.evolution import FunctionStepper, Recorder, evolve
>>> decay = FunctionStepper(lambda x, t0, t1: x * np.exp(-(t1 - t0)))
>>> rec = Recorder(lambda frame: {"x": frame.state})
>>> final = evolve(decay, 1.0, np.linspace(0.0, 1.0, 5), trackers=[rec])
>>> round(float(final), 6), rec.result().t.shape
(0.367879, (5,))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import numpy as np

__all__ = [
    "BlowUp",
    "Frame",
    "FunctionStepper",
    "Recorder",
    "Result",
    "StopEvolution",
    "Stepper",
    "Tracker",
    "evolve",
    "record_times",
    "substeps",
]

S = TypeVar("S")


@dataclass(frozen=True)
class Frame(Generic[S]):
    """The state at one recorded time.

    Attributes
    ----------
    index : int
        Number of the recorded time (0 is the initial state).
    t : float
        The time.
    state : S
        The state at `t` (owned by the loop: copy it to keep it).
    """

    index: int
    t: float
    state: S


@runtime_checkable
class Stepper(Protocol[S]):
    """What :func:`evolve` advances: a state from time `t0` to `t1`, and its checkpoints."""

    def advance(self, state: S, t0: float, t1: float) -> S:
        """Return the state at `t1` given the state at `t0` (may reuse `state`'s memory).

        Parameters
        ----------
        state : S
            The state at `t0`.
        t0, t1 : float
            Consecutive recorded times, ``t0 < t1``.

        Returns
        -------
        S
            The state at `t1`.
        """
        ...

    def save(self, state: S) -> Mapping[str, Any]:
        """The state as arrays and scalars, enough for :meth:`load` to continue bit-identically.

        Parameters
        ----------
        state : S
            The state to checkpoint.

        Returns
        -------
        mapping of str to array or scalar
            What a checkpoint stores (written to HDF5 by :mod:`emergent.runs.loop`).
        """
        ...

    def load(self, saved: Mapping[str, Any]) -> S:
        """The state from what :meth:`save` returned.

        Parameters
        ----------
        saved : mapping of str to array or scalar
            A checkpoint written by :meth:`save` (possibly read back from a file).

        Returns
        -------
        S
            The state, such that stepping on from it is bit-identical to never having stopped.
        """
        ...


class Tracker:
    """Told about the state at every recorded time; subclasses override what they need.

    A tracker may raise :class:`StopEvolution` from :meth:`record` to end the run early.
    """

    def start(self, frame: Frame[Any], resumed: bool) -> None:
        """Called once before the first step, with the initial (or resumed) state.

        Parameters
        ----------
        frame : Frame
            The initial frame (index > 0 when resuming).
        resumed : bool
            True when the run continues from a checkpoint.
        """

    def record(self, frame: Frame[Any]) -> None:
        """Called at every recorded time, including the initial state (not again on resume).

        Parameters
        ----------
        frame : Frame
            The state at the recorded time.

        Raises
        ------
        StopEvolution
            To end the run after this frame.
        """

    def finish(self, frame: Frame[Any]) -> None:
        """Called once after the last recorded time (or after a stop).

        Parameters
        ----------
        frame : Frame
            The last frame reached.
        """


class BlowUp(FloatingPointError):
    """A solver's state lost resolution or became non-finite (a numerical failure).

    Parameters
    ----------
    message : str
        What happened, and when.
    t : float
        The last good time.
    result : Result, optional
        What was recorded up to then (set by the solver that catches it).
    state : object, optional
        The last good state.
    """

    def __init__(self, message: str, t: float, result: Result | None = None,
                 state: Any = None) -> None:
        super().__init__(message)
        self.t = t
        self.result = result
        self.state = state


class StopEvolution(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a tracker to end :func:`evolve` after the current recorded time."""


@dataclass
class Result:
    """What a solver returns: the recorded times, states and series.

    Attributes
    ----------
    t : ndarray(shape=[records])
        The recorded times.
    states : ndarray(shape=[records, ...]) or None
        The recorded states (None when only the final state is kept).
    final : Any
        The state at the last recorded time.
    series : dict of str to ndarray(shape=[records, ...])
        Scalar or array observables at every recorded time.
    info : dict
        Solver facts (the step used, its stability limit, the method ...).
    """

    t: np.ndarray
    final: Any
    states: np.ndarray | None = None
    series: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class Recorder(Tracker):
    """Keeps observables (and optionally copies of the states) in memory; see :meth:`result`.

    Parameters
    ----------
    observe : callable(Frame) -> mapping, optional
        The observables at a frame (numbers or arrays); None records none.
    keep_states : bool
        Keep a copy of the state at every recorded time.
    """

    def __init__(self, observe: Callable[[Frame[Any]], Mapping[str, Any]] | None = None,
                 keep_states: bool = False) -> None:
        self.observe = observe
        self.keep_states = keep_states
        self.t: list[float] = []
        self.states: list[Any] = []
        self.series: dict[str, list[Any]] = {}
        self.final: Any = None

    def record(self, frame: Frame[Any]) -> None:
        """Append the time, the observables and (with `keep_states`) a copy of the state.

        Parameters
        ----------
        frame : Frame
            The state at the recorded time.
        """
        self.t.append(frame.t)
        if self.keep_states:
            self.states.append(np.array(frame.state, copy=True))
        if self.observe is not None:
            for key, value in self.observe(frame).items():
                self.series.setdefault(key, []).append(value)
        self.final = frame.state

    def result(self, **info: Any) -> Result:
        """The recorded data as a :class:`Result`.

        Parameters
        ----------
        **info
            Solver facts stored in ``Result.info`` (the step used, the method ...).

        Returns
        -------
        Result
            Times, final state, states (when kept) and the series as arrays.
        """
        return Result(
            t=np.asarray(self.t, dtype=float),
            final=self.final,
            states=np.array(self.states) if self.keep_states else None,
            series={k: np.asarray(v) for k, v in self.series.items()},
            info=dict(info),
        )


class FunctionStepper(Generic[S]):
    """A stepper from a function ``advance(state, t0, t1)``; checkpoints hold one array.

    Parameters
    ----------
    advance : callable(state, t0, t1) -> state
        Advances the state.
    """

    def __init__(self, advance: Callable[[S, float, float], S]) -> None:
        self._advance = advance

    def advance(self, state: S, t0: float, t1: float) -> S:
        """Call the wrapped function.

        Parameters
        ----------
        state : S
            The state at `t0`.
        t0, t1 : float
            Consecutive recorded times.

        Returns
        -------
        S
            The state at `t1`.
        """
        return self._advance(state, t0, t1)

    def save(self, state: S) -> Mapping[str, Any]:
        """The checkpoint ``{"state": array}``.

        Parameters
        ----------
        state : S
            An array-like state.

        Returns
        -------
        mapping
            ``{"state": np.asarray(state)}``.
        """
        return {"state": np.asarray(state)}

    def load(self, saved: Mapping[str, Any]) -> S:
        """The state stored by :meth:`save`.

        Parameters
        ----------
        saved : mapping
            A checkpoint written by :meth:`save`.

        Returns
        -------
        S
            ``saved["state"]``.
        """
        return saved["state"]


def evolve(
    stepper: Stepper[S],
    state: S,
    times: Sequence[float] | np.ndarray,
    trackers: Sequence[Tracker] = (),
    *,
    start: int = 0,
) -> S:
    """Advance `state` through the recorded `times`, telling every tracker at each of them.

    Parameters
    ----------
    stepper : Stepper
        Advances the state between consecutive recorded times.
    state : S
        The state at ``times[start]``.
    times : sequence of float
        Increasing recorded times; ``times[0]`` is the initial time.
    trackers : sequence of Tracker
        Told at start, at every recorded time and at the end, in this order.
    start : int
        Index of the recorded time `state` belongs to (> 0 when resuming from a checkpoint:
        the trackers are then not told about that frame again).

    Returns
    -------
    S
        The state at the last recorded time (or where a tracker stopped the run).

    Raises
    ------
    ValueError
        `times` not increasing, or `start` outside them.
    """
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 1:
        raise ValueError("times must be a non-empty 1D sequence")
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise ValueError("times must be strictly increasing")
    if not 0 <= start < times.size:
        raise ValueError(f"start must satisfy 0 <= start < {times.size}, got {start}")
    frame = Frame(start, float(times[start]), state)
    for tracker in trackers:
        tracker.start(frame, start > 0)
    try:
        if start == 0:
            for tracker in trackers:
                tracker.record(frame)
        for k in range(start + 1, times.size):
            state = stepper.advance(state, float(times[k - 1]), float(times[k]))
            frame = Frame(k, float(times[k]), state)
            for tracker in trackers:
                tracker.record(frame)
    except StopEvolution:
        pass
    for tracker in trackers:
        tracker.finish(frame)
    return frame.state


def record_times(t_final: float, saves: int, t0: float = 0.0) -> np.ndarray:
    """`saves` equally spaced recorded times from `t0` to `t_final` (both included).

    Parameters
    ----------
    t_final : float
        The last recorded time.
    saves : int
        Number of recorded times, at least 2.
    t0 : float
        The initial time.

    Returns
    -------
    ndarray(shape=[saves])
        ``np.linspace(t0, t_final, saves)``.

    Raises
    ------
    ValueError
        ``t_final <= t0`` or ``saves < 2``.
    """
    if not t_final > t0:
        raise ValueError(f"t_final must exceed the initial time {t0}, got {t_final}")
    if int(saves) < 2:
        raise ValueError(f"saves must be >= 2, got {saves}")
    return np.linspace(t0, t_final, int(saves))


def substeps(t0: float, t1: float, dt: float) -> tuple[int, float]:
    """The number of steps of at most `dt` from `t0` to `t1`, and the step that fits exactly.

    Parameters
    ----------
    t0, t1 : float
        The interval, ``t0 < t1``.
    dt : float
        The largest allowed step (> 0).

    Returns
    -------
    n : int
        ``ceil((t1 - t0) / dt)`` (at least 1; a relative slack of 1e-9 absorbs round-off).
    step : float
        ``(t1 - t0) / n`` <= `dt`.
    """
    n = max(1, int(np.ceil((t1 - t0) / dt - 1e-9)))
    return n, (t1 - t0) / n
