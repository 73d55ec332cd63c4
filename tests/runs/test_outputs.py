"""Every dataset a run writes is declared with a long name and a unit (issue 15 item 1).

The declarations (``Simulation.outputs``, ``Param.units``) are what the run and sweep files
carry as ``long_name`` and ``units``; these tests keep them complete: every series, field,
field axis, array and scalar result of every simulation's smoke run (and of a few parameter
choices that write optional datasets) must be declared, and every declaration must read as
a meaning, not as a code identifier.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import emergent
from emergent.runs.io import RunData, read_run
from emergent.runs.registry import Simulation, all_simulations, get

SIMS = all_simulations()

# parameter choices (at smoke scale) that write datasets the smoke run does not
VARIANTS = [
    ("langevin", {"potential": "ou", "dims": 2}),  # l1_grid_vs_exact, axis q2
    ("fokker-planck", {"dims": 2, "cells": 16}),  # axis q2
    ("schrodinger", {"potential": "canonical"}),  # lambda0
    ("mnist-thermodynamics", {"networks": "shallow", "epochs": 1}),
]


def written(data: RunData) -> dict[str, str]:
    """Every dataset name of a finished run, with what it is (series, field, axis, ...)."""
    names: dict[str, str] = {}
    for name in data.series_names:
        names[name] = "series"
    for name in data.field_names:
        names[name] = "field"
        for axis in data.field(name)[1]:
            names.setdefault(axis, f"axis of field {name!r}")
    for name in data.array_names:
        names[name] = "array result"
    for name in data.results:
        names[name] = "scalar result"
    return names


def undeclared(sim: Simulation, data: RunData) -> list[str]:
    """The datasets of `data` that `sim` does not declare, as 'name (kind)'."""
    return sorted(f"{name} ({kind})" for name, kind in written(data).items()
                  if name not in sim.outputs)


@pytest.mark.parametrize("sim", SIMS, ids=lambda s: s.name)
def test_smoke_run_writes_only_declared_datasets(sim, smoke_runs):
    folder, _ = smoke_runs
    data = read_run(Path(folder) / f"{sim.name}.h5")
    missing = undeclared(sim, data)
    assert not missing, (f"{sim.name}: datasets without an Output declaration in its module's "
                         f"OUTPUTS: {', '.join(missing)}")


@pytest.mark.parametrize(("name", "overrides"), VARIANTS,
                         ids=[f"{n}-{'-'.join(map(str, o.values()))}" for n, o in VARIANTS])
def test_optional_datasets_are_declared(name, overrides, tmp_path):
    sim = get(name)
    values = {**sim.smoke, **overrides}
    data = emergent.run(name, seed=1, output=tmp_path / "run.h5", **values)
    missing = undeclared(sim, data)
    assert not missing, (f"{name} with {overrides}: datasets without an Output declaration: "
                         f"{', '.join(missing)}")


@pytest.mark.parametrize("sim", SIMS, ids=lambda s: s.name)
def test_smoke_run_writes_some_declared_dataset(sim, smoke_runs):
    # declarations of optional datasets may go unused at smoke scale; a simulation none of
    # whose declarations is written has declared the wrong names
    folder, _ = smoke_runs
    names = written(read_run(Path(folder) / f"{sim.name}.h5"))
    unused = sorted(set(sim.outputs) - set(names))
    assert set(sim.outputs) & set(names), (
        f"{sim.name}: the smoke run writes none of the declared outputs; unused: "
        f"{', '.join(unused)}")


@pytest.mark.parametrize("sim", SIMS, ids=lambda s: s.name)
def test_declarations_read_as_meanings(sim):
    assert sim.outputs, f"{sim.name} declares no outputs"
    identifiers = [n for n in sim.outputs if "_" in n]
    for name, out in sim.outputs.items():
        assert isinstance(out.units, str), f"{sim.name}/{name}: units {out.units!r}"
        assert isinstance(out.long_name, str) and out.long_name.strip(), f"{sim.name}/{name}"
        assert out.long_name == out.long_name.strip() and "\n" not in out.long_name
        assert out.long_name.lower() != name.lower(), (
            f"{sim.name}/{name}: the long name repeats the code name")
        used = [n for n in identifiers
                if re.search(rf"(?<![\w^]){re.escape(n)}(?!\w)", out.long_name)]
        assert not used, (f"{sim.name}/{name}: long name {out.long_name!r} uses the code "
                          f"identifier(s) {used}; say what they are")
        if out.units == "s":
            assert "wall-clock" in out.long_name, f"{sim.name}/{name}: 's' is for timings"


@pytest.mark.parametrize("sim", SIMS, ids=lambda s: s.name)
def test_every_parameter_has_units(sim):
    for p in sim.params:
        assert isinstance(p.units, str), f"{sim.name}.{p.name}: units {p.units!r}"
        if p.type in ("str", "bool"):
            assert p.units == "", f"{sim.name}.{p.name}: text, flags and choices have units ''"
        else:
            assert p.units, f"{sim.name}.{p.name}: a number needs a unit ('1': dimensionless)"
