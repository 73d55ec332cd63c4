"""Constants of the Madelung <-> Schrödinger map, derived from P2 (29)-(30) (not copied from (34)).

Dropping the learning terms (the boxes of (32)-(33)), the equations of motion (29)-(30) read

    dp/dt = -2 gamma div(p grad F)
    dF/dt = -gamma |grad F|^2 - V + (4 D / mu) lap(sqrt p) / sqrt p.

Writing Psi = sqrt(p) exp(i a F) and matching with the Madelung form of
i hbar dPsi/dt = -(hbar^2 / 2m) lap Psi + c V Psi (S = c F = hbar a F) gives m = c / (2 gamma),
hbar^2 = 4 D c^2 / (gamma mu), hence (dividing by c / mu)

    i hbar_eff dPsi/dt = (-4 D lap + mu V) Psi,   hbar_eff = sqrt(4 D mu / gamma),       (34)
    Psi = sqrt(p) exp(i a F),                      a = sqrt(gamma mu / (4 D)).            (35)

The printed (34)-(35) lost the square roots and are the case mu = 1. The solvers use
dPsi/dt = i kinetic lap Psi - i a V Psi, kinetic = 4 D / hbar_eff = sqrt(4 D gamma / mu).
The classical mass is 1 / (2 kinetic) in units hbar = 1, so a particle in V accelerates at
-2 gamma grad V and a harmonic V = kappa q^2 / 2 oscillates at omega = sqrt(2 gamma kappa).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MadelungConstants", "madelung_constants"]


@dataclass(frozen=True)
class MadelungConstants:
    """The physical constants of the quantum limit, given once: D, gamma, mu (P2 (18), (19),
    (26)) and the derived constants of the corrected P2 (34)-(35).

    Parameters
    ----------
    diffusion : float
        D, the diffusion coefficient of the Fokker-Planck equation P2 (18) (> 0).
    gamma : float
        gamma, the learning rate of the drift P2 (19) (> 0).
    mu : float
        mu, the Lagrange multiplier of P2 (26) (> 0).

    Raises
    ------
    ValueError
        A constant that is not a finite number > 0 (the message names it).
    """

    diffusion: float
    gamma: float
    mu: float

    def __post_init__(self) -> None:
        for name in ("diffusion", "gamma", "mu"):
            v = getattr(self, name)
            if not np.isfinite(v) or v <= 0:
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
            object.__setattr__(self, name, float(v))

    @property
    def hbar(self) -> float:
        """hbar_eff = sqrt(4 D mu / gamma), the coefficient of i dPsi/dt in (34)."""
        return float(np.sqrt(4 * self.diffusion * self.mu / self.gamma))

    @property
    def phase(self) -> float:
        """a = sqrt(gamma mu / (4 D)), Psi = sqrt(p) exp(i a F) (35)."""
        return float(np.sqrt(self.gamma * self.mu / (4 * self.diffusion)))

    @property
    def kinetic(self) -> float:
        """4 D / hbar_eff = sqrt(4 D gamma / mu): dPsi/dt = i kinetic lap Psi - i phase V Psi."""
        return float(np.sqrt(4 * self.diffusion * self.gamma / self.mu))

    @property
    def mass(self) -> float:
        """Mass in units hbar = 1: -(1/2m) lap = -kinetic lap."""
        return 0.5 / self.kinetic

    def omega(self, stiffness: float) -> float:
        """Angular frequency of V = stiffness q^2 / 2 under P2 (34): sqrt(2 gamma stiffness).

        Parameters
        ----------
        stiffness : float
            kappa of V = kappa |q|^2 / 2.

        Returns
        -------
        float
            omega = sqrt(2 gamma kappa).
        """
        return float(np.sqrt(2 * self.gamma * stiffness))


def madelung_constants(*, diffusion: float, gamma: float, mu: float) -> MadelungConstants:
    """The constants of P2 (34)-(35) from D, gamma, mu, by keyword.

    Parameters
    ----------
    diffusion, gamma, mu : float
        D, gamma, mu (finite, > 0).

    Returns
    -------
    MadelungConstants
        The validated constants.

    Raises
    ------
    ValueError
        A constant that is not a finite number > 0 (the message names it).
    """
    return MadelungConstants(diffusion, gamma, mu)
