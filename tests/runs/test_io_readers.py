"""Safe readers (issue 19, item 5): crafted run files give one-line RunErrors, never a
traceback, never a read of another file, never a giant allocation."""

import h5py
import numpy as np
import pytest

from emergent.runs.io import RunError, execute, read_run
from emergent.runs.registry import Simulation, parameters


@parameters
class _NoParams:
    pass


def _body(run):
    for k in range(5):
        run.append(t=float(k), e=float(k) ** 2)
    run.write_field("p", np.ones((2, 3)), axes={"a": [0.0, 1.0], "b": [0.0, 1.0, 2.0]})
    run.write_array("spectrum", np.arange(3.0))


SIM = Simulation(name="readme", summary="a run to craft", equations=("P2 1",),
                 parameters=_NoParams, run=_body, plot=lambda d, f: None)


@pytest.fixture
def run_file(tmp_path):
    return execute(SIM, {}, 0, tmp_path / "r.h5", quiet=True)


def _refused(path, match, **kw):
    with pytest.raises(RunError, match=match) as info:
        read_run(path, **kw)
    assert "\n" not in str(info.value)
    return info.value


def test_the_untouched_file_reads(run_file):
    data = read_run(run_file)
    assert data.series_names == ["e", "t"] and data.field_names == ["p"]
    assert data.array_names == ["spectrum"]
    np.testing.assert_array_equal(data.series("e", rows=slice(1, 3)), [1.0, 4.0])
    np.testing.assert_array_equal(data.series("t", rows=-1), 4.0)
    field, axes = data.field("p")
    assert field.shape == (2, 3) and list(axes) == ["a", "b"]


def test_external_links_are_refused(run_file, tmp_path):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["x"] = np.arange(5.0)
    with h5py.File(run_file, "a") as f:
        f["series/leak"] = h5py.ExternalLink(str(secret), "/x")
    _refused(run_file, r"'series/leak' is an external link")


def test_external_storage_is_refused(run_file, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"password=hunter2")
    with h5py.File(run_file, "a") as f:
        f["series"].create_dataset("leak", shape=(16,), dtype="u1",
                                   external=[(str(secret), 0, 16)])
    _refused(run_file, r"'series/leak' has external storage")


def test_virtual_datasets_are_refused(run_file, tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3.0)
    with h5py.File(run_file, "a") as f:
        layout = h5py.VirtualLayout(shape=(3,), dtype="f8")
        layout[:] = h5py.VirtualSource(str(other), "x", shape=(3,))
        f["results"].create_virtual_dataset("leak", layout)
    _refused(run_file, r"'results/leak' is a virtual dataset")


def test_soft_links_are_refused(run_file):
    with h5py.File(run_file, "a") as f:
        f["series/again"] = h5py.SoftLink("/series/e")
    _refused(run_file, r"'series/again' is a soft link")


def test_a_huge_declared_dataset_is_read_only_by_slices(run_file):
    with h5py.File(run_file, "a") as f:  # 16 GiB declared, nothing stored
        f["series"].create_dataset("huge", shape=(2**28, 8), dtype="f8", chunks=(4096, 8),
                                   compression="gzip")
    assert run_file.stat().st_size < 100_000
    data = read_run(run_file)
    with pytest.raises(RunError, match=r"reading 'series/huge' .* exceeds the cap"):
        data.series("huge")
    assert data.series("huge", rows=slice(0, 10)).shape == (10, 8)
    with pytest.raises(RunError, match="exceeds the cap"):
        data.series("huge", rows=slice(0, 2**26))
    small = read_run(run_file, max_bytes=16)
    with pytest.raises(RunError, match="cap of 16 bytes"):
        small.series("e")
    with pytest.raises(RunError, match="cap of 16 bytes"):
        small.array("spectrum")
    with pytest.raises(RunError, match="cap of 16 bytes"):
        small.field("p")


@pytest.mark.parametrize(("name", "value", "match"), [
    ("simulation", None, "attribute 'simulation'"),
    ("simulation", 7, "attribute 'simulation'"),
    ("seed", "abc", "attribute 'seed' must be an integer"),
    ("seed", 1.5, "attribute 'seed' must be an integer"),
    ("seed", None, "attribute 'seed' must be an integer"),
    ("params_json", "[1, 2]", "malformed params_json"),
    ("params_json", "{not json", "malformed params_json"),
    ("params_json", "[" * 100_000 + "]" * 100_000, "malformed params_json"),
    ("params_json", '{"a": ' + "[" * 40 + "]" * 40 + "}", "malformed params_json"),
    ("params_json", None, "malformed params_json"),
    ("summary", np.bytes_(b"\xff\xfe bad"), "attribute 'summary' is not valid UTF-8"),
])
def test_malformed_attributes_give_one_line_errors(run_file, name, value, match):
    with h5py.File(run_file, "a") as f:
        if value is None:
            del f.attrs[name]
        else:
            f.attrs[name] = value
    _refused(run_file, match)


def test_non_utf8_result_attribute(run_file):
    with h5py.File(run_file, "a") as f:
        f["results"].attrs["verdict"] = np.bytes_(b"\xc3\x28")
    _refused(run_file, "attribute 'verdict' is not valid UTF-8")


def test_a_huge_attribute_is_refused(run_file, tmp_path):
    crafted = tmp_path / "blob.h5"
    with h5py.File(run_file) as src, h5py.File(crafted, "w", libver="latest") as f:
        for key, value in src.attrs.items():
            f.attrs[key] = value
        f.attrs.create("blob", np.zeros(3 * 2**20))  # 24 MB, stored densely
    _refused(crafted, "attribute 'blob' is too large")
