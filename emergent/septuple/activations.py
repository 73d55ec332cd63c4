"""Activation functions f and their derivatives (P1 2.6, 5.4, 10.4; P2 eq 2, 9).

Each activation acts component-wise, f_i(y) = f(y_i) (P1 2.6). The derivative f' enters the
operator G of P1 (5.6) through the diagonal matrix f'_ii of (5.4); for tanh it is
sech^2(y) = 4 (e^y + e^-y)^-2 (P1 10.4).

The logistic function is the usual 1 / (1 + e^-y); P2 (after eq 2) prints 1 / (1 + e^y), the
mirror image, which changes no result here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from emergent.kernels.activation_codes import LINEAR, LOGISTIC, RELU, TANH

__all__ = ["ACTIVATIONS", "Activation", "activation_code", "get_activation"]

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An activation function with its first and second derivatives.

    name: "tanh", "linear", "logistic" or "relu".
    f, df, d2f: element-wise maps of arrays of any shape.
    lower, upper: the range of f (the domain of the state vector, P1 5.7).
    code: the stable integer that compiled kernels branch on (linear 0, tanh 1, logistic 2,
    relu 3; the kernels name them as constants, e.g. ``chain_kernels.LINEAR``); -1 for an
    activation without a compiled route.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    d2f: Callable[[Array], Array]
    lower: float
    upper: float
    code: int = -1

    def __call__(self, y: Array) -> Array:
        return self.f(y)


def _tanh_df(y: Array) -> Array:
    c = np.cosh(np.clip(y, -350.0, 350.0))
    return 1.0 / (c * c)


def _tanh_d2f(y: Array) -> Array:
    return -2.0 * np.tanh(y) * _tanh_df(y)


def _logistic(y: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(y, dtype=float)))


def _logistic_df(y: Array) -> Array:
    s = _logistic(y)
    return s * (1.0 - s)


def _logistic_d2f(y: Array) -> Array:
    s = _logistic(y)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", np.tanh, _tanh_df, _tanh_d2f, -1.0, 1.0, code=TANH),
    "linear": Activation(
        "linear",
        lambda y: np.asarray(y, dtype=float).copy(),
        lambda y: np.ones_like(y, dtype=float),
        lambda y: np.zeros_like(y, dtype=float),
        -np.inf,
        np.inf,
        code=LINEAR,
    ),
    "logistic": Activation("logistic", _logistic, _logistic_df, _logistic_d2f, 0.0, 1.0,
                           code=LOGISTIC),
    "relu": Activation(
        "relu",
        lambda y: np.maximum(y, 0.0),
        lambda y: (np.asarray(y) > 0).astype(float),
        lambda y: np.zeros_like(y, dtype=float),
        0.0,
        np.inf,
        code=RELU,
    ),
}
"""The built-in activations by name: tanh (P1 10.4, the nets of P1 §10), linear, logistic
1 / (1 + e^-y) (P2 after eq 2) and relu, each with f', f'' and the range of f."""


def get_activation(activation: str | Activation) -> Activation:
    """The :class:`Activation` of a name, or an :class:`Activation` passed through.

    Parameters
    ----------
    activation : str or Activation
        The activation f of P1 (2.6): a key of :data:`ACTIVATIONS` ("tanh", "linear",
        "logistic", "relu") or an :class:`Activation`, returned as it is.

    Returns
    -------
    Activation
        ``ACTIVATIONS[activation]``, or `activation` itself.

    Raises
    ------
    ValueError
        `activation` is neither a known name nor an :class:`Activation`; the message lists the
        names.
    """
    if isinstance(activation, Activation):
        return activation
    try:
        return ACTIVATIONS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)} or an Activation, got {activation!r}"
        ) from None


def activation_code(activation: str | Activation, supported: Collection[int] | None = None, *,
                    parameter: str = "activation") -> int:
    """The kernel code of an activation, checked against the codes a kernel implements.

    The one activation vocabulary: names map to :class:`Activation` objects in
    :data:`ACTIVATIONS`, and each carries the integer `code` compiled kernels branch on.

    Parameters
    ----------
    activation : str or Activation
        The activation f of P1 (2.6) / P2 (1), by name or as one of :data:`ACTIVATIONS`.
    supported : collection of int, optional
        The codes the calling kernel implements (default: every code in :data:`ACTIVATIONS`).
    parameter : str
        The parameter name used in the error message.

    Returns
    -------
    int
        ``ACTIVATIONS[name].code``.

    Raises
    ------
    ValueError
        An unknown name, an activation without a code, or one the kernel does not implement;
        the message names `parameter` and the allowed names.
    """
    name = activation.name if isinstance(activation, Activation) else activation
    act = ACTIVATIONS.get(name) if isinstance(name, str) else None
    if act is not None and (supported is None or act.code in supported) and (
            not isinstance(activation, Activation) or activation is act):
        return act.code
    codes = {a.code for a in ACTIVATIONS.values()} if supported is None else set(supported)
    allowed = [a.name for a in sorted(ACTIVATIONS.values(), key=lambda a: a.code)
               if a.code in codes]
    raise ValueError(f"{parameter} must be one of {', '.join(allowed)}, got {activation!r}")
