"""Permutation chains, their continuum limit, strings, interactions and holography (P2 §7-10).

Modules: :mod:`~emergent.chains.permutation` (D subsystems coupled by a permutation weight
matrix, P2 (49)-(65)), :mod:`~emergent.chains.continuum` (the continuum limit and the wave
equation, P2 (57)-(73)), :mod:`~emergent.chains.strings` (the pi / pi^T ensemble and relativistic
strings, P2 (66)-(76)), :mod:`~emergent.chains.interactions` (metric interactions, P2 (77)-(88)),
:mod:`~emergent.chains.holography` (the boundary weight matrix, P2 (97)-(102)).

The three time evolutions have the one solver shape of :mod:`emergent.evolution`:
``solve(initial, model, t_final, *, saves=..., trackers=()) -> Result``, with a frozen model
(:class:`PermutationChain` or :class:`ChainEnsemble`, :class:`StringChain`,
:class:`MetricChain`) and a stepper behind it (:class:`ChainStepper`, :class:`StringStepper`,
:class:`MetricStepper`). Times are chain steps for the first two and tau for the third.

Example
-------
>>> import numpy as np
>>> from emergent.chains import PermutationChain, cycle_permutation, solve
>>> x0 = np.sin(2 * np.pi * np.arange(64) / 64)
>>> res = solve(x0, PermutationChain(cycle_permutation(64)), 16, saves=3)
>>> bool(np.array_equal(res.final, np.roll(x0, 16))), res.t.tolist()
(True, [0.0, 8.0, 16.0])
"""

from emergent.chains import continuum, holography, interactions, permutation, strings
from emergent.chains.interactions import MetricChain, MetricStepper
from emergent.chains.permutation import (
    ChainEnsemble,
    ChainStepper,
    PermutationChain,
    cycle_permutation,
    solve,
)
from emergent.chains.strings import StringChain, StringState, StringStepper

__all__ = [
    "ChainEnsemble",
    "ChainStepper",
    "MetricChain",
    "MetricStepper",
    "PermutationChain",
    "StringChain",
    "StringState",
    "StringStepper",
    "continuum",
    "cycle_permutation",
    "holography",
    "interactions",
    "permutation",
    "solve",
    "strings",
]
