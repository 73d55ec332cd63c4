"""Every registered simulation runs end to end at its smoke scale through `reproduce`: HDF5,
figure, paper checks, sweep reduction (issues 2 and 9)."""

import json

import pytest

from emergent.runs.io import read_run
from emergent.runs.registry import all_simulations


@pytest.mark.parametrize("sim", all_simulations(), ids=lambda s: s.name)
def test_simulation_runs_plots_checks_and_reduces(sim, smoke_runs):
    out, rows = smoke_runs
    failed = [r.ours for r in rows[sim.name] if r.status == "FAILED"]
    assert not failed, failed
    data = read_run(out / f"{sim.name}.h5")
    assert data.simulation == sim.name and data.seed == 1
    assert data.series_names or data.field_names or data.array_names or data.results
    assert (out / f"{sim.name}.png").stat().st_size > 5000
    for key, value in sim.reduction(data).items():
        assert isinstance(key, str) and isinstance(value, float)


def test_reproduce_writes_summary_files(smoke_runs):
    out, rows = smoke_runs
    summary = json.loads((out / "summary.json").read_text())
    assert {r["source"] for r in summary} == {s.name for s in all_simulations()}
    assert (out / "summary.md").read_text().startswith("| source | paper result")
