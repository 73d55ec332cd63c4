"""Shared test settings and fixtures."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory):
    """Every registered simulation run once at its smoke scale by `emergent reproduce --smoke`
    (no verification); returns (folder, {simulation: [rows]})."""
    from emergent.runs.registry import all_simulations
    from emergent.runs.reproduce import reproduce

    out = tmp_path_factory.mktemp("smoke")
    rows = reproduce(all_simulations(), out, smoke=True, seed=1, verify=False, quiet=True,
                     verbose=True)
    by_sim: dict = {}
    for row in rows:
        by_sim.setdefault(row.source, []).append(row)
    return out, by_sim
