"""The `emergent` command: list, run, show, plot, reproduce, verify, sweep, equations, mutate.

Everything about a simulation (its parameters, their ranges, the equations, paper scale) comes
from :mod:`emergent.runs.registry`. Bad input never gives a traceback: a one-line error naming the
parameter and what is allowed, exit status 2, and no output file.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from emergent import __version__
from emergent.runs.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NUMERICAL,
    EXIT_USAGE,
    NumericalError,
    RunError,
    UsageError,
)
from emergent.runs.registry import ParameterError, Simulation, all_simulations, get
from emergent.runs.resources import check_writable_file

__all__ = ["UsageError", "main", "run_script"]

_MAX_SEED = 2**63 - 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


# -- parameters --------------------------------------------------------------------------------
def _read_config(path: str, sim: Simulation) -> tuple[dict[str, Any], int | None]:
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"--config: cannot read {path!r}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config: {path!r} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"--config: {path!r} is not UTF-8 text (byte {exc.start}); TOML "
                         "files must be UTF-8") from None
    except RecursionError:
        raise UsageError(f"--config: {path!r} is nested too deeply") from None
    table = dict(table.get("params", table)) if isinstance(table.get("params"), dict) else table
    seed = table.pop("seed", None)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise UsageError(f"--config: seed must be an integer, got {seed!r}")
    values = {}
    for key, value in table.items():
        values[key] = sim.param(key).validate(value)
    return values, seed


def _param_table(sim: Simulation) -> str:
    rows = [(p.name, p.type, repr(p.default), p.allowed(), p.help) for p in sim.params]
    head = ("parameter", "type", "default", "allowed", "meaning")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in [head, *rows]
    ]
    if sim.full:
        full = ", ".join(f"{k}={v!r}" for k, v in sim.full.items())
        lines.append(f"\npaper scale (--full): {full}")
    return "\n".join(lines)


RUN_OPTIONS = """options:
  -o, --output FILE.h5     the run file (default: NAME.h5 in the current folder); an existing
                           file is refused unless --force is given
  --set KEY=VALUE          a parameter (repeatable); the table below gives the allowed values
  --config FILE.toml       parameters from a TOML file (keys are parameter names, plus an
                           optional seed); --set overrides it
  --seed N                 seed of every random draw, recorded in the file (default 0)
  --full                   start from the paper-scale parameters instead of the small defaults
  --resume                 continue an interrupted run from its last checkpoint (same
                           parameters and seed); the result equals an uninterrupted run
  --force                  overwrite an existing output, or discard an unfinished run
  --quiet                  no progress bar and no summary
  --checkpoint-interval S  seconds between checkpoints of a long run (default 60; 0: at every
                           recorded time); a checkpoint is also written on SIGTERM
exit status: 0 done, 2 bad input, 3 numerical failure, 130 interrupted"""


def _sim_help(sim: Simulation) -> str:
    return (
        f"usage: emergent run {sim.name} [-o FILE.h5] [--set key=value ...] [--config FILE.toml]\n"
        f"       [--seed N] [--full] [--resume] [--force] [--quiet] [--checkpoint-interval S]\n\n"
        f"{sim.summary}\nequations: {', '.join(sim.equations)}\n\n{RUN_OPTIONS}\n\n"
        f"parameters:\n{_param_table(sim)}\n"
    )


# -- commands ----------------------------------------------------------------------------------
def cmd_list(_: argparse.Namespace) -> int:
    sims = all_simulations()
    width = max(len(s.name) for s in sims)
    for s in sims:
        print(f"{s.name.ljust(width)}  {s.summary}")
        print(f"{'':{width}}  equations: {', '.join(s.equations)}")
    return 0


def _run_parser() -> _Parser:
    p = _Parser(prog="emergent run", add_help=False)
    p.add_argument("name")
    p.add_argument("-o", "--output")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--config")
    p.add_argument("--seed", type=int)
    p.add_argument("--full", action="store_true")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--force", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--checkpoint-interval", type=float, default=60.0, metavar="SECONDS")
    return p


def cmd_run(argv: list[str]) -> int:
    from emergent.runs.io import execute

    if not argv or argv[0] in ("-h", "--help"):
        print("usage: emergent run NAME [-o FILE.h5] [options]\n\n"
              "Runs one registered simulation (`emergent list` lists them) and writes one HDF5 "
              "file.\n`emergent run NAME --help` lists NAME's parameters.\n\n" + RUN_OPTIONS)
        return 0
    sim = get(argv[0])
    if "-h" in argv or "--help" in argv:
        print(_sim_help(sim))
        return 0
    args = _run_parser().parse_args(argv)
    values: dict[str, Any] = {}
    seed: int | None = None
    if args.config == "":
        raise UsageError("--config: give the name of a TOML file")
    if args.config:
        values, seed = _read_config(args.config, sim)
    values.update(sim.parse_assignments(args.set))
    if args.seed is not None:
        seed = args.seed
    params = sim.resolve(values, full=args.full)
    if not math.isfinite(args.checkpoint_interval) or args.checkpoint_interval < 0:
        raise UsageError("--checkpoint-interval must be a finite number of seconds >= 0")
    if seed is not None:
        _check_seed(seed, "--seed")
    output = args.output if args.output is not None else f"{sim.name}.h5"
    check_writable_file(output, "-o")  # before any work: a directory, a too-long name
    out = execute(
        sim, params, 0 if seed is None else seed, output, resume=args.resume,
        force=args.force, quiet=args.quiet, checkpoint_interval=args.checkpoint_interval,
    )
    if not args.quiet:
        from emergent.runs.io import read_run

        print(f"wrote {out}")
        _print_summary(sim, read_run(out))
    return 0


def _print_summary(sim: Simulation, data: Any) -> None:
    """The run's scalar results and the paper checks of its simulation."""
    numbers = {k: v for k, v in sorted(data.results.items()) if not k.endswith("_seconds")}
    if numbers:
        _say("results:")
        for key, value in numbers.items():
            _say(f"  {key} = {value:.6g}" if isinstance(value, float) else f"  {key} = {value}")
    checks = sim.checks(data) if sim.checks is not None else []
    if checks:
        _say("paper checks:")
        for c in checks:
            _say(f"  [{_status(c)}] {c.claim}: {c.ours} (paper: {c.paper})")


def _check_seed(seed: int, what: str) -> int:
    if not 0 <= seed <= _MAX_SEED:
        raise UsageError(f"{what}: the seed must be an integer with 0 <= seed <= {_MAX_SEED}, "
                         f"got {seed}")
    return seed


def _seed_arg(text: str) -> int:
    try:
        return _check_seed(int(text), "--seed")
    except ValueError:
        raise UsageError(f"--seed: expected an integer with 0 <= seed <= {_MAX_SEED}, got "
                         f"{text!r}") from None


def _safe(value: Any) -> str:
    """`value` as text with control characters and terminal escapes made visible."""
    text = value if isinstance(value, str) else str(value)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _say(line: str) -> None:
    print(_safe(line))


def _show_sweep(path: Path) -> int:
    from emergent.runs.sweep import read_sweep

    sweep = read_sweep(path)
    _say(f"sweep of         {sweep.simulation}")
    for axis in sweep.axes:
        _say(f"axis {axis.name:<12}{', '.join(str(v) for v in axis.values)}")
    _say(f"seeds            {', '.join(str(s) for s in sweep.seeds)}")
    _say(f"points done      {int(sweep.done.sum())} of {sweep.done.size}; runs in "
          f"{sweep.runs_dir}")
    _say("fixed parameters:")
    for key, value in sorted(sweep.params.items()):
        _say(f"  {key} = {value!r}")
    _say("reductions (shape " + " x ".join(str(n) for n in sweep.shape) + "):")
    for name in sorted(sweep.reductions):
        _say(f"  {name}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from emergent.runs.io import read_run

    if Path(args.file).is_file() and _is_sweep(Path(args.file)):
        return _show_sweep(Path(args.file))
    data = read_run(args.file)
    if not isinstance(data.params, dict):
        raise RunError(f"{_safe(args.file)!r}: params_json is not a table of parameters")
    a = data.attrs
    _say(f"simulation        {data.simulation}  ({a.get('summary', '')})")
    if data.simulation not in {s.name for s in all_simulations()}:
        _say("                  (not a simulation of this version of emergent)")
    _say(f"equations         {', '.join(data.equations)}")
    _say(f"seed              {data.seed}")
    for key in ("emergent_version", "git_commit", "created", "resumed", "completed"):
        if key in a:
            _say(f"{key:<18}{a[key]}")
    _say("parameters:")
    for key, value in sorted(data.params.items()):
        _say(f"  {key} = {value!r}")
    if data.results:
        _say("results:")
        for key, value in sorted(data.results.items()):
            _say(f"  {key} = {value!r}")
    _say("datasets:")
    for name, (shape, dtype) in sorted(data.datasets.items()):
        _say(f"  /{name}  {shape}  {dtype}")
    if args.checks:
        try:
            sim = get(data.simulation)
        except ParameterError:
            raise UsageError(f"--checks: {_safe(args.file)!r} was written by simulation "
                             f"{_safe(data.simulation)!r}, which this version does not "
                             "know") from None
        checks = sim.checks(data) if sim.checks is not None else []
        _say("paper checks:" if checks else "paper checks: none for this simulation")
        for c in checks:
            _say(f"  [{_status(c)}] {c.claim}: {c.ours} (paper: {c.paper})")
    return 0


def _status(check: Any) -> str:
    """The verdict of a paper check as `reproduce` prints it."""
    if check.agrees:
        return "yes"
    if check.correction:
        return "corrected"
    return "NO (documented finding)" if check.finding else "NO"


def cmd_plot(args: argparse.Namespace) -> int:
    from emergent.runs.io import read_run

    if args.output == "":
        raise UsageError("-o: give the name of a figure file (.png, .pdf or .svg)")
    out = Path(args.output) if args.output else Path(args.file).with_suffix(".png")
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise UsageError(f"-o: figure file must end in .png, .pdf or .svg, got {str(out)!r}")
    if not 10 <= args.dpi <= 2400:
        raise UsageError(f"--dpi: must be between 10 and 2400, got {args.dpi}")
    check_writable_file(out, "-o")
    if Path(args.file).is_file() and _is_sweep(Path(args.file)):
        from emergent.runs.sweep import plot_sweep

        print(f"wrote {plot_sweep(Path(args.file), out)}")
        return 0
    from emergent.runs.figures import save_figure

    data = read_run(args.file)
    try:
        sim = get(data.simulation)
    except ParameterError:
        raise UsageError(f"{_safe(args.file)!r} was written by simulation "
                         f"{_safe(data.simulation)!r}, which this version of emergent does not "
                         "know; `emergent list` lists the known ones") from None
    existed = out.exists()
    try:
        save_figure(sim, data, out, dpi=args.dpi)
    except (KeyError, IndexError, ValueError, TypeError) as exc:  # a file that is not what
        if not existed:  # its simulation writes (edited or damaged): no half-written figure
            with contextlib.suppress(OSError):
                out.unlink()
        why = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise RunError(f"cannot draw {_safe(args.file)!r}: it does not hold what simulation "
                       f"{_safe(data.simulation)!r} writes ({why})") from None
    except OSError as exc:
        if not existed:  # no half-written figure
            with contextlib.suppress(OSError):
                out.unlink()
        raise UsageError(f"-o: cannot write {str(out)!r}: {exc.strerror or exc}") from None
    print(f"wrote {out}")
    return 0


def _is_sweep(path: Path) -> bool:
    try:
        from emergent.runs.sweep import is_sweep_file
    except ImportError:
        return False
    return is_sweep_file(path)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from emergent.runs.reproduce import all_agree, render_table, reproduce

    names = args.only or []
    sims = [get(n) for n in names if n != "verify"] if names else all_simulations()
    verify = not args.no_verify and (not names or "verify" in names)
    if args.full and args.smoke:
        raise UsageError("--full and --smoke exclude each other")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {str(out)!r}: {exc.strerror}") from None
    t0 = time.monotonic()
    rows = reproduce(sims, out, full=args.full, smoke=args.smoke, seed=args.seed, verify=verify,
                     quiet=args.quiet, verbose=args.verbose)
    print(render_table(rows))
    print(f"\n{len(sims)} simulations{' and the verification' if verify else ''} in "
          f"{time.monotonic() - t0:.1f} s; files and summary.md in {out}/")
    return 0 if all_agree(rows) else 1


def cmd_equations(args: argparse.Namespace) -> int:
    from emergent.runs.ledger import build, render

    root = Path(__file__).resolve().parents[1]
    if not (root / "tests").is_dir():
        raise UsageError("equations needs a source checkout of emergent (with tests/)")
    if args.write == "":
        raise UsageError("--write: give the name of a file")
    if args.write:
        check_writable_file(args.write, "--write")  # before the ledger is built
    text = render(build(root))
    if args.write:
        try:
            Path(args.write).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--write: cannot write {args.write!r}: {exc.strerror}") from None
        print(f"wrote {args.write}")
    else:
        print(text, end="")
    return 0


def cmd_mutate(argv: list[str]) -> int:
    from emergent.runs.mutation import main as mutate_main

    return mutate_main(argv)


def cmd_sweep(argv: list[str]) -> int:
    try:
        from emergent.runs.sweep import main as sweep_main
    except ImportError as exc:
        raise UsageError(
            f"sweep needs the dist extra (pip install 'emergent[dist]'): {exc}"
        ) from None
    return sweep_main(argv)


def cmd_verify(argv: list[str]) -> int:
    try:
        from emergent.symbolic.verify import main as verify_main
    except ImportError as exc:  # pragma: no cover - the symbolic package ships with emergent
        raise UsageError(f"verify is unavailable: {exc}") from None
    # the files it will write are checked before the checks run (minutes) ...
    files = _Parser(prog="verify", add_help=False)
    files.add_argument("--report")
    files.add_argument("--json")
    known, _ = files.parse_known_args(argv)
    for option, path in (("--report", known.report), ("--json", known.json)):
        if path == "":
            raise UsageError(f"verify {option}: give the name of a file")
        if path:
            check_writable_file(path, option)
    try:
        return verify_main(argv)
    except OSError as exc:  # ... and a write that fails after them is still one line
        raise UsageError(f"verify: cannot write {exc.filename!r}: {exc.strerror}") from None


# -- entry points ------------------------------------------------------------------------------
def _parser() -> _Parser:
    p = _Parser(prog="emergent", description="Simulations and symbolic checks of Vanchurin's "
                "neural-network physics (arXiv 2004.09280, 2008.01540).")
    p.add_argument("--version", action="version", version=f"emergent {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="list the simulations with their equations")
    sub.add_parser("run", help="run one simulation (emergent run NAME --help)", add_help=False)
    s = sub.add_parser("show", help="print a run's parameters, provenance and datasets")
    s.add_argument("file", help="a run file (emergent run) or a sweep file (emergent sweep)")
    s.add_argument("--checks", action="store_true",
                   help="also compare the run with the papers' claims (its simulation's checks)")
    s = sub.add_parser("plot", help="draw a run's standard figure")
    s.description = ("Draw the standard figure of a run file (or the plots of a sweep file) as "
                     "PNG, PDF or SVG. The format follows the suffix of -o: png (raster, at "
                     "--dpi), pdf or svg (vector).")
    s.add_argument("file", help="a run file written by `emergent run` (or a sweep file)")
    s.add_argument("-o", "--output", metavar="OUT",
                   help="figure file ending in .png, .pdf or .svg (default: FILE with .png)")
    s.add_argument("--dpi", type=int, default=150, metavar="N",
                   help="resolution of a PNG in dots per inch, 10..2400 (default: 150)")
    s = sub.add_parser("reproduce", help="run every simulation and print the paper comparison")
    s.add_argument("--full", action="store_true", help="paper scale instead of the small default")
    s.add_argument("--out", default="data", help="output folder (default: data/)")
    s.add_argument("--smoke", action="store_true", help="seconds-long runs (a quick look)")
    s.add_argument("--only", nargs="+", metavar="NAME",
                   help="only these simulations ('verify' for the symbolic checks)")
    s.add_argument("--no-verify", action="store_true", help="skip the symbolic verification")
    s.add_argument("--seed", type=_seed_arg, default=0,
                   help=f"seed of every run, 0 <= seed <= {_MAX_SEED} (default 0)")
    s.add_argument("--quiet", action="store_true", help="no progress display")
    s.add_argument("--verbose", action="store_true", help="print tracebacks of failures")
    s = sub.add_parser("equations", help="the equation ledger (docs/equations.md)")
    s.add_argument("--write", metavar="FILE", help="write it to FILE instead of printing")
    sub.add_parser("verify", help="symbolic checks of the papers' equations", add_help=False)
    sub.add_parser("sweep", help="run a parameter grid on Dask (emergent sweep --help)",
                   add_help=False)
    sub.add_parser("mutate", help="mutation check of the equation ledger (emergent mutate "
                   "--help)", add_help=False)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `emergent` command with `argv`.

    Usage errors, parameter errors and run-file errors are printed in one line (no traceback).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``), e.g. ``["run", "chains", "-o", "c.h5"]``.

    Returns
    -------
    int
        The exit status: 0 success, 1 a failed check (``verify``, ``reproduce``, ``sweep``)
        or an unexpected error, 2 bad usage, parameters or run file, 3 a numerical failure,
        130 interrupted (see :mod:`emergent.runs.errors`).
    """

    argv = list(sys.argv[1:] if argv is None else argv)
    previous = _terminate_as_interrupt()
    try:
        return _dispatch(argv)
    except (UsageError, ParameterError, RunError) as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    except (NumericalError, FloatingPointError) as exc:
        return _fail(f"numerical failure: {exc}", EXIT_NUMERICAL)
    except MemoryError as exc:
        return _fail(f"error: out of memory{': ' + str(exc) if str(exc) else ''}; choose "
                     "smaller sizes", EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted; the last checkpoint (if any) is kept for --resume",
                     EXIT_INTERRUPTED)
    except BrokenPipeError:  # `emergent show f.h5 | head`: the reader left; nothing to say
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last guard: a bug, still in one line
        if type(exc).__name__ == "LinAlgError":  # numpy / scipy: a failed decomposition
            return _fail(f"numerical failure: {exc}", EXIT_NUMERICAL)
        if os.environ.get("EMERGENT_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (this is a bug; "
                     "EMERGENT_DEBUG=1 shows the traceback)", EXIT_INTERNAL)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _terminate_as_interrupt() -> Any:
    """SIGTERM stops a command like Ctrl-C (one line, exit 130; a run writes its checkpoint:
    :func:`emergent.runs.io.execute` installs its own handler for the run itself). Returns the
    previous handler, or None outside the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupt)


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] == "run":
        return cmd_run(argv[1:])
    if argv and argv[0] == "verify":
        return cmd_verify(argv[1:])
    if argv and argv[0] == "sweep":
        return cmd_sweep(argv[1:])
    if argv and argv[0] == "mutate":
        return cmd_mutate(argv[1:])
    args = _parser().parse_args(argv)
    return {"list": cmd_list, "show": cmd_show, "plot": cmd_plot,
            "reproduce": cmd_reproduce, "equations": cmd_equations}[args.command](args)


def _fail(message: str, status: int) -> int:
    """Print `message` as one line on stderr (control characters escaped); return `status`."""
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message.replace("\n", " "))
    with contextlib.suppress(OSError):
        print(f"emergent: {line}", file=sys.stderr)
    return status


def run_script(name: str) -> int:
    """Entry point of `simulations/<name>.py`: `emergent run NAME -o data/NAME.h5 [options]`.

    Parameters
    ----------
    name : str
        The registered simulation; further options come from ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status of :func:`main`.
    """
    return main(["run", name, "-o", str(Path("data") / f"{name}.h5"), *sys.argv[1:]])


if __name__ == "__main__":  # python -m emergent.cli
    sys.exit(main())
