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

__all__ = ["DEFAULT_DASHBOARD", "SweepInterrupted", "SweepReport", "run_point", "run_sweep",
           "start_client"]

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
    _thread_lock_for_tqdm()
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


def _thread_lock_for_tqdm() -> None:
    """Give tqdm a thread lock on a worker before its first bar (even a disabled one).

    tqdm's default write lock holds a multiprocessing RLock, a named semaphore registered with
    the cluster's resource tracker; a worker stopped while it runs a point (Ctrl-C on the
    sweep) cannot release it, and the tracker warns of a leaked semaphore at exit. A worker
    runs one point per thread and draws no bar, so a thread lock is all it needs.
    """
    import threading

    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return
    if "_lock" not in vars(tqdm):
        tqdm.set_lock(threading.RLock())


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


DEFAULT_DASHBOARD = "127.0.0.1:0"
"""Where a LocalCluster's dashboard listens unless asked otherwise: loopback, a free port."""

_LOGGERS = ("distributed", "bokeh", "tornado", "asyncio")


@contextlib.contextmanager
def _quiet_logs(level: int) -> Iterator[None]:
    """Raise the level of Dask's loggers and of their handlers (their records stop at the
    handler, whatever a child logger's own level) to `level`, for the duration."""
    import logging

    undo: list[tuple[Any, int]] = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for obj in (logger, *logger.handlers):
            if obj.level < level:
                undo.append((obj, obj.level))
                obj.setLevel(level)
    try:
        yield
    finally:
        for obj, old in reversed(undo):
            obj.setLevel(old)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while a LocalCluster starts: the threads it starts inherit
    the mask and the worker processes they spawn inherit it from them, so a Ctrl-C at the
    terminal (sent to the whole process group) reaches only this process, which stops the
    workers itself. A Ctrl-C during the start is delivered when this ends."""
    import signal
    import threading

    if (not hasattr(signal, "pthread_sigmask")
            or threading.current_thread() is not threading.main_thread()):
        yield  # pragma: no cover - not POSIX, or not the main thread
        return
    from multiprocessing import resource_tracker

    # started now, unblocked: starting it later (from the cluster's thread) unblocks SIGINT there
    resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _parse_dashboard(address: str) -> str:
    host, colon, port = address.rpartition(":")
    if not colon or not host.strip("[]") or not port.isdigit() or int(port) > 65535:
        raise RunError(
            f"--dashboard-address: expected HOST:PORT (e.g. 127.0.0.1:8787, or PORT 0 for a "
            f"free port), got {address!r}"
        )
    return address


def start_client(
    scheduler: str | None = None, workers: int | None = None, *, quiet: bool = False,
    dashboard_address: str | None = DEFAULT_DASHBOARD, timeout: float = 20.0,
) -> tuple[Any, Any]:
    """A Dask client: on the scheduler at `scheduler` (address or scheduler-file path), or on
    a new LocalCluster of `workers` single-threaded worker processes (default: one per core).

    A LocalCluster's scheduler and workers listen on 127.0.0.1 only, and so does its dashboard
    unless `dashboard_address` names another interface.

    Parameters
    ----------
    scheduler : str, optional
        Address (``tcp://host:8786``) or scheduler-file path of a running scheduler.
    workers : int, optional
        Number of local worker processes (default: one per core).
    quiet : bool
        Silence the cluster's logging.
    dashboard_address : str or None
        ``HOST:PORT`` of a LocalCluster's dashboard (port 0: a free one); None for no
        dashboard. Default: loopback only, ``127.0.0.1:0``.
    timeout : float
        Seconds to wait for `scheduler` to answer.

    Returns
    -------
    client : distributed.Client
    cluster : distributed.LocalCluster or None
        None for an existing scheduler.

    Raises
    ------
    emergent.runs.io.RunError
        The scheduler cannot be reached, or the LocalCluster cannot start; nothing is left
        running.
    ImportError
        Dask distributed is not installed (the ``dist`` extra).
    """
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        address = _scheduler_address(scheduler)
        try:
            with _quiet_logs(logging.CRITICAL + 1):  # the one line below says it all
                client = Client(address, timeout=timeout)
        except Exception as exc:  # OSError, TimeoutError, ValueError, a bad scheduler file
            named = repr(address) + ("" if address == scheduler else f" (from {scheduler!r})")
            raise RunError(
                f"--scheduler: cannot connect to the scheduler {named}: {_one_line(exc)}"
            ) from None
        return client, None
    n = workers if workers is not None else _cpu_count()
    if dashboard_address is not None:
        dashboard_address = _parse_dashboard(dashboard_address)
    cluster = client = None
    try:
        quieted = _quiet_logs(logging.CRITICAL + 1) if quiet else contextlib.nullcontext()
        with _deferred(), _sigint_blocked(), quieted:
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, env=dict(_WORKER_ENV),
                # the workers' warnings are about what the sweep does to them (a task
                # cancelled as it stops); their nannies, here, still warn of memory trouble
                host="127.0.0.1", silence_logs=logging.CRITICAL if quiet else logging.ERROR,
                # without a dashboard the scheduler still serves its HTTP API (health,
                # metrics): on loopback, a free port
                dashboard_address=dashboard_address or DEFAULT_DASHBOARD,
                scheduler_kwargs={"dashboard": dashboard_address is not None},
                worker_dashboard_address=None,
            )
            client = Client(cluster)
    except KeyboardInterrupt:  # a Ctrl-C while it started: stop what did start
        with _ignoring_interrupts():
            _close(client, cluster, interrupted=True)
        raise
    except Exception as exc:
        _close(client, cluster, interrupted=True)
        raise RunError(
            f"cannot start a LocalCluster of {n} worker processes: {_one_line(exc)}"
        ) from None
    return client, cluster


def _scheduler_address(scheduler: str) -> str:
    """The address of `scheduler`: itself, or the ``address`` in the scheduler file it names."""
    path = Path(scheduler)
    if "://" in scheduler or not path.is_file():
        return scheduler
    try:
        address = json.loads(path.read_text(encoding="utf-8"))["address"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise RunError(
            f"--scheduler: {scheduler!r} is not a Dask scheduler file (JSON with an "
            f"\"address\"): {_one_line(exc)}"
        ) from None
    if not isinstance(address, str) or not address:
        raise RunError(f"--scheduler: the scheduler file {scheduler!r} has no address")
    return address


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _close(client: Any, cluster: Any, *, interrupted: bool = False) -> None:
    """Close the client and, for a LocalCluster, its workers and scheduler, quietly.

    After an interrupt the workers are stopped at once (their points resume from their
    checkpoints); otherwise they finish and leave as usual.
    """
    import logging

    with _quiet_logs(logging.CRITICAL + 1 if interrupted else logging.ERROR):
        if cluster is not None and interrupted:
            with contextlib.suppress(Exception):
                cluster.sync(_kill_workers, cluster)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=5)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)
        import gc

        gc.collect()  # the worker processes' queues: their semaphores are released now


async def _kill_workers(cluster: Any) -> None:
    import asyncio

    await asyncio.gather(*(worker.close(timeout=1, reason="sweep-interrupted")
                           for worker in list(cluster.workers.values())),
                         return_exceptions=True)


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


class _Signals:
    """SIGINT and SIGTERM while a sweep runs: KeyboardInterrupt, or held (``deferring``) while
    a cluster starts and raised once it is up, or ignored while the sweep cleans up."""

    installed = False
    deferring = 0
    pending: str | None = None


def _on_signal(signum: int, frame: Any) -> None:
    import signal

    name = signal.Signals(signum).name
    if _Signals.deferring:
        _Signals.pending = _Signals.pending or name
        return
    raise KeyboardInterrupt(name)


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """SIGTERM, like Ctrl-C, raises KeyboardInterrupt in the main thread while a sweep runs
    (so that it stops its workers and keeps its files); the handlers are restored after."""
    import signal
    import threading

    if _Signals.installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    # a signal ignored by whoever started us (e.g. SIGINT for `nohup ... &`) stays ignored
    old = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
           if signal.getsignal(sig) is not signal.SIG_IGN}
    _Signals.installed, _Signals.deferring, _Signals.pending = True, 0, None
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        _Signals.installed = False


@contextlib.contextmanager
def _deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for the duration (a cluster starting); raise it at the end."""
    _Signals.deferring += 1
    try:
        yield
    finally:
        _Signals.deferring -= 1
    if not _Signals.deferring and _Signals.pending and _Signals.installed:
        name, _Signals.pending = _Signals.pending, None
        raise KeyboardInterrupt(name)


@contextlib.contextmanager
def _ignoring_interrupts() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM while the sweep cleans up after an interrupt (bounded)."""
    _Signals.deferring += 1
    try:
        yield
    finally:
        _Signals.deferring -= 1
        _Signals.pending = None


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by Ctrl-C or SIGTERM: `report` says which points it gathered, `complete`
    how many points have complete run files (a re-run skips them)."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__("sweep interrupted")
        self.report = report
        # the points whose run files are complete (counted again once the workers are stopped)
        self.complete = len(report.ran) + len(report.skipped)


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
    dashboard_address: str | None = DEFAULT_DASHBOARD,
    scheduler_timeout: float = 20.0,
) -> SweepReport:
    """Run every point of `spec` as a Dask task; write run files and the sweep file `output`.

    Points whose run files are complete are reused; the sweep file is rewritten as points
    finish, so an interrupted sweep continues where it stopped. Nothing is written before the
    cluster is up (or when every point is already complete). In the main thread, SIGTERM
    interrupts the sweep like Ctrl-C: the workers are stopped, the completed points are kept,
    and :class:`SweepInterrupted` is raised.

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
        No progress bar, and no logging from Dask.
    checkpoint_interval : float
        Seconds between checkpoints of each run.
    dashboard_address : str or None
        ``HOST:PORT`` of a new LocalCluster's dashboard (default ``127.0.0.1:0``: loopback
        only, a free port); None for no dashboard.
    scheduler_timeout : float
        Seconds to wait for `scheduler` to answer.

    Returns
    -------
    SweepReport
        Which points ran, were reused or failed, and where the files are.

    Raises
    ------
    emergent.runs.io.RunError
        A bad output path, a file at `output` that is not a sweep file (without `force`), a
        scheduler that cannot be reached or a LocalCluster that cannot start.
    SweepInterrupted
        Ctrl-C or SIGTERM (a KeyboardInterrupt); the completed points are kept.
    """
    sim = get(spec.simulation)
    output = check_output_path(output, "-o: sweep file")
    if output.exists() and not output.is_file():
        raise RunError(f"-o: {str(output)!r} is a folder or another non-file; give a file name")
    if output.exists() and not force and not is_sweep_file(output):
        raise RunError(
            f"-o: {str(output)!r} exists and is not a sweep file; pass --force to overwrite it"
        )
    runs_dir = runs_folder(output)
    if runs_dir.exists() and not runs_dir.is_dir():
        raise RunError(f"-o: {str(runs_dir)!r} (the folder of the run files) is not a folder")

    report = SweepReport(output, runs_dir, spec.shape)
    t0 = time.perf_counter()
    with _interrupts():
        todo: list[Point] = []
        found: list[tuple[Point, dict[str, float]]] = []
        for point in spec.points():
            reduction = None if force or not runs_dir.is_dir() else _existing(
                sim, point, runs_dir / point.filename)
            if reduction is None:
                todo.append(point)
            else:
                found.append((point, reduction))
        if not todo:
            _gather(sim, spec, output, found, report)
        else:
            try:
                with _maybe_client(client, scheduler, workers, quiet, dashboard_address,
                                   scheduler_timeout) as (dask, where, local):
                    runs_dir.mkdir(exist_ok=True)  # the cluster is up: now the files
                    _gather(sim, spec, output, found, report, todo=todo, dask=dask,
                            where=where, local=local, force=force, quiet=quiet,
                            checkpoint_interval=checkpoint_interval,
                            dashboard=dashboard_address is not None)
            except SweepInterrupted as stop:  # the workers are stopped: count what they left
                stop.complete = sum((runs_dir / p.filename).is_file() for p in spec.points())
                raise
    report.seconds = time.perf_counter() - t0
    return report


@contextlib.contextmanager
def _maybe_client(client: Any, scheduler: str | None, workers: int | None, quiet: bool,
                  dashboard_address: str | None,
                  timeout: float) -> Iterator[tuple[Any, str, bool]]:
    import logging

    if client is not None:
        yield client, f"the scheduler at {client.scheduler.address}", False
        return
    client, cluster = start_client(scheduler, workers, quiet=quiet,
                                   dashboard_address=dashboard_address, timeout=timeout)
    where = (f"the scheduler at {scheduler}" if cluster is None
             else f"a LocalCluster of {len(cluster.workers)} worker processes")
    interrupted = False
    try:
        with _quiet_logs(logging.CRITICAL + 1) if quiet else contextlib.nullcontext():
            yield client, where, cluster is not None
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        with _ignoring_interrupts() if interrupted else contextlib.nullcontext():
            _close(client, cluster, interrupted=interrupted)


def _gather(
    sim: Simulation, spec: SweepSpec, output: Path, found: Sequence[tuple[Point, dict]],
    report: SweepReport, *, todo: Sequence[Point] = (), dask: Any = None, where: str = "",
    local: bool = False, force: bool = False, quiet: bool = True,
    checkpoint_interval: float = 60.0, dashboard: bool = True,
) -> None:
    """Write the sweep file: the points `found` complete, then those of `todo` as they run."""
    store = SweepFile(output, spec, summary=sim.summary, sim=sim)
    try:
        for point, reduction in found:
            store.record(point.index, reduction, None)
            report.skipped.append(point.index)
        store.flush()
        if todo:
            _schedule(sim, spec, todo, store, report, dask=dask, where=where, local=local,
                      force=force, quiet=quiet, checkpoint_interval=checkpoint_interval,
                      dashboard=dashboard)
    except KeyboardInterrupt:
        with _ignoring_interrupts():
            store.close()
        raise SweepInterrupted(report) from None
    finally:
        store.close()


def _schedule(
    sim: Simulation, spec: SweepSpec, todo: Sequence[Point], store: SweepFile,
    report: SweepReport, *, dask: Any, where: str, local: bool, force: bool, quiet: bool,
    checkpoint_interval: float, dashboard: bool,
) -> None:
    from distributed import as_completed
    from tqdm.auto import tqdm

    report.workers = len(dask.scheduler_info().get("workers", {}))
    report.dashboard = None if local and not dashboard else dashboard_link(dask, local)
    if not quiet:
        print(f"sweep {sim.name}: {_describe(spec)}, {len(todo)} to run, on {where}; "
              f"run files in {report.runs_dir}/", file=sys.stderr)
        print(f"Dask dashboard: {report.dashboard}" if report.dashboard else
              "Dask dashboard: none (--no-dashboard)" if local and not dashboard else
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
        if not local:  # a LocalCluster's workers are stopped next; others are told to drop them
            with contextlib.suppress(Exception):
                dask.cancel(futures)
        raise
    finally:
        bar.close()
