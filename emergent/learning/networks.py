"""The networks of P1 §10 in TensorFlow 2 / Keras, and one trainer interface for all backends.

Deep 784-40-20-10 and shallow 784-60-10 (N = 854 neurons each), tanh on every neuron, loss the
squared error of the outputs H_d = 1/2 sum_out (x - y)^2 (P1 2.11) averaged over a minibatch,
plain SGD (no momentum). Backends (parameter ``backend``):

- "numpy": :mod:`emergent.learning.numpy_backend` (no TensorFlow needed);
- "numba": the same epoch as one compiled Numba kernel (pays off at batch sizes below ~10);
- "keras-fit": ``model.fit`` for one epoch at a time;
- "tf-function": a whole epoch of minibatch steps in one ``tf.function``;
- "tf-xla": the same with XLA (``jit_compile=True``).

All start from :func:`emergent.learning.numpy_backend.init_layers` and visit the minibatches in
the order :func:`~emergent.learning.numpy_backend.epoch_order`, so they agree up to float32
rounding. TensorFlow is imported only when a Keras backend is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from emergent.learning import numpy_backend as nb

__all__ = [
    "BACKENDS",
    "Trainer",
    "build_keras_model",
    "half_squared_error",
    "make_trainer",
]

BACKENDS = ("numpy", "numba", "keras-fit", "tf-function", "tf-xla")
"""The trainer backends :func:`make_trainer` accepts (see the module docstring); only the
Keras ones need TensorFlow."""


def _tf() -> Any:
    try:
        import tensorflow as tf
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("this backend needs TensorFlow: pip install 'emergent[ml]' "
                          "(tensorflow-cpu); or use backend='numpy'") from exc
    return tf


def half_squared_error(y_true: Any, y_pred: Any) -> Any:
    """Keras loss H_d = 1/2 sum_out (y_pred - y_true)^2 per sample (P1 2.11).

    Parameters
    ----------
    y_true, y_pred : tf.Tensor
        Targets and outputs, shape [B, n_out].

    Returns
    -------
    tf.Tensor
        The loss per sample, shape [B].
    """
    tf = _tf()
    return 0.5 * tf.reduce_sum(tf.square(y_pred - y_true), axis=-1)


def build_keras_model(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], *,
                      activation: str = "tanh") -> Any:
    """A keras.Sequential of Dense layers holding the given kernels (n_l, n_{l+1}) (P1 §10 nets).

    Use :func:`emergent.learning.numpy_backend.init_layers` for the seeded initial weights.

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels.
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    activation : str
        The Keras activation of every layer.

    Returns
    -------
    keras.Sequential
        The model (not compiled).

    Raises
    ------
    ImportError
        TensorFlow is not installed.
    """
    _tf()
    import keras

    layers: list[Any] = [keras.Input((int(weights[0].shape[0]),))]
    for w in weights:
        layers.append(keras.layers.Dense(int(w.shape[1]), activation=activation))
    model = keras.Sequential(layers)
    for layer, w, b in zip(model.layers, weights, biases, strict=True):
        layer.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    return model


class Trainer:
    """Train a layered tanh net with plain SGD on H_d (P1 2.11); one call of :meth:`epoch` is one
    epoch.

    Build with :func:`make_trainer`. :meth:`layers` returns (weights, biases) as float32 NumPy
    arrays (Keras kernel layout); :meth:`set_layers` loads them (used to resume).

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Starting kernels.
    biases : sequence of ndarray(shape=[n_{l+1}])
        Starting biases.
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1.

    Raises
    ------
    ValueError
        learning_rate <= 0 or batch_size < 1.
    """

    backend = "numpy"

    def __init__(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], *,
                 learning_rate: float, batch_size: int) -> None:
        if learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.learning_rate = float(learning_rate)
        self.batch_size = int(batch_size)
        self.set_layers(weights, biases)

    def set_layers(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Load the layers (float32 copies).

        Parameters
        ----------
        weights : sequence of ndarray(shape=[n_l, n_{l+1}])
            Kernels.
        biases : sequence of ndarray(shape=[n_{l+1}])
            Biases.
        """
        self._w = [np.array(w, dtype=np.float32) for w in weights]
        self._b = [np.array(b, dtype=np.float32) for b in biases]

    def layers(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The current layers.

        Returns
        -------
        weights : list of ndarray(shape=[n_l, n_{l+1}], float32)
            Copies of the kernels.
        biases : list of ndarray(shape=[n_{l+1}], float32)
            Copies of the biases.
        """
        return [w.copy() for w in self._w], [b.copy() for b in self._b]

    def epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> None:
        """One epoch over x[order], y[order] in minibatches of batch_size.

        Parameters
        ----------
        x : ndarray(shape=[S, n_0], float32)
            Inputs.
        y : ndarray(shape=[S, n_out], float32)
            Targets.
        order : ndarray(shape=[S], int)
            The sample order (:func:`~emergent.learning.numpy_backend.epoch_order`).
        """
        nb.sgd_epoch(self._w, self._b, x, y, learning_rate=self.learning_rate,
                     batch_size=self.batch_size, order=order)


class _Numba(Trainer):
    backend = "numba"

    def epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> None:
        nb.sgd_epoch_numba(self._w, self._b, x, y, learning_rate=self.learning_rate,
                           batch_size=self.batch_size, order=order)


class _KerasFit(Trainer):
    backend = "keras-fit"

    def set_layers(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        import keras

        self.model = build_keras_model(weights, biases)
        self.model.compile(optimizer=keras.optimizers.SGD(learning_rate=self.learning_rate),
                           loss=half_squared_error)

    def layers(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        ws = [layer.get_weights() for layer in self.model.layers]
        return [w for w, _ in ws], [b for _, b in ws]

    def epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> None:
        self.model.fit(x[order], y[order], batch_size=self.batch_size, epochs=1, shuffle=False,
                       verbose=0)


class _TFFunction(_KerasFit):
    backend = "tf-function"
    jit = False

    def set_layers(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        tf = _tf()
        self.model = build_keras_model(weights, biases)
        variables = self.model.trainable_variables
        model = self.model
        lr = tf.constant(self.learning_rate, tf.float32)

        def steps(xs: Any, ys: Any) -> Any:
            for i in tf.range(tf.shape(xs)[0]):
                with tf.GradientTape() as tape:
                    out = model(xs[i], training=True)
                    loss = tf.reduce_mean(half_squared_error(ys[i], out))
                grads = tape.gradient(loss, variables)
                for v, g in zip(variables, grads, strict=True):
                    v.assign_sub(lr * g)
            return tf.constant(0)

        self._steps = tf.function(steps, jit_compile=self.jit, reduce_retracing=True)

    def epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> None:
        tf = _tf()
        bs = self.batch_size
        full = (x.shape[0] // bs) * bs
        xo, yo = x[order], y[order]
        if full:
            self._steps(tf.constant(xo[:full].reshape(-1, bs, x.shape[1])),
                        tf.constant(yo[:full].reshape(-1, bs, y.shape[1])))
        if full < x.shape[0]:
            self._steps(tf.constant(xo[None, full:]), tf.constant(yo[None, full:]))


class _TFXLA(_TFFunction):
    backend = "tf-xla"
    jit = True


def make_trainer(backend: str, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], *,
                 learning_rate: float, batch_size: int) -> Trainer:
    """A :class:`Trainer` for `backend` starting from the given layers.

    Parameters
    ----------
    backend : str
        One of BACKENDS: "numpy", "numba", "keras-fit", "tf-function", "tf-xla".
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Starting kernels.
    biases : sequence of ndarray(shape=[n_{l+1}])
        Starting biases.
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1.

    Returns
    -------
    Trainer
        The trainer.

    Raises
    ------
    ValueError
        An unknown backend, learning_rate <= 0 or batch_size < 1.
    ImportError
        A Keras backend without TensorFlow.
    """
    classes = {"numpy": Trainer, "numba": _Numba, "keras-fit": _KerasFit,
               "tf-function": _TFFunction, "tf-xla": _TFXLA}
    if backend not in classes:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    return classes[backend](weights, biases, learning_rate=learning_rate, batch_size=batch_size)
