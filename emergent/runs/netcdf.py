"""The netCDF-4 face of a run file: named dimensions, coordinate variables, ``units`` and
``long_name`` on every variable, so that ``xarray.open_datatree(path, engine="h5netcdf")`` and
``netCDF4.Dataset(path)`` read what plain h5py reads.

Layout (netCDF-4 allows a dimension scale only in a variable's own group or a parent group):

- ``/series``: the time series; ``t`` is the coordinate variable of their first dimension, a
  further dimension k of series ``name`` is the dimension ``name_dim{k}``;
- ``/fields``: the fields, with their grid axes as coordinate variables in the same group;
- ``/results``: array results (dimensions ``name_dim{k}``); scalar results stay attributes;
- ``/parameters``: one variable per parameter (beside the root attributes ``param.NAME``).

This module knows nothing of physics: the long names and units come from the simulation's
declarations (:class:`emergent.runs.registry.Output`, :attr:`emergent.runs.registry.Param.units`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import h5py
import numpy as np

if TYPE_CHECKING:
    import pandas
    import xarray

    from emergent.runs.registry import Output, Param

__all__ = [
    "DIMENSION_ONLY",
    "describe",
    "dimension",
    "finalize",
    "is_dimension",
    "to_dataframe",
    "to_xarray",
]

DIMENSION_ONLY = "This is a netCDF dimension but not a netCDF variable.{:10d}"
"""The NAME a netCDF-4 dimension without a coordinate variable carries in HDF5."""

_HIDDEN = ("_checkpoint",)


def dimension(group: h5py.Group, name: str, size: int) -> h5py.Dataset:
    """A netCDF-4 dimension `name` of `size` without a coordinate variable in `group`.

    Parameters
    ----------
    group : h5py.Group
        Where the dimension lives.
    name : str
        Its name.
    size : int
        Its length.

    Returns
    -------
    h5py.Dataset
        The dimension scale (an empty placeholder, as netCDF-4 writes it).
    """
    if name in group:
        return group[name]
    scale = group.create_dataset(name, shape=(size,), dtype="f4")
    scale.make_scale(DIMENSION_ONLY.format(size))
    return scale


def is_dimension(obj: h5py.HLObject) -> bool:
    """Whether `obj` is a dimension placeholder made by :func:`dimension` (not a variable).

    Parameters
    ----------
    obj : h5py object
        A member of a group.

    Returns
    -------
    bool
    """
    if not isinstance(obj, h5py.Dataset) or not obj.is_scale:
        return False
    name = obj.attrs.get("NAME", b"")
    return (name.decode() if isinstance(name, bytes) else str(name)).startswith(
        DIMENSION_ONLY[:40])


def describe(ds: h5py.Dataset, output: Output | None) -> None:
    """Write ``long_name`` and ``units`` of a declared dataset (nothing when undeclared).

    Parameters
    ----------
    ds : h5py.Dataset
        The variable.
    output : Output or None
        Its declaration.
    """
    if output is not None:
        ds.attrs["long_name"] = output.long_name
        ds.attrs["units"] = output.units


def _attach_trailing(group: h5py.Group, ds: h5py.Dataset, name: str, start: int) -> None:
    for k in range(start, ds.ndim):
        if not ds.dims[k].keys():
            ds.dims[k].attach_scale(dimension(group, f"{name}_dim{k}", ds.shape[k]))


def _series(group: h5py.Group, outputs: Mapping[str, Output]) -> None:
    names = [n for n, obj in group.items() if isinstance(obj, h5py.Dataset)
             and not is_dimension(obj)]
    t = group.get("t")
    if t is not None and t.ndim == 1:
        if not t.is_scale:
            t.make_scale("t")
        for name in names:
            ds = group[name]
            if name != "t" and ds.ndim >= 1 and ds.shape[0] == t.shape[0] and not ds.dims[0].keys():
                ds.dims[0].attach_scale(t)
    for name in names:
        ds = group[name]
        _attach_trailing(group, ds, name, 0 if name != "t" and (t is None or not ds.dims[0].keys())
                         else 1)
        describe(ds, outputs.get(name))


def _plain_group(group: h5py.Group, outputs: Mapping[str, Output]) -> None:
    for name, obj in list(group.items()):
        if isinstance(obj, h5py.Dataset):
            if not obj.is_scale:
                _attach_trailing(group, obj, name, 0)
            if not is_dimension(obj):
                describe(obj, outputs.get(name))


def _parameters(file: h5py.File, params: Sequence[Param], values: Mapping[str, Any]) -> None:
    group = file.require_group("parameters")
    for p in params:
        if p.name not in values or p.name in group:
            continue
        value = values[p.name]
        if isinstance(value, str):
            ds = group.create_dataset(p.name, data=value, dtype=h5py.string_dtype())
        else:
            ds = group.create_dataset(p.name, data=np.asarray(value))
            if ds.ndim:
                ds.dims[0].attach_scale(dimension(group, f"{p.name}_dim0", ds.shape[0]))
        ds.attrs["long_name"] = p.help.split(";")[0].split(" (")[0].strip() or p.name
        ds.attrs["units"] = p.units


def finalize(file: h5py.File, outputs: Mapping[str, Output], params: Sequence[Param],
             values: Mapping[str, Any]) -> None:
    """Give a finished run file its netCDF-4 face (see the module doc).

    Parameters
    ----------
    file : h5py.File
        The run file, open for writing.
    outputs : mapping of str to Output
        The simulation's dataset declarations.
    params : sequence of Param
        The simulation's parameters (their help gives the long name, ``units`` the unit).
    values : mapping of str to value
        The parameter values of the run.
    """
    if "series" in file:
        _series(file["series"], outputs)
    for name in ("fields", "results"):
        if name in file:
            _plain_group(file[name], outputs)
    _parameters(file, params, values)


def to_xarray(path: str) -> xarray.DataTree:
    """The run file as an ``xarray.DataTree`` (groups series, fields, results, parameters).

    Parameters
    ----------
    path : str
        A finished run file.

    Returns
    -------
    xarray.DataTree
        Opened lazily with the h5netcdf engine (needs xarray and h5netcdf).
    """
    import xarray as xr

    return xr.open_datatree(path, engine="h5netcdf", phony_dims="sort")


def to_dataframe(path: str, max_columns: int = 16) -> pandas.DataFrame:
    """The run's time series as a ``pandas.DataFrame`` indexed by ``t``.

    A series with one value per row is one column; a series with a few values per row (at most
    `max_columns`, e.g. a mean per axis) becomes the columns ``name[0]``, ``name[1]`` ...; larger
    rows (profiles, marginals) are left to :func:`to_xarray`.

    Parameters
    ----------
    path : str
        A finished run file.
    max_columns : int
        The largest row of an array-valued series that is spread over columns.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    columns: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        group = f["series"]
        t = group["t"][()] if "t" in group else None
        for name, ds in group.items():
            if name == "t" or not isinstance(ds, h5py.Dataset) or is_dimension(ds):
                continue
            if t is not None and (ds.ndim == 0 or ds.shape[0] != t.shape[0]):
                continue
            width = int(np.prod(ds.shape[1:])) if ds.ndim > 1 else 1
            if width == 1:
                columns[name] = ds[()].reshape(-1)
            elif width <= max_columns:
                flat = ds[()].reshape(ds.shape[0], width)
                for k in range(width):
                    columns[f"{name}[{k}]"] = flat[:, k]
    frame = pd.DataFrame(columns, index=pd.Index(t, name="t") if t is not None else None)
    return frame[sorted(frame.columns)]
