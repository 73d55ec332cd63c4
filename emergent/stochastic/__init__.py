"""Stochastic dynamics of the trainable variables (P2 §4, P1 §8, P1 (11.5)).

Modules: :mod:`~emergent.stochastic.fokker_planck` (the grid Fokker-Planck equation P2 (18)-(22):
grid, steppers, exact Ornstein-Uhlenbeck solution, entropy production) and
:mod:`~emergent.stochastic.langevin` (the equivalent Langevin ensemble, P2 (19)-(20)).
"""

from emergent.stochastic import fokker_planck, langevin
from emergent.stochastic.fokker_planck import FokkerPlanck, FPResult, Grid

__all__ = ["FPResult", "FokkerPlanck", "Grid", "fokker_planck", "langevin"]
