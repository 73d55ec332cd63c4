"""Quantum and classical limits of learning (P2 §5-6, P1 §11).

Three equations, each given once as a model (a frozen dataclass holding the grid, the
constants and the potential) and solved by one verb of the common shape
``solve_x(initial, model, t_final, *, dt=None, saves=2, trackers=()) -> Result``
(:class:`emergent.evolution.Result`: ``t``, ``final``, ``states``, ``series``, ``info``), each
backed by a Stepper class (advance / save / load) that the registered simulations drive too:

- the Schrödinger equation P2 (34): :class:`Schrodinger`, :class:`SchrodingerStepper`,
  :func:`solve_schrodinger`;
- the Madelung hydrodynamics P2 (32)-(33): :class:`Madelung`, :class:`MadelungStepper`,
  :func:`solve_madelung`;
- the Hamilton-Jacobi equation P2 (38): :class:`HamiltonJacobi`,
  :class:`HamiltonJacobiStepper`, :func:`solve_hamilton_jacobi`.

The constants D, gamma, mu are one :class:`MadelungConstants` (the corrected P2 (34)-(35)).

Example
-------
>>> from emergent import quantum as qm
>>> c = qm.MadelungConstants(diffusion=0.25, gamma=1.0, mu=1.0)
>>> g = qm.make_grid(256, 20.0)
>>> model = qm.Schrodinger(g, c, potential=0.5 * g.q[0] ** 2, method="blanes-moan4")
>>> psi0 = qm.coherent_state(g, c, stiffness=1.0, displacement=2.0)
>>> res = qm.solve_schrodinger(psi0, model, t_final=1.0)
>>> exact = qm.coherent_state(g, c, stiffness=1.0, displacement=2.0, t=1.0)
>>> bool(abs(res.final - exact).max() < 1e-6)
True
"""

from emergent.quantum.action import (
    ACTION_TERM_NAMES,
    ACTION_TERMS,
    action_terms,
    action_terms_from_wavefunction,
    entropy_production,
)
from emergent.quantum.constants import MadelungConstants, madelung_constants
from emergent.quantum.grid import PeriodicGrid, make_grid
from emergent.quantum.hamilton_jacobi import (
    HamiltonJacobi,
    HamiltonJacobiBlowUp,
    HamiltonJacobiState,
    HamiltonJacobiStepper,
    characteristics,
    cole_hopf_solution,
    drift_trajectory,
    hj_residual,
    solve_hamilton_jacobi,
    stationary_free_energy,
)
from emergent.quantum.madelung import (
    Madelung,
    MadelungBlowUp,
    MadelungState,
    MadelungStepper,
    from_wavefunction,
    hydrodynamic_energy,
    solve_madelung,
    to_wavefunction,
    velocity_from_wavefunction,
)
from emergent.quantum.networks import network_eigenvalues
from emergent.quantum.schrodinger import (
    DEFAULT_ERROR_TARGET,
    RESOLUTION_TOL,
    SPLITTINGS,
    Schrodinger,
    SchrodingerStepper,
    absorbing_rate,
    check_resolved,
    coherent_state,
    default_dt,
    energy,
    estimate_step_error,
    gaussian_packet,
    hamiltonian_apply,
    norm,
    solve_schrodinger,
)
from emergent.quantum.stepping import StateKeeper, plan_times, step_count, step_times

__all__ = [
    "ACTION_TERMS",
    "ACTION_TERM_NAMES", "DEFAULT_ERROR_TARGET", "RESOLUTION_TOL", "SPLITTINGS", "HamiltonJacobi",
    "HamiltonJacobiBlowUp", "HamiltonJacobiState", "HamiltonJacobiStepper", "Madelung",
    "MadelungBlowUp", "MadelungConstants", "MadelungState", "MadelungStepper", "PeriodicGrid",
    "Schrodinger", "SchrodingerStepper", "StateKeeper", "absorbing_rate", "action_terms",
    "action_terms_from_wavefunction", "characteristics", "check_resolved", "coherent_state",
    "cole_hopf_solution", "default_dt", "drift_trajectory", "energy", "entropy_production",
    "estimate_step_error", "from_wavefunction", "gaussian_packet", "hamiltonian_apply",
    "hj_residual", "hydrodynamic_energy", "madelung_constants", "make_grid",
    "network_eigenvalues", "norm", "plan_times", "solve_hamilton_jacobi", "solve_madelung",
    "solve_schrodinger", "stationary_free_energy", "step_count", "step_times", "to_wavefunction",
    "velocity_from_wavefunction",
]
