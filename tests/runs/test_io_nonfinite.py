"""No silent NaN (issue 19, item 3): the writer refuses non-finite values unless the
simulation declared that dataset may hold them; the run fails and publishes nothing."""

import os

import numpy as np
import pytest

from emergent.runs.errors import NumericalError
from emergent.runs.io import checkpoint_path, execute, read_run
from emergent.runs.registry import Simulation, parameters


@parameters
class _NoParams:
    pass


def _sim(body):
    return Simulation(name="nan", summary="writes values", equations=("P2 1",),
                      parameters=_NoParams, run=body, plot=lambda d, f: None)


@pytest.mark.parametrize(("body", "message"), [
    (lambda run: [run.append(t=k, e=[1.0, np.nan if k == 3 else 0.0]) for k in range(5)],
     r"series 'e' row 3 \(t=3\) holds a non-finite value \(nan\) at index \(1,\)"),
    (lambda run: run.append(t=0.0, energy=np.inf), r"series 'energy' row 0 .*\(inf\)"),
    (lambda run: run.write_field("p", np.array([[0.0, -np.inf]]),
                                 axes={"a": [0.0], "b": [0.0, 1.0]}),
     r"field 'p' holds a non-finite value \(-inf\) at index \(0, 1\)"),
    (lambda run: run.write_field("p", np.zeros(2), axes={"x": [0.0, np.nan]}),
     r"axis 'x' of field 'p'"),
    (lambda run: run.write_array("spectrum", np.array([1.0, np.nan, np.nan])),
     r"array result 'spectrum' .*\(2 of 3\)"),
    (lambda run: run.set_result("error", float("nan")), r"result 'error' holds"),
    (lambda run: run.write_array("psi", np.array([1.0, complex(1, np.inf)])),
     r"array result 'psi'"),
])
def test_non_finite_values_fail_the_run_and_publish_nothing(tmp_path, body, message):
    with pytest.raises(NumericalError, match=message):
        execute(_sim(body), {}, 0, tmp_path / "n.h5", quiet=True)
    assert os.listdir(tmp_path) == []


def test_the_checkpoint_stays_when_a_run_fails_numerically(tmp_path):
    def body(run):
        run.append(t=0.0, e=1.0)
        run.checkpoint({"k": 1}, force=True)
        run.append(t=1.0, e=np.nan)

    out = tmp_path / "c.h5"
    with pytest.raises(NumericalError, match="series 'e' row 1"):
        execute(_sim(body), {}, 0, out, quiet=True)
    assert sorted(os.listdir(tmp_path)) == [checkpoint_path(out).name]


def test_declared_datasets_may_hold_non_finite_values(tmp_path):
    def body(run):
        run.allow_nonfinite("gap", "d", "ratio", "blowup")
        run.append(t=0.0, gap=np.nan)
        run.append(t=1.0, gap=-np.inf)
        run.write_field("d", np.array([0.0, np.inf]), axes={"i": [0, 1]})
        run.write_array("blowup", np.array([np.inf]))
        run.set_result("ratio", float("nan"))
        run.append(t=2.0, gap=1.0)  # integers and finite rows pass as ever

    data = read_run(execute(_sim(body), {}, 0, tmp_path / "ok.h5", quiet=True))
    np.testing.assert_array_equal(data.series("gap"), [np.nan, -np.inf, 1.0])
    assert np.isnan(data.results["ratio"])
    np.testing.assert_array_equal(data.array("blowup"), [np.inf])


def test_a_declaration_covers_only_its_names(tmp_path):
    def body(run):
        run.allow_nonfinite("gap")
        run.append(t=0.0, gap=np.nan, other=np.nan)

    with pytest.raises(NumericalError, match="series 'other'"):
        execute(_sim(body), {}, 0, tmp_path / "n.h5", quiet=True)


def test_a_refused_row_appends_nothing(tmp_path):
    """A row with one bad value leaves every series of that row unwritten (no ragged rows)."""
    rows = []

    def body(run):
        run.append(t=0.0, a=1.0, b=1.0)
        with pytest.raises(NumericalError):
            run.append(t=1.0, a=2.0, b=np.nan)
        rows.append({k: len(v) for k, v in run._series.buffer.items()})

    execute(_sim(body), {}, 0, tmp_path / "r.h5", quiet=True)
    assert rows == [{"t": 1, "a": 1, "b": 1}]
