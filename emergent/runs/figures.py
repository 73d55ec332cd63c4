"""A run's standard figure, drawn by its simulation's ``plot`` and saved to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emergent.runs.registry import Simulation

__all__ = ["save_figure"]


def save_figure(sim: Simulation, data: Any, path: Path, dpi: int = 110) -> Path:
    """Draw `sim`'s standard figure of the finished run `data` into `path` (PNG, PDF or SVG).

    Parameters
    ----------
    sim : Simulation
        The registered simulation that wrote `data`.
    data : emergent.runs.io.RunData
        The finished run.
    path : Path
        The figure file; the format follows its suffix.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    Path
        `path`.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5), layout="constrained")
    sim.plot(data, fig)
    fig.suptitle(f"{sim.name} (seed {data.seed})", fontsize=10)
    fig.savefig(path, dpi=dpi)
    return path
