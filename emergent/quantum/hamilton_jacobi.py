"""The classical limit of learning: Hamilton-Jacobi dynamics of the free energy (P2 §6, 37-46).

Viscous Hamilton-Jacobi equation (38), on a periodic grid:

    dF/dt = -V - gamma |grad F|^2 - (gamma/mu) lap F

For mu > 0 the viscous term is anti-diffusive (the negative viscosity of (33)/(37)): with the
Cole-Hopf map phi = exp(mu F) it is the backward heat equation dphi/dt = -(gamma/mu) lap phi
- mu V phi, ill-posed forward in time. The grid solver integrates the linear term exactly
(Lawson RK4 in Fourier space), detects the loss of resolution like the Madelung solver, and
is checked against the exact Cole-Hopf solution for V = 0.

Characteristics. The Hamiltonian (39) without its second-derivative term, H = V + gamma P^2,
P = grad F, gives Hamilton's equations dq/dt = 2 gamma P = u (the fluid velocity (31)),
dP/dt = -grad V, dF/dt = gamma P^2 - V, hence d^2q/dt^2 = -2 gamma grad V. The printed (40)
uses the learning drift dq/dt = gamma grad F = u/2 (19); along that drift (41) is correct, but
then d^2q/dt^2 = -gamma grad V - (gamma^2 / 2) grad |grad F|^2, so the printed (42),
d^2q/dt^2 = -gamma grad V, holds for neither curve: the classical equation of motion of the
Hamilton-Jacobi limit is d^2q/dt^2 = -2 gamma grad V along u (the same 2 gamma as the
oscillation frequency sqrt(2 gamma kappa) of the Schrödinger limit, see constants.py).

Stationary solution (44) of (43): F = C_0 + (1/mu) sum_k log(C_k + mu q_k), checked on a grid
by :func:`hj_residual`; the canonical free energy (45) is this solution with mu = 2 beta.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from emergent.quantum.grid import PeriodicGrid

__all__ = [
    "HamiltonJacobiBlowUp",
    "HamiltonJacobiResult",
    "characteristics",
    "cole_hopf_solution",
    "drift_trajectory",
    "hj_residual",
    "solve_hamilton_jacobi",
    "stationary_free_energy",
]


class HamiltonJacobiBlowUp(RuntimeError):
    """The grid solution of (38) lost resolution or blew up; `t` is the last good time."""

    def __init__(self, message: str, t: float, result: HamiltonJacobiResult | None = None
                 ) -> None:
        super().__init__(message)
        self.t = t
        self.result = result


@dataclass
class HamiltonJacobiResult:
    """Final F, recorded times and fields, and the blow-up message, if any."""

    free_energy: np.ndarray
    t: np.ndarray
    fields: np.ndarray
    dt: float
    blowup: str | None
    t_end: float


def _check_pos(**kw: float) -> None:
    for name, v in kw.items():
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")


def solve_hamilton_jacobi(f0: np.ndarray, grid: PeriodicGrid, *, gamma: float,
                          mu: float | None, t_final: float, dt: float,
                          potential: np.ndarray | None = None, record_every: int = 0,
                          tail_tol: float = 1e-8, on_blowup: str = "raise"
                          ) -> HamiltonJacobiResult:
    """Integrate (38) from a periodic F0 (shape grid.shape); mu=None drops the viscous term
    (the classical limit of (41)-(42)). Lawson RK4, spectral derivatives."""
    _check_pos(gamma=gamma, t_final=t_final, dt=dt)
    if mu is not None:
        _check_pos(mu=mu)
    if on_blowup not in ("raise", "stop"):
        raise ValueError(f"on_blowup must be 'raise' or 'stop', got {on_blowup!r}")
    f = np.array(f0, dtype=float)
    if f.shape != grid.shape or not np.all(np.isfinite(f)):
        raise ValueError(f"f0 must be finite with shape {grid.shape}")
    steps = max(1, int(np.ceil(t_final / dt - 1e-9)))
    dt = t_final / steps
    nu = 0.0 if mu is None else gamma / mu
    e2, e1 = np.exp(nu * grid.k2 * dt / 2), np.exp(nu * grid.k2 * dt)
    vh = None if potential is None else grid.fft(np.broadcast_to(potential, grid.shape))

    def rhs(fh: np.ndarray) -> np.ndarray:
        g2 = sum(grid.ifft(1j * kk * fh).real ** 2 for kk in grid.k)
        out = -gamma * grid.fft(g2)
        return out if vh is None else out - vh

    fh = grid.fft(f)
    ts, fs = [0.0], [f]
    every = steps if record_every <= 0 else record_every
    good = f
    for n in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            k1 = rhs(fh)
            k2 = rhs(e2 * (fh + dt / 2 * k1))
            k3 = rhs(e2 * fh + dt / 2 * k2)
            k4 = rhs(e1 * fh + dt * e2 * k3)
            fh = e1 * fh + dt / 6 * (e1 * k1 + 2 * e2 * (k2 + k3) + k4)
        ff = grid.ifft(fh).real
        why = None
        if not np.all(np.isfinite(ff)):
            why = "non-finite values"
        else:
            tl = grid.tail_fraction(ff - ff.mean())
            if tl > tail_tol:
                why = f"loss of resolution: spectral tail {tl:.1e} > tail_tol {tail_tol:.0e}"
        if why is not None:
            msg = (f"Hamilton-Jacobi solution (gamma/mu={nu:g}, cells={grid.cells}) stopped at "
                   f"t={n * dt:.4g}: {why}")
            res = HamiltonJacobiResult(good, np.array(ts), np.array(fs), dt, msg, (n - 1) * dt)
            if on_blowup == "raise":
                raise HamiltonJacobiBlowUp(msg, (n - 1) * dt, res)
            return res
        good = ff
        if n % every == 0 or n == steps:
            ts.append(n * dt)
            fs.append(ff)
    return HamiltonJacobiResult(good, np.array(ts), np.array(fs), dt, None, steps * dt)


def cole_hopf_solution(q: np.ndarray, t: float, *, gamma: float, mu: float, offset: float,
                       amplitude: float, wavenumber: float) -> np.ndarray:
    """Exact solution of (38) with V = 0: F = (1/mu) log(A + B exp((gamma/mu) k^2 t) cos(k q)).

    Defined while A > |B| exp((gamma/mu) k^2 t); F blows up (log 0) at the finite time
    t* = (mu / (gamma k^2)) log(A / |B|): the anti-diffusion of (38) in closed form.
    """
    _check_pos(gamma=gamma, mu=mu, offset=offset)
    phi = offset + amplitude * np.exp(gamma / mu * wavenumber**2 * t) * np.cos(wavenumber * q)
    if np.any(phi <= 0):
        raise ValueError("t is past the blow-up time of the Cole-Hopf solution")
    return np.log(phi) / mu


def stationary_free_energy(q: np.ndarray, *, mu: float, c0: float,
                           ck: np.ndarray | float) -> np.ndarray:
    """F = C_0 + (1/mu) sum_k log(C_k + mu q_k) (44); q ndarray(shape=[..., K])."""
    _check_pos(mu=mu)
    arg = np.asarray(ck) + mu * np.asarray(q, dtype=float)
    if np.any(arg <= 0):
        raise ValueError("C_k + mu q_k must be > 0")
    return c0 + np.sum(np.log(arg), axis=-1) / mu


def _d1(f: np.ndarray, h: float, axis: int) -> np.ndarray:
    r = lambda s: np.roll(f, s, axis=axis)  # noqa: E731
    return (-r(-2) + 8 * r(-1) - 8 * r(1) + r(2)) / (12 * h)


def _d2(f: np.ndarray, h: float, axis: int) -> np.ndarray:
    r = lambda s: np.roll(f, s, axis=axis)  # noqa: E731
    return (-r(-2) + 16 * r(-1) - 30 * f + 16 * r(1) - r(2)) / (12 * h**2)


def hj_residual(f: np.ndarray, spacing: tuple[float, ...], *, gamma: float, mu: float,
                potential: np.ndarray | None = None, dfdt: np.ndarray | None = None
                ) -> np.ndarray:
    """Residual of (38), dF/dt + V + gamma |grad F|^2 + (gamma/mu) lap F, by 4th-order finite
    differences on a (non-periodic) grid with the given spacing per axis; the two outermost
    cells per side are cut (shape reduced by 4 per axis)."""
    _check_pos(gamma=gamma, mu=mu)
    res = np.zeros_like(f)
    for ax, h in enumerate(spacing):
        res = res + gamma * _d1(f, h, ax) ** 2 + gamma / mu * _d2(f, h, ax)
    if potential is not None:
        res = res + potential
    if dfdt is not None:
        res = res + dfdt
    return res[tuple(slice(2, -2) for _ in spacing)]


def characteristics(q0: np.ndarray, momentum0: np.ndarray, *, gamma: float,
                    grad_potential: Callable[[np.ndarray], np.ndarray],
                    potential: Callable[[np.ndarray], np.ndarray] | None = None,
                    times: np.ndarray, f0: float = 0.0, rtol: float = 1e-11
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hamilton's equations of H = V + gamma P^2: dq/dt = 2 gamma P, dP/dt = -grad V,
    dF/dt = gamma P^2 - V (classical limit of (38), corrected (40)-(42)).

    q0, momentum0: ndarray(shape=[K]); returns (q, P, F) at `times`, shapes [T, K], [T, K], [T].
    """
    _check_pos(gamma=gamma)
    q0 = np.atleast_1d(np.asarray(q0, float))
    p0 = np.atleast_1d(np.asarray(momentum0, float))
    K = q0.size

    def f(_t: float, y: np.ndarray) -> np.ndarray:
        q, P = y[:K], y[K:2 * K]
        v = 0.0 if potential is None else float(potential(q))
        return np.concatenate((2 * gamma * P, -np.asarray(grad_potential(q), float),
                               [gamma * P @ P - v]))

    sol = solve_ivp(f, (0.0, float(times[-1])), np.concatenate((q0, p0, [f0])), t_eval=times,
                    method="DOP853", rtol=rtol, atol=rtol * 1e-2)
    return sol.y[:K].T, sol.y[K:2 * K].T, sol.y[2 * K]


def drift_trajectory(q0: np.ndarray, *, gamma: float,
                     grad_f: Callable[[float, np.ndarray], np.ndarray], times: np.ndarray,
                     rtol: float = 1e-10) -> np.ndarray:
    """The learning drift (19)/(40) as printed, dq/dt = gamma grad F(t, q); shape [T, K]."""
    _check_pos(gamma=gamma)
    q0 = np.atleast_1d(np.asarray(q0, float))
    sol = solve_ivp(lambda t, q: gamma * np.asarray(grad_f(t, q), float), (0.0, times[-1]), q0,
                    t_eval=times, method="DOP853", rtol=rtol, atol=rtol * 1e-2)
    return sol.y.T
