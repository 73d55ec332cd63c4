"""Checkpoints that prove themselves (issue 19, item 4): a SHA-256 trailer verified on
--resume, and a checkpoint on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from emergent.runs.io import RunError, checkpoint_path, execute, read_run
from emergent.runs.loop import evolve_run
from emergent.runs.registry import Simulation, get, parameters

SMALL = {"neurons": 256, "steps": 64, "record_every": 8, "show": 32}


@parameters
class _NoParams:
    pass


class _Counter:
    """A stepper that adds t1 - t0 to a vector; sends itself SIGTERM on reaching `term_at`."""

    def __init__(self, term_at=None):
        self.term_at = term_at

    def advance(self, state, t0, t1):
        state = state + (t1 - t0) * np.arange(4.0)
        if self.term_at is not None and t1 == self.term_at:
            os.kill(os.getpid(), signal.SIGTERM)
        return state

    def save(self, state):
        return {"x": state}

    def load(self, saved):
        return np.asarray(saved["x"])


def _counting(term_at=None):
    def body(run):
        evolve_run(run, _Counter(term_at), lambda: np.zeros(4), np.arange(11.0),
                   lambda f: {"x": f.state, "s": float(f.state.sum())})
    return Simulation(name="count", summary="counts", equations=("P2 1",),
                      parameters=_NoParams, run=body, plot=lambda d, f: None)


def _datasets(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else 0)
    return out


def _interrupted(tmp_path, name="cut.h5"):
    sim = get("chains")
    params = sim.resolve(SMALL)
    out = tmp_path / name

    def stop_after_checkpoint(run):
        original = run.checkpoint

        def checkpoint(state, force=False):
            if original(state, force=True):
                raise KeyboardInterrupt
            return False
        run.checkpoint = checkpoint
        sim.run(run)

    cut = Simulation(name="chains", summary=sim.summary, equations=sim.equations,
                     parameters=sim.parameters, run=stop_after_checkpoint, plot=sim.plot)
    with pytest.raises(KeyboardInterrupt):
        execute(cut, params, 0, out, quiet=True, checkpoint_interval=0)
    assert checkpoint_path(out).exists() and not out.exists()
    return sim, params, out


def test_a_sound_checkpoint_resumes(tmp_path):
    sim, params, out = _interrupted(tmp_path)
    execute(sim, params, 0, out, quiet=True, resume=True)
    whole = execute(sim, params, 0, tmp_path / "whole.h5", quiet=True)
    a, b = _datasets(out), _datasets(whole)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_a_foreign_hdf5_checkpoint_is_refused(tmp_path):
    sim = get("chains")
    out = tmp_path / "f.h5"
    with h5py.File(checkpoint_path(out), "w") as f:
        f["x"] = np.arange(10)
    with pytest.raises(RunError, match=r"not an emergent checkpoint \(no checksum\).*--force"):
        execute(sim, sim.resolve(SMALL), 0, out, quiet=True, resume=True)
    assert sorted(os.listdir(tmp_path)) == [checkpoint_path(out).name]


@pytest.mark.parametrize("where", [0.5, 0.1, 0.9])
def test_a_checkpoint_corrupted_mid_file_is_refused(tmp_path, where):
    sim, params, out = _interrupted(tmp_path)
    ckpt = checkpoint_path(out)
    data = bytearray(ckpt.read_bytes())
    at = int(len(data) * where)
    data[at] ^= 0xFF
    ckpt.write_bytes(bytes(data))
    with pytest.raises(RunError, match=r"is corrupt \(its SHA-256 does not match\)"):
        execute(sim, params, 0, out, quiet=True, resume=True)
    assert sorted(os.listdir(tmp_path)) == [ckpt.name]


def test_a_truncated_checkpoint_is_refused(tmp_path):
    sim, params, out = _interrupted(tmp_path)
    ckpt = checkpoint_path(out)
    ckpt.write_bytes(ckpt.read_bytes()[:-100])
    with pytest.raises(RunError, match="not an emergent checkpoint"):
        execute(sim, params, 0, out, quiet=True, resume=True)


def test_a_checksummed_checkpoint_of_a_foreign_file_is_refused(tmp_path):
    """A file with a valid trailer but no run attributes gives a RunError, not a KeyError."""
    from emergent.runs.io import _copy_to_checkpoint

    sim = get("chains")
    out = tmp_path / "g.h5"
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f["x"] = np.arange(3)
    _copy_to_checkpoint(plain, checkpoint_path(out))
    with pytest.raises(RunError, match="is not an emergent run"):
        execute(sim, sim.resolve(SMALL), 0, out, quiet=True, resume=True)


def test_sigterm_checkpoints_the_next_recorded_time_and_resume_is_identical(tmp_path):
    previous = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "t.h5"
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        execute(_counting(term_at=5.0), {}, 0, out, quiet=True)  # default interval: 60 s
    assert signal.getsignal(signal.SIGTERM) is previous
    assert not out.exists()
    with h5py.File(checkpoint_path(out)) as f:
        assert int(f["_checkpoint"].attrs["_record_index"]) == 5
        np.testing.assert_array_equal(f["series/s"][()], 6.0 * np.arange(6))
    execute(_counting(), {}, 0, out, quiet=True, resume=True)
    whole = execute(_counting(), {}, 0, tmp_path / "w.h5", quiet=True)
    a, b = _datasets(out), _datasets(whole)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert "resumed" in read_run(out).attrs


def test_sigterm_stops_a_run_that_does_not_checkpoint_at_once(tmp_path):
    def body(run):
        run.append(t=0.0)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        run.append(t=1.0)

    sim = Simulation(name="plain", summary="x", equations=("P2 1",), parameters=_NoParams,
                     run=body, plot=lambda d, f: None)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        execute(sim, {}, 0, tmp_path / "p.h5", quiet=True)
    assert time.monotonic() - start < 4
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_sigterm_of_the_command_checkpoints_and_resume_is_identical(tmp_path):
    args = ["--set", "neurons=100000", "--set", "subsystems=1", "--set", "steps=3000",
            "--set", "record_every=20", "--set", "show=64", "--seed", "11", "--quiet"]
    cmd = [sys.executable, "-m", "emergent", "run", "chains"]
    cut = tmp_path / "cut.h5"
    proc = subprocess.Popen([*cmd, "-o", str(cut), *args], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while (not any(n.startswith(".cut.h5.partial.") for n in os.listdir(tmp_path))
           and proc.poll() is None and time.monotonic() < deadline):
        time.sleep(0.02)
    time.sleep(1.0)
    assert proc.poll() is None, "the run finished before it could be stopped; make it longer"
    assert not checkpoint_path(cut).exists()  # the 60 s interval has not elapsed
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not cut.exists() and checkpoint_path(cut).exists()
    subprocess.run([*cmd, "-o", str(cut), *args, "--resume"], check=True)
    whole = tmp_path / "whole.h5"
    subprocess.run([*cmd, "-o", str(whole), *args], check=True)
    a, b = _datasets(cut), _datasets(whole)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
