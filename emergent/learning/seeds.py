"""Several training seeds of the P1 §10 nets side by side, in parallel worker processes.

:class:`SeedsStepper` is an :class:`emergent.evolution.Stepper` over a :data:`NetState` whose
net names carry the seed, ``"{net}@{seed}"`` (e.g. ``"deep@3"``): the nets of one seed are
trained by a :class:`emergent.learning.training.TrainingStepper` of that seed (its own sample
order, :func:`emergent.learning.numpy_backend.epoch_order`), in a worker process of its own when
there is more than one seed. :meth:`SeedsStepper.record` analyses the nets of every seed with a
:class:`emergent.learning.callback.SeptupleRecorder` in the same workers.

Each seed's computation depends only on (seed, epoch, weights), so the result does not depend
on the number of workers, and a run resumed from :meth:`SeedsStepper.save` equals an
uninterrupted one.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np

from emergent.learning.training import NetState, TrainingStepper

__all__ = ["SeedsStepper", "seed_key", "split_key"]


def seed_key(net: str, seed: int) -> str:
    """The state key of net `net` trained with seed `seed`: ``"{net}@{seed}"``.

    Parameters
    ----------
    net : str
        Net name (e.g. "deep").
    seed : int
        Training seed.

    Returns
    -------
    str
        The key.
    """
    return f"{net}@{int(seed)}"


def split_key(key: str) -> tuple[str, int]:
    """Invert :func:`seed_key`.

    Parameters
    ----------
    key : str
        A key ``"{net}@{seed}"``.

    Returns
    -------
    tuple of (str, int)
        (net, seed).

    Raises
    ------
    ValueError
        A key without ``@seed``.
    """
    net, sep, seed = key.rpartition("@")
    if not sep or not seed.lstrip("-").isdigit():
        raise ValueError(f"state key {key!r} is not of the form 'net@seed'")
    return net, int(seed)


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS")
"""Thread-count variables set to 1 for the worker processes (BLAS threads inside several
workers on few cores slow small matrix products by 30x or more)."""

# --- worker side: one TrainingStepper and one recorder per seed, built once per process ---
_WORKER: dict[str, Any] = {}


def _init_worker(config: dict[str, Any]) -> None:
    _WORKER.clear()
    _WORKER["config"] = config
    _WORKER["steppers"] = {}
    _WORKER["recorder"] = None


def _stepper(seed: int) -> TrainingStepper:
    cfg = _WORKER["config"]
    st = _WORKER["steppers"].get(seed)
    if st is None:
        st = TrainingStepper(cfg["x"], cfg["y"], backend=cfg["backend"],
                             learning_rate=cfg["learning_rate"], batch_size=cfg["batch_size"],
                             seed=seed)
        _WORKER["steppers"][seed] = st
    return st


def _advance(seed: int, state: NetState, t0: float, t1: float) -> NetState:
    return _stepper(seed).advance(state, t0, t1)


def _record(seed: int, state: NetState, epoch: int) -> dict[str, dict[str, Any]]:
    from emergent.learning.callback import SeptupleRecorder

    cfg = _WORKER["config"]
    rec = _WORKER["recorder"]
    if rec is None:
        rec = SeptupleRecorder(epochs=[], **cfg["recorder"])
        _WORKER["recorder"] = rec
    return {net: rec.record(epoch, w, b) for net, (w, b) in state.items()}


class SeedsStepper:
    """Train the nets of several seeds, each seed in its own worker process (P1 §10).

    Parameters
    ----------
    x : ndarray(shape=[S, n_0], float32)
        Training inputs (shared by all seeds).
    y : ndarray(shape=[S, n_out], float32)
        Targets.
    recorder : dict
        Keyword arguments of :class:`emergent.learning.callback.SeptupleRecorder` (without
        ``epochs``) for :meth:`record`.
    backend : str
        Training backend (:data:`emergent.learning.networks.BACKENDS`).
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1.
    workers : int
        Worker processes; 0 or 1 runs every seed in this process.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, *, recorder: Mapping[str, Any],
                 backend: str = "numpy", learning_rate: float = 0.01, batch_size: int = 10,
                 workers: int = 0) -> None:
        self._config = {"x": x, "y": y, "backend": backend, "learning_rate": learning_rate,
                        "batch_size": batch_size, "recorder": dict(recorder)}
        TrainingStepper(x, y, backend=backend, learning_rate=learning_rate,
                        batch_size=batch_size)  # validates the arguments here, not in a worker
        self.workers = int(workers)
        self._pool: Executor | None = None
        self._saved_env: dict[str, str | None] = {}
        if self.workers > 1:
            # one BLAS / OpenMP / Numba thread per worker (the workers are the parallelism): the
            # libraries read these when the spawned workers import them, and the workers start
            # lazily while the pool lives, so the variables are set until close()
            for var in _THREAD_VARS:
                self._saved_env[var] = os.environ.get(var)
                os.environ[var] = "1"
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=_init_worker,
                                             initargs=(self._config,))
        else:
            _init_worker(self._config)

    def close(self) -> None:
        """Shut the worker processes down (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        for var, value in self._saved_env.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
        self._saved_env = {}

    def __enter__(self) -> SeedsStepper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _by_seed(state: NetState) -> dict[int, NetState]:
        out: dict[int, NetState] = {}
        for key, layers in state.items():
            net, seed = split_key(key)
            out.setdefault(seed, {})[net] = layers
        return out

    def _map(self, fn: Any, jobs: Sequence[tuple[Any, ...]]) -> list[Any]:
        if self._pool is None:
            if _WORKER.get("config") is not self._config:
                _init_worker(self._config)
            return [fn(*job) for job in jobs]
        futures = [self._pool.submit(fn, *job) for job in jobs]
        return [f.result() for f in futures]

    def advance(self, state: NetState, t0: float, t1: float) -> NetState:
        """Train the nets of every seed for the epochs t0, ..., t1 - 1.

        Parameters
        ----------
        state : dict of str to Layers
            Nets keyed ``"{net}@{seed}"`` at epoch t0.
        t0, t1 : float
            Whole epochs, t0 < t1.

        Returns
        -------
        dict of str to Layers
            The nets at epoch t1.
        """
        groups = self._by_seed(state)
        results = self._map(_advance, [(seed, nets, t0, t1) for seed, nets in groups.items()])
        out: NetState = {}
        for seed, nets in zip(groups, results, strict=True):
            out.update({f"{net}@{seed}": layers for net, layers in nets.items()})
        return out

    def record(self, state: NetState, epoch: int) -> dict[int, dict[str, dict[str, Any]]]:
        """Analyse every net of every seed at `epoch` (:meth:`SeptupleRecorder.record`).

        Parameters
        ----------
        state : dict of str to Layers
            Nets keyed ``"{net}@{seed}"``.
        epoch : int
            The epoch of the state.

        Returns
        -------
        dict
            ``{seed: {net: row}}``.
        """
        groups = self._by_seed(state)
        rows = self._map(_record, [(seed, nets, int(epoch)) for seed, nets in groups.items()])
        return dict(zip(groups, rows, strict=True))

    def save(self, state: NetState) -> dict[str, np.ndarray]:
        """The weights and biases as arrays ``{net}@{seed}_w{i}``, ``{net}@{seed}_b{i}``.

        Parameters
        ----------
        state : dict of str to Layers
            The nets.

        Returns
        -------
        dict of str to ndarray
            Everything :meth:`load` needs.
        """
        return TrainingStepper.save(self, state)  # type: ignore[arg-type]

    def load(self, saved: Mapping[str, Any]) -> NetState:
        """The nets from what :meth:`save` returned.

        Parameters
        ----------
        saved : mapping of str to ndarray
            The arrays.

        Returns
        -------
        dict of str to Layers
            The nets, float32.
        """
        return TrainingStepper.load(self, saved)  # type: ignore[arg-type]
