"""A sweep's safety (issue 19): a loopback-only cluster, no files before the cluster is up,
Ctrl-C and SIGTERM that stop it cleanly and keep its completed points, bounded grids.

Nothing here sends traffic anywhere but to 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from emergent.cli import main as cli_main
from emergent.runs.sweep import read_sweep, runs_folder

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "neurons=128", "--set", "steps=32", "--set", "record_every=8", "--set", "show=16"]


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emergent: error:"), err
    return lines[0]


def _listening(pid: int) -> list[tuple[int, str, int]]:
    """(pid, address, port) of every listening inet socket of `pid` and its descendants."""
    import psutil

    proc = psutil.Process(pid)
    found = []
    for p in [proc, *proc.children(recursive=True)]:
        try:
            conns = p.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):  # pragma: no cover - gone
            continue
        found += [(p.pid, c.laddr.ip, c.laddr.port) for c in conns
                  if c.status == psutil.CONN_LISTEN]
    return found


# -- the dashboard and the cluster listen on loopback ------------------------------------------
def _status(port: int) -> int:
    """The HTTP status of the dashboard's /status page on loopback."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=30) as page:
            return page.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("dashboard", [True, False])
def test_local_cluster_and_dashboard_listen_on_loopback_only(dashboard):
    """Every listening socket of the LocalCluster (scheduler, dashboard / HTTP API, nannies,
    workers) is bound to 127.0.0.1; --no-dashboard serves no dashboard pages."""
    pytest.importorskip("distributed")
    pytest.importorskip("psutil")
    from emergent.runs.sweep.driver import DEFAULT_DASHBOARD, start_client

    assert DEFAULT_DASHBOARD == "127.0.0.1:0"
    before = {(a, p) for _, a, p in _listening(os.getpid())}
    client, cluster = start_client(workers=1, quiet=True,
                                   dashboard_address=DEFAULT_DASHBOARD if dashboard else None)
    try:
        sockets = [s for s in _listening(os.getpid()) if (s[1], s[2]) not in before]
        ports = {port for _, _, port in sockets}
        scheduler_port = int(cluster.scheduler_address.rsplit(":", 1)[1])
        http_port = cluster.scheduler.http_server.port if hasattr(
            cluster.scheduler.http_server, "port") else client.scheduler_info()["services"][
            "dashboard"]
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert {scheduler_port, http_port} <= ports, (sockets, http_port)
        assert any(pid != os.getpid() for pid, _, _ in sockets), "no worker socket seen"
        for pid, address, port in sockets:
            assert ipaddress.ip_address(address).is_loopback, (pid, address, port)
        for worker in client.scheduler_info()["workers"]:
            assert worker.startswith("tcp://127.0.0.1:")
        if dashboard:
            assert client.dashboard_link.startswith("http://127.0.0.1:")
            if importlib.util.find_spec("bokeh") is not None:
                assert _status(http_port) == 200
        else:
            assert _status(http_port) == 404
    finally:
        client.close()
        cluster.close()


@pytest.mark.parametrize(("argv", "needle"), [
    (["--dashboard-address", "8787"], "--dashboard-address: expected HOST:PORT"),
    (["--dashboard-address", "127.0.0.1:99999"], "--dashboard-address: expected HOST:PORT"),
    (["--dashboard-address", "127.0.0.1:0", "--no-dashboard"], "cannot be used together"),
    (["--no-dashboard", "--scheduler", "tcp://127.0.0.1:1"], "cannot be used with --scheduler"),
    (["--scheduler-timeout", "0"], "--scheduler-timeout must be"),
    (["--scheduler-timeout", "nan"], "--scheduler-timeout must be"),
])
def test_bad_cluster_options(tmp_path, capsys, argv, needle):
    pytest.importorskip("distributed")
    out = tmp_path / "s.h5"
    assert cli_main(["sweep", "chains", "-o", str(out), "--grid", "noise=0,1", "--quiet",
                     *argv]) == 2
    assert needle in _one_line_error(capsys.readouterr().err)
    assert sorted(tmp_path.iterdir()) == []


def test_sweep_help_documents_the_cluster_options(capsys):
    assert cli_main(["sweep", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--dashboard-address HOST:PORT", "--no-dashboard", "127.0.0.1:0",
                   "--scheduler-timeout", "130 interrupted", "100,000 points"):
        assert option in text, option


# -- no files before the cluster is up ---------------------------------------------------------
def test_unreachable_scheduler_leaves_no_files(tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "s.h5"
    argv = ["sweep", "chains", "-o", str(out), "--grid", "noise=0,1", "--quiet",
            "--scheduler-timeout", "0.5"]
    t0 = time.monotonic()
    assert cli_main([*argv, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert time.monotonic() - t0 < 30
    line = _one_line_error(capsys.readouterr().err)
    assert "--scheduler: cannot connect to the scheduler 'tcp://127.0.0.1:1'" in line, line
    # a scheduler file: its address is named; a file that is not one is refused as such
    sched = tmp_path / "sched.json"
    sched.write_text('{"address": "tcp://127.0.0.1:1"}')
    assert cli_main([*argv, "--scheduler", str(sched)]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert f"'tcp://127.0.0.1:1' (from {str(sched)!r})" in line, line
    sched.write_text("[1, 2]")
    assert cli_main([*argv, "--scheduler", str(sched)]) == 2
    assert "is not a Dask scheduler file" in _one_line_error(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sched.json"]


def test_cluster_start_failure_leaves_no_files(tmp_path, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")

    def broken(*args, **kwargs):
        raise RuntimeError("Nanny failed to start.\nworker process died")

    monkeypatch.setattr(distributed, "LocalCluster", broken)
    out = tmp_path / "s.h5"
    assert cli_main(["sweep", "chains", "-o", str(out), "--grid", "noise=0,1", "--workers",
                     "1", *TINY]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "cannot start a LocalCluster of 1 worker processes: Nanny failed to start." in line
    assert not out.exists() and not runs_folder(out).exists()


# -- grids too large ---------------------------------------------------------------------------
@pytest.mark.parametrize(("grid", "needles"), [
    (["neurons=2:1001:1000", "steps=1:1000:1000", "noise=0:9.99:1000"],
     ["the sweep has 1,000,000,000 points", "1,000 neurons x 1,000 steps x 1,000 noise",
      "at most 100,000"]),
    (["noise=0:1:1000000000000"], ["num = 1,000,000,000,000 values", "at most 100,000"]),
    (["noise=0:1:99999999999999999999999999"], ["at most 100,000"]),
    (["noise=-1e308:1e308:3"], ["--grid noise=-1e308:1e308:3: the range overflows"]),
])
def test_huge_or_overflowing_grids_are_one_line_errors(tmp_path, capfd, grid, needles):
    # -o in a missing folder: were the grid not refused first, the output check would fail
    # before the points are listed (so that this test cannot exhaust the memory)
    out = tmp_path / "missing" / "s.h5"
    t0 = time.monotonic()
    argv = [arg for g in grid for arg in ("--grid", g)]
    assert cli_main(["sweep", "chains", "-o", str(out), "--quiet", *argv]) == 2
    assert time.monotonic() - t0 < 10
    line = _one_line_error(capfd.readouterr().err)  # no RuntimeWarning either
    for needle in needles:
        assert needle in line, line
    assert not out.exists() and not runs_folder(out).exists()


# -- Ctrl-C and SIGTERM ------------------------------------------------------------------------
def _sweep_process(cwd: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    env.pop("EMERGENT_DEBUG", None)
    argv = [sys.executable, "-m", "emergent", "sweep", "chains", "-o", "s.h5",
            "--grid", "noise=0:0.1:10", "--workers", "2", "--set", "neurons=2048",
            "--set", "steps=4096", "--set", "record_every=256", "--set", "show=16", *extra]
    # its own session: a signal to its process group is what Ctrl-C at a terminal sends; SIGINT
    # at its default, as at a terminal (a job started with `&` by a non-interactive shell, as a
    # CI harness may run pytest, inherits SIGINT ignored, and the sweep then keeps it ignored)
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _complete(runs: Path) -> dict[str, int]:
    if not runs.is_dir():
        return {}
    return {p.name: p.stat().st_mtime_ns for p in runs.iterdir()
            if p.suffix == ".h5" and not p.name.startswith(".")}


def _interrupt_after_first_point(tmp_path: Path, sig: int, group: bool, *extra: str):
    proc = _sweep_process(tmp_path, *extra)
    try:
        deadline = time.monotonic() + 120
        while not _complete(tmp_path / "s.runs") and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        assert proc.poll() is None, ("the sweep ended before it was interrupted",
                                     proc.communicate())
        assert _complete(tmp_path / "s.runs"), "no point completed in 120 s"
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:  # pragma: no cover - a hang: do not leave it behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc.returncode, out, err, stopped_in


def _check_interrupted_then_resume(tmp_path: Path, code: int, err: str, stopped_in: float):
    assert code == 130, err
    assert "Traceback" not in err and "leaked semaphore" not in err, err
    assert "distributed." not in err, err  # --quiet: no logging from Dask
    assert stopped_in < 30
    assert err.strip().splitlines()[-1].startswith("emergent: sweep interrupted;"), err
    done = _complete(tmp_path / "s.runs")
    match = re.search(r"interrupted; (\d+) of 10 points are complete", err)
    assert match and int(match.group(1)) == len(done) >= 1, err
    # the same command again (--quiet: not a line on stdout or stderr, not even Dask's
    # "distributed.core - INFO" at shutdown): only the missing points run, each once
    proc = _sweep_process(tmp_path, "--quiet")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out == "" and err == "", (out, err)
    after = _complete(tmp_path / "s.runs")
    assert len(after) == 10 and all(after[name] == mtime for name, mtime in done.items())
    assert sorted(p.name for p in (tmp_path / "s.runs").iterdir()) == sorted(after)
    sweep = read_sweep(tmp_path / "s.h5")
    assert sweep.complete
    ran_now = ~np.isnan(sweep.seconds)  # NaN: reused from the interrupted sweep
    assert int(ran_now.sum()) == 10 - len(done)
    for index in zip(*np.nonzero(~ran_now), strict=True):
        assert Path(sweep.run_path(index)).name in done


def test_ctrl_c_stops_a_sweep_cleanly_and_it_resumes(tmp_path):
    """SIGINT to the sweep's process group (Ctrl-C at a terminal reaches every worker too)."""
    pytest.importorskip("distributed")
    code, _, err, stopped_in = _interrupt_after_first_point(tmp_path, signal.SIGINT, True,
                                                            "--quiet")
    assert err.strip().count("\n") == 0, err  # --quiet: the one line and nothing else
    _check_interrupted_then_resume(tmp_path, code, err, stopped_in)


@pytest.mark.slow
@pytest.mark.parametrize("group", [False, True])
def test_sigterm_stops_a_sweep_cleanly_and_it_resumes(tmp_path, group):
    pytest.importorskip("distributed")
    code, _, err, stopped_in = _interrupt_after_first_point(tmp_path, signal.SIGTERM, group,
                                                            "--quiet")
    _check_interrupted_then_resume(tmp_path, code, err, stopped_in)


@pytest.mark.slow
def test_ctrl_c_to_the_sweep_process_alone(tmp_path):
    pytest.importorskip("distributed")
    code, _, err, stopped_in = _interrupt_after_first_point(tmp_path, signal.SIGINT, False)
    _check_interrupted_then_resume(tmp_path, code, err, stopped_in)
