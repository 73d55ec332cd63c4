"""Training as a time evolution in epochs (P1 §10): a stepper over the layers of named nets.

:class:`TrainingStepper` is an :class:`emergent.evolution.Stepper` whose state is a dict
``{name: (weights, biases)}`` of layered tanh nets (Keras kernel layout, float32) and whose time
is the epoch: ``advance(state, t0, t1)`` trains every net with plain minibatch SGD on the squared
error of the outputs (P1 2.11) for the epochs t0, ..., t1 - 1, visiting the samples in the
seeded order :func:`emergent.learning.numpy_backend.epoch_order`. Plain SGD has no optimiser
state and the order depends only on (seed, epoch), so the saved weights are the whole state:
training resumed from :meth:`TrainingStepper.save` / :meth:`TrainingStepper.load` is
bit-identical to training without a break.

:func:`train` drives it with :func:`emergent.evolution.evolve` for one net (the library
solver); the registered simulation ``mnist-thermodynamics`` drives the same class for the deep
and the shallow net with :func:`emergent.runs.loop.evolve_run`.

Example
-------
>>> import emergent.learning as learning
>>> x, y = learning.digits(200, seed=0)
>>> result = learning.train("shallow", x, y, epochs=2)
>>> weights, biases = result.final
>>> [w.shape for w in weights]
[(784, 60), (60, 10)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from emergent.evolution import Recorder, Result, Tracker, evolve
from emergent.learning import numpy_backend as nb
from emergent.learning.networks import BACKENDS, Trainer, make_trainer

__all__ = ["Layers", "NetState", "TrainingStepper", "initial_layers", "train"]

Layers = tuple[list[np.ndarray], list[np.ndarray]]
"""(weights, biases) of one layered net: kernels of shape (n_l, n_{l+1}) (Keras layout) and
biases of shape (n_{l+1},), float32."""
NetState = dict[str, Layers]
"""The state of a :class:`TrainingStepper`: the :data:`Layers` of every net, by name."""

_KEY = re.compile(r"^(?P<name>.+)_(?P<kind>[wb])(?P<index>\d+)$")


class TrainingStepper:
    """Stepper over epochs: trains named layered tanh nets with plain minibatch SGD (P1 §10).

    Parameters
    ----------
    x : ndarray(shape=[S, n_0], float32)
        Training inputs.
    y : ndarray(shape=[S, n_out], float32)
        Targets of the output neurons.
    backend : str
        One of :data:`emergent.learning.networks.BACKENDS` ("numpy", "numba", "keras-fit",
        "tf-function", "tf-xla").
    learning_rate : float
        SGD step on the batch mean of H_d = 1/2 sum_out (x - y)^2 (P1 2.11), > 0.
    batch_size : int
        Minibatch size, >= 1.
    seed : int
        Seed of the per-epoch sample order (:func:`~emergent.learning.numpy_backend.epoch_order`).

    Raises
    ------
    ValueError
        An unknown backend, learning_rate <= 0, batch_size < 1, or x and y of different length.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, *, backend: str = "numpy",
                 learning_rate: float = 0.01, batch_size: int = 10, seed: int = 0) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"x and y must hold the same samples, got {x.shape[0]} and "
                             f"{y.shape[0]}")
        self.x, self.y = x, y
        self.backend = backend
        self.learning_rate = float(learning_rate)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self._trainers: dict[str, Trainer] = {}
        self._last: NetState | None = None

    def advance(self, state: NetState, t0: float, t1: float) -> NetState:
        """Train every net of `state` for the epochs t0, ..., t1 - 1.

        Parameters
        ----------
        state : dict of str to Layers
            The nets at epoch `t0` (not modified).
        t0, t1 : float
            Whole epochs, t0 < t1.

        Returns
        -------
        dict of str to Layers
            The nets at epoch `t1` (float32 copies).
        """
        if state is not self._last:  # a new or loaded state: (re)build the trainers from it
            self._trainers = {
                name: make_trainer(self.backend, w, b, learning_rate=self.learning_rate,
                                   batch_size=self.batch_size)
                for name, (w, b) in state.items()
            }
        for epoch in range(int(round(t0)), int(round(t1))):
            order = nb.epoch_order(self.x.shape[0], seed=self.seed, epoch=epoch)
            for trainer in self._trainers.values():
                trainer.epoch(self.x, self.y, order)
        out = {name: trainer.layers() for name, trainer in self._trainers.items()}
        self._last = out
        return out

    def save(self, state: NetState) -> dict[str, np.ndarray]:
        """The weights and biases as arrays ``{name}_w{i}``, ``{name}_b{i}``.

        Parameters
        ----------
        state : dict of str to Layers
            The nets.

        Returns
        -------
        dict of str to ndarray
            Everything :meth:`load` needs (plain SGD keeps no optimiser state).
        """
        out: dict[str, np.ndarray] = {}
        for name, (w, b) in state.items():
            out.update({f"{name}_w{i}": np.asarray(wi) for i, wi in enumerate(w)})
            out.update({f"{name}_b{i}": np.asarray(bi) for i, bi in enumerate(b)})
        return out

    def load(self, saved: Mapping[str, Any]) -> NetState:
        """The nets from what :meth:`save` returned (other keys are ignored).

        Parameters
        ----------
        saved : mapping of str to ndarray
            The arrays ``{name}_w{i}``, ``{name}_b{i}``.

        Returns
        -------
        dict of str to Layers
            The nets, float32.

        Raises
        ------
        ValueError
            A net whose weights and biases do not pair up.
        """
        parts: dict[str, dict[str, dict[int, np.ndarray]]] = {}
        for key, value in saved.items():
            match = _KEY.match(key)
            if match is None or not isinstance(value, np.ndarray):
                continue
            net = parts.setdefault(match["name"], {"w": {}, "b": {}})
            net[match["kind"]][int(match["index"])] = value
        state: NetState = {}
        for name, net in parts.items():
            if sorted(net["w"]) != list(range(len(net["w"]))) or sorted(net["b"]) != sorted(
                    net["w"]):
                raise ValueError(f"checkpoint of net {name!r}: weights and biases do not pair up")
            state[name] = ([np.asarray(net["w"][i], dtype=np.float32) for i in sorted(net["w"])],
                           [np.asarray(net["b"][i], dtype=np.float32) for i in sorted(net["b"])])
        return state


def initial_layers(net: str | Sequence[int] | Layers, *, seed: int = 0) -> Layers:
    """The starting layers of :func:`train`.

    Parameters
    ----------
    net : str, sequence of int or (weights, biases)
        "deep" or "shallow" (the P1 §10 nets 784-40-20-10 and 784-60-10), layer sizes
        (n_0, ..., n_{L-1}) (Glorot-uniform kernels and zero biases seeded by `seed`,
        :func:`~emergent.learning.numpy_backend.init_layers`), or given layers (copied).
    seed : int
        Seed of the initial weights.

    Returns
    -------
    Layers
        (weights, biases), float32.

    Raises
    ------
    ValueError
        An unknown architecture name or bad layer sizes.
    """
    if isinstance(net, str):
        if net not in nb.PAPER_ARCHITECTURES:
            raise ValueError(f"net must be one of {', '.join(nb.PAPER_ARCHITECTURES)}, layer "
                             f"sizes or (weights, biases), got {net!r}")
        return nb.init_layers(nb.PAPER_ARCHITECTURES[net], seed=seed)
    if all(isinstance(s, int | np.integer) for s in net):
        return nb.init_layers(tuple(int(s) for s in net), seed=seed)  # type: ignore[arg-type]
    weights, biases = net  # type: ignore[misc]
    return ([np.array(w, dtype=np.float32) for w in weights],
            [np.array(b, dtype=np.float32) for b in biases])


def train(
    net: str | Sequence[int] | Layers,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    learning_rate: float = 0.01,
    batch_size: int = 10,
    backend: str = "numpy",
    seed: int = 0,
    saves: int | Sequence[int] = 2,
    trackers: Sequence[Tracker] = (),
) -> Result:
    """Train one layered tanh net with plain minibatch SGD on 1/2 sum_out (x - y)^2 (P1 2.11).

    Parameters
    ----------
    net : str, sequence of int or (weights, biases)
        The starting net (see :func:`initial_layers`): "deep", "shallow", layer sizes or layers.
    x : ndarray(shape=[S, n_0])
        Training inputs (cast to float32).
    y : ndarray(shape=[S, n_out])
        Targets of the output neurons (cast to float32), e.g.
        :func:`emergent.learning.data.encode_targets`.
    epochs : int
        Passes over the samples, >= 1.
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1.
    backend : str
        One of :data:`emergent.learning.networks.BACKENDS`.
    seed : int
        Seed of the initial weights and of the per-epoch sample order.
    saves : int or sequence of int
        The recorded epochs: a count of equally spaced epochs from 0 to `epochs` (>= 2), or the
        epochs themselves (increasing, from 0, ending at `epochs`).
    trackers : sequence of Tracker
        More trackers for :func:`emergent.evolution.evolve` (frame.state is ``{"net": layers}``).

    Returns
    -------
    Result
        t = the recorded epochs; series train_loss = U_d (P1 2.11) over (x, y) at each;
        final = the trained (weights, biases), float32; info = the training settings.

    Raises
    ------
    ValueError
        epochs < 1, bad `saves`, or a bad setting of :class:`TrainingStepper`.
    """
    if int(epochs) < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if isinstance(saves, int | np.integer):
        if int(saves) < 2:
            raise ValueError(f"saves must be >= 2, got {saves}")
        times = np.unique(np.round(np.linspace(0, int(epochs), int(saves))).astype(np.int64))
    else:
        times = np.asarray(saves, dtype=np.int64)
        if times.ndim != 1 or times.size < 2 or times[0] != 0 or times[-1] != int(epochs):
            raise ValueError("saves must be increasing epochs from 0 to epochs")
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    stepper = TrainingStepper(x, y, backend=backend, learning_rate=learning_rate,
                              batch_size=batch_size, seed=seed)
    x64 = x.astype(np.float64)

    def observe(frame: Any) -> dict[str, float]:
        w, b = frame.state["net"]
        return {"train_loss": nb.boundary_loss_batch(w, b, x64, y)}

    rec = Recorder(observe)
    final = evolve(stepper, {"net": initial_layers(net, seed=seed)}, times, [rec, *trackers])
    result = rec.result(backend=backend, learning_rate=float(learning_rate),
                        batch_size=int(batch_size), seed=int(seed), epochs=int(epochs))
    result.final = final["net"]
    return result
