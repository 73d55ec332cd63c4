"""Quantum and classical limits of learning (P2 §5-6, P1 §11)."""

from emergent.quantum.action import (
    ACTION_TERMS,
    action_terms,
    action_terms_from_wavefunction,
    entropy_production,
)
from emergent.quantum.constants import MadelungConstants, madelung_constants
from emergent.quantum.grid import PeriodicGrid, make_grid
from emergent.quantum.hamilton_jacobi import (
    HamiltonJacobiBlowUp,
    HamiltonJacobiResult,
    characteristics,
    cole_hopf_solution,
    drift_trajectory,
    hj_residual,
    solve_hamilton_jacobi,
    stationary_free_energy,
)
from emergent.quantum.madelung import (
    MadelungBlowUp,
    MadelungResult,
    from_wavefunction,
    hydrodynamic_energy,
    solve_madelung,
    to_wavefunction,
    velocity_from_wavefunction,
)
from emergent.quantum.schrodinger import (
    SPLITTINGS,
    SchrodingerResult,
    absorbing_rate,
    coherent_state,
    energy,
    estimate_step_error,
    gaussian_packet,
    hamiltonian_apply,
    norm,
    solve_schrodinger,
    split_step_propagator,
)

__all__ = [
    "ACTION_TERMS", "SPLITTINGS", "HamiltonJacobiBlowUp", "HamiltonJacobiResult",
    "MadelungBlowUp", "MadelungConstants", "MadelungResult", "PeriodicGrid",
    "SchrodingerResult", "absorbing_rate", "action_terms", "action_terms_from_wavefunction",
    "characteristics", "coherent_state", "cole_hopf_solution", "drift_trajectory", "energy",
    "entropy_production", "estimate_step_error", "from_wavefunction", "gaussian_packet",
    "hamiltonian_apply", "hj_residual", "hydrodynamic_energy", "madelung_constants",
    "make_grid", "norm", "solve_hamilton_jacobi", "solve_madelung", "solve_schrodinger",
    "split_step_propagator",
    "stationary_free_energy", "to_wavefunction", "velocity_from_wavefunction",
]
