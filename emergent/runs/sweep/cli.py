"""`emergent sweep`: the command line of a parameter sweep (see :mod:`emergent.runs.sweep`)."""

from __future__ import annotations

import argparse
import math
import sys
from typing import NoReturn

from emergent.runs.registry import get
from emergent.runs.resources import check_writable_file

__all__ = ["main"]

USAGE = """\
usage: emergent sweep NAME -o SWEEP.h5 --grid KEY=START:STOP:NUM[:log] [--grid KEY=V1,V2,...]
                      [--seeds K] [--seed S] [--set KEY=VALUE ...] [--full]
                      [--scheduler ADDRESS|SCHEDULER.json] [--scheduler-timeout SECONDS]
                      [--workers N] [--dashboard-address HOST:PORT | --no-dashboard]
                      [--force] [--quiet] [--checkpoint-interval SECONDS]

Run simulation NAME at every point of the product of the --grid axes and K seeds (S, S+1, ...),
one Dask task per point (at most {max_points:,} points). Each point's run goes to its own file in
SWEEP.runs/; SWEEP.h5 gathers the simulation's reduction on the grid (axes: the --grid keys, then
seed). Re-running the same command resumes: complete points are not run again.

  --scheduler ADDRESS|FILE      use a running Dask scheduler (tcp://host:8786, or its scheduler
                                file); give up after --scheduler-timeout seconds (default 20)
  --workers N                   without --scheduler: start a LocalCluster of N single-threaded
                                worker processes (default: one per core), listening on
                                127.0.0.1 only
  --dashboard-address HOST:PORT where the LocalCluster's dashboard listens (default
                                127.0.0.1:0: this machine only, a free port); 0.0.0.0:8787
                                opens it to the network, unauthenticated
  --no-dashboard                no dashboard
  --quiet                       no progress bar and no logging from Dask
  --force                       recompute every point

Files (SWEEP.h5, SWEEP.runs/) are created only once the cluster is up. Ctrl-C or SIGTERM stops
the sweep (exit status 130) and keeps the completed points: re-run the same command to continue.
Exit status: 0 every point done, 1 some points failed, 2 bad input, 130 interrupted.
`emergent plot SWEEP.h5` draws the reduction over one or two sweep axes.
"""


def _parser():  # the lead's UsageError turns argparse errors into one line, exit status 2
    from emergent.runs.errors import UsageError

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(f"{self.prog}: {message}")

    p = Parser(prog="emergent sweep", add_help=False)
    p.add_argument("name")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--grid", action="append", default=[], metavar="KEY=SPEC")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--full", action="store_true")
    p.add_argument("--scheduler")
    p.add_argument("--scheduler-timeout", type=float, default=20.0, metavar="SECONDS")
    p.add_argument("--workers", type=int)
    p.add_argument("--dashboard-address", metavar="HOST:PORT")
    p.add_argument("--no-dashboard", action="store_true")
    p.add_argument("--force", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--checkpoint-interval", type=float, default=60.0, metavar="SECONDS")
    return p


def main(argv: list[str]) -> int:
    """`emergent sweep ARGS...`.

    Parameters
    ----------
    argv : list of str
        The arguments after ``sweep``.

    Returns
    -------
    int
        The exit status: 0 when every point is done, 1 when some failed, 130 when the sweep
        was interrupted (Ctrl-C, SIGTERM; the completed points are kept).

    Raises
    ------
    emergent.runs.errors.UsageError
        Bad command-line input (the CLI exits with status 2).
    emergent.runs.registry.ParameterError
        An unknown simulation or parameter, or a value that is not allowed (exit 2).
    """
    from emergent.runs.errors import EXIT_INTERRUPTED, UsageError
    from emergent.runs.sweep.driver import DEFAULT_DASHBOARD, SweepInterrupted, run_sweep
    from emergent.runs.sweep.grid import MAX_POINTS, SweepSpec

    argv = list(argv)
    if not argv or "-h" in argv or "--help" in argv:
        print(USAGE.format(max_points=MAX_POINTS))
        return 0
    args = _parser().parse_args(argv)
    sim = get(args.name)
    if not args.grid:
        raise UsageError("sweep: give at least one --grid KEY=START:STOP:NUM or "
                         "--grid KEY=V1,V2,...")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be an integer >= 1, got {args.workers}")
    if args.scheduler == "":
        raise UsageError("--scheduler: give the scheduler's address (tcp://host:port) or a "
                         "scheduler file")
    if args.workers is not None and args.scheduler:
        raise UsageError("--workers sizes a local cluster; it cannot be used with --scheduler")
    if args.scheduler and (args.dashboard_address or args.no_dashboard):
        raise UsageError("--dashboard-address and --no-dashboard set up a local cluster's "
                         "dashboard; they cannot be used with --scheduler")
    if args.dashboard_address and args.no_dashboard:
        raise UsageError("--dashboard-address and --no-dashboard cannot be used together")
    if not math.isfinite(args.scheduler_timeout) or not 0 < args.scheduler_timeout <= 3600:
        raise UsageError("--scheduler-timeout must be a number of seconds, 0 < SECONDS <= 3600, "
                         f"got {args.scheduler_timeout:g}")
    if not math.isfinite(args.checkpoint_interval) or args.checkpoint_interval < 0:
        raise UsageError("--checkpoint-interval must be a finite number of seconds >= 0")
    fixed = sim.parse_assignments(args.set)
    spec = SweepSpec.build(sim, args.grid, fixed=fixed, seeds=args.seeds, seed=args.seed,
                           full=args.full)
    check_writable_file(args.output, "-o")  # a directory, a too-long name: before any work
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"sweep needs Dask distributed, the dist extra (pip install 'emergent[dist]'): {exc}"
        ) from None
    dashboard = None if args.no_dashboard else args.dashboard_address or DEFAULT_DASHBOARD
    try:
        report = run_sweep(spec, args.output, scheduler=args.scheduler, workers=args.workers,
                           force=args.force, quiet=args.quiet,
                           checkpoint_interval=args.checkpoint_interval,
                           dashboard_address=dashboard,
                           scheduler_timeout=args.scheduler_timeout)
    except SweepInterrupted as stop:
        print(f"emergent: sweep interrupted; {stop.complete} of {spec.size} points are "
              f"complete in {stop.report.runs_dir}/; re-run the same command to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # before the cluster was up: nothing was written
        print("emergent: sweep interrupted before any point ran; re-run the same command to "
              "start again", file=sys.stderr)
        return EXIT_INTERRUPTED
    done = len(report.ran) + len(report.skipped)
    if report.failed:
        first = sorted(report.failed.items())[:3]
        lines = "; ".join(f"point {idx}: {msg}" for idx, msg in first)
        print(f"emergent: sweep: {len(report.failed)} of {done + len(report.failed)} points "
              f"failed ({lines}); re-run the same command to retry them", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {report.path} ({done} points: {len(report.ran)} ran, "
              f"{len(report.skipped)} already complete; {report.seconds:.1f} s)")
    return 0
