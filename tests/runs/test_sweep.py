"""Parameter sweeps on Dask distributed (issue 10): grids, the sweep file, resume, killed workers.

Every Dask test uses a LocalCluster of 2 single-threaded worker processes and tiny grids of the
cheap, seeded `chains` simulation.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from emergent.cli import main as cli_main
from emergent.runs.io import read_run
from emergent.runs.registry import ParameterError, get
from emergent.runs.sweep import (
    FORMAT,
    SweepSpec,
    is_sweep_file,
    main,
    parse_axis,
    plot_sweep,
    read_sweep,
    run_sweep,
    runs_folder,
)
from emergent.runs.sweep.store import SweepFile

TINY = {"neurons": 128, "steps": 32, "record_every": 8, "show": 16}
TINY_SET = [arg for k, v in TINY.items() for arg in ("--set", f"{k}={v}")]
CHAINS = get("chains")


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster (2 worker processes, 1 thread each) shared by the module's tests."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      env={"NUMBA_NUM_THREADS": "1"}) as lc:
        with Client(lc) as client:
            yield lc, client


# -- grids -----------------------------------------------------------------------------------------
def test_grid_ranges_lists_and_rounding():
    assert parse_axis(CHAINS, "noise=0:1:11").values[3] == 0.3  # not 0.30000000000000004
    assert parse_axis(CHAINS, "noise=0:1:11").values == tuple(v / 10 for v in range(11))
    assert parse_axis(CHAINS, "neurons=64:256:4").values == (64, 128, 192, 256)
    assert parse_axis(CHAINS, "neurons=16:1024:4:log").values == (16, 64, 256, 1024)
    axis = parse_axis(CHAINS, "amplitude=1e-3:10:5:log")
    np.testing.assert_allclose(axis.values, np.geomspace(1e-3, 10, 5), rtol=1e-12)
    assert parse_axis(CHAINS, "activation=linear,tanh").values == ("linear", "tanh")
    assert parse_axis(CHAINS, " steps = 8 ").values == (8,)
    spec = SweepSpec.build(CHAINS, ["noise=0,0.5", "activation=tanh,linear"], fixed={"steps": 4},
                           seeds=3, seed=10)
    assert spec.shape == (2, 2, 3) and spec.size == 12 and spec.seeds == (10, 11, 12)
    points = list(spec.points())
    assert [p.index for p in points[:4]] == [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)]
    assert points[3].params == {**CHAINS.defaults(), "steps": 4, "noise": 0.0,
                                "activation": "linear"}
    assert points[3].seed == 10
    assert len({p.filename for p in points}) == 12
    assert points[5].filename == "noise=0.0,activation=linear,seed=12.h5"


@pytest.mark.parametrize(("argv", "needles"), [
    (["--grid", "noise"], ["--grid expects key=start:stop:num"]),
    (["--grid", "nosie=0,1"], ["'nosie'", "did you mean 'noise'"]),
    (["--grid", "activation=0:1:3"], ["--grid activation", "int or float parameter"]),
    (["--grid", "noise=0:1:0"], ["num must be an integer >= 1"]),
    (["--grid", "noise=0:1"], ["start:stop:num or start:stop:num:log"]),
    (["--grid", "noise=a:1:3"], ["--grid noise", "start 'a' is not a number"]),
    (["--grid", "noise=0:1:3:lin"], ["start:stop:num or start:stop:num:log"]),
    (["--grid", "noise=0:1:3:log"], ["log range needs start > 0"]),
    (["--grid", "neurons=64:101:4"], ["'neurons' is an integer", "76.3333"]),
    (["--grid", "noise=-1:1:3"], ["--grid noise", "-1.0 is not allowed", "0 <= value <= 10"]),
    (["--grid", "activation=linear,relu"], ["'relu'", "one of linear, tanh"]),
    (["--grid", "noise=0.1,0.1"], ["appears twice"]),
    (["--grid", "noise=0,1", "--grid", "noise=2,3"], ["swept twice"]),
    (["--grid", "noise=0,1", "--set", "noise=2"], ["--set noise", "also a --grid axis"]),
    (["--grid", "noise=0,1", "--seeds", "0"], ["--seeds must be an integer with 1 <= K"]),
    (["--grid", "noise=0,1", "--workers", "0"], ["--workers must be an integer >= 1"]),
    (["--grid", "noise=0,1", "--seeds", "two"], ["--seeds: invalid int value"]),
    ([], ["at least one --grid"]),
])
def test_bad_grid_specs_give_one_line_errors(tmp_path, capsys, argv, needles):
    out = tmp_path / "s.h5"
    assert cli_main(["sweep", "chains", "-o", str(out), "--quiet", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("emergent: error:"), err
    for needle in needles:
        assert needle in err, err
    assert not out.exists() and not runs_folder(out).exists()


def test_bad_output_paths(tmp_path, capsys):
    grid = ["--grid", "noise=0,1", "--quiet"]
    assert cli_main(["sweep", "chains", "-o", str(tmp_path / "s.txt"), *grid]) == 2
    assert "must end in .h5 or .hdf5" in capsys.readouterr().err
    assert cli_main(["sweep", "chains", "-o", str(tmp_path / "no" / "s.h5"), *grid]) == 2
    assert "does not exist" in capsys.readouterr().err
    run = tmp_path / "run.h5"  # a run file is not a sweep file: never overwritten silently
    assert cli_main(["run", "chains", "-o", str(run), "--quiet", *TINY_SET]) == 0
    assert not is_sweep_file(run) and not is_sweep_file(tmp_path / "absent.h5")
    assert cli_main(["sweep", "chains", "-o", str(run), *grid]) == 2
    assert "not a sweep file; pass --force" in capsys.readouterr().err
    with pytest.raises(ParameterError, match="deterministic"):
        SweepSpec.build(dataclasses.replace(CHAINS, stochastic=False), ["noise=0,1"], seeds=2)


# -- sweeps on Dask --------------------------------------------------------------------------------
def test_sweep_equals_sequential_runs(tmp_path, cluster):
    """Each point of a sweep on 2 workers equals `emergent run` with the same parameters/seed."""
    lc, _ = cluster
    out = tmp_path / "s.h5"
    argv = ["chains", "-o", str(out), "--grid", "noise=0,0.05", "--grid",
            "activation=linear,tanh", "--seeds", "2", "--seed", "7", "--scheduler",
            lc.scheduler_address, "--quiet", *TINY_SET]
    assert main(argv) == 0
    sweep = read_sweep(out)
    assert sweep.complete and sweep.shape == (2, 2, 2) and sweep.seeds == (7, 8)
    assert [a.name for a in sweep.axes] == ["noise", "activation"]
    fixed = {k: v for k, v in {**CHAINS.defaults(), **TINY}.items()
             if k not in ("noise", "activation")}
    assert sweep.params == fixed
    with h5py.File(out, "r") as f:
        assert f.attrs["format"] == FORMAT and f.attrs["points"] == 8 and "completed" in f.attrs
        ds = f["reduction/max_shift_error"]
        assert [ds.dims[i].label for i in range(3)] == ["noise", "activation", "seed"]
        assert list(ds.dims[2][0][()]) == [7, 8]
        assert [v.decode() for v in ds.dims[1][0][()]] == ["linear", "tanh"]
    files = sorted(p.name for p in runs_folder(out).iterdir())
    assert len(files) == 8 and all(f.endswith(".h5") for f in files)
    for i, noise in enumerate((0.0, 0.05)):
        for j, activation in enumerate(("linear", "tanh")):
            for k, seed in enumerate((7, 8)):
                ref = tmp_path / f"ref-{i}{j}{k}.h5"
                assert cli_main(["run", "chains", "-o", str(ref), "--seed", str(seed), "--quiet",
                                 "--set", f"noise={noise}", "--set", f"activation={activation}",
                                 *TINY_SET]) == 0
                want, got = read_run(ref), read_run(sweep.run_path((i, j, k)))
                assert got.params == want.params and got.seed == want.seed == seed
                assert sweep.reductions["max_shift_error"][i, j, k] == \
                    want.results["max_shift_error"]
                np.testing.assert_array_equal(got.field("x_final")[0], want.field("x_final")[0])
    # linear noiseless chain: an exact travelling wave, P2 (61)
    assert np.all(sweep.reductions["max_shift_error"][0, 0] <= 1e-12)
    assert np.all(sweep.reductions["max_shift_error"][1] > 1e-3)


def test_resume_reruns_only_missing_points(tmp_path, cluster, capsys):
    _, client = cluster
    out = tmp_path / "s.h5"
    spec = SweepSpec.build(CHAINS, ["noise=0:0.1:3"], fixed=TINY, seeds=2)
    first = run_sweep(spec, out, client=client, quiet=True)
    assert sorted(first.ran) == [p.index for p in spec.points()] and not first.skipped
    before = read_sweep(out)
    runs = runs_folder(out)
    lost = [before.run_path((1, 0)), before.run_path((2, 1))]
    mtimes = {p: p.stat().st_mtime_ns for p in runs.iterdir()}
    for path in lost:
        path.unlink()
    # an interrupted attempt's leftovers are not a complete result
    (runs / f".{lost[0].name}.partial").write_bytes(b"not hdf5")
    again = run_sweep(spec, out, client=client, quiet=True)
    assert sorted(again.ran) == [(1, 0), (2, 1)] and len(again.skipped) == 4
    after = read_sweep(out)
    assert after.complete
    np.testing.assert_array_equal(after.reductions["max_shift_error"],
                                  before.reductions["max_shift_error"])
    for path, mtime in mtimes.items():
        if path not in lost:
            assert path.stat().st_mtime_ns == mtime  # complete points were not rerun
    assert sorted(p.name for p in runs.iterdir()) == sorted(p.name for p in mtimes)
    # all complete: nothing is scheduled at all
    third = run_sweep(spec, out, client=client, quiet=True)
    assert not third.ran and len(third.skipped) == 6
    # more seeds reuse the points already computed
    more = run_sweep(SweepSpec.build(CHAINS, ["noise=0:0.1:3"], fixed=TINY, seeds=3), out,
                     client=client, quiet=True)
    assert sorted(more.ran) == [(0, 2), (1, 2), (2, 2)] and len(more.skipped) == 6
    # other fixed parameters with the same -o: a clear error, nothing overwritten
    argv = ["chains", "-o", str(out), "--grid", "noise=0:0.1:3", "--quiet", "--scheduler",
            client.scheduler.address, *TINY_SET[:-2], "--set", "show=8"]
    assert cli_main(["sweep", *argv]) == 2
    err = capsys.readouterr().err
    assert "was made with show=16" in err and "--force" in err
    assert read_sweep(out).complete
    assert main([*argv, "--force"]) == 0
    assert read_run(runs / lost[0].name).params["show"] == 8


def test_killed_worker_every_point_completes_exactly_once(tmp_path, cluster):
    """SIGKILL a worker in the middle of a point: Dask reruns its task on a live worker, which
    resumes from the point's checkpoint; every point is gathered once and equals a serial run."""
    from emergent.runs.io import execute

    lc, client = cluster
    out = tmp_path / "s.h5"
    fixed = {"neurons": 4096, "steps": 4096, "record_every": 64, "show": 16}
    spec = SweepSpec.build(CHAINS, ["noise=0,0.01,0.02"], fixed=fixed, seeds=2)
    by_flat = {",".join(map(str, p.index)): p for p in spec.points()}
    result = {}

    def sweep():
        try:
            result["report"] = run_sweep(spec, out, client=client, quiet=True,
                                         checkpoint_interval=0.0)
        except BaseException as exc:  # pragma: no cover - reported below
            result["error"] = exc

    pids = client.run(os.getpid)
    runs = runs_folder(out)
    thread = threading.Thread(target=sweep)
    thread.start()
    victim = target = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        # a worker in the middle of a point: the point has a checkpoint and no run file yet
        for worker, keys in client.processing().items():
            for key in keys:
                point = by_flat[key.rsplit("-", 1)[1]]
                if (runs / f".{point.filename}.ckpt").exists():
                    victim, target = worker, point
                    break
            if victim:
                break
        time.sleep(0.01)
    assert victim is not None, "no point was ever seen running"
    os.kill(pids[victim], signal.SIGKILL)
    interrupted = not (runs / target.filename).exists()  # it cannot finish after the kill
    thread.join(120)
    assert not thread.is_alive() and "error" not in result, result
    report = result["report"]
    everything = sorted(p.index for p in spec.points())
    assert sorted(report.ran) == everything and not report.failed and not report.skipped
    sweep_data = read_sweep(out)
    assert sweep_data.complete
    assert sorted(p.name for p in runs.iterdir()) == sorted(p.filename for p in spec.points())
    for point in spec.points():
        value = read_run(runs / point.filename).results["max_shift_error"]
        assert sweep_data.reductions["max_shift_error"][point.index] == value
    got = read_run(runs / target.filename)
    if interrupted:
        assert "resumed" in got.attrs  # the rerun continued from the killed run's checkpoint
    execute(CHAINS, target.params, target.seed, tmp_path / "ref.h5", quiet=True)
    want = read_run(tmp_path / "ref.h5")
    np.testing.assert_array_equal(got.series("norm"), want.series("norm"))
    np.testing.assert_array_equal(got.field("x_final")[0], want.field("x_final")[0])
    assert got.results == want.results
    # the killed worker was replaced by its nanny
    client.wait_for_workers(2, timeout=30)
    assert pids[victim] not in client.run(os.getpid).values()


def test_local_cluster_command_and_plots(tmp_path, capsys):
    """Without --scheduler the sweep starts its own LocalCluster; `emergent plot` draws it."""
    pytest.importorskip("distributed")
    out = tmp_path / "s.h5"
    assert cli_main(["sweep", "chains", "-o", str(out), "--grid", "amplitude=0.25,0.5",
                     "--grid", "direction=right,left", "--workers", "2", *TINY_SET]) == 0
    captured = capsys.readouterr()
    assert "LocalCluster of 2 worker processes" in captured.err
    assert "Dask dashboard:" in captured.err
    assert f"wrote {out} (4 points: 4 ran, 0 already complete" in captured.out
    assert read_sweep(out).complete
    assert cli_main(["plot", str(out), "-o", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    # a 3 x 3 grid is drawn as a heat map, one axis as lines; missing points stay blank
    spec = SweepSpec.build(CHAINS, ["noise=0:0.2:3", "steps=8,16,32", "modes=1,2"], seeds=2)
    store = SweepFile(tmp_path / "h.h5", spec)
    for point in spec.points():
        if point.index != (2, 2, 0, 1):
            store.record(point.index, {"a": sum(point.index) + 1.0, "b": 1e-3 * point.seed},
                         1.0)
    store.close()
    data = read_sweep(tmp_path / "h.h5")
    assert not data.complete and np.isnan(data.reductions["a"][2, 2, 0, 1])
    assert json.loads(data.attrs["params_json"])["neurons"] == CHAINS.defaults()["neurons"]
    for kwargs in ({}, {"axes": ["steps"], "at": {"noise": 0.1}}, {"axes": ["modes", "noise"]}):
        png = plot_sweep(tmp_path / "h.h5", tmp_path / "h.png", **kwargs)
        assert Path(png).read_bytes()[:4] == b"\x89PNG"
