"""Every registered simulation runs end to end at its smoke scale: HDF5, figure, paper checks,
sweep reduction (issues 2 and 9)."""


import pytest

from emergent.cli import _figure
from emergent.io import execute, read_run
from emergent.registry import Check, all_simulations


@pytest.mark.parametrize("sim", all_simulations(), ids=lambda s: s.name)
def test_simulation_runs_plots_checks_and_reduces(sim, tmp_path):
    out = execute(sim, sim.defaults(smoke=True), 1, tmp_path / f"{sim.name}.h5", quiet=True)
    data = read_run(out)
    assert data.simulation == sim.name and data.seed == 1
    assert data.series_names or data.field_names or data.array_names or data.results
    png = _figure(sim, data, tmp_path / "fig.png")
    assert png.stat().st_size > 5000
    for check in (sim.checks(data) if sim.checks else []):
        assert isinstance(check, Check) and check.claim and isinstance(check.agrees, bool)
    for key, value in sim.reduction(data).items():
        assert isinstance(key, str) and isinstance(value, float)
