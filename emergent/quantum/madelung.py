"""Madelung transform and the hydrodynamic equations of learning, P2 (31)-(35).

Transform (35) with the derived constant a = sqrt(gamma mu / (4 D)):
Psi = sqrt(p) exp(i a F); back: p = |Psi|^2, F = unwrap(arg Psi) / a away from nodes, and the
velocity (31) u = 2 gamma grad F = (2 gamma / a) Im(Psi* grad Psi) / p, defined where p > 0.

Hydrodynamics, in the variables (p, u) of (32)-(33), K = 1..3 periodic dimensions:

    dp/dt = -div(u p) + [ (gamma/mu) lap p ]                                       (32)
    du/dt = -(u.grad) u - [ (gamma/mu) lap u ] - 2 gamma grad V
            + (8 gamma D / mu) grad( lap(sqrt p) / sqrt p )                            (33)

(the gradient of (30) times 2 gamma; the extracted (33) lost the factor 2 gamma on the quantum
pressure). The bracketed learning terms are switched by `learning`. Without them the system is
Schrödinger's (34); with them the viscosity of (33) is negative: mode k of u grows as
exp((gamma/mu) k^2 t), the initial value problem is ill-posed and the numerical solution loses
resolution at a time that shrinks with the grid. The solver integrates the linear learning terms
exactly (integrating factor, Lawson RK4), the rest explicitly with spectral derivatives, and
stops (MadelungBlowUp) when the state is non-finite, p <= 0 appears, or the spectral tail of p
or u exceeds `tail_tol`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from emergent.quantum.constants import MadelungConstants, madelung_constants
from emergent.quantum.grid import PeriodicGrid

__all__ = [
    "MadelungBlowUp",
    "MadelungResult",
    "from_wavefunction",
    "hydrodynamic_energy",
    "solve_madelung",
    "to_wavefunction",
    "velocity_from_wavefunction",
]


def to_wavefunction(p: np.ndarray, free_energy: np.ndarray, *, diffusion: float, gamma: float,
                    mu: float) -> np.ndarray:
    """Psi = sqrt(p) exp(i a F), a = sqrt(gamma mu / (4 D)) (35, derived constant)."""
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    p = np.asarray(p, dtype=float)
    if np.any(p < 0):
        raise ValueError("p must be >= 0")
    return np.sqrt(p) * np.exp(1j * consts.phase * np.asarray(free_energy, dtype=float))


def from_wavefunction(psi: np.ndarray, *, diffusion: float, gamma: float, mu: float,
                      node_tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, F, nodes): p = |Psi|^2, F = unwrapped arg(Psi) / a, nodes = p <= node_tol * max p.

    The phase is unwrapped along each axis in turn (axis 0 first); at nodes the phase is
    undefined: F is NaN there, and unwrapping does not cross them (each run of non-node cells
    along an axis is unwrapped on its own, so F is defined up to a constant per connected
    piece). Arrays of shape psi.shape.
    """
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    psi = np.asarray(psi, dtype=complex)
    p = np.abs(psi) ** 2
    nodes = p <= node_tol * p.max() if p.size else np.zeros(p.shape, bool)
    phase = np.angle(psi)
    if not nodes.any():
        for ax in range(psi.ndim):
            phase = np.unwrap(phase, axis=ax)
    else:
        phase = np.where(nodes, np.nan, phase)
        for ax in range(psi.ndim):
            phase = np.apply_along_axis(_unwrap_runs, ax, phase)
    return p, phase / consts.phase, nodes


def _unwrap_runs(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    ok = np.isfinite(x)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        out[s:e] = np.unwrap(x[s:e])
    return out


def velocity_from_wavefunction(psi: np.ndarray, grid: PeriodicGrid, *, diffusion: float,
                               gamma: float, mu: float) -> list[np.ndarray]:
    """u = 2 gamma grad F = (2 gamma / a) Im(Psi* grad Psi) / |Psi|^2 (31); NaN at exact nodes."""
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    psi_h = grid.fft(psi)
    p = np.abs(psi) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return [2 * gamma / consts.phase * np.imag(np.conj(psi) * grid.ifft(1j * kk * psi_h)) / p
                for kk in grid.k]


def hydrodynamic_energy(p: np.ndarray, u: list[np.ndarray], grid: PeriodicGrid,
                        consts: MadelungConstants, v: np.ndarray | None) -> float:
    """<H> in (p, u): int [mu p |u|^2 / (4 gamma) + 4 D |grad sqrt p|^2 + mu p V]."""
    r = np.sqrt(np.clip(p, 0, None))
    e = sum(consts.mu * p * uk**2 / (4 * consts.gamma) for uk in u)
    e = e + 4 * consts.diffusion * sum(g**2 for g in grid.gradient(r))
    if v is not None:
        e = e + consts.mu * p * v
    return float(grid.integrate(e))


class MadelungBlowUp(RuntimeError):
    """The hydrodynamic solution lost resolution or blew up; `t` is the last good time."""

    def __init__(self, message: str, t: float, result: MadelungResult | None = None) -> None:
        super().__init__(message)
        self.t = t
        self.result = result


@dataclass
class MadelungResult:
    """Final (p, u), records every `record_every` steps, and the blow-up, if any."""

    p: np.ndarray
    u: list[np.ndarray]
    t: np.ndarray
    mass: np.ndarray
    energy: np.ndarray
    tail: np.ndarray
    dt: float
    learning: bool
    blowup: str | None
    t_end: float
    records: list


def solve_madelung(p0: np.ndarray, u0: list[np.ndarray] | np.ndarray, grid: PeriodicGrid, *,
                   diffusion: float, gamma: float, mu: float, t_final: float, dt: float,
                   potential: np.ndarray | None = None, learning: bool = False,
                   record_every: int = 0, tail_tol: float = 1e-8, check_every: int = 1,
                   on_blowup: str = "raise",
                   observe: Callable[[float, np.ndarray, list[np.ndarray]], object] | None = None
                   ) -> MadelungResult:
    """Integrate (32)-(33) from p0 (shape grid.shape, > 0) and u0 (K arrays) to t_final.

    learning: include the boxed terms (gamma/mu) lap p in (32) and the negative viscosity in (33).
    on_blowup: "raise" (MadelungBlowUp) or "stop" (return the last good state, `blowup` says
    why and `t_end` when). potential: static V on the grid.
    """
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    if on_blowup not in ("raise", "stop"):
        raise ValueError(f"on_blowup must be 'raise' or 'stop', got {on_blowup!r}")
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
    if not np.isfinite(t_final) or t_final <= 0:
        raise ValueError(f"t_final must be > 0, got {t_final!r}")
    p = np.array(p0, dtype=float)
    if p.shape != grid.shape or np.any(~np.isfinite(p)) or np.any(p <= 0):
        raise ValueError(f"p0 must be finite and > 0 on the grid (shape {grid.shape}); the "
                         "hydrodynamic form is undefined at nodes")
    u = [np.array(uk, dtype=float) for uk in (u0 if isinstance(u0, list | tuple) else
                                               (u0,) if grid.ndim == 1 else tuple(u0))]
    if len(u) != grid.ndim or any(uk.shape != grid.shape for uk in u):
        raise ValueError(f"u0 must be {grid.ndim} arrays of shape {grid.shape}")
    dt_max = 2.5 / (consts.kinetic * sum(km**2 for km in grid.k_max))
    if dt > dt_max:
        raise ValueError(f"dt={dt:g} exceeds the RK4 stability limit of the dispersive "
                         f"(quantum-pressure) term on this grid: dt <= {dt_max:.3g}")
    steps = max(1, int(np.ceil(t_final / dt - 1e-9)))
    dt = t_final / steps
    nu = consts.gamma / consts.mu if learning else 0.0
    # Lawson integrating factors for half and full steps: p decays, u grows (ill-posed)
    ef_p = {h: np.exp(-nu * grid.k2 * h) for h in (dt / 2, dt)}
    ef_u = {h: np.exp(+nu * grid.k2 * h) for h in (dt / 2, dt)}
    gv = None if potential is None else [2 * consts.gamma * g for g in
                                          grid.gradient(np.broadcast_to(potential, grid.shape))]
    cq = 8 * consts.gamma * consts.diffusion / consts.mu
    kvec = grid.k

    def rhs(ph: np.ndarray, uh: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        pp = grid.ifft(ph).real
        uu = [grid.ifft(x).real for x in uh]
        dp = -sum(1j * kk * grid.fft(uk * pp) for kk, uk in zip(kvec, uu, strict=True))
        r = np.sqrt(np.clip(pp, 1e-300, None))
        qpot = grid.ifft(-grid.k2 * grid.fft(r)).real / r
        qh = grid.fft(qpot)
        du = []
        for j in range(grid.ndim):
            duj_grad = [grid.ifft(1j * kk * uh[j]).real for kk in kvec]
            adv = sum(uk * g for uk, g in zip(uu, duj_grad, strict=True))
            term = -grid.fft(adv) + cq * 1j * kvec[j] * qh
            if gv is not None:
                term = term - grid.fft(gv[j])
            du.append(term)
        return dp, du

    def lawson_step(ph: np.ndarray, uh: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        h2, h = dt / 2, dt
        e2p, e1p, e2u, e1u = ef_p[h2], ef_p[h], ef_u[h2], ef_u[h]
        k1p, k1u = rhs(ph, uh)
        k2p, k2u = rhs(e2p * (ph + h2 * k1p), [e2u * (a + h2 * b) for a, b in zip(uh, k1u,
                                                                                  strict=True)])
        k3p, k3u = rhs(e2p * ph + h2 * k2p, [e2u * a + h2 * b for a, b in zip(uh, k2u,
                                                                              strict=True)])
        k4p, k4u = rhs(e1p * ph + h * e2p * k3p, [e1u * a + h * e2u * b for a, b in
                                                   zip(uh, k3u, strict=True)])
        pn = e1p * ph + h / 6 * (e1p * k1p + 2 * e2p * (k2p + k3p) + k4p)
        un = [e1u * a + h / 6 * (e1u * b1 + 2 * e2u * (b2 + b3) + b4)
              for a, b1, b2, b3, b4 in zip(uh, k1u, k2u, k3u, k4u, strict=True)]
        return pn, un

    ts, ms, es, tails, recs = [], [], [], [], []
    vfield = None if potential is None else np.broadcast_to(potential, grid.shape)

    def tail_of(pp: np.ndarray, uu: list[np.ndarray]) -> float:
        t_u = max((grid.tail_fraction(x) for x in uu), default=0.0)
        return max(grid.tail_fraction(pp), t_u)

    def record(t: float, pp: np.ndarray, uu: list[np.ndarray]) -> None:
        ts.append(t)
        ms.append(float(grid.integrate(pp)))
        es.append(hydrodynamic_energy(pp, uu, grid, consts, vfield))
        tails.append(tail_of(pp, uu))
        if observe is not None:
            recs.append(observe(t, pp, uu))

    def result(pp: np.ndarray, uu: list[np.ndarray], why: str | None, t_end: float
               ) -> MadelungResult:
        return MadelungResult(p=pp, u=uu, t=np.array(ts), mass=np.array(ms), energy=np.array(es),
                              tail=np.array(tails), dt=dt, learning=learning, blowup=why,
                              t_end=t_end, records=recs)

    every = steps if record_every <= 0 else record_every
    record(0.0, p, u)
    ph, uh = grid.fft(p), [grid.fft(x) for x in u]
    good = (p, u)
    for n in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            ph, uh = lawson_step(ph, uh)
        if n % check_every == 0 or n == steps or n % every == 0:
            pp = grid.ifft(ph).real
            uu = [grid.ifft(x).real for x in uh]
            why = None
            if not (np.all(np.isfinite(pp)) and all(np.all(np.isfinite(x)) for x in uu)):
                why = "non-finite values"
            elif pp.min() <= 0:
                why = f"p <= 0 appeared (min p = {pp.min():.2e}): a node formed"
            else:
                tl = tail_of(pp, uu)
                if tl > tail_tol:
                    why = (f"loss of resolution: spectral tail {tl:.1e} > tail_tol "
                           f"{tail_tol:.0e}")
            if why is not None:
                t_bad = n * dt
                t_good = (n - check_every) * dt if n % check_every == 0 else (n - 1) * dt
                msg = (f"Madelung solution (learning={'on' if learning else 'off'}, "
                       f"gamma/mu={consts.gamma / consts.mu:g}, cells={grid.cells}) stopped at "
                       f"t={t_bad:.4g}: {why}")
                res = result(good[0], good[1], msg, max(t_good, 0.0))
                if on_blowup == "raise":
                    raise MadelungBlowUp(msg, max(t_good, 0.0), res)
                return res
            good = (pp, uu)
            if n % every == 0 or n == steps:
                record(n * dt, pp, uu)
    return result(good[0], good[1], None, steps * dt)
