"""Map any trained feed-forward tanh (or linear) net onto the neural septuple of P1 §2.

Accepted nets: a ``keras.Sequential`` of ``Dense`` layers, a list of NumPy weight matrices and
biases (Keras kernel layout (n_l, n_{l+1}), or PyTorch layout (n_{l+1}, n_l) with
``layout="torch"``), and a PyTorch ``nn.Sequential`` of ``Linear`` and ``Tanh`` layers (torch is
imported only if such an object is passed). Neurons are numbered layer by layer, inputs first
(P1 §10: N = 784 + 40 + 20 + 10 = 854), and the septuple is
:meth:`emergent.septuple.network.NeuralSeptuple.from_layers`.

All layers of one net must share one activation (tanh everywhere in P1 §10): the septuple has a
single activation map f.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from emergent.septuple.network import NeuralSeptuple

__all__ = ["layers_from_arrays", "layers_from_keras", "layers_from_torch", "to_septuple"]

Layers = tuple[list[np.ndarray], list[np.ndarray], str]

_KERAS_ACT = {"tanh": "tanh", "linear": "linear"}


def layers_from_arrays(weights: Sequence[Any], biases: Sequence[Any] | None = None, *,
                       layout: str = "keras", activation: str = "tanh") -> Layers:
    """(weights in Keras layout, biases, activation) of a net given as arrays (P1 §2 numbering).

    Parameters
    ----------
    weights : sequence of array_like
        Kernels (n_l, n_{l+1}) ("keras") or weights (n_{l+1}, n_l) ("torch").
    biases : sequence of array_like, optional
        Biases (n_{l+1},); None means zero biases.
    layout : str
        "keras" or "torch".
    activation : str
        The activation of every layer.

    Returns
    -------
    weights : list of ndarray(shape=[n_l, n_{l+1}])
        float64 kernels.
    biases : list of ndarray(shape=[n_{l+1}])
        float64 biases.
    activation : str
        The activation.

    Raises
    ------
    ValueError
        An unknown layout, no or non-2-d weights, mismatched layer sizes or bias count.
    """
    if layout not in ("keras", "torch"):
        raise ValueError(f"layout must be 'keras' or 'torch', got {layout!r}")
    ws = [np.asarray(w, dtype=float) for w in weights]
    if not ws:
        raise ValueError("weights must hold at least one matrix")
    if any(w.ndim != 2 for w in ws):
        raise ValueError("weights must be 2-d matrices")
    if layout == "torch":
        ws = [w.T for w in ws]
    if biases is None:
        bs = [np.zeros(w.shape[1]) for w in ws]
    else:
        bs = [np.asarray(b, dtype=float).ravel() for b in biases]
    if len(bs) != len(ws):
        raise ValueError(f"biases must have one vector per weight matrix ({len(ws)}), "
                         f"got {len(bs)}")
    for k in range(1, len(ws)):
        if ws[k].shape[0] != ws[k - 1].shape[1]:
            raise ValueError(f"weights[{k}] has {ws[k].shape[0]} inputs but layer {k} has "
                             f"{ws[k - 1].shape[1]} neurons (layout={layout!r})")
    return ws, bs, activation


def layers_from_keras(model: Any) -> Layers:
    """Dense kernels, biases and the common activation of a keras.Sequential.

    Only Dense layers with one activation (tanh or linear) for all layers are accepted; an
    InputLayer is skipped.

    Parameters
    ----------
    model : keras.Sequential
        The trained model.

    Returns
    -------
    tuple
        (weights, biases, activation) as :func:`layers_from_arrays`.

    Raises
    ------
    ValueError
        A layer that is not Dense, another activation, or mixed activations.
    """
    weights, biases, acts = [], [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind != "Dense":
            raise ValueError(f"layer {layer.name!r} is a {kind}; only Dense layers map onto "
                             f"the septuple")
        act = getattr(layer.activation, "__name__", str(layer.activation))
        if act not in _KERAS_ACT:
            raise ValueError(f"layer {layer.name!r} has activation {act!r}; allowed: tanh, linear")
        params = layer.get_weights()
        weights.append(params[0])
        biases.append(params[1] if len(params) > 1 else np.zeros(params[0].shape[1]))
        acts.append(_KERAS_ACT[act])
    if not weights:
        raise ValueError("the model has no Dense layers")
    if len(set(acts)) != 1:
        raise ValueError(f"layers have different activations {acts}; the septuple has one "
                         f"activation map f for all neurons")
    return layers_from_arrays(weights, biases, activation=acts[0])


def layers_from_torch(module: Any) -> Layers:
    """Weights, biases and the common activation of a torch nn.Sequential of Linear [+ Tanh].

    Every Linear must be followed by Tanh (tanh net) or by nothing (linear net).

    Parameters
    ----------
    module : torch.nn.Sequential
        The trained module.

    Returns
    -------
    tuple
        (weights, biases, activation) as :func:`layers_from_arrays`.

    Raises
    ------
    ValueError
        A child that is not Linear or Tanh, no Linear layers, or mixed activations.
    """
    weights, biases, acts = [], [], []
    children = list(module.children()) if hasattr(module, "children") else list(module)
    i = 0
    while i < len(children):
        layer = children[i]
        kind = type(layer).__name__
        if kind != "Linear":
            raise ValueError(f"child {i} is a {kind}; expected Linear (optionally followed by "
                             f"Tanh)")
        weights.append(layer.weight.detach().cpu().double().numpy().T)
        bias = layer.bias
        biases.append(np.zeros(layer.out_features) if bias is None
                      else bias.detach().cpu().double().numpy())
        if i + 1 < len(children) and type(children[i + 1]).__name__ == "Tanh":
            acts.append("tanh")
            i += 2
        else:
            acts.append("linear")
            i += 1
    if not weights:
        raise ValueError("the module has no Linear layers")
    if len(set(acts)) != 1:
        raise ValueError(f"layers have different activations {acts}; the septuple has one "
                         f"activation map f for all neurons")
    return layers_from_arrays(weights, biases, activation=acts[0])


def _is_layers_pair(net: Any) -> bool:
    """Whether `net` is a (weights, biases) pair of lists of arrays (what the trainers give)."""
    return (isinstance(net, tuple) and len(net) == 2
            and all(isinstance(part, list | tuple) and len(part) > 0
                    and all(isinstance(a, np.ndarray) for a in part) for part in net))


def to_septuple(net: Any, biases: Sequence[Any] | None = None, *, layout: str = "keras",
                activation: str = "tanh") -> NeuralSeptuple:
    """The neural septuple (P1 §2, 2.1-2.6) of a trained feed-forward net.

    Neurons are numbered layer by layer, inputs first (P1 §10: N = 784 + 40 + 20 + 10 = 854).

    Parameters
    ----------
    net : keras.Sequential, torch nn.Sequential, tuple, list or NeuralSeptuple
        The net: a Keras or PyTorch model, the (weights, biases) pair a trainer returns
        (:func:`emergent.learning.train`), a list of weight matrices (then `biases`, `layout`
        and `activation` describe them), or a septuple (returned as it is).
    biases : sequence of array_like, optional
        Biases for a list of weight matrices.
    layout : str
        "keras" (n_l, n_{l+1}) or "torch" (n_{l+1}, n_l) for arrays.
    activation : str
        The activation for arrays.

    Returns
    -------
    NeuralSeptuple
        NeuralSeptuple.from_layers(...) with N = sum of the layer sizes.

    Raises
    ------
    ValueError
        A net of another kind or one that does not map (see :func:`layers_from_keras`).
    """
    if isinstance(net, NeuralSeptuple):
        return net
    module = type(net).__module__
    if biases is None and _is_layers_pair(net):
        ws, bs, act = layers_from_arrays(net[0], net[1], layout=layout, activation=activation)
    elif isinstance(net, Sequence) and not isinstance(net, str | bytes):
        ws, bs, act = layers_from_arrays(net, biases, layout=layout, activation=activation)
    elif module.startswith("keras") or module.startswith("tf_keras"):
        ws, bs, act = layers_from_keras(net)
    elif module.startswith("torch"):
        ws, bs, act = layers_from_torch(net)
    else:
        raise ValueError(f"net must be a keras.Sequential, a torch nn.Sequential or a list of "
                         f"weight matrices, got {type(net).__name__}")
    return NeuralSeptuple.from_layers(ws, bs, activation=act)
