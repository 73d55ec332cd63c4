"""The sweep file: the reductions of every point gathered on the sweep's grid.

Layout of ``SWEEP.h5`` (one run file per point lives in the folder ``SWEEP.runs/`` beside it)::

    /                   attrs: format="emergent-sweep/1", simulation, summary, emergent_version,
                        git_commit, created, updated, completed (once every point is done),
                        params_json (the fixed parameters), axes (sweep axis names, in order),
                        runs (the folder of the run files, relative to the sweep file),
                        points, done, failed
    /<key>              the values of each sweep axis (a coordinate variable)
    /seed               the seeds (a coordinate variable; always the last dimension)
    /reduction/<name>   float64 [n_1, ..., n_k, seeds]: the simulation's reduction of each
                        point (Simulation.reduction), NaN where the point is not done
    /done               bool [n_1, ..., n_k, seeds]
    /seconds            float64 [...]: wall time of the point's run, NaN if it was not run
                        by this invocation (reused from an earlier one)
    /runs               str [...]: the run file of each point, relative to the runs folder

The file is netCDF-4: the axes are coordinate variables of the root group (visible to
/reduction), every variable has ``units`` and ``long_name`` (from the simulation's parameter and
output declarations), and ``xarray.open_datatree(path, engine="h5netcdf")`` or
``SweepData.to_xarray()`` give one dimension per swept parameter and one for the seed. The run
files are the source of truth: the sweep file is rebuilt from them whenever the sweep is
(re)started. (Files of the first layout, with the axes in a group /axes, are still read.)
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from emergent import __version__
from emergent.runs.io import RunError, git_commit
from emergent.runs.registry import Output, Simulation
from emergent.runs.sweep.grid import Axis, SweepSpec

__all__ = ["FORMAT", "SweepData", "SweepFile", "is_sweep_file", "read_sweep", "runs_folder"]

FORMAT = "emergent-sweep/1"
"""The value of the root attribute ``format`` of every sweep file written by this version."""
_STR = h5py.string_dtype()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def runs_folder(path: Path) -> Path:
    """The folder of a sweep's per-point run files: ``NAME.runs`` beside ``NAME.h5``.

    Parameters
    ----------
    path : Path
        The sweep file.

    Returns
    -------
    Path
    """
    return path.with_name(path.stem + ".runs")


def _dataset_name(name: str) -> str:
    return name.replace("/", "_") or "_"


def _axis_data(axis: Axis) -> np.ndarray:
    if axis.type == "str":
        return np.array(axis.values, dtype=_STR)
    if axis.type == "bool":
        return np.array(axis.values, dtype=bool)
    if axis.type == "int":
        return np.array(axis.values, dtype=np.int64)
    return np.array(axis.values, dtype=np.float64)


def is_sweep_file(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is an HDF5 file with root attribute format="emergent-sweep/1".

    Parameters
    ----------
    path : path
        Any file.

    Returns
    -------
    bool
        False also for a missing or unreadable file.
    """
    try:
        with h5py.File(path, "r") as f:
            value = f.attrs.get("format")
    except (OSError, ValueError):
        return False
    if isinstance(value, bytes):
        value = value.decode()
    return value == FORMAT


class SweepFile:
    """The sweep file while a sweep runs: created from a spec, then filled point by point."""

    def __init__(self, path: Path, spec: SweepSpec, summary: str = "",
                 sim: Simulation | None = None) -> None:
        self.path = path
        self.spec = spec
        self.outputs: Mapping[str, Output] = sim.outputs if sim is not None else {}
        reserved = {"runs", "done", "seconds", "seed", "reduction"} & {a.name for a in spec.axes}
        if reserved:
            raise RunError(f"a sweep axis cannot be called {sorted(reserved)[0]!r} (reserved)")
        self.file = h5py.File(path, "w")
        f = self.file
        f.attrs["format"] = FORMAT
        f.attrs["simulation"] = spec.simulation
        f.attrs["summary"] = summary
        f.attrs["emergent_version"] = __version__
        f.attrs["git_commit"] = git_commit()
        f.attrs["created"] = _now()
        f.attrs["params_json"] = json.dumps(spec.params, sort_keys=True)
        f.attrs["axes"] = np.array([a.name for a in spec.axes], dtype=_STR)
        f.attrs["runs"] = runs_folder(path).name
        f.attrs["points"] = spec.size
        f.attrs["done"] = 0
        f.attrs["failed"] = 0
        params = {p.name: p for p in sim.params} if sim is not None else {}
        self.scales = []
        for axis in spec.axes:
            ds = f.create_dataset(axis.name, data=_axis_data(axis))
            ds.attrs["param_type"] = axis.type
            ds.make_scale(axis.name)
            if axis.name in params:
                ds.attrs["long_name"] = params[axis.name].help
                ds.attrs["units"] = params[axis.name].units
            self.scales.append(ds)
        seeds = f.create_dataset("seed", data=np.array(spec.seeds, dtype=np.int64))
        seeds.make_scale("seed")
        seeds.attrs.update(long_name="seed of the point's run", units="")
        self.scales.append(seeds)
        self.dim_names = [a.name for a in spec.axes] + ["seed"]
        shape = spec.shape
        self.done = np.zeros(shape, dtype=bool)
        self.seconds = np.full(shape, np.nan)
        names = np.empty(shape, dtype=object)
        for point in spec.points():
            names[point.index] = point.filename
        self._grid("runs", names, dtype=_STR).attrs.update(
            long_name="run file of the point, in the runs folder", units="")
        self._grid("done", self.done).attrs.update(long_name="the point has finished", units="")
        self._grid("seconds", self.seconds).attrs.update(
            long_name="wall time of the point's run (NaN: reused)", units="s")
        self.reductions: dict[str, np.ndarray] = {}
        self.file.create_group("reduction")
        self.failed: set[tuple[int, ...]] = set()
        self._last_flush = time.monotonic()
        self.file.flush()

    def _grid(self, where: str, data: np.ndarray, dtype: Any = None) -> h5py.Dataset:
        ds = self.file.create_dataset(where, data=data, dtype=dtype)
        for dim, (scale, label) in enumerate(zip(self.scales, self.dim_names, strict=True)):
            ds.dims[dim].attach_scale(scale)
            ds.dims[dim].label = label
        return ds

    def record(
        self, index: tuple[int, ...], reduction: Mapping[str, float], seconds: float | None,
    ) -> None:
        """Store one finished point's reduction (and its run time when it ran now).

        Parameters
        ----------
        index : tuple of int
            The point's grid index (axes..., seed index).
        reduction : mapping of str to float
            The scalars gathered from its run.
        seconds : float or None
            Its wall time; None for a reused run file.
        """
        for name, value in reduction.items():
            key = _dataset_name(name)
            if key not in self.reductions:
                self.reductions[key] = np.full(self.spec.shape, np.nan)
                ds = self._grid(f"reduction/{key}", self.reductions[key])
                ds.attrs["name"] = name
                out = self.outputs.get(name)
                ds.attrs["long_name"] = out.long_name if out is not None else name
                ds.attrs["units"] = out.units if out is not None else "1"
            self.reductions[key][index] = value
        self.done[index] = True
        self.failed.discard(index)
        if seconds is not None:
            self.seconds[index] = seconds

    def fail(self, index: tuple[int, ...]) -> None:
        """Mark the point at `index` as failed.

        Parameters
        ----------
        index : tuple of int
            The point's grid index.
        """
        self.failed.add(index)

    def flush(self, every: float = 0.0) -> None:
        """Write the in-memory grids to the file (at most once per `every` seconds).

        Parameters
        ----------
        every : float
            Do nothing when the last flush is more recent than this (seconds).
        """
        now = time.monotonic()
        if now - self._last_flush < every:
            return
        f = self.file
        for key, values in self.reductions.items():
            f[f"reduction/{key}"][...] = values
        f["done"][...] = self.done
        f["seconds"][...] = self.seconds
        f.attrs["done"] = int(self.done.sum())
        f.attrs["failed"] = len(self.failed)
        f.attrs["updated"] = _now()
        if self.done.all():
            f.attrs["completed"] = _now()
        f.flush()
        self._last_flush = now

    def close(self) -> None:
        """Flush and close the file (again: nothing)."""
        if self.file.id.valid:
            self.flush()
            self.file.close()


class SweepData:
    """A sweep file read back (:func:`read_sweep`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with h5py.File(path, "r") as f:
                attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
                if attrs.get("format") != FORMAT:
                    raise RunError(f"{str(path)!r} is not an emergent sweep file")
                self.attrs = attrs
                self.simulation: str = attrs["simulation"]
                self.params: dict[str, Any] = json.loads(attrs["params_json"])
                names = [n.decode() if isinstance(n, bytes) else str(n) for n in attrs["axes"]]
                self.axes: list[Axis] = []
                axes_group = f["axes"] if isinstance(f.get("axes"), h5py.Group) else f
                for name in names:
                    ds = axes_group[name]
                    kind = ds.attrs["param_type"]
                    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
                    raw = ds[()]
                    if kind == "str":
                        values = tuple(v.decode() if isinstance(v, bytes) else str(v)
                                       for v in raw)
                    else:
                        values = tuple(v.item() for v in raw)
                    self.axes.append(Axis(name, values, kind))
                self.seeds: tuple[int, ...] = tuple(int(s) for s in axes_group["seed"][()])
                self.done: np.ndarray = f["done"][()]
                self.seconds: np.ndarray = f["seconds"][()]
                self.runs: np.ndarray = np.vectorize(
                    lambda v: v.decode() if isinstance(v, bytes) else str(v), otypes=[object]
                )(f["runs"][()]) if f["runs"].size else f["runs"][()].astype(object)
                self.reductions: dict[str, np.ndarray] = {
                    str(ds.attrs.get("name", key)): ds[()] for key, ds in f["reduction"].items()
                }
        except RunError:
            raise
        except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
            raise RunError(
                f"cannot read {str(path)!r}: not a readable sweep file ({exc})"
            ) from None
        self.runs_dir = path.parent / str(attrs.get("runs", runs_folder(path).name))

    def to_xarray(self) -> Any:
        """The sweep as an ``xarray.Dataset``: one dimension per swept parameter and one for the
        seed; the reductions, ``done`` and ``seconds`` as variables with units and long names.

        Returns
        -------
        xarray.Dataset
            Read into memory (needs the ``data`` extra: xarray, h5netcdf).
        """
        import xarray as xr

        tree = xr.open_datatree(self.path, engine="h5netcdf")
        try:
            root = tree.to_dataset().drop_vars("runs", errors="ignore").load()
            reductions = tree["reduction"].to_dataset().load()
        finally:
            tree.close()
        return xr.merge([root, reductions], combine_attrs="override")

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape: one entry per axis, then the number of seeds."""
        return self.done.shape

    @property
    def complete(self) -> bool:
        """True when every point is done."""
        return bool(self.done.all())

    def run_path(self, index: tuple[int, ...]) -> Path:
        """The run file of the point at grid `index`.

        Parameters
        ----------
        index : tuple of int
            Grid index (axes..., seed index).

        Returns
        -------
        Path
        """
        return self.runs_dir / self.runs[index]


def read_sweep(path: str | os.PathLike[str]) -> SweepData:
    """Open a sweep file.

    Parameters
    ----------
    path : path
        A file written by ``emergent sweep``.

    Returns
    -------
    SweepData
        Axes, seeds, which points are done, their run files and reductions.

    Raises
    ------
    emergent.runs.io.RunError
        A missing, foreign or corrupt file.
    """
    path = Path(path)
    if not path.is_file():
        raise RunError(f"no such sweep file: {str(path)!r}")
    return SweepData(path)
