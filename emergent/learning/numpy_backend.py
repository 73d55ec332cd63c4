"""A NumPy backend for the P1 §10 networks: the same model and the same SGD as the Keras one.

Layers use the Keras kernel layout: weights[l] has shape (n_l, n_{l+1}), biases[l] (n_{l+1},);
a batch of inputs ndarray(shape=[B, n_0]) goes forward as a_{l+1} = tanh(a_l @ W_l + b_l).
The loss per sample is the squared error of the outputs, H_d = 1/2 sum_out (x - y)^2 (P1 2.11),
averaged over the batch; SGD is plain (no momentum): W <- W - lr dL/dW.

Everything is float32, like Keras, and the order of the minibatches is the same as in
:mod:`emergent.learning.networks` (the permutation :func:`epoch_order`), so both backends give
the same weights up to float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "PAPER_ARCHITECTURES",
    "accuracy",
    "boundary_loss_batch",
    "epoch_order",
    "forward",
    "glorot_uniform",
    "init_layers",
    "sgd_epoch",
    "sgd_epoch_numba",
]

PAPER_ARCHITECTURES = {"deep": (784, 40, 20, 10), "shallow": (784, 60, 10)}
"""Layer widths of the two networks of P1 §10, by name: deep 784-40-20-10 and shallow 784-60-10,
N = 854 neurons each."""

Layers = tuple[list[np.ndarray], list[np.ndarray]]


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Keras' default kernel initialiser: U(-r, r), r = sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    fan_in, fan_out : int
        The kernel shape.
    rng : numpy.random.Generator
        The source.

    Returns
    -------
    ndarray(shape=[fan_in, fan_out], float32)
        The kernel.
    """
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out)).astype(np.float32)


def init_layers(sizes: Sequence[int], *, seed: int) -> Layers:
    """Glorot-uniform kernels and zero biases for layer sizes (n_0, ..., n_{L-1}), seeded.

    Every backend starts from these arrays, so a run is reproducible from `seed` alone.

    Parameters
    ----------
    sizes : sequence of int
        Layer sizes, >= 2 of them, all positive.
    seed : int
        The seed.

    Returns
    -------
    weights : list of ndarray(shape=[n_l, n_{l+1}], float32)
        Kernels.
    biases : list of ndarray(shape=[n_{l+1}], float32)
        Zero biases.

    Raises
    ------
    ValueError
        Fewer than 2 sizes or a size < 1.
    """
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must hold >= 2 positive layer sizes, got {sizes}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x1A7E]))
    weights = [glorot_uniform(a, b, rng) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
    return weights, biases


def epoch_order(samples: int, *, seed: int, epoch: int) -> np.ndarray:
    """The permutation of the training samples used in `epoch` (the same for every backend).

    Parameters
    ----------
    samples : int
        The number of samples.
    seed : int
        The run's seed.
    epoch : int
        The epoch (0-based).

    Returns
    -------
    ndarray(shape=[samples], int64)
        The order.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xE90C, int(epoch)]))
    return rng.permutation(samples)


def forward(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
            x: np.ndarray) -> np.ndarray:
    """The network output: a_(l+1) = tanh(a_l W_l + b_l), the fixed point (P1 2.9) on the outputs.

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels (Keras layout).
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    x : ndarray(shape=[B, n_0])
        Inputs.

    Returns
    -------
    ndarray(shape=[B, n_out])
        The outputs.
    """
    a = x
    for w, b in zip(weights, biases, strict=True):
        a = np.tanh(a @ w + b)
    return a


def boundary_loss_batch(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                        x: np.ndarray, y: np.ndarray) -> float:
    """The mean over samples of H_d = 1/2 sum_out (x_out - y)^2 (P1 2.11).

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels (Keras layout).
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    x : ndarray(shape=[B, n_0])
        Inputs.
    y : ndarray(shape=[B, n_out])
        Targets.

    Returns
    -------
    float
        U_d.
    """
    out = forward(weights, biases, x)
    return float(0.5 * np.mean(np.sum((out.astype(np.float64) - y) ** 2, axis=1)))


def accuracy(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
             labels: np.ndarray) -> float:
    """The fraction of samples whose most active output neuron is the label.

    Parameters
    ----------
    weights : sequence of ndarray(shape=[n_l, n_{l+1}])
        Kernels (Keras layout).
    biases : sequence of ndarray(shape=[n_{l+1}])
        Biases.
    x : ndarray(shape=[B, n_0])
        Inputs.
    labels : ndarray(shape=[B])
        Digit labels.

    Returns
    -------
    float
        The accuracy (nan for no samples).
    """
    if x.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.argmax(forward(weights, biases, x), axis=1) == labels))


def sgd_epoch(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray,
              y: np.ndarray, *, learning_rate: float, batch_size: int,
              order: np.ndarray | None = None) -> None:
    """One epoch of plain minibatch SGD on the mean of H_d (P1 2.11) over each batch, in place.

    Parameters
    ----------
    weights : list of ndarray(shape=[n_l, n_{l+1}], float32)
        Kernels, updated in place.
    biases : list of ndarray(shape=[n_{l+1}], float32)
        Biases, updated in place.
    x : ndarray(shape=[S, n_0], float32)
        Inputs.
    y : ndarray(shape=[S, n_out], float32)
        Targets.
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1 (the last batch may be smaller).
    order : ndarray(shape=[S]), optional
        The sample permutation (default: as stored).

    Raises
    ------
    ValueError
        batch_size < 1 or learning_rate <= 0.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if order is not None:
        x, y = x[order], y[order]
    lr = np.float32(learning_rate)
    layers = len(weights)
    acts: list[np.ndarray] = [x] * (layers + 1)
    for start in range(0, x.shape[0], batch_size):
        a = x[start:start + batch_size]
        t = y[start:start + batch_size]
        acts[0] = a
        for k in range(layers):
            a = np.tanh(a @ weights[k] + biases[k])
            acts[k + 1] = a
        scale = np.float32(1.0 / a.shape[0])
        delta = (a - t) * (np.float32(1.0) - a * a) * scale
        for k in range(layers - 1, -1, -1):
            gw = acts[k].T @ delta
            gb = delta.sum(axis=0)
            if k:
                prev = acts[k]
                delta = (delta @ weights[k].T) * (np.float32(1.0) - prev * prev)
            weights[k] -= lr * gw
            biases[k] -= lr * gb


def sgd_epoch_numba(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray,
                    y: np.ndarray, *, learning_rate: float, batch_size: int,
                    order: np.ndarray | None = None) -> None:
    """:func:`sgd_epoch` as one compiled Numba kernel (no Python overhead per minibatch).

    The kernel is :func:`emergent.kernels.learning_kernels.epoch_kernel`; the result equals
    :func:`sgd_epoch` up to float32 rounding and pays off at small batches.

    Parameters
    ----------
    weights : list of ndarray(shape=[n_l, n_{l+1}], float32)
        Kernels, updated in place.
    biases : list of ndarray(shape=[n_{l+1}], float32)
        Biases, updated in place.
    x : ndarray(shape=[S, n_0])
        Inputs.
    y : ndarray(shape=[S, n_out])
        Targets.
    learning_rate : float
        SGD step, > 0.
    batch_size : int
        Minibatch size, >= 1.
    order : ndarray(shape=[S]), optional
        The sample permutation (default: as stored).

    Raises
    ------
    ValueError
        batch_size < 1 or learning_rate <= 0.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    sizes = np.array([weights[0].shape[0]] + [w.shape[1] for w in weights], dtype=np.int64)
    parts = [w.ravel() for w in weights] + [b.ravel() for b in biases]
    params = np.concatenate(parts).astype(np.float32)
    lens = np.array([p.size for p in parts], dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(lens)])[:-1]
    layers = len(weights)
    order = np.arange(x.shape[0]) if order is None else np.asarray(order, dtype=np.int64)
    from emergent.kernels.learning_kernels import epoch_kernel  # numba on first use only

    epoch_kernel(params, offs[:layers].copy(), offs[layers:].copy(), sizes,
                 np.ascontiguousarray(x, dtype=np.float32),
                 np.ascontiguousarray(y, dtype=np.float32), order,
                 np.float32(learning_rate), int(batch_size))
    for k in range(layers):
        weights[k][...] = params[offs[k]:offs[k] + lens[k]].reshape(weights[k].shape)
        biases[k][...] = params[offs[layers + k]:offs[layers + k] + lens[layers + k]]
