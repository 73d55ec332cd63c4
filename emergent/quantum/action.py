"""Entropy production (P2 22) and the five terms of the action density (P2 28).

For p(q) > 0 and F(q) on a periodic grid:

    dS_q/dt = int [D |grad p|^2 / p - gamma grad p . grad F]                     (22, first line)
            = int sqrt p (-4 D lap + gamma lap F) sqrt p                           (22, second line)

and the integrand of (28) integrated over q, term by term (P2 §5 list):
  (1) int sqrt p (-4 D lap) sqrt p = 4 D int |grad sqrt p|^2   stochastic entropy production
  (2) gamma int p lap F = -gamma int grad p . grad F            learning entropy production
  (3) mu int p dF/dt                                            free energy production by x
  (4) mu gamma int p |grad F|^2                                 free energy production by q
  (5) mu int p V                                                (minus) total free energy production
The action (28) is the time integral of their sum. On solutions of (29)-(30) with the learning
terms the sum vanishes; on solutions of the Schrödinger limit (34) (learning terms dropped)
(1)+(3)+(4)+(5) = 0 and (3) = -<H>.
"""

from __future__ import annotations

import numpy as np

from emergent.quantum.constants import MadelungConstants
from emergent.quantum.grid import PeriodicGrid
from emergent.quantum.schrodinger import hamiltonian_apply

__all__ = [
    "ACTION_TERMS",
    "ACTION_TERM_NAMES",
    "RESOLVED_DENSITY",
    "action_terms",
    "action_terms_from_wavefunction",
    "entropy_production",
]

ACTION_TERMS = ("stochastic_entropy", "learning_entropy", "free_energy_x", "free_energy_q",
                "potential")
"""The names of the five terms of the action density P2 (28), in the order of the paper's list
(the keys of :func:`action_terms`)."""


ACTION_TERM_NAMES = {
    "stochastic_entropy": "stochastic entropy production int sqrt p (-4 D Laplacian) sqrt p "
                          "d^Kq, term (1) of the action density P2 (28)",
    "learning_entropy": "learning entropy production gamma int p Laplacian F d^Kq, term (2) "
                        "of the action density P2 (28)",
    "free_energy_x": "free energy production by x, mu int p dF/dt d^Kq, term (3) of the "
                     "action density P2 (28)",
    "free_energy_q": "free energy production by q, mu gamma int p |grad F|^2 d^Kq, term (4) "
                     "of the action density P2 (28)",
    "potential": "mu int p V d^Kq (minus the total free energy production), term (5) of the "
                 "action density P2 (28)",
}
"""What each of :data:`ACTION_TERMS` means, in words (the long names of the files' series)."""

RESOLVED_DENSITY = 1e-12
"""Cells with p <= RESOLVED_DENSITY x max p are left out of the quotients by Psi in
:func:`action_terms_from_wavefunction` (there Psi is round-off)."""


def entropy_production(p: np.ndarray, grad_f: list[np.ndarray], grid: PeriodicGrid,
                       constants: MadelungConstants) -> float:
    """The entropy production dS_q/dt of P2 (22): int D |grad p|^2 / p - gamma grad p . grad F.

    Parameters
    ----------
    p : ndarray(shape=grid.shape)
        The density (>= 0; cells with p = 0 contribute no diffusion term).
    grad_f : list of K ndarray(shape=grid.shape)
        grad F.
    grid : PeriodicGrid
        The grid.
    constants : MadelungConstants
        D and gamma (mu is not used).

    Returns
    -------
    float
        dS_q/dt.
    """
    diffusion, gamma = constants.diffusion, constants.gamma
    gp = grid.gradient(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = sum(np.where(p > 0, diffusion * g**2 / p, 0.0) for g in gp)
    dens = dens - gamma * sum(a * b for a, b in zip(gp, grad_f, strict=True))
    return float(grid.integrate(dens))


def action_terms(p: np.ndarray, grad_f: list[np.ndarray], dfdt: np.ndarray,
                 grid: PeriodicGrid, constants: MadelungConstants, *,
                 potential: np.ndarray | None = None) -> dict[str, float]:
    """The five terms of the action density P2 (28), integrated over q (see the module doc).

    Parameters
    ----------
    p : ndarray(shape=grid.shape)
        The density.
    grad_f : list of K ndarray(shape=grid.shape)
        grad F.
    dfdt : ndarray(shape=grid.shape)
        dF/dt.
    grid : PeriodicGrid
        The grid.
    constants : MadelungConstants
        D, gamma, mu.
    potential : ndarray, optional
        V on the grid (None: V = 0).

    Returns
    -------
    dict of str to float
        The terms, keyed by :data:`ACTION_TERMS`.
    """
    c = constants
    r = np.sqrt(np.clip(p, 0, None))
    gp = grid.gradient(p)
    v = 0.0 if potential is None else potential
    return {
        "stochastic_entropy": float(4 * c.diffusion * grid.integrate(
            sum(g**2 for g in grid.gradient(r)))),
        "learning_entropy": float(-c.gamma * grid.integrate(
            sum(a * b for a, b in zip(gp, grad_f, strict=True)))),
        "free_energy_x": float(c.mu * grid.integrate(p * dfdt)),
        "free_energy_q": float(c.mu * c.gamma * grid.integrate(p * sum(g**2 for g in grad_f))),
        "potential": float(c.mu * grid.integrate(p * v)),
    }


def action_terms_from_wavefunction(psi: np.ndarray, grid: PeriodicGrid,
                                   constants: MadelungConstants, *,
                                   potential: np.ndarray | None = None) -> dict[str, float]:
    """The P2 (28) terms for a solution of P2 (34), from the wave function alone.

    grad F = Im(Psi* grad Psi) / (a p) and mu dF/dt = -Re(Psi* H Psi) / p (from i hbar dPsi/dt =
    H Psi and hbar a = mu, the corrected constants of (34)-(35)), evaluated where the density is
    resolved, p > :data:`RESOLVED_DENSITY` x max p. Elsewhere Psi is round-off (its far tails
    underflow towards 1e-300 while the spectral derivatives carry errors of 1e-16 max |Psi|), a
    quotient by it is noise of any size, and the cells' weight in every term is below
    1e-12 of the total: they contribute nothing.

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The wave function (a solution of (34)).
    grid : PeriodicGrid
        The grid.
    constants : MadelungConstants
        D, gamma, mu.
    potential : ndarray, optional
        V on the grid.

    Returns
    -------
    dict of str to float
        The terms, keyed by :data:`ACTION_TERMS`.
    """
    c = constants
    psi_h = grid.fft(psi)
    p = np.abs(psi) ** 2
    ok = p > RESOLVED_DENSITY * p.max()
    inv = np.zeros_like(p)
    inv[ok] = 1.0 / p[ok]
    conj = np.conj(psi)
    grad_f = [np.imag(conj * grid.ifft(1j * kk * psi_h)) * inv / c.phase for kk in grid.k]
    dfdt = -np.real(conj * hamiltonian_apply(psi, grid, c, potential)) * inv / c.mu
    return action_terms(p, grad_f, dfdt, grid, c, potential=potential)
