"""Langevin ensembles of trainable variables (P2 eq 19-20 as a stochastic differential equation).

    dq_k = gamma dF/dq_k dt + sqrt(2 D) dW_k,   k = 1..K (any K),

whose density obeys the Fokker-Planck equation (20). M particles advance in parallel (Numba)
with one SplitMix64 stream per particle derived from (seed, key, particle): results do not depend
on the number of threads. Histograms on the cells of a
:class:`emergent.stochastic.fokker_planck.Grid`
compare the ensemble with the grid solver; this is also the route for K > 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emergent.kernels import langevin_kernels as LK
from emergent.stochastic.fokker_planck import Grid

__all__ = ["POTENTIALS", "evolve", "gradient_table", "histogram", "potential_values"]

POTENTIALS = ("ou", "double-well", "canonical", "flat")
BOUNDARIES = ("reflect", "periodic", "free")


def potential_values(potential: str, coords: Sequence[np.ndarray], *, stiffness: float = 1.0,
                     height: float = 1.0, beta: float = 1.0, mass: float = 0.0) -> np.ndarray:
    """F at the points `coords` (K arrays of one shape) for a named potential.

    "ou": -stiffness |q|^2 / 2; "double-well": -height sum_k (q_k^2 - 1)^2 (maxima of F at
    q_k = +-1, where the drift up F collects the ensemble); "canonical": the canonical free
    energy of a net as a function of its eigenvalues q = lambda (P2 45,
    :func:`emergent.septuple.canonical.canonical_free_energy`); "flat": 0 (P1 11.5).
    """
    if potential not in POTENTIALS:
        raise ValueError(f"potential must be one of {POTENTIALS}, got {potential!r}")
    q = np.stack([np.asarray(c, dtype=float) for c in coords], axis=-1)
    if potential == "ou":
        return -0.5 * stiffness * np.sum(q**2, axis=-1)
    if potential == "double-well":
        return -height * np.sum((q**2 - 1.0) ** 2, axis=-1)
    if potential == "canonical":
        from emergent.septuple.canonical import canonical_free_energy
        return canonical_free_energy(q, beta=beta, mass=mass)
    return np.zeros(q.shape[:-1])


def gradient_table(potential: str, lower: float, upper: float, *, points: int = 4097,
                   beta: float = 1.0, mass: float = 0.0) -> np.ndarray:
    """Kernel parameters for a separable potential tabulated as dF/dq_k on [lower, upper].

    Only "canonical" (P2 45) needs it: dF/dq_k from
    :func:`emergent.septuple.canonical.canonical_free_energy_gradient`, evaluated one eigenvalue
    at a time.
    """
    if potential != "canonical":
        raise ValueError(f"potential: only 'canonical' is tabulated, got {potential!r}")
    from emergent.septuple.canonical import canonical_free_energy_gradient
    x = np.linspace(lower, upper, points)
    g = canonical_free_energy_gradient(x[:, None], beta=beta, mass=mass)[:, 0]
    return np.concatenate([[lower, (upper - lower) / (points - 1)], g])


def evolve(q0: np.ndarray, *, potential: str, gamma: float, diffusion: float, dt: float,
           steps: int, seed: int, key: int = 0, lower: Sequence[float] | None = None,
           upper: Sequence[float] | None = None, boundary: str = "reflect",
           stiffness: float = 1.0, height: float = 1.0, beta: float = 1.0,
           mass: float = 0.0) -> np.ndarray:
    """Advance the ensemble q0 (shape [M, K]) by `steps` Euler-Maruyama steps of size dt.

    The particles' streams are keyed by (seed, key); use a new key for every call of a run
    (e.g. the chunk index) so that a resumed run draws the same numbers. boundary: "reflect"
    (zero flux at the box [lower, upper], as the grid solver), "periodic", or "free".
    Returns a new array [M, K].
    """
    q = np.array(q0, dtype=float, ndmin=2)
    if q.ndim != 2:
        raise ValueError(f"q0 must have shape [M, K], got {np.shape(q0)}")
    if not np.isfinite(q).all():
        raise ValueError("q0 must be finite")
    for name, val in (("diffusion", diffusion), ("dt", dt)):
        if not np.isfinite(val) or val <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {val!r}")
    if not np.isfinite(gamma):
        raise ValueError(f"gamma must be finite, got {gamma!r}")
    if int(steps) < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
    kdim = q.shape[1]
    if boundary == "free":
        lo = np.full(kdim, -np.inf)
        hi = np.full(kdim, np.inf)
        wall = 0
    else:
        if lower is None or upper is None:
            raise ValueError(f"boundary={boundary!r} needs lower and upper")
        lo = np.broadcast_to(np.asarray(lower, dtype=float), (kdim,)).copy()
        hi = np.broadcast_to(np.asarray(upper, dtype=float), (kdim,)).copy()
        if (hi <= lo).any():
            raise ValueError("upper must exceed lower on every axis")
        wall = 1 if boundary == "reflect" else 2
    if potential == "canonical":
        a = lo.min() if np.isfinite(lo).all() else q.min() - 10.0
        b = hi.max() if np.isfinite(hi).all() else q.max() + 10.0
        par = gradient_table("canonical", a, b, beta=beta, mass=mass)
        kind = 2
    elif potential in ("ou", "double-well", "flat"):
        kind = {"ou": 0, "double-well": 1, "flat": 3}[potential]
        par = np.array([stiffness if potential == "ou" else height])
    else:
        raise ValueError(f"potential must be one of {POTENTIALS}, got {potential!r}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be in [0, 2^63), got {seed}")
    LK.langevin_steps(q, kind, par, float(gamma), float(diffusion), float(dt), int(steps),
                      int(seed), int(key), lo, hi, wall)
    return q


def histogram(q: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Density of the ensemble q ([M, K]) on the grid's cells and its standard error.

    Returns (density, stderr), both of shape `cells`: counts / (M h^K) and
    sqrt(c (1 - c / M)) / (M h^K). Particles outside the box are not counted.
    """
    q = np.asarray(q, dtype=float)
    if q.ndim != 2 or q.shape[1] != grid.ndim:
        raise ValueError(f"q must have shape [M, {grid.ndim}], got {q.shape}")
    counts, _ = np.histogramdd(q, bins=[grid.edges(k) for k in range(grid.ndim)])
    m = q.shape[0]
    norm = m * grid.cell_volume
    return counts / norm, np.sqrt(counts * (1.0 - counts / m)) / norm
