"""Numba kernels for Langevin ensembles (see :mod:`emergent.stochastic.langevin`).

Euler-Maruyama for dq = gamma grad F(q) dt + sqrt(2 D) dW (P2 eq 19-20 as an SDE). Every
particle m has its own SplitMix64 stream seeded from (seed, key, m), so the result does not
depend on the number of threads or on how prange splits the particles.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from emergent.kernels.cache import njit

__all__ = ["POTENTIALS", "gradient", "langevin_steps", "normals"]

POTENTIALS = ("ou", "double-well", "table", "flat")
"""The built-in potentials; the position in this tuple is the `kind` code of :func:`gradient`."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def _stream(seed: np.uint64, key: np.uint64, m: np.uint64) -> np.uint64:
    return _mix(_mix(_mix(seed) + key * _GOLDEN) ^ (m * _M2 + _M1))


@njit(cache=True, inline="always")
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    state = state + _GOLDEN
    return state, ((_mix(state) >> _S11) + np.uint64(1)) * _TWO53  # in (0, 1]


@njit(cache=True, inline="always")
def gradient(kind: int, q: np.ndarray, k: int, par: np.ndarray) -> float:
    """dF/dq_k for the built-in potentials (separable in the coordinates).

    0 "ou": F = -par0 |q|^2 / 2;  1 "double-well": F = -par0 sum (q_k^2 - 1)^2;
    2 "table": dF/dq_k = g(q_k) linearly interpolated from the table par[2:] sampled at
    par0 + i par1 (clamped at its ends; e.g. the canonical free energy, P2 45);
    3 "flat": F = 0 (pure diffusion, P1 11.5).

    Parameters
    ----------
    kind : int
        Index into :data:`POTENTIALS`.
    q : ndarray(shape=[K])
        One particle's position.
    k : int
        The coordinate, 0 <= k < K.
    par : ndarray
        The potential's parameters (see above).

    Returns
    -------
    float
        dF/dq_k at `q`.
    """
    x = q[k]
    if kind == 0:
        return -par[0] * x
    if kind == 1:
        return -4.0 * par[0] * x * (x * x - 1.0)
    if kind == 2:
        n = par.shape[0] - 2
        s = (x - par[0]) / par[1]
        if s <= 0.0:
            return par[2]
        if s >= n - 1:
            return par[n + 1]
        i = int(s)
        w = s - i
        return (1.0 - w) * par[2 + i] + w * par[3 + i]
    return 0.0


@njit(cache=True, parallel=True)
def langevin_steps(q: np.ndarray, kind: int, par: np.ndarray, gamma: float, diffusion: float,
                   dt: float, nsteps: int, seed: int, key: int, lower: np.ndarray,
                   upper: np.ndarray, wall: int) -> None:
    """Advance q (shape [M, K]) in place by nsteps Euler-Maruyama steps.

    q_k += gamma dF/dq_k dt + sqrt(2 D dt) z per step (P2 eq 19-20 as an SDE). Normals by the
    Marsaglia polar method from the particle's own stream (seed, key, m), so the result does
    not depend on the number of threads.

    Parameters
    ----------
    q : ndarray(shape=[M, K])
        Particle positions, modified in place.
    kind : int
        Index into :data:`POTENTIALS`.
    par : ndarray
        The potential's parameters (see :func:`gradient`).
    gamma : float
        Drift coefficient (the learning rate gamma of P2).
    diffusion : float
        Diffusion coefficient D.
    dt : float
        Time step.
    nsteps : int
        Number of steps.
    seed, key : int
        Select the random streams (key: e.g. the index of the recorded interval).
    lower, upper : ndarray(shape=[K])
        The box (used when `wall` is 1 or 2).
    wall : int
        0 free, 1 reflecting box [lower, upper] (zero flux), 2 periodic box.
    """
    mcount, kdim = q.shape
    amp = np.sqrt(2.0 * diffusion * dt)
    s0 = np.uint64(seed)
    k0 = np.uint64(key)
    for m in prange(mcount):
        state = _stream(s0, k0, np.uint64(m))
        x = q[m].copy()
        spare = 0.0
        have = False
        for _ in range(nsteps):
            for k in range(kdim):
                if have:
                    z = spare
                    have = False
                else:
                    s = 2.0
                    while s >= 1.0 or s == 0.0:  # Marsaglia polar method
                        state, u1 = _uniform(state)
                        state, u2 = _uniform(state)
                        v1 = 2.0 * u1 - 1.0
                        v2 = 2.0 * u2 - 1.0
                        s = v1 * v1 + v2 * v2
                    f = np.sqrt(-2.0 * np.log(s) / s)
                    z = v1 * f
                    spare = v2 * f
                    have = True
                x[k] += gamma * gradient(kind, x, k, par) * dt + amp * z
            if wall == 1:
                for k in range(kdim):
                    lo = lower[k]
                    hi = upper[k]
                    while x[k] < lo or x[k] > hi:
                        if x[k] < lo:
                            x[k] = 2.0 * lo - x[k]
                        if x[k] > hi:
                            x[k] = 2.0 * hi - x[k]
            elif wall == 2:
                for k in range(kdim):
                    span = upper[k] - lower[k]
                    x[k] = lower[k] + (x[k] - lower[k]) % span
        q[m] = x


@njit(cache=True, parallel=True)
def normals(count: int, seed: int, key: int) -> np.ndarray:
    """count standard normals, element m from stream (seed, key, m) (for stream tests).

    Parameters
    ----------
    count : int
        How many.
    seed, key : int
        Select the streams, as in :func:`langevin_steps`.

    Returns
    -------
    ndarray(shape=[count])
        Box-Muller normals, one per stream.
    """
    out = np.empty(count)
    s0 = np.uint64(seed)
    k0 = np.uint64(key)
    for m in prange(count):
        state = _stream(s0, k0, np.uint64(m))
        state, u1 = _uniform(state)
        state, u2 = _uniform(state)
        out[m] = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return out
