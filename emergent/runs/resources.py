"""What a run needs before it starts: memory and time estimates, writable output paths.

Every registered simulation calls :func:`require_memory` with an estimate of the bytes it is
about to allocate (and, where it is cheap to know, :func:`require_steps` with the number of
steps it is about to take) before it allocates anything, so that an in-range size that cannot fit
is refused in one line with the estimate and the limit (a
:class:`~emergent.runs.registry.ParameterError`, exit status 2) instead of ending in a
``MemoryError`` or a run that never finishes.

Solver blow-ups become :class:`~emergent.runs.errors.NumericalError` (exit status 3, one line,
no file): :func:`numerical_failures` converts the library's floating-point and linear-algebra
failures, :func:`finite_rows` and :func:`require_finite` stop a run at the first non-finite
recorded value, naming it and the time.

The memory limit is the machine's available memory (``MemAvailable`` of ``/proc/meminfo``, else
the physical memory); the environment variable ``EMERGENT_MEMORY_LIMIT`` (bytes, or with a
suffix k, M, G, T) overrides it, e.g. for tests or a shared machine. ``EMERGENT_MAX_STEPS``
overrides the step limit (default :data:`MAX_STEPS`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emergent.runs.errors import NumericalError, UsageError
from emergent.runs.registry import ParameterError

__all__ = [
    "MAX_STEPS",
    "STEP_OVERHEAD",
    "available_memory",
    "check_writable_file",
    "finite_rows",
    "format_bytes",
    "max_steps",
    "nbytes",
    "numerical_failures",
    "require_finite",
    "require_memory",
    "require_steps",
]

MAX_STEPS = 10**11
"""Default largest number of solver steps (times cells) a run may plan: beyond it a run would
take hours to days, which an in-range parameter should not silently ask for."""

STEP_OVERHEAD = 1000
"""The fixed cost of one solver step, in cells: add it to the cells when estimating work for
:func:`require_steps` (a step on 16 cells costs about what a step on 1,000 does)."""

_NAME_ROOM = 48  # bytes a run adds to the output name for its temporary files
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def _parse_bytes(text: str) -> int | None:
    text = text.strip().lower().removesuffix("b").removesuffix("i")
    unit = text[-1:] if text[-1:] in _UNITS and text[-1:] else ""
    try:
        value = float(text[: len(text) - len(unit)])
    except ValueError:
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return int(value * _UNITS[unit])


def available_memory() -> int:
    """The bytes a run may allocate: ``EMERGENT_MEMORY_LIMIT`` if set, else available memory.

    Returns
    -------
    int
        ``EMERGENT_MEMORY_LIMIT`` (bytes, or with suffix k/M/G/T), else ``MemAvailable`` from
        ``/proc/meminfo``, else the physical memory from ``os.sysconf``, else 2**62 (unknown).

    Raises
    ------
    UsageError
        ``EMERGENT_MEMORY_LIMIT`` is set but is not a positive size.
    """
    env = os.environ.get("EMERGENT_MEMORY_LIMIT")
    if env:
        value = _parse_bytes(env)
        if value is None:
            raise UsageError(f"EMERGENT_MEMORY_LIMIT must be a positive size such as 8G, got "
                             f"{env!r}")
        return value
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 2**62


def format_bytes(n: float) -> str:
    """`n` bytes in readable units, e.g. ``'16 GB'``.

    Parameters
    ----------
    n : float
        A number of bytes.

    Returns
    -------
    str
        The size with one of the units B, kB, MB, GB, TB, PB, EB (powers of 1024).
    """
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024:
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EB"


def require_memory(nbytes: float, what: str) -> None:
    """Refuse a run whose estimated memory `nbytes` exceeds what the machine has available.

    Parameters
    ----------
    nbytes : float
        The estimated peak bytes the run will allocate.
    what : str
        The parameters that set the size, as the user wrote them, e.g.
        ``"neurons=1000000000 x subsystems=2"``.

    Raises
    ------
    ParameterError
        The estimate is over the limit (see :func:`available_memory`); the message names the
        parameters, the estimate and the limit.
    """
    limit = available_memory()
    if not nbytes <= limit:  # also catches a non-finite estimate
        have = (f"the limit EMERGENT_MEMORY_LIMIT is {format_bytes(limit)}"
                if os.environ.get("EMERGENT_MEMORY_LIMIT")
                else f"this machine has {format_bytes(limit)} available")
        raise ParameterError(f"{what} needs about {format_bytes(nbytes)} of memory; {have}; "
                             "choose smaller sizes")


def max_steps() -> float:
    """The largest number of solver steps (times cells) a run may plan.

    Returns
    -------
    float
        ``EMERGENT_MAX_STEPS`` if set (a positive number), else :data:`MAX_STEPS`.

    Raises
    ------
    UsageError
        ``EMERGENT_MAX_STEPS`` is set but is not a positive number.
    """
    env = os.environ.get("EMERGENT_MAX_STEPS")
    if not env:
        return float(MAX_STEPS)
    try:
        value = float(env)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise UsageError(f"EMERGENT_MAX_STEPS must be a positive number, got {env!r}")
    return value


def require_steps(steps: float, what: str, why: str = "") -> None:
    """Refuse a run that would take more than :func:`max_steps` solver steps (x cells).

    Parameters
    ----------
    steps : float
        The planned work: steps times cells (or updates times units).
    what : str
        The parameters that set it, e.g. ``"stiffness=1e+12 (time step 1e-13)"``.
    why : str
        Optional advice appended to the message.

    Raises
    ------
    ParameterError
        `steps` exceeds the limit or is not finite.
    """
    limit = max_steps()
    if not steps <= limit:
        raise ParameterError(f"{what} needs about {steps:.3g} solver steps (x cells), more than "
                             f"the limit {limit:.3g} (hours or days of run time)"
                             f"{'; ' + why if why else ''}")


def nbytes(*shapes: Iterable[int] | int, itemsize: int = 8) -> float:
    """Bytes of arrays of the given shapes (as floats, so that huge sizes do not overflow).

    Parameters
    ----------
    *shapes : int or iterable of int
        The element counts or shapes of the arrays.
    itemsize : int
        Bytes per element (8 for float64).

    Returns
    -------
    float
        The total bytes.
    """
    total = 0.0
    for shape in shapes:
        total += math.prod(float(n) for n in shape) if not isinstance(shape, int) else shape
    return total * itemsize


def check_writable_file(path: str | os.PathLike[str], what: str) -> Path:
    """Check that a file can be created at `path` (before any work is done for it).

    Parameters
    ----------
    path : path
        The file to be written.
    what : str
        How messages name it (the option, e.g. ``"--write"``).

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    UsageError
        `path` is a directory, its folder is missing or not writable, or its name is too long.
    """
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        if out.is_dir():
            raise UsageError(f"{what}: {str(out)!r} is a directory; name a file")
        if not parent.is_dir():
            raise UsageError(f"{what}: directory {str(parent)!r} does not exist")
        if not os.access(parent, os.W_OK):
            raise UsageError(f"{what}: {str(out)!r} cannot be written: directory "
                             f"{str(parent)!r} is not writable")
        try:
            name_max = os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            name_max = 255
        # room for the names written beside it (.NAME.partial, .NAME.ckpt.tmp, unique tags)
        if len(os.fsencode(out.name)) + _NAME_ROOM > name_max:
            raise UsageError(f"{what}: file name {out.name[:40]!r}... is too long "
                             f"({len(os.fsencode(out.name))} bytes; at most "
                             f"{name_max - _NAME_ROOM})")
    except OSError as exc:
        raise UsageError(f"{what}: {str(out)[:80]!r}: {exc.strerror or exc}") from None
    return out


def _nonfinite(value: Any) -> bool:
    import numpy as np

    if isinstance(value, bool | int | str | bytes) or value is None:
        return False
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return False
    if arr.dtype.kind not in "fc":
        return False
    return not bool(np.isfinite(arr).all())


def require_finite(what: str, value: Any, when: str = "", why: str = "") -> None:
    """Raise :class:`NumericalError` when `value` holds a NaN or an infinity.

    Parameters
    ----------
    what : str
        The quantity, e.g. ``"the density p"`` or ``"result l1_error_exact"``.
    value : number or array
        The value to check (non-float values pass).
    when : str
        Where in the run, e.g. ``"t = 0.25"``.
    why : str
        Advice appended to the message (which parameters to change).

    Raises
    ------
    NumericalError
        `value` is not finite.
    """
    if _nonfinite(value):
        raise NumericalError(f"{what} became non-finite{' at ' + when if when else ''}"
                             f"{'; ' + why if why else ''}")


def finite_rows(
    observe: Callable[[Any], Mapping[str, Any]], *, allow: Iterable[str] = (), why: str = "",
) -> Callable[[Any], Mapping[str, Any]]:
    """Wrap a simulation's ``observe(frame)`` so that a non-finite recorded value stops the run.

    Parameters
    ----------
    observe : callable
        ``observe(frame) -> {name: value}``, the row recorded at ``frame.t``.
    allow : iterable of str
        Names whose values may legitimately be NaN or infinite.
    why : str
        Advice for the message (which parameters to change).

    Returns
    -------
    callable
        The same observer, raising :class:`NumericalError` (naming the series and the time) at
        the first non-finite value.
    """
    allowed = set(allow)

    def checked(frame: Any) -> Mapping[str, Any]:
        import numpy as np

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            row = observe(frame)
        if row is None:
            return row
        for key, value in row.items():
            if key not in allowed:
                require_finite(f"the series {key!r}", value, f"t = {frame.t:.6g}", why)
        return row

    return checked


@contextmanager
def numerical_failures(what: str, why: str = "") -> Iterator[None]:
    """Turn a solver's floating-point or linear-algebra failure into :class:`NumericalError`.

    Parameters
    ----------
    what : str
        The computation, e.g. ``"chains: evolving the chain"``.
    why : str
        Advice appended to the message (which parameters to change).

    Yields
    ------
    None
        The body runs inside; ``FloatingPointError``, ``OverflowError``, ``ZeroDivisionError``,
        ``numpy.linalg.LinAlgError`` and the library's blow-up errors (class names ending in
        ``BlowUp``) leave it as :class:`NumericalError`.

    Raises
    ------
    NumericalError
        The body failed numerically.
    """
    import numpy as np

    try:
        # overflow and invalid values are found by the checks (finite_rows, require_finite)
        # and reported in one line; numpy's warnings would add lines to that report
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            yield
    except (FloatingPointError, OverflowError, ZeroDivisionError,
            np.linalg.LinAlgError) as exc:  # solvers' BlowUp is a FloatingPointError
        raise NumericalError(f"{what}: {exc or type(exc).__name__}"
                             f"{'; ' + why if why else ''}") from None
