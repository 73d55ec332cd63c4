"""The one run loop (emergent.evolution) and typed simulation parameters (runs.registry)."""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import pytest

from emergent.evolution import (
    FunctionStepper,
    Recorder,
    StopEvolution,
    Tracker,
    evolve,
    record_times,
    substeps,
)
from emergent.runs.registry import ParameterError, Simulation, param, parameters


def _decay():
    return FunctionStepper(lambda x, t0, t1: x * np.exp(-(t1 - t0)))


def test_evolve_records_every_time_and_matches_exact_decay():
    rec = Recorder(lambda f: {"x": f.state}, keep_states=True)
    times = record_times(2.0, 9)
    final = evolve(_decay(), np.array([1.0, 2.0]), times, [rec])
    res = rec.result(method="exact")
    np.testing.assert_allclose(res.t, times)
    np.testing.assert_allclose(res.series["x"][:, 1], 2 * np.exp(-times), rtol=1e-14)
    np.testing.assert_allclose(res.states, res.series["x"])
    np.testing.assert_allclose(final, 2 * np.exp(-2.0) * np.array([0.5, 1.0]), rtol=1e-14)
    assert res.info == {"method": "exact"}


def test_resume_from_index_does_not_record_that_frame_again():
    rec = Recorder(lambda f: {"i": f.index})
    evolve(_decay(), 1.0, [0.0, 1.0, 2.0, 3.0], [rec], start=2)
    assert list(rec.series["i"]) == [3]


def test_tracker_order_and_stop():
    calls = []

    class Stop(Tracker):
        def start(self, frame, resumed):
            calls.append(("start", frame.index, resumed))

        def record(self, frame):
            calls.append(("record", frame.index))
            if frame.index == 2:
                raise StopEvolution

        def finish(self, frame):
            calls.append(("finish", frame.index))

    final = evolve(_decay(), 1.0, [0, 1, 2, 3, 4], [Stop()])
    assert calls == [("start", 0, False), ("record", 0), ("record", 1), ("record", 2),
                     ("finish", 2)]
    assert final == pytest.approx(np.exp(-2.0))


@pytest.mark.parametrize("times, start", [([0.0, 0.0], 0), ([1.0, 0.5], 0), ([0.0, 1.0], 2),
                                          ([], 0)])
def test_evolve_refuses_bad_times(times, start):
    with pytest.raises(ValueError):
        evolve(_decay(), 1.0, times, start=start)


def test_record_times_and_substeps():
    np.testing.assert_allclose(record_times(1.0, 5), [0, 0.25, 0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="t_final"):
        record_times(0.0, 5)
    with pytest.raises(ValueError, match="saves"):
        record_times(1.0, 1)
    assert substeps(0.0, 1.0, 0.3) == (4, 0.25)
    assert substeps(0.0, 1.0, 0.25)[0] == 4


@parameters
class _Params:
    neurons: int = param(16, "N", low=2)
    boundary: Literal["periodic", "zero-flux"] = param("periodic", "boundary")
    mean0: tuple[float, ...] = param([1.0], "means")
    quiet: bool = param(False, "flag")
    gamma: float = param(0.5, "rate", low=0, low_open=True)


def test_typed_parameters_from_dataclass():
    sim = Simulation(name="toy", summary="", equations=(), parameters=_Params,
                     run=lambda run: None, plot=lambda data, fig: None)
    kinds = {p.name: (p.type, p.choices) for p in sim.params}
    assert kinds == {"neurons": ("int", None), "boundary": ("str", ("periodic", "zero-flux")),
                     "mean0": ("floats", None), "quiet": ("bool", None),
                     "gamma": ("float", None)}
    values = sim.resolve({"neurons": 32, "mean0": [1.0, 2.0]})
    p = sim.typed(values)
    assert isinstance(p, _Params) and p.neurons == 32 and p.mean0 == (1.0, 2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.neurons = 3  # type: ignore[misc]
    with pytest.raises(ParameterError, match="boundary"):
        sim.resolve({"boundary": "open"})
    with pytest.raises(ParameterError, match="gamma"):
        sim.resolve({"gamma": 0.0})


def test_bad_parameter_declarations_fail_at_import():
    with pytest.raises(TypeError, match="annotation"):
        @parameters
        class _Bad:
            x: list = param([1], "x")

    with pytest.raises(TypeError, match="param"):
        @parameters
        class _Plain:
            x: int = 3
