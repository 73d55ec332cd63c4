"""Exclusive output (issue 19, item 2): one lock per output for the whole run, a partial file of
each run's own, no publish over a file that appeared meanwhile; refused runs touch nothing."""

import os
import re
import subprocess
import sys
import threading

import h5py
import numpy as np
import pytest

from emergent.runs.io import (
    RunError,
    checkpoint_path,
    execute,
    lock_path,
    partial_path,
    read_run,
)
from emergent.runs.registry import Simulation, parameters

BIG = 8 * 1024 * 1024


@parameters
class _NoParams:
    pass


class _Held:
    """A simulation whose run appends a row, then waits until released (in a thread)."""

    def __init__(self, tag: float, checkpoint: bool = False) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.tag = tag
        self.checkpoint = checkpoint
        self.sim = Simulation(name="held", summary="waits", equations=("P2 1",),
                              parameters=_NoParams, run=self._run, plot=lambda d, f: None)

    def _run(self, run):
        saved = run.restore()
        start = 0 if saved is None else int(saved["k"])
        for k in range(start, 3):
            run.append(t=k, tag=self.tag)
            if self.checkpoint:
                run.checkpoint({"k": k + 1}, force=True)
            if k == 1:
                self.started.set()
                assert self.release.wait(30)


def _start(held, out, **kw):
    box = {}

    def target():
        try:
            box["out"] = execute(held.sim, {}, 0, out, quiet=True, **kw)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    assert held.started.wait(30), box
    return thread, box


def _finish(held, thread, box):
    held.release.set()
    thread.join(30)
    assert not thread.is_alive()
    return box


def _big(path):
    data = os.urandom(BIG)
    path.write_bytes(data)
    return data


def test_second_plain_run_is_refused_and_the_first_completes(tmp_path):
    out = tmp_path / "o.h5"
    first = _Held(1.0)
    thread, box = _start(first, out)
    try:
        with pytest.raises(RunError, match=r"another run is writing .*o\.h5.* \(pid \d+\)"):
            execute(_Held(2.0).sim, {}, 0, out, quiet=True)
    finally:
        _finish(first, thread, box)
    assert "error" not in box, box
    np.testing.assert_array_equal(read_run(out).series("tag"), [1.0, 1.0, 1.0])
    assert sorted(os.listdir(tmp_path)) == ["o.h5"]  # no lock, partial or checkpoint left


def test_second_force_run_neither_deletes_the_first_partial_nor_truncates(tmp_path):
    out = tmp_path / "f.h5"
    old = _big(out)
    first = _Held(1.0)
    thread, box = _start(first, out, force=True)
    try:
        partials = [n for n in os.listdir(tmp_path) if n.startswith(".f.h5.partial")]
        assert len(partials) == 1 and partials[0] != partial_path(out).name
        assert re.fullmatch(r"\.f\.h5\.partial\.\d+\.[0-9a-f]{16}", partials[0])
        with pytest.raises(RunError, match="another run is writing"):
            execute(_Held(2.0).sim, {}, 0, out, quiet=True, force=True)
        assert (tmp_path / partials[0]).exists()  # the first run's file is untouched
        assert out.read_bytes() == old  # the existing output is untouched until publishing
    finally:
        _finish(first, thread, box)
    assert "error" not in box, box
    np.testing.assert_array_equal(read_run(out).series("tag"), [1.0, 1.0, 1.0])


def test_second_resume_run_is_refused_and_the_checkpoint_survives(tmp_path):
    out = tmp_path / "r.h5"
    cut = _Held(1.0, checkpoint=True)
    cut.sim = Simulation(name="held", summary="waits", equations=("P2 1",),
                         parameters=_NoParams, run=_interrupt_after_one(cut), plot=lambda d, f: 0)
    with pytest.raises(KeyboardInterrupt):
        execute(cut.sim, {}, 0, out, quiet=True)
    assert checkpoint_path(out).exists()
    first = _Held(1.0, checkpoint=True)
    thread, box = _start(first, out, resume=True)
    try:
        for kw in ({"resume": True}, {"resume": True, "force": True}, {"force": True}):
            with pytest.raises(RunError, match="another run is writing"):
                execute(_Held(2.0, checkpoint=True).sim, {}, 0, out, quiet=True, **kw)
        assert checkpoint_path(out).exists()
    finally:
        _finish(first, thread, box)
    assert "error" not in box, box
    data = read_run(out)
    assert "resumed" in data.attrs
    np.testing.assert_array_equal(data.series("t"), [0, 1, 2])


def _interrupt_after_one(held):
    def run(run):
        run.append(t=0, tag=held.tag)
        run.checkpoint({"k": 1}, force=True)
        raise KeyboardInterrupt
    return run


def test_a_locked_output_is_never_truncated(tmp_path):
    """Another process holds the lock: plain, --force and --resume runs are refused and an
    8 MB existing output keeps its bytes; once that process dies, the lock is free."""
    out = tmp_path / "big.h5"
    old = _big(out)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({str(lock_path(out))!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "os.write(fd, str(os.getpid()).encode())\n"
         "print('locked', flush=True)\n"
         "time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for kw in ({}, {"force": True}, {"resume": True}, {"resume": True, "force": True}):
            with pytest.raises(RunError, match=rf"another run is writing .* \(pid {holder.pid}\)"):
                execute(_Held(2.0).sim, {}, 0, out, quiet=True, **kw)
            assert out.read_bytes() == old
    finally:
        holder.kill()
        holder.wait()
    held = _Held(3.0)
    held.release.set()
    execute(held.sim, {}, 0, out, quiet=True, force=True)  # a dead holder blocks nothing
    np.testing.assert_array_equal(read_run(out).series("tag"), [3.0, 3.0, 3.0])
    assert not lock_path(out).exists()


def test_no_publish_over_a_file_that_appeared_meanwhile(tmp_path):
    out = tmp_path / "p.h5"
    first = _Held(1.0)
    thread, box = _start(first, out)
    data = os.urandom(1000)
    out.write_bytes(data)  # a writer that takes no lock
    box = _finish(first, thread, box)
    assert isinstance(box.get("error"), RunError) and "someone else" in str(box["error"])
    assert out.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["p.h5"]


def test_stale_partials_of_dead_runs_count_as_unfinished(tmp_path):
    out = tmp_path / "s.h5"
    stale = out.with_name(".s.h5.partial.123.0123456789abcdef")
    stale.write_bytes(b"left by a run that died")
    held = _Held(1.0)
    held.release.set()
    with pytest.raises(RunError, match="unfinished run"):
        execute(held.sim, {}, 0, out, quiet=True)
    assert stale.exists()
    execute(held.sim, {}, 0, out, quiet=True, force=True)
    assert sorted(os.listdir(tmp_path)) == ["s.h5"]
    with h5py.File(out) as f:
        assert "completed" in f.attrs


def test_output_naming_a_directory_is_refused_before_running(tmp_path):
    (tmp_path / "d.h5").mkdir()
    ran = []
    sim = Simulation(name="x", summary="x", equations=("P2 1",), parameters=_NoParams,
                     run=ran.append, plot=lambda d, f: None)
    with pytest.raises(RunError, match="is a directory"):
        execute(sim, {}, 0, tmp_path / "d.h5", quiet=True, force=True)
    assert not ran
