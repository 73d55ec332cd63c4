"""Issue 19 item 1: every failure the issue lists ends in one line and its exit status.

Each test drives ``emergent.cli.main`` and checks the exit status (2 bad input, 3 numerical
failure), that stderr is exactly one line starting with ``emergent: `` without a traceback, that
it names the parameter or file, and that no output (and no stray ``.partial``) is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from emergent.cli import main
from emergent.runs.errors import EXIT_NUMERICAL, EXIT_USAGE
from emergent.runs.registry import ParameterError, all_simulations

CHAINS = ["--set", "neurons=64", "--set", "steps=16", "--set", "record_every=8",
          "--set", "show=8", "--quiet"]


def _fails(capsys, argv, status, *needles):
    """`argv` exits with `status` and one line on stderr that names every needle."""
    assert main(argv) == status
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("emergent: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def chains_run(tmp_path):
    out = tmp_path / "c.h5"
    assert main(["run", "chains", "-o", str(out), *CHAINS]) == 0
    return out


# -- command-line input -----------------------------------------------------------------------
def test_non_utf8_config(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b'activation = "\xff\xfe"\n')
    _fails(capsys, ["run", "chains", "-o", str(tmp_path / "x.h5"), "--config", str(cfg)],
           EXIT_USAGE, "--config", "UTF-8")
    assert _files(tmp_path) == ["c.toml"]


def test_too_long_output_name(tmp_path, capsys):
    out = tmp_path / ("x" * 300 + ".h5")
    _fails(capsys, ["run", "chains", "-o", str(out), *CHAINS], EXIT_USAGE, "-o", "too long")
    assert _files(tmp_path) == []


def test_output_is_a_directory(tmp_path, capsys, monkeypatch):
    (tmp_path / "d.h5").mkdir()
    # checked before any work: the simulation must not even start
    from emergent.runs import io

    monkeypatch.setattr(io, "execute", lambda *a, **k: pytest.fail("the run started"))
    for force in ([], ["--force"]):
        _fails(capsys, ["run", "chains", "-o", str(tmp_path / "d.h5"), *force, *CHAINS],
               EXIT_USAGE, "-o", "d.h5", "is a directory")
    assert _files(tmp_path) == ["d.h5"] and _files(tmp_path / "d.h5") == []


def test_reproduce_negative_seed_refused_at_parse_time(tmp_path, capsys):
    out = tmp_path / "r"
    _fails(capsys, ["reproduce", "--only", "chains", "--out", str(out), "--seed", "-1"],
           EXIT_USAGE, "--seed", "-1")
    assert not out.exists()


def test_equations_write_into_missing_folder_before_building(tmp_path, capsys, monkeypatch):
    from emergent.runs import ledger

    monkeypatch.setattr(ledger, "build", lambda root: pytest.fail("built before the check"))
    _fails(capsys, ["equations", "--write", str(tmp_path / "no" / "eq.md")], EXIT_USAGE,
           "--write", "does not exist")
    assert _files(tmp_path) == []


@pytest.mark.parametrize("option", ["--report", "--json"])
def test_verify_report_into_missing_folder_before_the_checks(tmp_path, capsys, monkeypatch,
                                                             option):
    from emergent.symbolic import verify

    monkeypatch.setattr(verify, "run_checks", lambda **kw: pytest.fail("checks ran first"))
    _fails(capsys, ["verify", option, str(tmp_path / "no" / "r.md")], EXIT_USAGE, option,
           "does not exist")
    assert _files(tmp_path) == []


# -- show and plot ----------------------------------------------------------------------------
def test_plot_unknown_simulation_and_show_still_works(chains_run, tmp_path, capsys):
    with h5py.File(chains_run, "a") as f:
        f.attrs["simulation"] = "no-such-sim"
    _fails(capsys, ["plot", str(chains_run), "-o", str(tmp_path / "f.png")], EXIT_USAGE,
           "no-such-sim", "c.h5")
    assert not (tmp_path / "f.png").exists()
    assert main(["show", str(chains_run)]) == 0
    assert "not a simulation of this version" in capsys.readouterr().out


def test_show_escapes_control_characters(chains_run, capsys):
    evil = "\x1b]0;owned\x07\x1b[31mred\rback"
    with h5py.File(chains_run, "a") as f:
        f.attrs["git_commit"] = evil
        f.attrs["summary"] = evil
        params = json.loads(f.attrs["params_json"])
        params["activation"] = evil
        f.attrs["params_json"] = json.dumps(params)
        f["results"].attrs["note\x1b[2J"] = evil
    assert main(["show", str(chains_run)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[31mred" in out and "\\x07" in out


def test_plot_into_read_only_folder(chains_run, tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        target = ro / "f.png" if not os.access(ro, os.W_OK) else Path("/sys/emergent-f.png")
        _fails(capsys, ["plot", str(chains_run), "-o", str(target)], EXIT_USAGE, "-o",
               str(target))
        assert not target.exists() and _files(ro) == []
    finally:
        ro.chmod(0o700)


# -- simulations: parameters ------------------------------------------------------------------
def _run_fails(tmp_path, capsys, name, sets, status, *needles, extra=()):
    out = tmp_path / "o.h5"
    argv = ["run", name, "-o", str(out), "--quiet", *extra]
    for s in sets:
        argv += ["--set", s]
    line = _fails(capsys, argv, status, *needles)
    assert _files(tmp_path) == [], "a file was left behind"
    return line


@pytest.mark.parametrize("path", ["missing", "passwd"])
def test_mnist_path_missing_or_not_mnist(tmp_path, capsys, path):
    target = tmp_path.parent / f"{tmp_path.name}-{path}"
    if path == "passwd":
        target.write_text("root:x:0:0\n")
    _run_fails(tmp_path, capsys, "mnist-thermodynamics", [f"mnist_path={target}"], EXIT_USAGE,
               "mnist_path", str(target))


def test_schrodinger_unresolved_initial_state(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "schrodinger", ["stiffness=1e12"], EXIT_USAGE,
               "not resolved", "cells", "stiffness")


def test_random_nets_unequal_n(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "random-nets", ["deep=40,21"], EXIT_USAGE, "'deep'",
               "'shallow'")


@pytest.mark.parametrize(("sets", "needle"), [
    (["beta_min=10", "beta_max=1"], "beta_min"),
    (["beta_max=1e300"], "beta_max"),
])
def test_fig1_beta_range(tmp_path, capsys, sets, needle):
    _run_fails(tmp_path, capsys, "fig1-entropy-destruction", sets, EXIT_USAGE, needle)


def test_fokker_planck_explicit_dt_above_limit(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "fokker-planck", ["method=explicit", "dt=0.1", "cells=64"],
               EXIT_USAGE, "'dt'", "stability limit")


def test_madelung_dt_beyond_rk4_limit(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "madelung", ["dt=0.1", "grids=16"], EXIT_USAGE, "'dt'",
               "RK4")


@pytest.mark.parametrize(("name", "sets", "needle"), [
    ("fokker-planck", ["stiffness=1e12", "cells=64"], "stiffness"),
    ("langevin", ["gamma=1e12", "particles=100"], "gamma"),
])
def test_run_time_estimate_refuses_hours(tmp_path, capsys, name, sets, needle):
    _run_fails(tmp_path, capsys, name, sets, EXIT_USAGE, "solver steps", needle)


# -- simulations: numerical failures ----------------------------------------------------------
def test_chains_overflow(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "chains", ["neurons=64", "noise=10", "steps=4000",
                                             "record_every=500", "show=8"],
               EXIT_NUMERICAL, "chains", "non-finite", "noise")


def test_strings_overflow(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "strings", ["neurons=24", "noise=10", "periods=100",
                                              "record_every=64"],
               EXIT_NUMERICAL, "non-finite", "noise")


def test_schrodinger_huge_diffusion(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "schrodinger", ["diffusion=1e308", "cells=64", "steps=8"],
               EXIT_NUMERICAL, "non-finite", "t = ", "diffusion")


def test_fokker_planck_exact_solution_overflow(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "fokker-planck", ["gamma=-1e6", "cells=16", "t_end=0.01",
                                                    "saves=2", "var0=1"],
               EXIT_NUMERICAL, "l1_error_exact", "gamma")


def test_hamilton_jacobi_blow_up(tmp_path, capsys):
    _run_fails(tmp_path, capsys, "hamilton-jacobi", ["f0=1e6", "networks=1", "grids=8"],
               EXIT_NUMERICAL, "hamilton-jacobi", "t=")


def test_random_nets_failed_decomposition(tmp_path, capsys, monkeypatch):
    from emergent.runs.simulations import random_nets

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(random_nets.thermo, "spectrum", broken)
    _run_fails(tmp_path, capsys, "random-nets", ["nets=1", "samples=4"], EXIT_NUMERICAL,
               "random-nets", "SVD did not converge")


# -- memory -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [s.name for s in all_simulations()])
def test_every_simulation_refuses_what_cannot_fit(tmp_path, capsys, monkeypatch, name):
    monkeypatch.setenv("EMERGENT_MEMORY_LIMIT", "64k")
    line = _run_fails(tmp_path, capsys, name, [], EXIT_USAGE, "needs about",
                      "EMERGENT_MEMORY_LIMIT is 64 kB")
    assert "=" in line.split("needs about")[0]  # names the parameters that set the size


@pytest.mark.parametrize(("name", "sets"), [
    ("chains", ["neurons=1000000000"]),
    ("fokker-planck", ["dims=3", "cells=16384"]),
    ("holography", ["chains=1000000"]),
    ("mnist-thermodynamics", ["samples=60000", "test_samples=10000"]),
])
def test_in_range_sizes_that_cannot_fit(tmp_path, capsys, monkeypatch, name, sets):
    monkeypatch.setenv("EMERGENT_MEMORY_LIMIT", "100M" if name.startswith("mnist") else "64G")
    _run_fails(tmp_path, capsys, name, sets, EXIT_USAGE, "needs about",
               sets[0].split("=")[0])


def test_memory_limit_reading(monkeypatch):
    from emergent.runs import resources

    monkeypatch.setenv("EMERGENT_MEMORY_LIMIT", "1.5G")
    assert resources.available_memory() == int(1.5 * 2**30)
    resources.require_memory(2**30, "x=1")
    with pytest.raises(ParameterError, match="x=2 needs about 2 GB"):
        resources.require_memory(2**31, "x=2")
    with pytest.raises(ParameterError):
        resources.require_memory(float("inf"), "x=inf")
    monkeypatch.delenv("EMERGENT_MEMORY_LIMIT")
    assert resources.available_memory() > 0
    monkeypatch.setenv("EMERGENT_MEMORY_LIMIT", "lots")
    with pytest.raises(Exception, match="EMERGENT_MEMORY_LIMIT"):
        resources.available_memory()


def test_numerical_failure_in_a_process_prints_one_line(tmp_path):
    """No warning lines either: numpy's overflow warnings must not reach the user."""
    out = tmp_path / "o.h5"
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    proc = subprocess.run(
        [sys.executable, "-m", "emergent", "run", "fokker-planck", "-o", str(out), "--quiet",
         "--set", "gamma=-1e6", "--set", "cells=16", "--set", "t_end=0.01", "--set", "saves=2",
         "--set", "var0=1"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == EXIT_NUMERICAL
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("emergent: numerical failure:"), proc.stderr
    assert _files(tmp_path) == []
