"""A sample of the standing fuzz of the command line (benchmarks/fuzz_cli.py, issue 19 item 6).

The same properties as the full fuzz, on about 75 cheap cases, derandomized (the same cases on
every run): no traceback, a documented exit status, one line on stderr starting with
"emergent: " on failure, exit 2 for input the registry rejects, no stray or touched files.
`python benchmarks/fuzz_cli.py` runs the full fuzz (>= 1000 cases).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("emergent_fuzz_cli",
                                               ROOT / "benchmarks" / "fuzz_cli.py")
fz = importlib.util.module_from_spec(_SPEC)
sys.modules["emergent_fuzz_cli"] = fz
_SPEC.loader.exec_module(fz)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the fuzz forks")

BASE_SIMS = ("chains", "holography", "random-nets")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, fz.Runner]:
    folder = tmp_path_factory.mktemp("fuzz")
    runs, datasets = fz.prepare_base_runs(BASE_SIMS, folder / "base")
    return runs, datasets, fz.Runner(folder / "cases", timeout=60.0)


def _fuzz(base: tuple[dict, dict, fz.Runner], only: list[str], cases: int) -> None:
    runs, datasets, runner = base
    state = fz.fuzz(cases, only, None, runner, runs, datasets, light=True)
    assert sum(state.cases.values()) >= cases // 2
    assert not state.failures, state.report()


def test_fuzz_run_parameters(base):
    _fuzz(base, ["run"], 20)


def test_fuzz_run_configs(base):
    _fuzz(base, ["config"], 10)


def test_fuzz_output_paths(base):
    _fuzz(base, ["path"], 10)


def test_fuzz_crafted_run_files(base):
    _fuzz(base, ["show", "plot"], 20)


def test_fuzz_other_commands(base):
    _fuzz(base, ["list", "reproduce", "verify", "sweep"], 14)


def test_oracle_catches_a_traceback():
    """The oracle fails a case that prints a traceback, exits 1 and leaves a partial file."""
    case = fz.Case("run", [("run", "chains", "-o", "out.h5")], outputs=("out.h5",))
    out = fz.Outcome(1, "", "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\n"
                     "ValueError: boom\n", 0.1)
    problems = fz.check(case, out, {}, {".out.h5.partial": (1, "x")})
    kinds = {k for k, _ in problems}
    assert {"traceback", "stray-file"} <= kinds


def test_oracle_passes_a_clean_refusal():
    case = fz.Case("run", [("run", "chains", "-o", "out.h5")], expect="bad", outputs=("out.h5",))
    out = fz.Outcome(2, "", "emergent: error: parameter 'neurons': 'x' is not allowed\n", 0.1)
    assert fz.check(case, out, {"a": (1, "h")}, {"a": (1, "h")}) == []
    assert fz.check(case, out, {"a": (1, "h")}, {"a": (0, "g")})  # a touched file fails


@pytest.mark.slow
def test_fuzz_signals(base):
    _fuzz(base, ["signal"], 4)
