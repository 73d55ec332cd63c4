"""The run loop of a registered simulation: :func:`emergent.evolution.evolve` with the HDF5
writer, the progress bar and checkpointing as trackers, and resume from the last checkpoint.

A simulation module builds its model and stepper from typed parameters and makes one call::

    final = evolve_run(run, stepper, initial, times, observe)

where ``observe(frame)`` gives the series to append at each recorded time. On ``--resume`` the
stepper's saved state and the index of its recorded time come back from the checkpoint and the
loop continues from there, so the datasets equal those of an uninterrupted run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from emergent.evolution import Frame, Stepper, Tracker, evolve

if TYPE_CHECKING:
    from emergent.runs.io import RunWriter

__all__ = ["Checkpointer", "Progress", "SeriesWriter", "evolve_run"]

S = TypeVar("S")
_INDEX = "_record_index"
_TIME = "_record_time"


class SeriesWriter(Tracker):
    """Appends ``observe(frame)`` to the run's time series at every recorded time.

    The series ``t`` is the frame's time unless `observe` gives its own; when `observe` returns
    None the frame adds no row (a time that is stepped to, and can be checkpointed at, but not
    recorded).

    Parameters
    ----------
    run : RunWriter
        The run whose series (/series/<name>) receive the rows.
    observe : callable(Frame) -> mapping or None
        The row at a recorded time: one number or fixed-shape array per series name.
    """

    def __init__(self, run: RunWriter[Any],
                 observe: Callable[[Frame[Any]], Mapping[str, Any] | None]) -> None:
        self.run = run
        self.observe = observe

    def record(self, frame: Frame[Any]) -> None:
        """Append the row of `frame` (nothing when `observe` returns None).

        Parameters
        ----------
        frame : Frame
            The state at the recorded time; its time fills the series ``t`` unless the row
            has one.

        Raises
        ------
        TypeError
            A non-numeric value in the row (:meth:`emergent.runs.io.RunWriter.append`).
        ValueError
            A row whose shape differs from the earlier rows of its series.
        """
        row = self.observe(frame)
        if row is None:
            return
        values = dict(row)
        values.setdefault("t", frame.t)
        self.run.append(**values)


class Checkpointer(Tracker):
    """Hands the stepper's saved state to the run's checkpoint at every recorded time (the
    run writes one when its checkpoint interval has elapsed), with the index and the time of
    that recorded time (``_record_index``, ``_record_time``).

    Parameters
    ----------
    run : RunWriter
        The run that writes the checkpoints.
    stepper : Stepper
        Gives the state to save (:meth:`emergent.evolution.Stepper.save`).
    """

    def __init__(self, run: RunWriter[Any], stepper: Stepper[Any]) -> None:
        self.run = run
        self.stepper = stepper

    def start(self, frame: Frame[Any], resumed: bool) -> None:
        """Mark the run as checkpointing at recorded times, so that SIGTERM waits for the
        next recorded time, checkpoints it and stops (:meth:`RunWriter.checkpoint`).

        Parameters
        ----------
        frame : Frame
            The initial (or resumed) frame.
        resumed : bool
            True when the run continues from a checkpoint.
        """
        self.run.checkpoint_due()

    def record(self, frame: Frame[Any]) -> None:
        if frame.index == 0 or not self.run.checkpoint_due():
            return
        self.run.checkpoint({**self.stepper.save(frame.state), _INDEX: frame.index,
                             _TIME: frame.t})


class Progress(Tracker):
    """A tqdm progress bar over the recorded times (off when the run is quiet).

    Parameters
    ----------
    run : RunWriter
        The run (its ``quiet`` flag and the simulation's name).
    total : int
        The number of recorded times after the initial one.
    desc : str, optional
        The bar's label (default: the simulation's name).
    """

    def __init__(self, run: RunWriter[Any], total: int, desc: str | None = None) -> None:
        self.run = run
        self.total = total
        self.desc = desc
        self.bar: Any = None

    def start(self, frame: Frame[Any], resumed: bool) -> None:
        from tqdm.auto import tqdm  # imported on use: `emergent list` does not need it

        self.bar = tqdm(total=self.total, initial=frame.index, desc=self.desc or self.run.sim.name,
                        disable=self.run.quiet, leave=False, dynamic_ncols=True)

    def record(self, frame: Frame[Any]) -> None:
        if frame.index > 0 and self.bar is not None:
            self.bar.update(1)

    def finish(self, frame: Frame[Any]) -> None:
        if self.bar is not None:
            self.bar.close()


def evolve_run(
    run: RunWriter[Any],
    stepper: Stepper[S],
    initial: Callable[[], S],
    times: Sequence[float] | np.ndarray,
    observe: Callable[[Frame[S]], Mapping[str, Any] | None],
    *,
    trackers: Sequence[Tracker] = (),
    desc: str | None = None,
) -> S:
    """Evolve a simulation's state through `times`, writing series, progress and checkpoints.

    Parameters
    ----------
    run : RunWriter
        The run being written.
    stepper : Stepper
        Advances the state between recorded times; saves and loads it for checkpoints.
    initial : callable() -> state
        The initial state (not called when resuming).
    times : sequence of float
        The recorded times (the first is the initial state's).
    observe : callable(Frame) -> mapping or None
        The series appended at every recorded time (None: no row at that time).
    trackers : sequence of Tracker
        More trackers, told after the series are appended and before the checkpoint.
    desc : str, optional
        Label of the progress bar (default: the simulation's name).

    Returns
    -------
    state
        The state at the last recorded time.
    """
    saved = run.restore()
    if saved is None:
        state, start = initial(), 0
    else:
        start = int(saved.pop(_INDEX))
        saved.pop(_TIME, None)
        state = stepper.load(saved)
    chain = [SeriesWriter(run, observe), *trackers, Checkpointer(run, stepper),
             Progress(run, len(times) - 1, desc)]
    return evolve(stepper, state, times, chain, start=start)
