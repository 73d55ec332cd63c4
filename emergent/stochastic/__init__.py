"""Stochastic dynamics of the trainable variables (P2 §4, P1 §8, P1 (11.5)).

Modules: :mod:`~emergent.stochastic.fokker_planck` (the grid Fokker-Planck equation P2 (18)-(22):
grid, steppers, exact Ornstein-Uhlenbeck solution, entropy production) and
:mod:`~emergent.stochastic.langevin` (the equivalent Langevin ensemble, P2 (19)-(20)), with
:mod:`~emergent.stochastic.fp_spectral` (Chebyshev collocation and exact propagators for high
accuracy) and :mod:`~emergent.stochastic.fp_choice` (which solver runs, from the requested
accuracy ``tol``).

Each has one solver shape: ``fokker_planck.solve(p0, FokkerPlanckModel(...), t_final)`` and
``langevin.solve(q0, LangevinModel(...), t_final, seed=...)`` return an
:class:`emergent.evolution.Result`; their steppers drive the registered simulations.
"""

from emergent.stochastic import fokker_planck, langevin
from emergent.stochastic.fokker_planck import (
    FokkerPlanck,
    FokkerPlanckModel,
    FokkerPlanckStepper,
    Grid,
)
from emergent.stochastic.langevin import LangevinModel, LangevinStepper

__all__ = [
    "FokkerPlanck",
    "FokkerPlanckModel",
    "FokkerPlanckStepper",
    "Grid",
    "LangevinModel",
    "LangevinStepper",
    "fokker_planck",
    "langevin",
]
