"""Parameter sweeps and ensembles on Dask distributed, from a laptop to a cluster.

``emergent sweep NAME -o SWEEP.h5 --grid key=start:stop:num --grid key=v1,v2 --seeds K`` runs
every point of the product grid (times K seeds) as a Dask task, each into its own run file in
``SWEEP.runs/``, and gathers the simulation's reduction into ``SWEEP.h5`` with the sweep axes
as HDF5 dimension scales (:mod:`emergent.runs.sweep.store`).
Modules: :mod:`~emergent.runs.sweep.grid`
(grid parsing and points), :mod:`~emergent.runs.sweep.driver` (the Dask driver),
:mod:`~emergent.runs.sweep.store` (the sweep file), :mod:`~emergent.runs.sweep.plot` (its figure),
:mod:`~emergent.runs.sweep.cli` (the command). Dask is imported only when a sweep runs.
"""

from emergent.runs.sweep.cli import main
from emergent.runs.sweep.driver import (
    DEFAULT_DASHBOARD,
    SweepInterrupted,
    SweepReport,
    run_point,
    run_sweep,
    start_client,
)
from emergent.runs.sweep.grid import MAX_POINTS, Axis, Point, SweepSpec, parse_axis, point_filename
from emergent.runs.sweep.plot import plot_sweep
from emergent.runs.sweep.store import FORMAT, SweepData, is_sweep_file, read_sweep, runs_folder

__all__ = [
    "DEFAULT_DASHBOARD",
    "FORMAT",
    "MAX_POINTS",
    "Axis",
    "Point",
    "SweepData",
    "SweepInterrupted",
    "SweepReport",
    "SweepSpec",
    "is_sweep_file",
    "main",
    "parse_axis",
    "plot_sweep",
    "point_filename",
    "read_sweep",
    "run_point",
    "run_sweep",
    "runs_folder",
    "start_client",
]
