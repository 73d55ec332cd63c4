"""emergent: simulations and symbolic checks of Vanchurin's neural-network physics.

P1: V. Vanchurin, "Towards a theory of machine learning", arXiv:2004.09280.
P2: V. Vanchurin, "The World as a Neural Network", Entropy 22 (2020) 1210, arXiv:2008.01540.

The front door is lazy (PEP 562): ``import emergent`` loads nothing heavy; a subpackage is
imported the first time it is used.

Subpackages
-----------
septuple
    The neural septuple and its thermodynamics (P1 §2-9, P2 §2-3).
stochastic
    Fokker-Planck and Langevin dynamics of the trainable variables (P2 §4).
quantum
    Schrödinger, Madelung and Hamilton-Jacobi limits (P2 §5-6, P1 §11).
chains
    Permutation chains, continuum limit, strings, interactions, holography (P2 §7-10).
symbolic
    Exact derivations and identity checks of the papers' equations.
learning
    MNIST and the thermodynamic analysis of any trained network (P1 §10).
kernels
    The compiled (Numba) kernels; they know nothing of the rest.
runs
    Registry, HDF5 run files, registered simulations, reproduce, sweeps, the equation ledger.

Functions
---------
run(name, seed=0, output=None, **params)
    Run a registered simulation and return its data.
read(path)
    Open a finished run file.
simulations()
    The registered simulations.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

SUBPACKAGES = (
    "chains",
    "kernels",
    "learning",
    "quantum",
    "runs",
    "septuple",
    "stochastic",
    "symbolic",
)
"""The subpackages, each imported on first attribute access (``emergent.quantum``)."""

__all__ = [
    "SUBPACKAGES",
    "__version__",
    "chains",
    "kernels",
    "learning",
    "quantum",
    "read",
    "run",
    "runs",
    "septuple",
    "simulations",
    "stochastic",
    "symbolic",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    import os

    from emergent import (
        chains,
        kernels,
        learning,
        quantum,
        runs,
        septuple,
        stochastic,
        symbolic,
    )
    from emergent.runs.io import RunData
    from emergent.runs.registry import Simulation


def __getattr__(name: str) -> Any:
    if name in SUBPACKAGES:
        module = importlib.import_module(f"emergent.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'emergent' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def run(
    name: str,
    seed: int = 0,
    output: str | os.PathLike[str] | None = None,
    *,
    full: bool = False,
    quiet: bool = True,
    force: bool = False,
    **params: Any,
) -> RunData:
    """Run the registered simulation `name` and return its data.

    Parameters
    ----------
    name : str
        A registered simulation (see :func:`simulations` or ``emergent list``).
    seed : int
        The seed of every random draw of the run (recorded in the file).
    output : path, optional
        Where to write the run file (``.h5``). When None the run is written to a temporary
        file that is removed when the returned object is garbage-collected.
    full : bool
        Start from the paper-scale parameters instead of the small defaults.
    quiet : bool
        No progress bar (default True from Python).
    force : bool
        Overwrite an existing `output`.
    **params
        Parameter overrides by name (``neurons=1024``), validated against the registry.

    Returns
    -------
    emergent.runs.io.RunData
        The finished run: ``params``, ``results``, ``series(name)``, ``field(name)``.

    Raises
    ------
    emergent.runs.registry.ParameterError
        An unknown simulation or parameter, or a value outside its allowed range.
    emergent.runs.io.RunError
        The output file exists (without `force`) or cannot be written.
    """
    from emergent.runs.api import run as _run

    return _run(name, seed=seed, output=output, full=full, quiet=quiet, force=force, **params)


def read(path: str | os.PathLike[str]) -> RunData:
    """Open a finished run file.

    Parameters
    ----------
    path : path
        A file written by ``emergent run`` / :func:`run`.

    Returns
    -------
    emergent.runs.io.RunData

    Raises
    ------
    emergent.runs.io.RunError
        The file is missing, foreign, unfinished or corrupt.
    """
    from emergent.runs.io import read_run

    return read_run(path)


def simulations() -> dict[str, Simulation]:
    """The registered simulations by name.

    Returns
    -------
    dict of str to emergent.runs.registry.Simulation
        Name, summary, equations, parameters (with ranges) and paper scale of each.
    """
    from emergent.runs.registry import all_simulations

    return {sim.name: sim for sim in all_simulations()}
