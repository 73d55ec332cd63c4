"""Run a sweep on Dask distributed: one task per point, gathered into the sweep file.

Each point runs on a worker through :func:`emergent.runs.io.execute` and is written to its own run
file (atomically: the file appears only when the run has completed); the worker returns the
simulation's reduction (:meth:`emergent.runs.registry.Simulation.reduction`) and the client writes
it into the sweep file as results arrive. A point whose run file already exists with the same
parameters and seed is not run again, so re-running a sweep resumes it, and a sweep with more
values or seeds reuses the points it shares with an earlier one. When a worker dies, the
scheduler gives its tasks to another worker; a task has one key and the client gathers each key
once, and each point has one run file, so no point is lost or counted twice.

Dask is imported only when a sweep runs (it is the ``dist`` extra).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emergent.runs.io import RunError, check_output_path, execute, read_run
from emergent.runs.registry import Simulation, get
from emergent.runs.sweep.grid import Point, SweepSpec
from emergent.runs.sweep.store import SweepFile, is_sweep_file, runs_folder

__all__ = ["SweepReport", "run_point", "run_sweep", "start_client"]

_WORKER_ENV = {
    # one thread per worker process: the sweep's parallelism is the workers
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


@dataclass
class SweepReport:
    """What a sweep did: grid indices that ran now, were already complete, or failed."""

    path: Path
    runs_dir: Path
    shape: tuple[int, ...]
    ran: list[tuple[int, ...]] = field(default_factory=list)
    skipped: list[tuple[int, ...]] = field(default_factory=list)
    failed: dict[tuple[int, ...], str] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0
    dashboard: str | None = None

    @property
    def complete(self) -> bool:
        """True when no point failed and every point ran or was reused."""
        return not self.failed and len(self.ran) + len(self.skipped) == math.prod(self.shape)


def _same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return json.loads(json.dumps(dict(a), sort_keys=True)) == json.loads(
        json.dumps(dict(b), sort_keys=True)
    )


def _existing(sim: Simulation, point: Point, path: Path) -> dict[str, float] | None:
    """The reduction of a finished run file of `point`, None if there is no usable one.

    Raises RunError if the file is a finished run of other parameters or another seed.
    """
    if not path.exists():
        return None
    try:
        data = read_run(path)
    except RunError:
        return None  # unfinished or unreadable: the point runs again and replaces it
    if data.simulation != sim.name or data.seed != point.seed or not _same_params(
        data.params, point.params
    ):
        diff = [k for k in point.params if data.params.get(k, object()) != json.loads(
            json.dumps(point.params[k]))]
        what = (f"simulation {data.simulation!r}" if data.simulation != sim.name
                else f"seed {data.seed}" if data.seed != point.seed
                else ", ".join(f"{k}={data.params.get(k)!r}" for k in diff[:3]))
        raise RunError(
            f"run file {str(path)!r} was made with {what}, not this sweep's settings; use "
            "another -o for a different sweep, or --force to recompute every point"
        )
    return sim.reduction(data)


def run_point(
    simulation: str, params: dict[str, Any], seed: int, path: str, *, force: bool = False,
    checkpoint_interval: float = 60.0,
) -> dict[str, Any]:
    """Run one point of a sweep (a Dask task) and return its reduction.

    Writes the run file `path` (resuming from its checkpoint if an earlier attempt left one,
    unless `force`); a finished run file of the same point is reused.

    Parameters
    ----------
    simulation : str
        The registered simulation's name.
    params : dict
        The point's validated parameters.
    seed : int
        The point's seed.
    path : str
        Its run file.
    force : bool
        Recompute even when a finished run file exists.
    checkpoint_interval : float
        Seconds between checkpoints of the run.

    Returns
    -------
    dict
        ``{"reduction": {name: value}, "seconds": wall time, "worker": "host:pid",
        "reused": bool}``.

    Raises
    ------
    emergent.runs.io.RunError
        The run cannot be written or resumed.
    """
    sim = get(simulation)
    out = Path(path)
    t0 = time.perf_counter()
    reduction = None if force else _existing(sim, Point((), params, seed, out.name), out)
    reused = reduction is not None
    if reduction is None:
        execute(sim, params, seed, out, resume=not force, force=True, quiet=True,
                checkpoint_interval=checkpoint_interval)
        reduction = sim.reduction(read_run(out))
    return {
        "reduction": reduction,
        "seconds": time.perf_counter() - t0,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "reused": reused,
    }


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def start_client(
    scheduler: str | None = None, workers: int | None = None, *, quiet: bool = False,
) -> tuple[Any, Any]:
    """A Dask client: on the scheduler at `scheduler` (address or scheduler-file path), or on
    a new LocalCluster of `workers` single-threaded worker processes (default: one per core).

    Parameters
    ----------
    scheduler : str, optional
        Address (``tcp://host:8786``) or scheduler-file path of a running scheduler.
    workers : int, optional
        Number of local worker processes (default: one per core).
    quiet : bool
        Silence the cluster's logging.

    Returns
    -------
    client : distributed.Client
    cluster : distributed.LocalCluster or None
        None for an existing scheduler.

    Raises
    ------
    emergent.runs.io.RunError
        The scheduler cannot be reached.
    ImportError
        Dask distributed is not installed (the ``dist`` extra).
    """
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            if Path(scheduler).is_file():
                client = Client(scheduler_file=scheduler, timeout="20s")
            else:
                client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise RunError(f"--scheduler: cannot connect to {scheduler!r}: {exc}") from None
        return client, None
    n = workers if workers is not None else _cpu_count()
    cluster = LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, env=dict(_WORKER_ENV),
        silence_logs=logging.ERROR if quiet else logging.WARNING,
        dashboard_address=":0",
    )
    return Client(cluster), cluster


def dashboard_link(client: Any, local: bool = False) -> str | None:
    """The dashboard URL of the client's scheduler, None when it serves no dashboard.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    local : bool
        The scheduler runs in this Python environment, so the dashboard's pages exist only if
        bokeh is importable here (without it the scheduler serves only its HTTP API).

    Returns
    -------
    str or None
        The URL.
    """
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:  # pragma: no cover - scheduler gone
        return None
    if "dashboard" not in services:
        return None
    if local:
        try:
            import bokeh  # noqa: F401
        except ImportError:
            return None
    return client.dashboard_link


def _describe(spec: SweepSpec) -> str:
    dims = " x ".join(f"{len(a)} {a.name}" for a in spec.axes)
    return f"{spec.size} points ({dims} x {len(spec.seeds)} seeds)"


@contextlib.contextmanager
def _maybe_client(client: Any, scheduler: str | None, workers: int | None,
                  quiet: bool) -> Iterator[tuple[Any, str, bool]]:
    if client is not None:
        yield client, f"the scheduler at {client.scheduler.address}", False
        return
    client, cluster = start_client(scheduler, workers, quiet=quiet)
    where = (f"the scheduler at {scheduler}" if cluster is None
             else f"a LocalCluster of {len(cluster.workers)} worker processes")
    try:
        yield client, where, cluster is not None
    finally:
        if cluster is not None:  # stop the workers first: no heartbeats to a closed scheduler
            with contextlib.suppress(Exception):
                client.retire_workers(close_workers=True)
        with contextlib.suppress(Exception):
            client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def run_sweep(
    spec: SweepSpec,
    output: str | os.PathLike[str],
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    quiet: bool = False,
    checkpoint_interval: float = 60.0,
) -> SweepReport:
    """Run every point of `spec` as a Dask task; write run files and the sweep file `output`.

    Points whose run files are complete are reused; the sweep file is rewritten as points
    finish, so an interrupted sweep continues where it stopped.

    Parameters
    ----------
    spec : SweepSpec
        The validated grid (:meth:`SweepSpec.build`).
    output : path
        The sweep file (``.h5``); the run files go to ``NAME.runs/`` beside it.
    client : distributed.Client, optional
        An existing client (e.g. on a dask-jobqueue SLURMCluster).
    scheduler : str, optional
        Otherwise the address or scheduler-file of a running scheduler.
    workers : int, optional
        Otherwise the number of processes of a new LocalCluster.
    force : bool
        Recompute every point, and overwrite a non-sweep file at `output`.
    quiet : bool
        No progress bar.
    checkpoint_interval : float
        Seconds between checkpoints of each run.

    Returns
    -------
    SweepReport
        Which points ran, were reused or failed, and where the files are.

    Raises
    ------
    emergent.runs.io.RunError
        A bad output path, or a file at `output` that is not a sweep file (without `force`).
    """
    sim = get(spec.simulation)
    output = check_output_path(output, "-o: sweep file")
    if output.exists() and not force and not is_sweep_file(output):
        raise RunError(
            f"-o: {str(output)!r} exists and is not a sweep file; pass --force to overwrite it"
        )
    runs_dir = runs_folder(output)
    if runs_dir.exists() and not runs_dir.is_dir():
        raise RunError(f"-o: {str(runs_dir)!r} (the folder of the run files) is not a folder")
    runs_dir.mkdir(exist_ok=True)

    report = SweepReport(output, runs_dir, spec.shape)
    points = list(spec.points())
    todo: list[Point] = []
    store = None
    t0 = time.perf_counter()
    try:
        found: list[tuple[Point, dict[str, float]]] = []
        for point in points:
            reduction = None if force else _existing(sim, point, runs_dir / point.filename)
            if reduction is None:
                todo.append(point)
            else:
                found.append((point, reduction))
        store = SweepFile(output, spec, summary=sim.summary, sim=sim)
        for point, reduction in found:
            store.record(point.index, reduction, None)
            report.skipped.append(point.index)
        store.flush()
        if todo:
            _schedule(sim, spec, todo, store, report, client=client, scheduler=scheduler,
                      workers=workers, force=force, quiet=quiet,
                      checkpoint_interval=checkpoint_interval)
    finally:
        if store is not None:
            store.close()
    report.seconds = time.perf_counter() - t0
    return report


def _schedule(
    sim: Simulation, spec: SweepSpec, todo: Sequence[Point], store: SweepFile,
    report: SweepReport, *, client: Any, scheduler: str | None, workers: int | None,
    force: bool, quiet: bool, checkpoint_interval: float,
) -> None:
    from distributed import as_completed
    from tqdm.auto import tqdm

    with _maybe_client(client, scheduler, workers, quiet) as (dask, where, local):
        report.workers = len(dask.scheduler_info().get("workers", {}))
        report.dashboard = dashboard_link(dask, local)
        if not quiet:
            print(f"sweep {sim.name}: {_describe(spec)}, {len(todo)} to run, on {where}; "
                  f"run files in {report.runs_dir}/", file=sys.stderr)
            print(f"Dask dashboard: {report.dashboard}" if report.dashboard else
                  "Dask dashboard: none (the scheduler serves one when bokeh>=3.1 is installed)",
                  file=sys.stderr)
        token = uuid.uuid4().hex[:8]
        by_key: dict[str, Point] = {}
        futures = []
        for point in todo:
            flat = ",".join(map(str, point.index))
            key = f"emergent-{sim.name}-{token}-{flat}"
            by_key[key] = point
            futures.append(dask.submit(
                run_point, sim.name, point.params, point.seed,
                str(report.runs_dir / point.filename), force=force,
                checkpoint_interval=checkpoint_interval, key=key, pure=False, retries=0,
            ))
        bar = tqdm(total=spec.size, initial=len(report.skipped), desc=f"sweep {sim.name}",
                   unit="point", disable=quiet, dynamic_ncols=True)
        seen: set[str] = set()
        try:
            for future in as_completed(futures):
                point = by_key[future.key]
                if future.key in seen:  # pragma: no cover - as_completed yields a key once
                    continue
                seen.add(future.key)
                if future.status == "finished":
                    result = future.result()
                    store.record(point.index, result["reduction"], result["seconds"])
                    report.ran.append(point.index)
                else:
                    exc = future.exception()
                    msg = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    store.fail(point.index)
                    report.failed[point.index] = msg
                future.release()
                store.flush(every=1.0)
                bar.update(1)
        except BaseException:
            with contextlib.suppress(Exception):
                dask.cancel(futures)
            raise
        finally:
            bar.close()

