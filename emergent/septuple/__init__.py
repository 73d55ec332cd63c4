"""The neural septuple and its thermodynamics (P1 §2-9, P2 §2-3).

Modules: :mod:`~emergent.septuple.network` (the septuple (x, P_in, P_out, w, b, f, H), forward
dynamics, P1 2.1-2.11), :mod:`~emergent.septuple.activations` (the one activation vocabulary),
:mod:`~emergent.septuple.losses` (boundary and bulk loss, clamped minimisation, P1 §3),
:mod:`~emergent.septuple.canonical` (the canonical ensemble of trainable variables, P2 (45)),
:mod:`~emergent.septuple.thermodynamics` (the operator G, its spectrum, U, F, S, C, P1 §5-9),
:mod:`~emergent.septuple.entropy_density` (the entropy density and its flow, P1 §8),
:mod:`~emergent.septuple.phases` (the phases of the entropy destruction rate in beta, P1 §9).

Example
-------
>>> import numpy as np
>>> import emergent
>>> sep = emergent.septuple.random_septuple((6, 4, 2), np.random.default_rng(0))
>>> s = emergent.septuple.summary(sep, sep.fixed_point(np.full(6, 0.5))[0], beta=1.0)
>>> abs(s.log_det) < 1e-12  # det G = 1 for a feed-forward net (P1 7.8)
True
"""

from emergent.septuple import (
    activations,
    canonical,
    entropy_density,
    losses,
    network,
    phases,
    thermodynamics,
)
from emergent.septuple.activations import ACTIVATIONS, Activation, get_activation
from emergent.septuple.losses import boundary_loss, bulk_loss, clamped_minimisation
from emergent.septuple.network import NeuralSeptuple, random_septuple
from emergent.septuple.thermodynamics import Spectrum, ThermoSummary, spectrum, summary

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "NeuralSeptuple",
    "Spectrum",
    "ThermoSummary",
    "activations",
    "boundary_loss",
    "bulk_loss",
    "canonical",
    "clamped_minimisation",
    "entropy_density",
    "get_activation",
    "losses",
    "network",
    "phases",
    "random_septuple",
    "spectrum",
    "summary",
    "thermodynamics",
]
