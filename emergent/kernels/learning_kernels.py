"""Numba kernel of the P1 §10 training: one SGD epoch of a tanh MLP in one compiled call.

The Python-level API is :func:`emergent.learning.numpy_backend.sgd_epoch_numba` (backend
"numba" of :mod:`emergent.learning.networks`), which packs the layers into one float32 vector.
Kernels know nothing of files, configs or the learning package.
"""

from __future__ import annotations

import numpy as np

from emergent.kernels.cache import njit
from emergent.kernels.fastmath import tanh

__all__ = ["epoch_kernel"]


@njit(cache=True)
def epoch_kernel(params, woff, boff, sizes, x, y, order, lr, batch):  # pragma: no cover
    """One epoch of plain minibatch SGD of a layered tanh net (P1 §10), in place on `params`.

    Each minibatch goes forward as a_(k+1) = tanh(a_k W_k + b_k) and takes one step
    W <- W - lr dL/dW on the loss L, the boundary loss H_d = 1/2 sum_out (x - y)^2 of P1 (2.11)
    averaged over the minibatch (a last, shorter minibatch is averaged over its own size). The
    same epoch as :func:`emergent.learning.numpy_backend.sgd_epoch`, in float32. tanh is the
    vectorisable :func:`emergent.kernels.fastmath.tanh` on the float64 value of the float32
    pre-activation, rounded to float32 (within 1e-15 before rounding; ``np.tanh`` in Numba is a
    scalar libm call, 1.1x slower on the whole epoch of the 784-40-20-10 net).

    Parameters
    ----------
    params : ndarray(shape=[P], float32)
        All kernels and biases in one flat vector; updated in place.
    woff : ndarray(shape=[L], int64)
        Offset in `params` of kernel k, stored as a row-major (n_k, n_(k+1)) matrix (Keras
        layout).
    boff : ndarray(shape=[L], int64)
        Offset in `params` of bias k, of length n_(k+1).
    sizes : ndarray(shape=[L + 1], int64)
        The layer widths n_0, ..., n_L (e.g. 784, 40, 20, 10).
    x : ndarray(shape=[S, n_0], float32)
        The training inputs.
    y : ndarray(shape=[S, n_L], float32)
        The training targets.
    order : ndarray(shape=[S], int64)
        The order in which the samples are visited (a permutation, see
        :func:`emergent.learning.numpy_backend.epoch_order`).
    lr : float32
        The learning rate.
    batch : int
        The minibatch size.
    """
    layers = sizes.size - 1
    total = 0
    for k in range(layers + 1):
        total += sizes[k]
    acts = np.empty((batch, total), dtype=np.float32)
    aoff = np.zeros(layers + 2, dtype=np.int64)
    for k in range(layers + 1):
        aoff[k + 1] = aoff[k] + sizes[k]
    s = x.shape[0]
    for start in range(0, s, batch):
        m = min(batch, s - start)
        for r in range(m):
            acts[r, 0:sizes[0]] = x[order[start + r]]
        for k in range(layers):
            n_in, n_out = sizes[k], sizes[k + 1]
            w = params[woff[k]:woff[k] + n_in * n_out].reshape((n_in, n_out))
            b = params[boff[k]:boff[k] + n_out]
            z = np.dot(np.ascontiguousarray(acts[:m, aoff[k]:aoff[k + 1]]), w)
            for r in range(m):
                for j in range(n_out):
                    acts[r, aoff[k + 1] + j] = tanh(np.float64(z[r, j] + b[j]))
        n_last = sizes[layers]
        delta = np.empty((m, n_last), dtype=np.float32)
        scale = np.float32(1.0) / np.float32(m)
        for r in range(m):
            t = y[order[start + r]]
            for j in range(n_last):
                a = acts[r, aoff[layers] + j]
                delta[r, j] = (a - t[j]) * (np.float32(1.0) - a * a) * scale
        for k in range(layers - 1, -1, -1):
            n_in, n_out = sizes[k], sizes[k + 1]
            w = params[woff[k]:woff[k] + n_in * n_out].reshape((n_in, n_out))
            b = params[boff[k]:boff[k] + n_out]
            prev = np.ascontiguousarray(acts[:m, aoff[k]:aoff[k + 1]])
            gw = np.dot(prev.T.copy(), delta)
            new_delta = np.empty((m, n_in), dtype=np.float32)
            if k:
                back = np.dot(delta, w.T.copy())
                for r in range(m):
                    for i in range(n_in):
                        a = prev[r, i]
                        new_delta[r, i] = back[r, i] * (np.float32(1.0) - a * a)
            for j in range(n_out):
                g = np.float32(0.0)
                for r in range(m):
                    g += delta[r, j]
                b[j] -= lr * g
            for i in range(n_in):
                for j in range(n_out):
                    w[i, j] -= lr * gw[i, j]
            delta = new_delta
