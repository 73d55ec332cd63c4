"""HDF5 runs with provenance, checkpoints and resume.

One file per run. Layout::

    /                 attrs: format, simulation, emergent_version, seed, equations, created,
                      completed, git_commit, params_json and one attribute per parameter
    /series/<name>    time series, one row per `append`, chunked and compressed, appendable
    /fields/<name>    fields, with their grid axes attached as HDF5 dimension scales
    /axes/<axis>      the grid axes (dimension scales)
    /results          attrs: scalar results; datasets: array results

A run holds an exclusive lock on its output for its whole duration (``flock`` on
``.NAME.h5.lock`` beside it, released by the kernel if the process dies), so that two runs,
``--force`` or ``--resume`` runs of the same output never write at once: the second is refused.
It writes to a hidden temporary file of its own (``.NAME.h5.partial.PID.RANDOM``, created
exclusively) and moves it to the final name only when it has completed, never over a file that
appeared meanwhile (unless forced). Values are checked before they are written: a non-finite
value in a series, field or result fails the run with :class:`NumericalError` unless the
simulation declared that dataset may hold them (:meth:`RunWriter.allow_nonfinite`).

Checkpoints are consistent copies of the run's file (``.NAME.h5.ckpt``, written to a temporary
name and renamed), holding the simulation's state in ``/_checkpoint`` and followed by a
trailer with the SHA-256 of the copy, which ``resume`` verifies before it continues from the
last one. SIGTERM during a run writes a checkpoint at the next consistent point and stops.

Reading never unpickles or evaluates anything, refuses HDF5 external links, external storage
and virtual datasets, and reads datasets under a size cap (:data:`MAX_READ_BYTES`). This module
knows nothing of physics.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import h5py
import numpy as np

from emergent import __version__
from emergent.runs import netcdf
from emergent.runs.errors import NumericalError, RunError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locking
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from emergent.runs.registry import Simulation

__all__ = [
    "FORMAT",
    "MAX_READ_BYTES",
    "RunData",
    "RunError",
    "RunWriter",
    "check_output_path",
    "checkpoint_path",
    "execute",
    "git_commit",
    "lock_path",
    "partial_path",
    "read_run",
]

FORMAT = "emergent-run/1"
"""The value of the root attribute ``format`` of every run file written by this version."""
_CKPT = "_checkpoint"
_MAX_SEED = 2**63 - 1
_CKPT_MAGIC = b"emergent-ckpt/1\n"
_CKPT_TRAILER = len(_CKPT_MAGIC) + 8 + 32  # magic, length of the HDF5 part, its SHA-256
MAX_READ_BYTES = 1 << 30
"""Default cap on the bytes one read of :class:`RunData` may allocate (1 GiB)."""
_MAX_ATTR_BYTES = 16 << 20
_MAX_OBJECTS = 100_000
_MAX_JSON_DEPTH = 32
P = TypeVar("P")


def partial_path(output: Path) -> Path:
    """The stem of the temporary files runs write before they are renamed to `output`.

    Each run writes its own ``.NAME.h5.partial.PID.RANDOM``; a file named exactly
    ``.NAME.h5.partial`` (written by earlier versions) counts as an unfinished run as well.

    Parameters
    ----------
    output : Path
        The final run file.

    Returns
    -------
    Path
        ``.NAME.h5.partial`` beside `output`.
    """
    return output.with_name(f".{output.name}.partial")


def lock_path(output: Path) -> Path:
    """The lock file a run holds (``flock``) while it writes `output`.

    Parameters
    ----------
    output : Path
        The final run file.

    Returns
    -------
    Path
        ``.NAME.h5.lock`` beside `output` (removed by the run when it ends).
    """
    return output.with_name(f".{output.name}.lock")


def _partials(output: Path) -> list[Path]:
    """The temporary files of runs of `output` (unfinished runs when nobody holds the lock)."""
    stem = partial_path(output).name
    pattern = re.compile(re.escape(stem) + r"(\.\d+\.[0-9a-f]{16})?")
    parent = output.parent
    try:
        names = os.listdir(parent if str(parent) else ".")
    except OSError:
        return []
    return [output.with_name(n) for n in names if pattern.fullmatch(n)]


def _new_partial(output: Path) -> Path:
    """A new, empty, exclusively created temporary file for one run of `output`."""
    stem = partial_path(output).name
    for _ in range(100):
        path = output.with_name(f"{stem}.{os.getpid()}.{secrets.token_hex(8)}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise RunError(
                f"output file {str(output)!r} cannot be written: {os.strerror(exc.errno or 0)}"
            ) from None
        os.close(fd)
        return path
    raise RunError(  # pragma: no cover
        f"output file {str(output)!r}: cannot create a temporary file")


class _OutputLock:
    """An exclusive ``flock`` on ``.NAME.h5.lock``, held while one run writes `output`."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = lock_path(output)
        self.fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                             0o666)
            except OSError as exc:
                raise RunError(
                    f"output file {str(self.output)!r} cannot be written: "
                    f"{os.strerror(exc.errno or 0)} (creating its lock {str(self.path)!r})"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = ""
                with contextlib.suppress(OSError, ValueError):
                    holder = os.pread(fd, 32, 0).decode("ascii").strip()
                os.close(fd)
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise RunError(
                        f"output file {str(self.output)!r}: cannot lock {str(self.path)!r}: "
                        f"{os.strerror(exc.errno or 0)}"
                    ) from None
                who = f"pid {holder}" if holder.isdigit() else "pid unknown"
                raise RunError(
                    f"another run is writing {str(self.output)!r} ({who}); wait for it to "
                    "finish or stop it, then run again"
                ) from None
            # the file may have been removed (and recreated) by the run that held it before
            try:
                mine, there = os.fstat(fd), os.stat(self.path)
                same = (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)
            except OSError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                self.fd = fd
                return
            os.close(fd)
        raise RunError(f"output file {str(self.output)!r}: cannot lock {str(self.path)!r}")

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()  # while still holding it: see the inode check in acquire
        os.close(self.fd)
        self.fd = None


def _copy_to_checkpoint(partial: Path, ckpt: Path) -> None:
    """Copy `partial` to `ckpt` (via a temporary name) followed by its SHA-256 trailer."""
    tmp = ckpt.with_name(ckpt.name + ".tmp")
    digest, size = hashlib.sha256(), 0
    with open(partial, "rb") as src, open(tmp, "wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.write(_CKPT_MAGIC + size.to_bytes(8, "little") + digest.digest())
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, ckpt)


def _copy_from_checkpoint(ckpt: Path, partial: Path) -> None:
    """Verify the SHA-256 trailer of `ckpt` and copy its HDF5 part to `partial`."""
    again = "pass --force to start again"
    try:
        with open(ckpt, "rb") as src:
            total = os.fstat(src.fileno()).st_size
            if total >= _CKPT_TRAILER:
                src.seek(total - _CKPT_TRAILER)
                trailer = src.read(_CKPT_TRAILER)
            else:
                trailer = b""
            magic = trailer[:len(_CKPT_MAGIC)]
            size = int.from_bytes(trailer[len(_CKPT_MAGIC):len(_CKPT_MAGIC) + 8], "little")
            if magic != _CKPT_MAGIC or size != total - _CKPT_TRAILER:
                raise RunError(
                    f"cannot resume: {str(ckpt)!r} is not an emergent checkpoint (no checksum); "
                    + again
                )
            src.seek(0)
            digest, left = hashlib.sha256(), size
            with open(partial, "wb") as dst:
                while left > 0:
                    chunk = src.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    digest.update(chunk)
                    dst.write(chunk)
                    left -= len(chunk)
    except OSError as exc:
        raise RunError(
            f"cannot resume: checkpoint {str(ckpt)!r} is unreadable: {os.strerror(exc.errno or 0)}"
        ) from None
    if left != 0 or digest.digest() != trailer[-32:]:
        raise RunError(
            f"cannot resume: checkpoint {str(ckpt)!r} is corrupt (its SHA-256 does not match); "
            + again
        )


def checkpoint_path(output: Path) -> Path:
    """The last consistent checkpoint of the run that will produce `output`.

    Parameters
    ----------
    output : Path
        The final run file.

    Returns
    -------
    Path
        ``.NAME.h5.ckpt`` beside `output`.
    """
    return output.with_name(f".{output.name}.ckpt")


def git_commit() -> str:
    """The git commit of the emergent source tree, or 'unknown' (not a checkout, no git).

    Returns
    -------
    str
        The hash of ``HEAD``, with ``-dirty`` appended when the tree has changes, or
        ``"unknown"``.
    """
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip()
    if out.returncode != 0 or len(commit) != 40:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", str(here)], cwd=here,
        capture_output=True, text=True, timeout=5, check=False,
    ).stdout.strip()
    return commit + ("-dirty" if dirty else "")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _attr_value(value: Any) -> Any:
    """A parameter or result value as an HDF5 attribute (no object arrays, no pickles)."""
    if isinstance(value, tuple | list):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"cannot store {value!r} as an attribute")
        return arr
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise TypeError(f"cannot store an array of dtype {value.dtype} as an attribute")
        return value
    if isinstance(value, bool | int | float | str | np.generic):
        return value
    raise TypeError(f"cannot store {type(value).__name__} {value!r} as an attribute")


def _plain(value: Any) -> Any:
    """An HDF5 attribute as a plain Python value."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OSU":
            return [v.decode() if isinstance(v, bytes) else str(v) for v in value.tolist()]
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _check_finite(value: Any, what: str, allowed: bool) -> None:
    """Raise NumericalError when `value` holds a NaN or an infinity (unless `allowed`)."""
    if allowed:
        return
    arr = np.asarray(value)
    if arr.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    where = ""
    if arr.ndim:
        first = np.unravel_index(int(np.argmax(bad)), arr.shape)
        where = f" at index {tuple(int(i) for i in first)} ({int(bad.sum())} of {arr.size})"
    raise NumericalError(
        f"{what} holds a non-finite value ({arr[first] if arr.ndim else arr}){where}: the run "
        "failed numerically (a blow-up?); nothing was published"
    )


class _Series:
    """Buffered appendable datasets under /series."""

    def __init__(self, group: h5py.Group, allowed: set[str]) -> None:
        self.group = group
        self.allowed = allowed
        self.buffer: dict[str, list[np.ndarray]] = {}

    def append(self, values: Mapping[str, Any]) -> None:
        checked = []
        for name, value in values.items():
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"series {name!r}: numeric values only, got {arr.dtype}")
            if (name not in self.allowed and arr.dtype.kind == "f"
                    and not np.isfinite(arr).all()):
                rows = len(self.buffer.get(name, ()))
                if name in self.group:
                    rows += self.group[name].shape[0]
                step = f" row {rows}"
                if "t" in values and name != "t":
                    with contextlib.suppress(TypeError, ValueError):
                        step += f" (t={float(values['t']):g})"
                _check_finite(arr, f"series {name!r}{step}", False)
            checked.append((name, arr))
        for name, arr in checked:
            if name not in self.group:
                rowbytes = max(arr.nbytes, 1)
                chunk_rows = int(max(1, min(4096, (256 * 1024) // rowbytes)))
                self.group.create_dataset(
                    name, shape=(0, *arr.shape), maxshape=(None, *arr.shape), dtype=arr.dtype,
                    chunks=(chunk_rows, *arr.shape), compression="gzip", compression_opts=4,
                    shuffle=True,
                )
            ds = self.group[name]
            if arr.shape != ds.shape[1:]:
                raise ValueError(
                    f"series {name!r}: row shape {arr.shape} differs from {ds.shape[1:]}"
                )
            self.buffer.setdefault(name, []).append(arr.astype(ds.dtype, copy=False))

    def flush(self) -> None:
        for name, rows in self.buffer.items():
            if not rows:
                continue
            ds = self.group[name]
            n = ds.shape[0]
            ds.resize(n + len(rows), axis=0)
            ds[n:] = np.stack(rows)
        self.buffer.clear()


class RunWriter(Generic[P]):
    """What a simulation's ``run`` function writes through (see :mod:`emergent.runs.registry`).

    ``run.p`` holds the validated parameters as the simulation's frozen parameter dataclass
    (``run.p.neurons``); ``run.params`` holds them as a plain dict (what the file records).
    """

    def __init__(
        self,
        sim: Simulation,
        file: h5py.File,
        params: dict[str, Any],
        seed: int,
        *,
        quiet: bool,
        checkpoint_interval: float,
        checkpoint: Path,
        partial: Path,
    ) -> None:
        self.sim = sim
        self.file = file
        self.params = dict(params)
        self.p: P = sim.typed(self.params)
        self.seed = seed
        self.quiet = quiet
        self.checkpoint_interval = checkpoint_interval
        self._checkpoint_path = checkpoint
        self._partial_path = partial
        self._last_checkpoint = time.monotonic()
        self._allowed: set[str] = set()
        self._series = _Series(file.require_group("series"), self._allowed)
        self.checkpoints_written = 0
        self._checkpointing = False  # the run calls checkpoint(): SIGTERM can wait for it
        self._stop_requested = False  # SIGTERM arrived: checkpoint at the next chance and stop

    # -- randomness ----------------------------------------------------------------------
    def seed_sequence(self, *key: int) -> np.random.SeedSequence:
        """A SeedSequence determined by the run's seed and `key` (e.g. a step number).

        Parameters
        ----------
        *key : int
            Extra entropy words, so that independent streams (per step, per member) are
            reproducible on resume.

        Returns
        -------
        numpy.random.SeedSequence
            ``SeedSequence([seed, *key])``.
        """
        return np.random.SeedSequence([self.seed, *[int(k) for k in key]])

    def rng(self, *key: int) -> np.random.Generator:
        """A NumPy Generator determined by the run's seed and `key`.

        Parameters
        ----------
        *key : int
            As for :meth:`seed_sequence`.

        Returns
        -------
        numpy.random.Generator
            ``default_rng(seed_sequence(*key))``.
        """
        return np.random.default_rng(self.seed_sequence(*key))

    # -- progress ------------------------------------------------------------------------
    def progress(
        self, iterable: Iterable[Any], total: int | None = None, desc: str | None = None,
        initial: int = 0,
    ) -> Iterator[Any]:
        """`iterable` wrapped in a tqdm progress bar unless the run is quiet.

        Parameters
        ----------
        iterable : iterable
            What the simulation loops over.
        total : int, optional
            Its length, when ``len`` cannot tell.
        desc : str, optional
            The bar's label (default: the simulation's name).
        initial : int
            Steps already done (when resuming).

        Returns
        -------
        iterator
            The items of `iterable`, in order.
        """
        from tqdm.auto import tqdm  # imported on use: `emergent list` does not need it

        return iter(
            tqdm(iterable, total=total, desc=desc or self.sim.name, initial=initial,
                 disable=self.quiet, leave=False, dynamic_ncols=True)
        )

    # -- data ----------------------------------------------------------------------------
    def allow_nonfinite(self, *names: str) -> None:
        """Declare that the named series, fields or results may hold NaN or infinities.

        Every other dataset and scalar result is checked before it is written, and a
        non-finite value fails the run (:class:`~emergent.runs.errors.NumericalError`).
        Declare a name only where a non-finite value is a legitimate outcome (e.g. an
        undefined ratio recorded as NaN), not to hide a blow-up.

        Parameters
        ----------
        *names : str
            Names as passed to :meth:`append`, :meth:`write_field`, :meth:`write_array` or
            :meth:`set_result`.
        """
        self._allowed.update(str(n) for n in names)

    def append(self, **values: Any) -> None:
        """Append one row to each named time series (/series/<name>).

        Parameters
        ----------
        **values : number or array
            One numeric value (or array of fixed shape) per series; a series is created on
            first use with that row shape and dtype.

        Raises
        ------
        TypeError
            A non-numeric value.
        NumericalError
            A NaN or infinity in a series not declared by :meth:`allow_nonfinite` (the
            message names the series and the row).
        """
        self._series.append(values)

    def write_field(self, name: str, data: Any, axes: Mapping[str, Any]) -> None:
        """Write a field /fields/<name> with one named grid axis per dimension.

        Parameters
        ----------
        name : str
            The field's name.
        data : array_like
            The field values.
        axes : mapping of str to array_like
            One axis per dimension of `data`, in order: its name and its coordinates (stored
            beside the fields as HDF5 dimension scales: netCDF-4 coordinate variables).

        Raises
        ------
        ValueError
            The number of axes or an axis length does not match `data`, or a field and an axis
            share a name.
        NumericalError
            A NaN or infinity in `data` or an axis, unless declared
            (:meth:`allow_nonfinite`).
        """
        data = np.asarray(data)
        _check_finite(data, f"field {name!r}", name in self._allowed)
        for axis, values in axes.items():
            _check_finite(values, f"axis {axis!r} of field {name!r}", name in self._allowed)
        if len(axes) != data.ndim:
            raise ValueError(
                f"field {name!r}: {data.ndim} dimensions but {len(axes)} axes given"
            )
        fields = self.file.require_group("fields")
        axes_group = fields  # netCDF-4: a dimension scale lives in its variables' group
        if name in axes or (name in fields and fields[name].is_scale):
            raise ValueError(f"field {name!r}: a field and an axis cannot share a name")
        if name in fields:
            del fields[name]
        ds = fields.create_dataset(name, data=data, compression="gzip", compression_opts=4,
                                   shuffle=True, chunks=True if data.size > 1 else None)
        for dim, (axis, values) in enumerate(axes.items()):
            values = np.asarray(values)
            if values.shape != (data.shape[dim],):
                raise ValueError(
                    f"field {name!r}: axis {axis!r} has {values.shape} values, "
                    f"dimension {dim} has {data.shape[dim]}"
                )
            if axis in axes_group:
                scale = axes_group[axis]
                if scale.shape != values.shape or not np.array_equal(scale[()], values):
                    raise ValueError(f"axis {axis!r} already written with other values")
            else:
                scale = axes_group.create_dataset(axis, data=values)
                scale.make_scale(axis)
            ds.dims[dim].attach_scale(scale)
            ds.dims[dim].label = axis

    def write_array(self, name: str, data: Any) -> None:
        """Write an array result /results/<name> (replacing an earlier one).

        Parameters
        ----------
        name : str
            The result's name.
        data : array_like
            Its value.

        Raises
        ------
        NumericalError
            A NaN or infinity in `data`, unless declared (:meth:`allow_nonfinite`).
        """
        _check_finite(data, f"array result {name!r}", name in self._allowed)
        results = self.file.require_group("results")
        if name in results:
            del results[name]
        results.create_dataset(name, data=np.asarray(data))

    def set_result(self, name: str, value: Any) -> None:
        """Record a scalar (number, bool, str) result as an attribute of /results.

        Parameters
        ----------
        name : str
            The result's name.
        value : number, bool or str
            Its value.

        Raises
        ------
        NumericalError
            A NaN or infinity, unless declared (:meth:`allow_nonfinite`).
        """
        if not isinstance(value, str):
            _check_finite(value, f"result {name!r}", name in self._allowed)
        self.file.require_group("results").attrs[name] = _attr_value(value)

    # -- checkpoints ---------------------------------------------------------------------
    def restore(self) -> dict[str, Any] | None:
        """The state saved by the last checkpoint when resuming, else None.

        Returns
        -------
        dict of str to array or scalar, or None
            What was passed to :meth:`checkpoint` (arrays as NumPy arrays).
        """
        if _CKPT not in self.file:
            return None
        group = self.file[_CKPT]
        state: dict[str, Any] = {k: _plain(v) for k, v in group.attrs.items()}
        for key, ds in group.items():
            state[key] = ds[()]
        return state

    def checkpoint_due(self) -> bool:
        """Whether the checkpoint interval has elapsed since the last checkpoint.

        Returns
        -------
        bool
            True when :meth:`checkpoint` would write one now (always after SIGTERM).
        """
        self._checkpointing = True
        elapsed = time.monotonic() - self._last_checkpoint
        return self._stop_requested or elapsed >= self.checkpoint_interval

    def checkpoint(self, state: Mapping[str, Any], force: bool = False) -> bool:
        """Save `state` and all data so far if the checkpoint interval has elapsed.

        Parameters
        ----------
        state : mapping of str to array, number or str
            Everything the simulation needs to continue bit-identically.
        force : bool
            Write now, whatever the interval.

        Returns
        -------
        bool
            Whether a checkpoint was written.

        Raises
        ------
        KeyboardInterrupt
            After writing the checkpoint, when the run received SIGTERM.
        """
        self._checkpointing = True
        force = force or self._stop_requested
        now = time.monotonic()
        if not force and now - self._last_checkpoint < self.checkpoint_interval:
            return False
        self._series.flush()
        if _CKPT in self.file:
            del self.file[_CKPT]
        group = self.file.create_group(_CKPT)
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                group.create_dataset(key, data=value)
            else:
                group.attrs[key] = _attr_value(value)
        self.file.attrs["checkpointed"] = _now()
        self.file.flush()
        _copy_to_checkpoint(self._partial_path, self._checkpoint_path)
        self._last_checkpoint = time.monotonic()
        self.checkpoints_written += 1
        if self._stop_requested:
            raise KeyboardInterrupt("terminated (SIGTERM); checkpoint written")
        return True

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        """SIGTERM: checkpoint at the run's next checkpoint opportunity, then stop (a run
        that does not checkpoint, or a second SIGTERM, stops at once)."""
        if self._checkpointing and not self._stop_requested:
            self._stop_requested = True
            return
        raise KeyboardInterrupt("terminated (SIGTERM)")

    def _finish(self) -> None:
        self._series.flush()
        if _CKPT in self.file:
            del self.file[_CKPT]
        if "checkpointed" in self.file.attrs:
            del self.file.attrs["checkpointed"]
        netcdf.finalize(self.file, self.sim.outputs, self.sim.params, self.params)
        self.file.attrs["completed"] = _now()


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not (
        0 <= int(seed) <= _MAX_SEED
    ):
        raise RunError(f"seed must be an integer with 0 <= seed <= {_MAX_SEED}, got {seed!r}")
    return int(seed)


def _stored_params(file: h5py.File, where: str) -> tuple[str, int, dict[str, Any]]:
    try:
        name, seed = _plain(file.attrs["simulation"]), _plain(file.attrs["seed"])
        params = json.loads(_plain(file.attrs["params_json"]))
    except (KeyError, TypeError, ValueError, RecursionError, OSError):
        raise RunError(f"{where} is not an emergent run (no valid simulation, seed and "
                       "params_json attributes)") from None
    if not isinstance(name, str) or not isinstance(seed, int) or not isinstance(params, dict):
        raise RunError(f"{where} is not an emergent run (malformed simulation, seed or "
                       "params_json attribute)")
    return name, seed, params


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def check_output_path(output: str | os.PathLike[str], what: str = "output file") -> Path:
    """`output` as a Path after checking it ends in .h5/.hdf5 and its folder is writable.

    Parameters
    ----------
    output : path
        The run file to be written.
    what : str
        How error messages name it.

    Returns
    -------
    Path
        `output`.

    Raises
    ------
    RunError
        A wrong suffix, or a missing or read-only folder.
    """
    output = Path(output)
    if output.suffix not in (".h5", ".hdf5"):
        raise RunError(f"{what} {str(output)!r} must end in .h5 or .hdf5")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise RunError(f"{what} {str(output)!r}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise RunError(f"{what} {str(output)!r}: directory {str(parent)!r} is not writable")
    return output


def execute(
    sim: Simulation,
    params: dict[str, Any],
    seed: int,
    output: str | os.PathLike[str],
    *,
    resume: bool = False,
    force: bool = False,
    quiet: bool = False,
    checkpoint_interval: float = 60.0,
) -> Path:
    """Run `sim` with validated `params` and `seed`, writing one HDF5 file at `output`.

    With `resume`, a run that was interrupted continues from its last checkpoint (its stored
    parameters and seed must equal the requested ones). The final file appears only when the
    run has completed.

    Parameters
    ----------
    sim : emergent.runs.registry.Simulation
        The registered simulation.
    params : dict
        Its validated parameters (see :meth:`~emergent.runs.registry.Simulation.resolve`).
    seed : int
        The run's seed, 0 <= seed < 2**63.
    output : path
        The run file (``.h5`` or ``.hdf5``).
    resume : bool
        Continue from the checkpoint of an interrupted run of the same output, if any.
    force : bool
        Overwrite an existing output and discard an unfinished run.
    quiet : bool
        No progress bar.
    checkpoint_interval : float
        Seconds between checkpoints (0: at every opportunity).

    Returns
    -------
    Path
        The finished file.

    Raises
    ------
    RunError
        Bad seed, interval or output path; the output exists (without `force`); an
        unfinished run exists (without `resume` or `force`); the checkpoint is unreadable or
        was made with other settings.
    ParameterError
        The simulation's precheck refuses the parameters (before any file is written).
    """
    seed = _check_seed(seed)
    if not (checkpoint_interval >= 0 and math.isfinite(checkpoint_interval)):
        raise RunError(
            f"checkpoint interval must be a finite number of seconds >= 0, got "
            f"{checkpoint_interval!r}"
        )
    output = check_output_path(output)
    if output.is_dir():
        raise RunError(f"output file {str(output)!r} is a directory")
    if sim.precheck is not None:  # e.g. an optional dependency: refused before any file exists
        sim.precheck(sim.typed(params))
    lock = _OutputLock(output)
    lock.acquire()
    try:
        return _execute_locked(sim, params, seed, output, resume=resume, force=force,
                               quiet=quiet, checkpoint_interval=checkpoint_interval)
    finally:
        lock.release()


def _execute_locked(
    sim: Simulation, params: dict[str, Any], seed: int, output: Path, *, resume: bool,
    force: bool, quiet: bool, checkpoint_interval: float,
) -> Path:
    """:func:`execute` once the lock on `output` is held."""
    if output.exists() and not force:
        raise RunError(f"output file {str(output)!r} exists; pass --force to overwrite it")
    ckpt = checkpoint_path(output)
    stale = _partials(output)  # nobody else holds the lock: these are from runs that died
    resuming = resume and ckpt.exists()
    if not resume and (ckpt.exists() or stale):
        if not force:
            raise RunError(
                f"an unfinished run of {str(output)!r} exists; pass --resume to continue it "
                "or --force to start again"
            )
        ckpt.unlink(missing_ok=True)
    for path in stale:
        path.unlink(missing_ok=True)

    partial = _new_partial(output)
    try:
        file = _open_partial(sim, params, seed, output, partial, ckpt if resuming else None)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    writer: RunWriter[Any] = RunWriter(
        sim, file, params, seed, quiet=quiet, checkpoint_interval=checkpoint_interval,
        checkpoint=ckpt, partial=partial,
    )
    handler = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, writer._on_sigterm) if handler else None
    try:
        sim.run(writer)
        writer._finish()
        file.close()
    except BaseException:
        with contextlib.suppress(Exception):
            file.close()
        partial.unlink(missing_ok=True)  # the checkpoint, if any, stays for --resume
        ckpt.with_name(ckpt.name + ".tmp").unlink(missing_ok=True)  # a copy cut short
        raise
    finally:
        if handler:
            signal.signal(signal.SIGTERM, previous)
    _publish(partial, output, force)
    ckpt.unlink(missing_ok=True)
    return output


def _open_partial(
    sim: Simulation, params: dict[str, Any], seed: int, output: Path, partial: Path,
    ckpt: Path | None,
) -> h5py.File:
    """The run's own temporary file, new or restored from the checkpoint `ckpt`."""
    if ckpt is not None:
        _copy_from_checkpoint(ckpt, partial)
        try:
            file = h5py.File(partial, "a")
        except OSError:
            raise RunError(
                f"cannot resume: checkpoint {str(ckpt)!r} is not a readable HDF5 file; "
                "pass --force to start again"
            ) from None
        try:
            name, stored_seed, stored = _stored_params(file, f"checkpoint {str(ckpt)!r}")
            if _CKPT not in file or not isinstance(file[_CKPT], h5py.Group):
                raise RunError(f"checkpoint {str(ckpt)!r} holds no saved state; pass --force "
                               "to start again")
        except BaseException:
            file.close()
            raise
        mismatch = [k for k in params if k in stored and not _same(params[k], stored[k])]
        if name != sim.name or stored_seed != seed or mismatch:
            file.close()
            what = (
                f"simulation {name!r}" if name != sim.name
                else f"seed {stored_seed}" if stored_seed != seed
                else ", ".join(f"{k}={stored[k]!r}" for k in mismatch)
            )
            raise RunError(
                f"cannot resume {str(output)!r}: its checkpoint was made with {what}; "
                "pass the same settings, or --force to start again"
            )
        file.attrs["resumed"] = _now()
        return file
    try:
        file = h5py.File(partial, "w")
    except OSError as exc:
        why = os.strerror(exc.errno) if exc.errno else "unknown reason"
        raise RunError(f"output file {str(output)!r} cannot be written: {why}") from None
    file.attrs["format"] = FORMAT
    file.attrs["simulation"] = sim.name
    file.attrs["summary"] = sim.summary
    file.attrs["emergent_version"] = __version__
    file.attrs["seed"] = seed
    file.attrs["equations"] = np.array(sim.equations, dtype=h5py.string_dtype())
    file.attrs["created"] = _now()
    file.attrs["git_commit"] = git_commit()
    file.attrs["params_json"] = json.dumps(params, sort_keys=True)
    for key, value in params.items():
        file.attrs[f"param.{key}"] = _attr_value(value)
    return file


def _publish(partial: Path, output: Path, force: bool) -> None:
    """Move the finished `partial` to `output`; never over a file that appeared meanwhile
    (a writer that does not take the lock), unless `force`."""
    if force:
        os.replace(partial, output)
        return
    try:
        os.link(partial, output)  # fails if `output` exists
    except FileExistsError:
        partial.unlink(missing_ok=True)
        raise RunError(
            f"output file {str(output)!r} was created by someone else while this run was "
            "writing; it was left as it is (pass --force to overwrite it)"
        ) from None
    except OSError:  # no hard links here: a check just before the rename
        if output.exists():
            partial.unlink(missing_ok=True)
            raise RunError(
                f"output file {str(output)!r} was created by someone else while this run was "
                "writing; it was left as it is (pass --force to overwrite it)"
            ) from None
        os.replace(partial, output)
        return
    partial.unlink()


def _json_depth(value: Any, depth: int = 0) -> int:
    if depth > _MAX_JSON_DEPTH:
        return depth
    if isinstance(value, dict):
        return max([_json_depth(v, depth + 1) for v in value.values()], default=depth + 1)
    if isinstance(value, list):
        return max([_json_depth(v, depth + 1) for v in value], default=depth + 1)
    return depth


def _check_safe(f: h5py.File, path: Path) -> list[tuple[str, h5py.Dataset]]:
    """Every dataset of `f`, after refusing links, external storage and virtual datasets."""
    found: list[tuple[str, h5py.Dataset]] = []
    todo: list[tuple[str, h5py.Group]] = [("", f)]
    seen = 0
    while todo:
        prefix, group = todo.pop()
        for key in group:
            name = prefix + key
            seen += 1
            if seen > _MAX_OBJECTS:
                raise RunError(f"{str(path)!r} has more than {_MAX_OBJECTS} objects; refused")
            link = group.get(key, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                raise RunError(f"{str(path)!r}: {name!r} is an external link (to "
                               f"{link.filename!r}); refused")
            if isinstance(link, h5py.SoftLink):
                raise RunError(f"{str(path)!r}: {name!r} is a soft link; refused")
            obj = group.get(key)
            if isinstance(obj, h5py.Group):
                todo.append((name + "/", obj))
            elif isinstance(obj, h5py.Dataset):
                if obj.is_virtual:
                    raise RunError(f"{str(path)!r}: {name!r} is a virtual dataset; refused")
                if obj.external:
                    raise RunError(f"{str(path)!r}: {name!r} has external storage (in "
                                   f"{obj.external[0][0]!r}); refused")
                found.append((name, obj))
    return sorted(found, key=lambda item: item[0])


def _read_attrs(obj: h5py.HLObject, path: Path) -> dict[str, Any]:
    """The attributes of `obj` as plain values, each under a size cap."""
    out: dict[str, Any] = {}
    for key in obj.attrs:
        aid = obj.attrs.get_id(key)
        size = aid.get_storage_size()
        if size > _MAX_ATTR_BYTES or aid.shape and int(np.prod(aid.shape)) > _MAX_ATTR_BYTES:
            raise RunError(f"{str(path)!r}: attribute {key!r} is too large ({size} bytes)")
        try:
            out[key] = _plain(obj.attrs[key])
        except UnicodeDecodeError:
            raise RunError(f"{str(path)!r}: attribute {key!r} is not valid UTF-8") from None
    return out


class RunData:
    """A finished run, read back (:func:`read_run`). Arrays are read on demand, by slices if
    asked, and never beyond `max_bytes` in one read.

    Parameters
    ----------
    path : Path
        The run file.
    max_bytes : int
        The most bytes one read (of a series, field or array, or the selected part of it) may
        allocate; larger reads raise :class:`RunError`.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_READ_BYTES) -> None:
        self.path = path
        self.max_bytes = int(max_bytes)
        try:
            with h5py.File(path, "r") as f:
                attrs = _read_attrs(f, path)
                if attrs.get("format") != FORMAT:
                    raise RunError(
                        f"{str(path)!r} is not an emergent run file (no format={FORMAT!r})"
                    )
                if "completed" not in attrs:
                    raise RunError(f"{str(path)!r} is an unfinished run")
                datasets = _check_safe(f, path)
                def names(group: str, keep: Callable[[h5py.Dataset], bool]) -> list[str]:
                    return sorted(
                        n.split("/", 1)[1] for n, ds in datasets
                        if n.startswith(f"{group}/") and n.count("/") == 1 and keep(ds)
                    )

                self.series_names = names("series", lambda ds: not netcdf.is_dimension(ds))
                self.field_names = names("fields", lambda ds: not ds.is_scale)
                self.array_names = names("results", lambda ds: not netcdf.is_dimension(ds))
                self.results = (
                    _read_attrs(f["results"], path)
                    if isinstance(f.get("results"), h5py.Group) else {}
                )
                self.datasets = {name: (obj.shape, str(obj.dtype)) for name, obj in datasets
                                 if not netcdf.is_dimension(obj)}
        except RunError:
            raise
        except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RunError(f"cannot read {str(path)!r}: not a readable HDF5 run ({why})") from None
        self.attrs = attrs
        simulation = attrs.get("simulation")
        if not isinstance(simulation, str) or not simulation:
            raise RunError(f"{str(path)!r}: missing or malformed attribute 'simulation'")
        self.simulation: str = simulation
        seed = attrs.get("seed")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MAX_SEED:
            raise RunError(f"{str(path)!r}: attribute 'seed' must be an integer with 0 <= seed "
                           f"<= {_MAX_SEED}, got {seed!r:.40}")
        self.seed: int = seed
        raw = attrs.get("params_json")
        try:
            if not isinstance(raw, str):
                raise TypeError
            params = json.loads(raw)
            if not isinstance(params, dict) or _json_depth(params) > _MAX_JSON_DEPTH:
                raise TypeError
        except (TypeError, ValueError, RecursionError):
            raise RunError(f"{str(path)!r}: missing or malformed params_json (a JSON object "
                           f"nested at most {_MAX_JSON_DEPTH} deep)") from None
        self.params: dict[str, Any] = params
        equations = attrs.get("equations", [])
        self.equations: list[str] = (
            [str(e) for e in equations] if isinstance(equations, list | tuple) else [str(equations)]
        )

    def _checked(self, ds: h5py.Dataset, where: str, sel: Any) -> Any:
        """`ds[sel]` after checking the selection's size against the cap."""
        if isinstance(sel, tuple) and sel == ():
            count = int(np.prod(ds.shape, dtype=object)) if ds.shape is not None else 0
        else:
            count = _selection_count(ds.shape, sel)
        nbytes = count * ds.dtype.itemsize
        if nbytes > self.max_bytes:
            raise RunError(
                f"{str(self.path)!r}: reading {where!r} ({' x '.join(map(str, ds.shape))} "
                f"{ds.dtype}, {nbytes} bytes) exceeds the cap of {self.max_bytes} bytes; read "
                "it by slices"
            )
        try:
            return ds[sel]
        except (OSError, ValueError, TypeError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RunError(f"{str(self.path)!r}: cannot read {where!r} ({why})") from None

    def _read(self, where: str, sel: Any = ()) -> Any:
        with h5py.File(self.path, "r") as f:
            if where not in f or not isinstance(f[where], h5py.Dataset):
                raise KeyError(f"{str(self.path)!r} has no dataset {where!r}")
            return self._checked(f[where], where, sel)

    def series(self, name: str, rows: slice | int | None = None) -> np.ndarray:
        """The time series /series/<name> (rows in order of appending), or some of its rows.

        Parameters
        ----------
        name : str
            The series' name.
        rows : slice or int, optional
            The rows to read (default: all).

        Returns
        -------
        ndarray(shape=[rows, ...])

        Raises
        ------
        KeyError
            No such series.
        RunError
            The rows read would exceed the size cap, or the data is unreadable.
        """
        return self._read(f"series/{name}", () if rows is None else rows)

    def field(self, name: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The field /fields/<name> and its axes, in dimension order.

        Parameters
        ----------
        name : str
            The field's name.

        Returns
        -------
        data : ndarray
            The field.
        axes : dict of str to ndarray
            ``{axis name: coordinates}``, one per dimension of `data`.

        Raises
        ------
        KeyError
            No such field.
        RunError
            The field exceeds the size cap, or its data or axes are unreadable.
        """
        where = f"fields/{name}"
        with h5py.File(self.path, "r") as f:
            if where not in f or not isinstance(f[where], h5py.Dataset):
                raise KeyError(f"{str(self.path)!r} has no field {name!r}")
            ds = f[where]
            axes = {}
            try:
                for i in range(ds.ndim):
                    scale = ds.dims[i][0]
                    if scale.external or scale.is_virtual or scale.ndim != 1:
                        raise RunError(f"{str(self.path)!r}: axis {i} of {where!r} is refused")
                    axes[str(ds.dims[i].label)] = self._checked(scale, f"axis {i} of {where}", ())
            except (OSError, ValueError, TypeError, IndexError, KeyError, RuntimeError):
                raise RunError(
                    f"{str(self.path)!r}: the axes of {where!r} are unreadable") from None
            return self._checked(ds, where, ()), axes

    def to_xarray(self) -> Any:
        """The run as an ``xarray.DataTree``: groups series (coordinate ``t``), fields (with their
        grid axes), results and parameters, each variable with ``units`` and ``long_name``.

        Returns
        -------
        xarray.DataTree
            Opened lazily (needs the ``data`` extra: xarray, h5netcdf).
        """
        return netcdf.to_xarray(str(self.path))

    def to_dataframe(self) -> Any:
        """The run's time series as a ``pandas.DataFrame`` indexed by ``t`` (see
        :func:`emergent.runs.netcdf.to_dataframe`).

        Returns
        -------
        pandas.DataFrame
            One column per scalar series (and per component of a short vector series).
        """
        return netcdf.to_dataframe(str(self.path))

    def array(self, name: str) -> np.ndarray:
        """The array result /results/<name>.

        Parameters
        ----------
        name : str
            The result's name.

        Returns
        -------
        ndarray

        Raises
        ------
        KeyError
            No such array result.
        RunError
            The array exceeds the size cap, or is unreadable.
        """
        return self._read(f"results/{name}")


def _selection_count(shape: tuple[int, ...] | None, sel: Any) -> int:
    """The number of elements `ds[sel]` selects, for an int or a slice of the first axis."""
    if not shape:
        return 1
    rest = int(np.prod(shape[1:], dtype=object))
    if isinstance(sel, int | np.integer):
        return rest
    if isinstance(sel, slice):
        return len(range(*sel.indices(shape[0]))) * rest
    raise TypeError(f"rows must be a slice or an int, got {type(sel).__name__}")


def read_run(path: str | os.PathLike[str], max_bytes: int = MAX_READ_BYTES) -> RunData:
    """Open a finished run file.

    Parameters
    ----------
    path : path
        A file written by :func:`execute` (``emergent run``).
    max_bytes : int
        The most bytes one read of its datasets may allocate (:class:`RunData`).

    Returns
    -------
    RunData
        Its attributes, parameters and lazily read arrays.

    Raises
    ------
    RunError
        A missing, foreign, unfinished or corrupt file, or one with external links, external
        storage or virtual datasets.
    """
    path = Path(path)
    if not path.is_file():
        raise RunError(f"no such run file: {str(path)!r}")
    return RunData(path, max_bytes=max_bytes)
