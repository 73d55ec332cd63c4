"""MNIST loaders: the bundled 5,000-digit subset and the full set at a user-given path.

Nothing is ever downloaded. The bundled file `data/mnist_5k.csv.gz` (see
`data/MNIST-PROVENANCE.md`; MNIST by Y. LeCun and C. Cortes, CC BY-SA 3.0) holds 5,000 real
training digits. The full set is read from IDX files (`train-images-idx3-ubyte[.gz]`, ...) or
Keras' `mnist.npz`, at a path given as an argument or in the environment variable
``EMERGENT_MNIST``.

Images come back as ``ndarray(shape=[S, 784], dtype=float32)`` with pixels scaled to [0, 1],
labels as ``ndarray(shape=[S], dtype=int64)``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "BUNDLED_PATH",
    "BUNDLED_SHA256",
    "ENV_VAR",
    "MnistDataError",
    "MnistSplit",
    "digits",
    "encode_targets",
    "load_bundled",
    "load_idx",
    "load_mnist",
    "load_npz",
    "read_idx",
    "training_split",
]

ENV_VAR = "EMERGENT_MNIST"
"""The environment variable that gives the path of the full MNIST set (a folder of IDX files or
Keras' ``mnist.npz``) when no path is passed."""
BUNDLED_PATH = Path(__file__).resolve().parents[2] / "data" / "mnist_5k.csv.gz"
"""The bundled 5,000-digit subset, ``data/mnist_5k.csv.gz`` in the repository: one digit a row,
784 pixels (0-255) then the label."""
BUNDLED_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
"""SHA-256 of :data:`BUNDLED_PATH` as recorded in ``data/MNIST-PROVENANCE.md``;
:func:`load_bundled` checks it."""

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class MnistDataError(ValueError):
    """A missing, unreadable or malformed MNIST file (the message says which and how to fix)."""


@dataclass(frozen=True)
class MnistSplit:
    """Training and test digits of an experiment (P1 §10).

    Attributes
    ----------
    x_train, x_test : ndarray(shape=[S, 784], float32)
        Pixels in [0, 1].
    y_train, y_test : ndarray(shape=[S], int64)
        Digit labels.
    source : str
        Where the digits came from ("bundled:mnist_5k" or the path of the full set).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str


def _hint() -> str:
    return (f"give the folder of the IDX files or the path of mnist.npz with "
            f"--set mnist_path=... or the environment variable {ENV_VAR}; nothing is downloaded")


def _check_images(images: np.ndarray, labels: np.ndarray, where: str) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim == 3:
        images = images.reshape(images.shape[0], -1)
    if images.ndim != 2 or images.shape[1] != 784:
        raise MnistDataError(f"{where}: images have shape {images.shape}, expected [S, 784] or "
                             f"[S, 28, 28]")
    if labels.shape != (images.shape[0],):
        raise MnistDataError(f"{where}: {labels.shape[0] if labels.ndim else 0} labels for "
                             f"{images.shape[0]} images")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise MnistDataError(f"{where}: labels outside 0..9")
    top = float(images.max()) if images.size else 0.0
    if images.size and images.min() < 0:
        raise MnistDataError(f"{where}: negative pixel values")
    scale = 255.0 if top > 1.0 else 1.0
    if top > 255.0:
        raise MnistDataError(f"{where}: pixel values above 255")
    return (images.astype(np.float32) / np.float32(scale)), labels.astype(np.int64)


def load_bundled(path: str | os.PathLike[str] | None = None, *,
                 verify: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 bundled MNIST training digits (500 per class, sorted by class).

    Parameters
    ----------
    path : str or PathLike, optional
        Another copy of the file (default: data/mnist_5k.csv.gz).
    verify : bool
        Check the file's sha256 against the one in data/MNIST-PROVENANCE.md.

    Returns
    -------
    images : ndarray(shape=[5000, 784], float32)
        Pixels in [0, 1].
    labels : ndarray(shape=[5000], int64)
        Digit labels.

    Raises
    ------
    MnistDataError
        The file is missing, modified or malformed.
    """
    path = Path(path) if path is not None else BUNDLED_PATH
    if not path.is_file():
        raise MnistDataError(f"bundled MNIST subset not found at {path} (it ships with the "
                             f"repository as data/mnist_5k.csv.gz); {_hint()}")
    raw = path.read_bytes()
    if verify and path == BUNDLED_PATH and hashlib.sha256(raw).hexdigest() != BUNDLED_SHA256:
        raise MnistDataError(f"{path}: sha256 differs from data/MNIST-PROVENANCE.md; the file "
                             f"was modified or truncated")
    try:
        text = gzip.decompress(raw)
        table = np.loadtxt(text.decode("ascii").splitlines(), delimiter=",", dtype=np.int64,
                           ndmin=2)
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise MnistDataError(f"{path}: not a gzip CSV of 785 integer columns ({exc})") from None
    if table.shape[1] != 785:
        raise MnistDataError(f"{path}: {table.shape[1]} columns, expected 785 (784 pixels + label)")
    return _check_images(table[:, :784], table[:, 784], str(path))


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed) into an array of its stored shape.

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    ndarray
        The data, with the dtype and shape of the IDX header.

    Raises
    ------
    MnistDataError
        An unreadable, corrupt or truncated file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MnistDataError(f"cannot read IDX file {path}: {exc.strerror}; {_hint()}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise MnistDataError(f"{path}: corrupt gzip stream ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise MnistDataError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistDataError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    count = int(np.prod(shape)) if shape else 1
    if len(raw) - header != count * dtype.itemsize:
        raise MnistDataError(f"{path}: IDX header announces shape {shape} ({count * dtype.itemsize}"
                             f" bytes) but the file holds {len(raw) - header} bytes of data")
    return np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"),
                 stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise MnistDataError(f"{folder}: no file {stem}[.gz]; {_hint()}")


def load_idx(folder: str | os.PathLike[str]) -> MnistSplit:
    """The full MNIST set from a folder of IDX files (train-images-idx3-ubyte[.gz], ...).

    Parameters
    ----------
    folder : str or PathLike
        The folder.

    Returns
    -------
    MnistSplit
        60,000 training and 10,000 test digits.

    Raises
    ------
    MnistDataError
        Missing or malformed files.
    """
    folder = Path(folder)
    parts = []
    for kind in ("train", "t10k"):
        images = read_idx(_find(folder, f"{kind}-images-idx3-ubyte"))
        labels = read_idx(_find(folder, f"{kind}-labels-idx1-ubyte"))
        parts.extend(_check_images(images, labels, f"{folder} ({kind})"))
    return MnistSplit(*parts, source=f"idx:{folder}")


def load_npz(path: str | os.PathLike[str]) -> MnistSplit:
    """The full MNIST set from Keras' mnist.npz.

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    MnistSplit
        The training and test digits.

    Raises
    ------
    MnistDataError
        An unreadable file or missing arrays.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
            if missing:
                raise MnistDataError(f"{path}: missing arrays {sorted(missing)} (expected Keras' "
                                     f"mnist.npz with x_train, y_train, x_test, y_test)")
            arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except MnistDataError:
        raise
    except (OSError, ValueError) as exc:
        raise MnistDataError(f"{path}: not a readable .npz file ({exc}); {_hint()}") from None
    train = _check_images(arrays["x_train"], arrays["y_train"], f"{path} (train)")
    test = _check_images(arrays["x_test"], arrays["y_test"], f"{path} (test)")
    return MnistSplit(*train, *test, source=f"npz:{path}")


def load_mnist(path: str | os.PathLike[str] | None = None) -> MnistSplit:
    """The full MNIST set at `path` (folder of IDX files or mnist.npz), else $EMERGENT_MNIST.

    Parameters
    ----------
    path : str or PathLike, optional
        The folder or file.

    Returns
    -------
    MnistSplit
        The training and test digits.

    Raises
    ------
    MnistDataError
        Neither a path nor $EMERGENT_MNIST is given, or the files are missing or malformed.
    """
    if path is None or str(path) == "":
        path = os.environ.get(ENV_VAR, "")
        if not path:
            raise MnistDataError(f"no full MNIST path given; {_hint()}")
    path = Path(path).expanduser()
    if path.is_dir():
        if (path / "mnist.npz").is_file():
            return load_npz(path / "mnist.npz")
        return load_idx(path)
    if path.is_file():
        if path.suffix == ".npz":
            return load_npz(path)
        raise MnistDataError(f"{path}: expected a folder of IDX files or an .npz file")
    raise MnistDataError(f"MNIST path {path} does not exist; {_hint()}")


def training_split(samples: int, test_samples: int, *, seed: int,
                   path: str | os.PathLike[str] | None = None,
                   use_full: bool | None = None) -> MnistSplit:
    """Training and test digits for an experiment (P1 §10).

    With a full MNIST path (argument or $EMERGENT_MNIST): the first `samples` of a seeded
    permutation of the 60,000 training digits and `test_samples` of the 10,000 test digits.
    Otherwise the bundled 5,000 digits, shuffled with `seed` and split into `samples` training
    and `test_samples` held-out digits.

    Parameters
    ----------
    samples : int
        Training digits, >= 1.
    test_samples : int
        Held-out digits, >= 0 (samples + test_samples <= 5000 for the bundled subset).
    seed : int
        Seed of the shuffle.
    path : str or PathLike, optional
        The full MNIST set.
    use_full : bool, optional
        None: the full set if a path is known; True: require it; False: the bundled digits.

    Returns
    -------
    MnistSplit
        The digits.

    Raises
    ------
    ValueError
        Too many samples for the data, or samples < 1 or test_samples < 0.
    MnistDataError
        The full set cannot be read.
    """
    if samples < 1 or test_samples < 0:
        raise ValueError("samples must be >= 1 and test_samples >= 0")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x4D4E]))
    known = (path is not None and str(path) != "") or bool(os.environ.get(ENV_VAR))
    if use_full or (use_full is None and known):
        full = load_mnist(path)
        if samples > full.x_train.shape[0] or test_samples > full.x_test.shape[0]:
            raise ValueError(f"samples must be <= {full.x_train.shape[0]} and test_samples <= "
                             f"{full.x_test.shape[0]} for {full.source}")
        tr = rng.permutation(full.x_train.shape[0])[:samples]
        te = rng.permutation(full.x_test.shape[0])[:test_samples]
        return MnistSplit(full.x_train[tr], full.y_train[tr], full.x_test[te], full.y_test[te],
                          source=full.source)
    images, labels = load_bundled()
    if samples + test_samples > images.shape[0]:
        raise ValueError(f"samples + test_samples must be <= {images.shape[0]} for the bundled "
                         f"subset (got {samples} + {test_samples}); give the full set for more")
    order = rng.permutation(images.shape[0])
    tr, te = order[:samples], order[samples:samples + test_samples]
    return MnistSplit(images[tr], labels[tr], images[te], labels[te], source="bundled:mnist_5k")


def encode_targets(labels: np.ndarray, *, encoding: str = "pm1",
                   amplitude: float = 1.0) -> np.ndarray:
    """Output-neuron targets for digit labels (the y_out of P1 2.10-2.11).

    Parameters
    ----------
    labels : ndarray(shape=[S])
        Digit labels 0-9.
    encoding : str
        "pm1": +amplitude on the neuron of the digit, -amplitude on the others (the natural
        reading of P1 §10 "one of the 10 output neurons is to be activated" for tanh neurons);
        "onehot": amplitude on the digit's neuron, 0 elsewhere.
    amplitude : float
        0 < amplitude <= 1.

    Returns
    -------
    ndarray(shape=[S, 10], float32)
        The targets.

    Raises
    ------
    ValueError
        An unknown encoding or an amplitude outside (0, 1].
    """
    if encoding not in ("pm1", "onehot"):
        raise ValueError(f"encoding must be 'pm1' or 'onehot', got {encoding!r}")
    if not 0.0 < amplitude <= 1.0:
        raise ValueError(f"amplitude must satisfy 0 < amplitude <= 1, got {amplitude}")
    labels = np.asarray(labels, dtype=np.int64)
    eye = np.eye(10, dtype=np.float32)[labels]
    if encoding == "pm1":
        eye = 2.0 * eye - 1.0
    return (amplitude * eye).astype(np.float32)


def digits(samples: int, *, seed: int = 0, encoding: str = "pm1", amplitude: float = 1.0,
           path: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`samples` training digits and their output targets, ready for training (P1 §10).

    Parameters
    ----------
    samples : int
        How many digits (<= 5000 for the bundled subset).
    seed : int
        Seed of the shuffle (:func:`training_split`).
    encoding : str
        "pm1" or "onehot" (:func:`encode_targets`).
    amplitude : float
        Size of the targets, 0 < amplitude <= 1.
    path : str or PathLike, optional
        The full MNIST set (else $EMERGENT_MNIST, else the bundled digits).

    Returns
    -------
    x : ndarray(shape=[samples, 784], float32)
        Pixels in [0, 1].
    y : ndarray(shape=[samples, 10], float32)
        Targets of the 10 output neurons.

    Raises
    ------
    ValueError
        Too many samples for the data, or a bad encoding or amplitude.
    MnistDataError
        A full MNIST path that cannot be read.
    """
    split = training_split(samples, 0, seed=seed, path=path)
    return split.x_train, encode_targets(split.y_train, encoding=encoding, amplitude=amplitude)
