"""Permutation chains, their continuum limit, strings, interactions and holography (P2 §7-10).

Modules: :mod:`~emergent.chains.permutation` (D subsystems coupled by a permutation weight
matrix, P2 (49)-(65)), :mod:`~emergent.chains.continuum` (the continuum limit and the wave
equation, P2 (57)-(73)), :mod:`~emergent.chains.strings` (the pi / pi^T ensemble and relativistic
strings, P2 (66)-(76)), :mod:`~emergent.chains.interactions` (metric interactions, P2 (77)-(88)),
:mod:`~emergent.chains.holography` (the boundary weight matrix, P2 (97)-(102)).
"""

from emergent.chains import continuum, holography, interactions, permutation, strings
from emergent.chains.interactions import MetricChain
from emergent.chains.strings import StringEnsemble

__all__ = [
    "MetricChain",
    "StringEnsemble",
    "continuum",
    "holography",
    "interactions",
    "permutation",
    "strings",
]
