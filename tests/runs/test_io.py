"""HDF5 runs: round trip, provenance, atomic completion, checkpoints and resume (issue 2)."""

import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from emergent.runs.io import (
    FORMAT,
    RunError,
    checkpoint_path,
    execute,
    partial_path,
    read_run,
)
from emergent.runs.registry import Simulation, get, param, parameters

SMALL = {"neurons": 256, "steps": 64, "record_every": 8, "show": 32}


def _roundtrip_run(run):
    rng = run.rng(7)
    for k in run.progress(range(5)):
        run.append(t=k, energy=float(k) ** 2, vec=np.arange(3) * k, noise=rng.standard_normal())
    run.write_field("p", np.outer(np.arange(4.0), np.ones(6)),
                    axes={"t": np.linspace(0, 1, 4), "q": np.linspace(-1, 1, 6)})
    run.write_array("spectrum", np.array([1.0, 2.0, 3.0]))
    run.set_result("verdict", "holds")
    run.set_result("error", 1.5e-9)


@parameters
class _RoundtripParams:
    beta: float = param(0.5, "inverse temperature", low=0, low_open=True)
    sizes: tuple[int, ...] = param((784, 40, 10), "layer sizes", low=1)


@parameters
class _NoParams:
    pass


ROUNDTRIP = Simulation(
    name="roundtrip", summary="io round trip", equations=("P2 57",),
    parameters=_RoundtripParams, run=_roundtrip_run, plot=lambda data, fig: None,
)


def test_roundtrip_of_attributes_and_datasets(tmp_path):
    out = execute(ROUNDTRIP, ROUNDTRIP.defaults(), 42, tmp_path / "r.h5", quiet=True)
    data = read_run(out)
    assert data.simulation == "roundtrip" and data.seed == 42
    assert data.params == {"beta": 0.5, "sizes": [784, 40, 10]}
    assert data.equations == ["P2 57"]
    for key in ("emergent_version", "created", "completed", "git_commit"):
        assert key in data.attrs
    assert data.attrs["format"] == FORMAT
    assert data.attrs["param.beta"] == 0.5
    np.testing.assert_array_equal(data.attrs["param.sizes"], [784, 40, 10])
    assert json.loads(data.attrs["params_json"]) == data.params
    np.testing.assert_array_equal(data.series("t"), np.arange(5))
    np.testing.assert_array_equal(data.series("vec"), np.arange(3)[None, :] * np.arange(5)[:, None])
    noise = np.random.default_rng(np.random.SeedSequence([42, 7])).standard_normal(5)
    np.testing.assert_array_equal(data.series("noise"), noise)
    field, axes = data.field("p")
    assert list(axes) == ["t", "q"]
    np.testing.assert_array_equal(axes["q"], np.linspace(-1, 1, 6))
    assert field.shape == (4, 6)
    np.testing.assert_array_equal(data.array("spectrum"), [1.0, 2.0, 3.0])
    assert data.results == {"verdict": "holds", "error": 1.5e-9}
    with h5py.File(out) as f:  # appendable, chunked, compressed time series
        ds = f["series/energy"]
        assert ds.maxshape[0] is None and ds.chunks and ds.compression == "gzip"
        assert "_checkpoint" not in f
    assert not partial_path(out).exists() and not checkpoint_path(out).exists()


def test_failed_run_leaves_no_file(tmp_path):
    def boom(run):
        run.append(t=1)
        raise RuntimeError("physics exploded")

    sim = Simulation(name="boom", summary="fails", equations=("P2 1",), parameters=_NoParams,
                     run=boom, plot=lambda d, f: None)
    with pytest.raises(RuntimeError):
        execute(sim, {}, 0, tmp_path / "b.h5", quiet=True)
    assert os.listdir(tmp_path) == []


def test_foreign_and_corrupt_files_get_clear_errors(tmp_path):
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = [1, 2, 3]
    with pytest.raises(RunError, match="not an emergent run file"):
        read_run(foreign)
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(200))
    with pytest.raises(RunError, match="not a readable HDF5 run"):
        read_run(corrupt)
    with pytest.raises(RunError, match="no such run file"):
        read_run(tmp_path / "missing.h5")


def test_determinism_for_a_fixed_seed(tmp_path):
    sim = get("chains")
    params = sim.resolve(SMALL)
    a = read_run(execute(sim, params, 5, tmp_path / "a.h5", quiet=True))
    b = read_run(execute(sim, params, 5, tmp_path / "b.h5", quiet=True))
    c = read_run(execute(sim, params, 6, tmp_path / "c.h5", quiet=True))
    np.testing.assert_array_equal(a.series("x"), b.series("x"))
    assert not np.array_equal(a.series("x"), c.series("x"))
    assert c.seed == 6


def _datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else 0)
    return out


def test_sigkill_leaves_no_final_file_and_resume_completes_identically(tmp_path):
    """A run killed with SIGKILL mid-way resumes to the datasets of an uninterrupted run."""
    args = ["--set", "neurons=200000", "--set", "subsystems=1", "--set", "steps=6000",
            "--set", "record_every=20", "--set", "show=64", "--seed", "11", "--quiet"]
    cmd = [sys.executable, "-m", "emergent", "run", "chains"]
    killed = tmp_path / "killed.h5"
    proc = subprocess.Popen([*cmd, "-o", str(killed), *args, "--checkpoint-interval", "0"])
    ckpt = checkpoint_path(killed)
    deadline = time.monotonic() + 120
    while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the run finished before it could be killed; make it longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not killed.exists()
    assert ckpt.exists()
    with h5py.File(ckpt) as f:
        done = int(f["_checkpoint"].attrs["_record_time"])
    assert 0 < done < 6000
    # resuming with other settings is refused
    bad = subprocess.run([*cmd, "-o", str(killed), *args[:-3], "--seed", "12", "--resume",
                          "--quiet"], capture_output=True, text=True)
    assert bad.returncode == 2 and "seed 11" in bad.stderr
    subprocess.run([*cmd, "-o", str(killed), *args, "--resume"], check=True)
    assert killed.exists() and not ckpt.exists() and not partial_path(killed).exists()
    whole = tmp_path / "whole.h5"
    subprocess.run([*cmd, "-o", str(whole), *args], check=True)
    a, b = _datasets(killed), _datasets(whole)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert "resumed" in read_run(killed).attrs


def test_unfinished_run_needs_resume_or_force(tmp_path):
    sim = get("chains")
    params = sim.resolve(SMALL)
    out = tmp_path / "u.h5"
    partial_path(out).write_bytes(b"")
    with pytest.raises(RunError, match="--resume"):
        execute(sim, params, 0, out, quiet=True)
    execute(sim, params, 0, out, quiet=True, force=True)
    assert read_run(out).simulation == "chains"


def test_resume_without_checkpoint_starts_afresh(tmp_path):
    sim = get("chains")
    out = execute(sim, sim.resolve(SMALL), 0, tmp_path / "n.h5", quiet=True, resume=True)
    assert "resumed" not in read_run(out).attrs


def test_existing_output_needs_force(tmp_path):
    sim = get("chains")
    out = tmp_path / "e.h5"
    out.write_bytes(b"keep me")
    with pytest.raises(RunError, match="--force"):
        execute(sim, sim.resolve(SMALL), 0, out, quiet=True)
    assert out.read_bytes() == b"keep me"
