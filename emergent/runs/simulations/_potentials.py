"""Parameters and checks shared by the simulations that evolve q in a free energy F(q)
(`fokker-planck`, `langevin`); not a simulation itself (the leading underscore keeps it out
of the registry's discovery)."""

from __future__ import annotations

from typing import Any

import numpy as np

from emergent.runs.registry import Param, ParameterError

__all__ = ["box", "per_axis", "potential_kwargs", "potential_params"]


def potential_params(height: float) -> list[Param]:
    """The constants of the free energies of
    :func:`emergent.stochastic.langevin.potential_values`."""
    return [
        Param("stiffness", "float", 1.0, "k of the Ornstein-Uhlenbeck F", low=0,
              low_open=True),
        Param("height", "float", height, "h of the double-well F", low=0, low_open=True),
        Param("beta", "float", 1.0, "inverse temperature of the canonical F (P2 45)", low=0,
              low_open=True),
        Param("mass", "float", 0.0, "m of the canonical F (P2 45)"),
    ]


def potential_kwargs(p: dict[str, Any]) -> dict[str, float]:
    """stiffness, height, beta, mass from validated parameters."""
    return {key: p[key] for key in ("stiffness", "height", "beta", "mass")}


def box(p: dict[str, Any]) -> tuple[float, float]:
    """(lower, upper) of the box, checked: upper > lower, and inside the domain of the
    canonical F (P2 45), lambda > m - 1/beta."""
    lower, upper = float(p["lower"]), float(p["upper"])
    if upper <= lower:
        raise ParameterError(f"upper must exceed lower, got lower={lower}, upper={upper}")
    if p["potential"] == "canonical":
        edge = p["mass"] - 1.0 / p["beta"]
        if lower <= edge:
            raise ParameterError(
                f"lower: the canonical free energy (P2 45) needs lambda > m - 1/beta = {edge:g};"
                f" got lower={lower} (e.g. --set lower=0)")
    return lower, upper


def per_axis(values: Any, dim: int, name: str) -> list[float]:
    """One value per axis from 1 or `dim` values of parameter `name`."""
    values = [float(v) for v in np.atleast_1d(values)]
    if len(values) == 1:
        return values * dim
    if len(values) != dim:
        raise ParameterError(f"{name}: give 1 or {dim} values, got {len(values)}")
    return values
