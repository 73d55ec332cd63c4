"""The Python entry point behind :func:`emergent.run`: run a registered simulation and return
its data (a temporary file, removed with the returned object, when no output is given)."""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from emergent.runs.io import RunData, execute, read_run
from emergent.runs.registry import get

__all__ = ["run"]


def run(
    name: str,
    *,
    seed: int = 0,
    output: str | os.PathLike[str] | None = None,
    full: bool = False,
    quiet: bool = True,
    force: bool = False,
    **params: Any,
) -> RunData:
    """Run simulation `name` with `params` over its defaults; see :func:`emergent.run`.

    Parameters
    ----------
    name : str
        A registered simulation.
    seed : int
        The run's seed.
    output : path, optional
        The run file; None writes a temporary file removed when the returned object is
        garbage-collected.
    full : bool
        Start from the paper-scale parameters.
    quiet : bool
        No progress bar.
    force : bool
        Overwrite an existing `output`.
    **params
        Parameter overrides by name (Python values, validated).

    Returns
    -------
    emergent.runs.io.RunData
        The finished run.

    Raises
    ------
    emergent.runs.registry.ParameterError
        An unknown simulation or parameter, or a value that is not allowed.
    emergent.runs.io.RunError
        The output exists (without `force`) or cannot be written.
    """
    sim = get(name)
    values = sim.resolve(params, full=full)
    if output is not None:
        return read_run(execute(sim, values, seed, output, force=force, quiet=quiet))
    folder = Path(tempfile.mkdtemp(prefix="emergent-"))
    try:
        path = execute(sim, values, seed, folder / f"{name}.h5", quiet=quiet)
        data = read_run(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(data, shutil.rmtree, str(folder), True)
    return data
