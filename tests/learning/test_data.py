"""MNIST loaders (issue 8): the bundled subset, IDX and mnist.npz files, and every error path."""

import gzip
import shutil

import numpy as np
import pytest

from emergent.learning import data


def _write_idx(path, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    raw = header + array.tobytes()
    if gz:
        raw = gzip.compress(raw)
    path.write_bytes(raw)


def _fake_mnist(rng, n):
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n)


def test_bundled_subset_is_real_mnist():
    images, labels = data.load_bundled()
    assert images.shape == (5000, 784) and images.dtype == np.float32
    assert labels.shape == (5000,)
    assert np.array_equal(np.bincount(labels), np.full(10, 500))
    assert images.min() == 0.0 and images.max() == 1.0
    # MNIST digits are centred: the border pixels are (almost) always blank
    frame = images.reshape(-1, 28, 28)[:, 0, :]
    assert frame.max() == 0.0
    # mean ink per digit lies in the known MNIST range (~0.10-0.15 of the pixels)
    assert 0.08 < images.mean() < 0.16


def test_bundled_checksum_and_malformed(tmp_path):
    bad = tmp_path / "m.csv.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(data.MnistDataError, match="gzip CSV"):
        data.load_bundled(bad)
    bad.write_bytes(gzip.compress(b"1,2,3\n4,5,6\n"))
    with pytest.raises(data.MnistDataError, match="785"):
        data.load_bundled(bad)
    with pytest.raises(data.MnistDataError, match="not found"):
        data.load_bundled(tmp_path / "missing.csv.gz")


@pytest.mark.parametrize("gz", [False, True])
def test_idx_roundtrip(tmp_path, gz):
    rng = np.random.default_rng(0)
    for kind, n in (("train", 30), ("t10k", 12)):
        images, labels = _fake_mnist(rng, n)
        suffix = ".gz" if gz else ""
        _write_idx(tmp_path / f"{kind}-images-idx3-ubyte{suffix}", images, gz)
        _write_idx(tmp_path / f"{kind}-labels-idx1-ubyte{suffix}", labels, gz)
        if kind == "train":
            want_x, want_y = images, labels
    split = data.load_mnist(tmp_path)
    assert split.x_train.shape == (30, 784) and split.x_test.shape == (12, 784)
    assert np.allclose(split.x_train * 255, want_x.reshape(30, -1))
    assert np.array_equal(split.y_train, want_y)


def test_npz_and_env_var(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    xt, yt = _fake_mnist(rng, 20)
    xs, ys = _fake_mnist(rng, 8)
    np.savez(tmp_path / "mnist.npz", x_train=xt, y_train=yt, x_test=xs, y_test=ys)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "mnist.npz"))
    split = data.training_split(10, 5, seed=3)
    assert split.source.startswith("npz:")
    assert split.x_train.shape == (10, 784) and split.x_test.shape == (5, 784)
    # the folder form finds mnist.npz too
    assert data.load_mnist(tmp_path).x_train.shape == (20, 784)
    with pytest.raises(ValueError, match="samples must be <= 20"):
        data.training_split(21, 5, seed=3)


def test_error_paths(tmp_path, monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    with pytest.raises(data.MnistDataError, match="EMERGENT_MNIST"):
        data.load_mnist(None)
    with pytest.raises(data.MnistDataError, match="does not exist"):
        data.load_mnist(tmp_path / "nowhere")
    with pytest.raises(data.MnistDataError, match="train-images-idx3-ubyte"):
        data.load_mnist(tmp_path)  # empty folder
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(data.MnistDataError, match="folder of IDX files or an .npz"):
        data.load_mnist(tmp_path / "x.txt")
    # bad magic number
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x01\x02\x03\x04" + bytes(16))
    with pytest.raises(data.MnistDataError, match="magic"):
        data.read_idx(tmp_path / "train-images-idx3-ubyte")
    # truncated payload
    _write_idx(tmp_path / "t.idx", np.zeros((3, 28, 28)))
    raw = (tmp_path / "t.idx").read_bytes()
    (tmp_path / "t.idx").write_bytes(raw[:-5])
    with pytest.raises(data.MnistDataError, match="announces shape"):
        data.read_idx(tmp_path / "t.idx")
    # npz without the expected arrays; a non-npz file with .npz suffix
    np.savez(tmp_path / "bad.npz", a=np.zeros(3))
    with pytest.raises(data.MnistDataError, match="missing arrays"):
        data.load_npz(tmp_path / "bad.npz")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(data.MnistDataError, match="not a readable"):
        data.load_npz(tmp_path / "junk.npz")
    # labels that do not match the images
    xt, _ = _fake_mnist(np.random.default_rng(2), 4)
    np.savez(tmp_path / "m2.npz", x_train=xt, y_train=np.arange(3), x_test=xt,
             y_test=np.arange(4))
    with pytest.raises(data.MnistDataError, match="3 labels for 4 images"):
        data.load_npz(tmp_path / "m2.npz")
    # the bundled subset cannot give more than 5,000 digits
    with pytest.raises(ValueError, match="bundled"):
        data.training_split(4900, 200, seed=0, use_full=False)


def test_split_is_seeded_and_disjoint(tmp_path):
    a = data.training_split(300, 100, seed=5, use_full=False)
    b = data.training_split(300, 100, seed=5, use_full=False)
    c = data.training_split(300, 100, seed=6, use_full=False)
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)
    rows = {r.tobytes() for r in a.x_train}
    assert not any(r.tobytes() in rows for r in a.x_test)
    # all classes present in a seeded shuffle of the class-sorted file
    assert np.unique(a.y_train).size == 10


def test_encode_targets():
    t = data.encode_targets(np.array([3, 0]))
    assert t.shape == (2, 10) and t[0, 3] == 1 and t[0, 0] == -1 and t.sum() == -16
    t = data.encode_targets(np.array([3]), encoding="onehot", amplitude=0.5)
    assert t[0, 3] == 0.5 and t.sum() == 0.5
    with pytest.raises(ValueError, match="amplitude"):
        data.encode_targets(np.array([1]), amplitude=1.5)
    with pytest.raises(ValueError, match="encoding"):
        data.encode_targets(np.array([1]), encoding="x")


def test_bundled_copy_is_checked(tmp_path, monkeypatch):
    copy = tmp_path / "mnist_5k.csv.gz"
    shutil.copyfile(data.BUNDLED_PATH, copy)
    images, _ = data.load_bundled(copy)
    assert images.shape == (5000, 784)
