"""Parameters and checks shared by the simulations that evolve q in a free energy F(q)
(`fokker-planck`, `langevin`); not a simulation itself (the leading underscore keeps it out
of the registry's discovery)."""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

from emergent.runs.registry import ParameterError, param

__all__ = [
    "Potential",
    "PotentialParams",
    "beta_field",
    "box",
    "height_field",
    "mass_field",
    "per_axis",
    "potential_kwargs",
    "stiffness_field",
]


class PotentialParams(Protocol):
    """The parameters every free-energy simulation declares.

    The fields come from :func:`stiffness_field`, :func:`height_field`, :func:`beta_field`
    and :func:`mass_field` (and the simulation's own `potential`, `lower`, `upper`).
    """

    potential: str
    stiffness: float
    height: float
    beta: float
    mass: float
    lower: float
    upper: float


def stiffness_field() -> float:
    """k of the Ornstein-Uhlenbeck F (a @parameters field)."""
    return param(1.0, "k of the Ornstein-Uhlenbeck F", low=0, low_open=True)


def height_field(default: float) -> float:
    """h of the double-well F (a @parameters field).

    Parameters
    ----------
    default : float
        The simulation's default height (> 0).

    Returns
    -------
    float
        The field declaration (a float at class level).
    """
    return param(default, "h of the double-well F", low=0, low_open=True)


def beta_field() -> float:
    """beta of the canonical F, P2 (45) (a @parameters field)."""
    return param(1.0, "inverse temperature of the canonical F (P2 45)", low=0, low_open=True)


def mass_field() -> float:
    """m of the canonical F, P2 (45) (a @parameters field)."""
    return param(0.0, "m of the canonical F (P2 45)")


Potential = Literal["ou", "double-well", "canonical"]
"""The free energies F(q): Ornstein-Uhlenbeck, double well, canonical (P2 (45))."""


def potential_kwargs(p: PotentialParams) -> dict[str, float]:
    """The keyword arguments of the free energy F from validated parameters.

    Parameters
    ----------
    p : PotentialParams
        The simulation's parameters.

    Returns
    -------
    dict of str to float
        ``stiffness``, ``height``, ``beta`` and ``mass``.
    """
    return {"stiffness": p.stiffness, "height": p.height, "beta": p.beta, "mass": p.mass}


def box(p: PotentialParams) -> tuple[float, float]:
    """(lower, upper) of the box, checked.

    Parameters
    ----------
    p : PotentialParams
        The simulation's parameters.

    Returns
    -------
    (float, float)
        The box's lower and upper edge.

    Raises
    ------
    ParameterError
        upper <= lower, or for the canonical F (P2 (45)) a box reaching outside its domain
        lambda > m - 1/beta.
    """
    lower, upper = float(p.lower), float(p.upper)
    if upper <= lower:
        raise ParameterError(f"upper must exceed lower, got lower={lower}, upper={upper}")
    if p.potential == "canonical":
        edge = p.mass - 1.0 / p.beta
        if lower <= edge:
            raise ParameterError(
                f"lower: the canonical free energy (P2 45) needs lambda > m - 1/beta = {edge:g};"
                f" got lower={lower} (e.g. --set lower=0)")
    return lower, upper


def per_axis(values: float | tuple[float, ...], dim: int, name: str) -> list[float]:
    """One value per axis from 1 or `dim` values of parameter `name`.

    Parameters
    ----------
    values : float or tuple of float
        One value (for every axis) or one per axis.
    dim : int
        The number of axes.
    name : str
        The parameter's name (for the error message).

    Returns
    -------
    list of float
        `dim` values.

    Raises
    ------
    ParameterError
        Neither 1 nor `dim` values.
    """
    values = [float(v) for v in np.atleast_1d(values)]
    if len(values) == 1:
        return values * dim
    if len(values) != dim:
        raise ParameterError(f"{name}: give 1 or {dim} values, got {len(values)}")
    return values
