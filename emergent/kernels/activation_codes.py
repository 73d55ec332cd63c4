"""The integer codes by which compiled kernels select an activation f (P1 (2.6), P2 (2)).

The one activation vocabulary is :mod:`emergent.septuple.activations`; each of its
:class:`~emergent.septuple.activations.Activation` objects carries one of these codes as ``code``.
The kernels branch on the named constants below (kernels import nothing else of emergent).
"""

__all__ = ["LINEAR", "LOGISTIC", "RELU", "TANH"]

LINEAR = 0
"""f(y) = y."""
TANH = 1
"""f(y) = tanh(y)."""
LOGISTIC = 2
"""f(y) = 1 / (1 + e^-y)."""
RELU = 3
"""f(y) = max(y, 0)."""
