"""Run files are self-describing netCDF-4: xarray and netCDF4 open every simulation's smoke
output with named dimensions, coordinate variables, units and long names (issue 15 item 1)."""

from __future__ import annotations

import netCDF4
import numpy as np
import pytest
import xarray as xr

import emergent
from emergent.runs.io import read_run

SIMULATIONS = sorted(emergent.simulations())


@pytest.mark.parametrize("name", SIMULATIONS)
def test_run_file_opens_with_xarray_and_netcdf4(smoke_runs, name):
    folder, _ = smoke_runs
    path = folder / f"{name}.h5"
    sim = emergent.simulations()[name]
    data = read_run(path)  # plain h5py keeps working
    tree = xr.open_datatree(path, engine="h5netcdf")
    assert set(tree.children) >= {"series", "parameters"}
    undescribed = []
    for node in tree.subtree:
        for var in [*node.ds.data_vars, *node.ds.coords]:
            attrs = node.ds[var].attrs
            if not attrs.get("long_name") or "units" not in attrs:
                undescribed.append(f"{node.path}/{var}")
        assert not any(d.startswith("phony_dim") for d in node.ds.dims), node.path
    assert not undescribed, f"{name}: no units/long_name on {undescribed}"
    series = tree["series"].ds
    assert "t" in series.coords
    for var in series.data_vars:
        assert series[var].dims[0] == "t", var
    for field in data.field_names:
        values, axes = data.field(field)
        assert tree["fields"].ds[field].dims == tuple(axes), field
        for axis, coords in axes.items():
            np.testing.assert_array_equal(tree["fields"].ds[axis].values, coords)
    params = tree["parameters"].ds
    assert set(params.data_vars) == {p.name for p in sim.params}
    assert all("units" in params[p].attrs for p in params.data_vars)
    with netCDF4.Dataset(path) as nc:
        assert nc["series"]["t"].dimensions == ("t",)
        assert set(nc["series"].variables) >= set(data.series_names)


def test_to_xarray_and_to_dataframe_agree_with_the_series(smoke_runs):
    folder, _ = smoke_runs
    data = read_run(folder / "fokker-planck.h5")
    frame = data.to_dataframe()
    np.testing.assert_array_equal(frame.index.to_numpy(), data.series("t"))
    np.testing.assert_array_equal(frame["entropy"].to_numpy(), data.series("entropy"))
    assert frame.index.name == "t" and "marginal_q1" not in frame  # profiles stay in xarray
    tree = data.to_xarray()
    np.testing.assert_array_equal(tree["series"].ds["marginal_q1"].values,
                                  data.series("marginal_q1"))
    assert tree["series"].ds["entropy"].attrs["units"] == "1"
