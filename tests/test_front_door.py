"""The lazy front door: ``import emergent`` is light, subpackages load on use;
run / read / simulations."""

import subprocess
import sys

import numpy as np
import pytest

import emergent


def test_import_is_lazy():
    """`import emergent` imports no subpackage and neither NumPy nor Numba (PEP 562)."""
    code = ("import sys, emergent; heavy = [m for m in ('numpy', 'numba', 'h5py', "
            "'emergent.runs', 'emergent.septuple') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", emergent.SUBPACKAGES)
def test_every_subpackage_by_name(name):
    module = getattr(emergent, name)
    assert module.__name__ == f"emergent.{name}"
    assert name in dir(emergent)


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'fokker_plank'"):
        emergent.fokker_plank  # noqa: B018


def test_simulations_lists_the_registry():
    sims = emergent.simulations()
    assert "fokker-planck" in sims and "chains" in sims
    assert sims["chains"].name == "chains"


def test_run_in_memory_then_read(tmp_path):
    """run() without output returns the data of a temporary file; with output it keeps it."""
    data = emergent.run("fokker-planck", seed=3, **emergent.simulations()["fokker-planck"].smoke)
    assert data.seed == 3 and data.simulation == "fokker-planck"
    assert data.results
    out = emergent.run("fokker-planck", seed=3, output=tmp_path / "h.h5",
                       **emergent.simulations()["fokker-planck"].smoke)
    again = emergent.read(out.path)
    timing = ("seconds",)
    same = {k: v for k, v in data.results.items() if not k.endswith(timing)}
    assert {k: v for k, v in again.results.items() if not k.endswith(timing)} == same
    for name in data.series_names:
        np.testing.assert_array_equal(data.series(name), again.series(name))


def test_run_refuses_bad_parameter():
    from emergent.runs.registry import ParameterError

    with pytest.raises(ParameterError, match="neurons"):
        emergent.run("chains", neurons=-5)


def test_emergent_list_loads_no_file_or_progress_machinery():
    """`emergent list` needs the registry only: h5py, tqdm and matplotlib stay unloaded (what
    keeps its start-up from growing; its timing is measured in benchmarks, not here)."""
    code = ("import sys, io, contextlib; from emergent.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['list'])\n"
            "print([m for m in ('h5py', 'tqdm', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
