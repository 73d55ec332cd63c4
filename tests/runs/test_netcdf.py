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


def test_sweep_file_is_an_xarray_dataset_with_one_dimension_per_axis(tmp_path):
    """The sweep file: one dimension per swept parameter and the seed, reductions with units."""
    from emergent.runs.registry import get
    from emergent.runs.sweep.grid import SweepSpec
    from emergent.runs.sweep.store import SweepFile, read_sweep

    sim = get("chains")
    spec = SweepSpec.build(sim, ["noise=0:0.1:3", "activation=linear,tanh"],
                           fixed={"neurons": 64}, seeds=2)
    store = SweepFile(tmp_path / "s.h5", spec, summary=sim.summary, sim=sim)
    for k, point in enumerate(spec.points()):
        store.record(point.index, {"max_shift_error": float(k)}, 0.5)
    store.close()
    ds = read_sweep(tmp_path / "s.h5").to_xarray()
    assert dict(ds.sizes) == {"noise": 3, "activation": 2, "seed": 2}
    assert list(ds["activation"].values) == ["linear", "tanh"]
    err = ds["max_shift_error"]
    assert err.dims == ("noise", "activation", "seed")
    assert err.attrs["long_name"] == sim.outputs["max_shift_error"].long_name
    assert ds["noise"].attrs["units"] == "1" and ds["seconds"].attrs["units"] == "s"
    np.testing.assert_array_equal(err.values.ravel(), np.arange(12.0))
    tree = xr.open_datatree(tmp_path / "s.h5", engine="h5netcdf")
    assert tree["reduction"].ds["max_shift_error"].dims == ("noise", "activation", "seed")
    with netCDF4.Dataset(tmp_path / "s.h5") as nc:
        assert nc["reduction"]["max_shift_error"].dimensions == ("noise", "activation", "seed")
