"""Split-step Fourier solver for the Schrödinger equation of learning, P2 (34) (P1 (11.9)).

    i hbar_eff dPsi/dt = (-4 D lap + mu V(t, q)) Psi,  hbar_eff = sqrt(4 D mu / gamma)

on a periodic grid in K = 1, 2, 3 dimensions (constants derived in
:mod:`emergent.quantum.constants`). The propagator exp(-i H dt / hbar_eff) is split into the
potential flow A (diagonal in q) and the kinetic flow B (diagonal in k, exact through scipy.fft);
compositions: Strang (order 2), Yoshida's triple jump (order 4) and the 6-stage Blanes-Moan
PRK method (order 4, smaller error constant). Adjacent A sub-steps of consecutive steps are
merged (one FFT pair per B stage). A time-dependent V is evaluated at the clock that the B
flows advance, which keeps the order of the composition. An optional absorbing layer adds the
imaginary potential -i W(q) (W >= 0 only within `absorb_width` of the box edges).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from emergent.quantum.constants import MadelungConstants, madelung_constants
from emergent.quantum.grid import PeriodicGrid

__all__ = [
    "SPLITTINGS",
    "SchrodingerResult",
    "absorbing_rate",
    "coherent_state",
    "energy",
    "estimate_step_error",
    "gaussian_packet",
    "hamiltonian_apply",
    "norm",
    "solve_schrodinger",
    "split_step_propagator",
]

_W1 = 1.0 / (2.0 - 2.0 ** (1.0 / 3.0))
_W0 = 1.0 - 2.0 * _W1
# Blanes & Moan (2002), J. Comput. Appl. Math. 142, 313, Table 2: PRK order 4, s = 6
_BA = (0.0792036964311957, 0.353172906049774, -0.0420650803577195)
_BA4 = 1.0 - 2.0 * sum(_BA)
_BB = (0.209515106613362, -0.143851773179818)
_BB3 = 0.5 - sum(_BB)

#: name -> (order, ((flow, coefficient), ...)); flow "A" = potential, "B" = kinetic
SPLITTINGS: dict[str, tuple[int, tuple[tuple[str, float], ...]]] = {
    "strang": (2, (("A", 0.5), ("B", 1.0), ("A", 0.5))),
    "yoshida4": (4, (("A", _W1 / 2), ("B", _W1), ("A", (_W1 + _W0) / 2), ("B", _W0),
                     ("A", (_W1 + _W0) / 2), ("B", _W1), ("A", _W1 / 2))),
    "blanes-moan4": (4, (("A", _BA[0]), ("B", _BB[0]), ("A", _BA[1]), ("B", _BB[1]),
                         ("A", _BA[2]), ("B", _BB3), ("A", _BA4), ("B", _BB3), ("A", _BA[2]),
                         ("B", _BB[1]), ("A", _BA[1]), ("B", _BB[0]), ("A", _BA[0]))),
}

Potential = np.ndarray | Callable[[float], np.ndarray] | None


def norm(psi: np.ndarray, grid: PeriodicGrid) -> float:
    """Total probability int |Psi|^2 d^K q."""
    return float(grid.integrate(np.abs(psi) ** 2))


def hamiltonian_apply(psi: np.ndarray, grid: PeriodicGrid, consts: MadelungConstants,
                      v: np.ndarray | None) -> np.ndarray:
    """H Psi = (-4 D lap + mu V) Psi (right side of (34)), spectral Laplacian."""
    out = grid.ifft(4 * consts.diffusion * grid.k2 * grid.fft(psi))
    if v is not None:
        out = out + consts.mu * v * psi
    return out


def energy(psi: np.ndarray, grid: PeriodicGrid, consts: MadelungConstants,
           v: np.ndarray | None) -> float:
    """<H> = int Psi* (-4 D lap + mu V) Psi, the value conserved by (34) for static V."""
    return float(grid.integrate((np.conj(psi) * hamiltonian_apply(psi, grid, consts, v)).real))


def absorbing_rate(grid: PeriodicGrid, *, width: float, strength: float) -> np.ndarray:
    """W(q) = strength * sum_k s_k^2, s_k = max(0, (|q_k| - (L_k/2 - width)) / width)."""
    if not 0 < width < min(grid.length) / 2:
        raise ValueError(f"absorb_width must be in (0, L/2), got {width}")
    if not np.isfinite(strength) or strength <= 0:
        raise ValueError(f"absorb_strength must be > 0, got {strength}")
    w = np.zeros(grid.shape)
    for q, L in zip(grid.q, grid.length, strict=True):
        s = np.clip((np.abs(q) - (L / 2 - width)) / width, 0, None)
        w = w + s**2
    return strength * w


def _potential_at(potential: Potential, t: float, grid: PeriodicGrid) -> np.ndarray | None:
    if potential is None:
        return None
    if callable(potential):
        v = np.asarray(potential(t), dtype=float)
    else:
        v = np.asarray(potential, dtype=float)
    if v.shape != grid.shape:
        v = np.broadcast_to(v, grid.shape)
    return v


def split_step_propagator(grid: PeriodicGrid, consts: MadelungConstants, *, dt: float,
                          potential: Potential = None, method: str = "yoshida4",
                          absorb: np.ndarray | None = None
                          ) -> Callable[[np.ndarray, float, int], np.ndarray]:
    """Build `advance(psi, t0, steps) -> psi(t0 + steps dt)` for one grid, dt and method.

    Factory: exponentials of a static V are computed once per distinct sub-step coefficient.
    psi has shape grid.shape (complex); it is not modified.
    """
    if method not in SPLITTINGS:
        raise ValueError(f"method must be one of {tuple(SPLITTINGS)}, got {method!r}")
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
    _, stages = SPLITTINGS[method]
    kin = consts.kinetic * grid.k2
    b_cache: dict[float, np.ndarray] = {}
    a_cache: dict[float, np.ndarray] = {}
    static = not callable(potential)
    v_static = _potential_at(potential, 0.0, grid) if static else None
    axes = tuple(range(-grid.ndim, 0))
    import scipy.fft as sfft
    workers = grid.workers

    def b_phase(c: float) -> np.ndarray:
        if c not in b_cache:
            b_cache[c] = np.exp(-1j * kin * (c * dt))
        return b_cache[c]

    def a_phase(c: float, t: float) -> np.ndarray | None:
        if static and c in a_cache:
            return a_cache[c]
        v = v_static if static else _potential_at(potential, t, grid)
        expo = np.zeros(grid.shape, dtype=complex) if v is None else -1j * consts.phase * v
        if absorb is not None:
            expo = expo - absorb
        ph = None if (v is None and absorb is None) else np.exp(expo * (c * dt))
        if static:
            a_cache[c] = ph
        return ph

    def advance(psi: np.ndarray, t0: float, steps: int) -> np.ndarray:
        psi = np.array(psi, dtype=complex, copy=True)
        pending = 0.0
        clock = t0
        for _ in range(steps):
            for flow, c in stages:
                if flow == "A":
                    pending += c
                    continue
                if pending != 0.0:
                    ph = a_phase(pending, clock)
                    if ph is not None:
                        psi *= ph
                    pending = 0.0
                psi = sfft.fftn(psi, axes=axes, workers=workers, overwrite_x=True)
                psi *= b_phase(c)
                psi = sfft.ifftn(psi, axes=axes, workers=workers, overwrite_x=True)
                clock += c * dt
        if pending != 0.0:
            ph = a_phase(pending, clock)
            if ph is not None:
                psi *= ph
        return psi

    return advance


def estimate_step_error(psi: np.ndarray, grid: PeriodicGrid, consts: MadelungConstants, *,
                        dt: float, potential: Potential = None, method: str = "yoshida4",
                        t0: float = 0.0) -> float:
    """Local error of one step, estimated by step doubling: ||S(dt) psi - S(dt/2)^2 psi|| /
    (1 - 2^-p) / ||psi|| (p = order of the method)."""
    order = SPLITTINGS[method][0]
    one = split_step_propagator(grid, consts, dt=dt, potential=potential, method=method)
    half = split_step_propagator(grid, consts, dt=dt / 2, potential=potential, method=method)
    d = np.sqrt(grid.integrate(np.abs(one(psi, t0, 1) - half(psi, t0, 2)) ** 2))
    return float(d / (1 - 2.0**-order) / np.sqrt(norm(psi, grid)))


@dataclass
class SchrodingerResult:
    """Final state and the diagnostics recorded every `record_every` steps."""

    psi: np.ndarray
    t: np.ndarray
    norm: np.ndarray
    energy: np.ndarray
    dt: float
    steps: int
    method: str
    records: list = field(default_factory=list)


def solve_schrodinger(psi0: np.ndarray, grid: PeriodicGrid, *, diffusion: float, gamma: float,
                      mu: float, t_final: float, dt: float | None = None,
                      potential: Potential = None, method: str = "yoshida4",
                      record_every: int = 0, error_target: float | None = None,
                      absorb_width: float = 0.0, absorb_strength: float = 0.0,
                      resolution_tol: float = 1e-14,
                      observe: Callable[[float, np.ndarray], object] | None = None
                      ) -> SchrodingerResult:
    """Integrate (34) from psi0 (ndarray(shape=grid.shape)) to t_final.

    dt: step; None picks the largest step whose estimated global error is below
    `error_target` (required then). With both given, a dt too large for the target raises.
    record_every: steps between records of norm, <H> (and `observe(t, psi)`); 0 = start/end.
    absorb_width > 0 switches on the absorbing layer (then the norm decays by design).
    Raises ValueError if psi0 is not resolved: share of its spectral power in the outer 10%
    of wave numbers above `resolution_tol`.
    """
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    psi0 = np.asarray(psi0, dtype=complex)
    if psi0.shape != grid.shape:
        raise ValueError(f"psi0 must have shape {grid.shape}, got {psi0.shape}")
    if not np.all(np.isfinite(psi0)):
        raise ValueError("psi0 must be finite")
    if not np.isfinite(t_final) or t_final <= 0:
        raise ValueError(f"t_final must be > 0, got {t_final!r}")
    tail = grid.tail_fraction(psi0)
    if tail > resolution_tol:
        raise ValueError(f"psi0 is not resolved by the grid (cells={grid.cells}): "
                         f"{tail:.1e} of its spectral power lies in the outer 10% of wave "
                         f"numbers (allowed {resolution_tol:.0e}); use more cells")
    if method not in SPLITTINGS:
        raise ValueError(f"method must be one of {tuple(SPLITTINGS)}, got {method!r}")
    order = SPLITTINGS[method][0]
    if error_target is not None and (not np.isfinite(error_target) or error_target <= 0):
        raise ValueError(f"error_target must be > 0, got {error_target!r}")
    if dt is None:
        if error_target is None:
            raise ValueError("give dt or error_target")
        trial = min(t_final / 8, 0.05)
        loc = estimate_step_error(psi0, grid, consts, dt=trial, potential=potential,
                                  method=method)
        const = max(loc, 1e-300) / trial ** (order + 1)
        dt = 0.5 * (error_target / (t_final * const)) ** (1.0 / order)
        dt = min(dt, t_final)
    elif error_target is not None:
        loc = estimate_step_error(psi0, grid, consts, dt=dt, potential=potential, method=method)
        est = loc * t_final / dt
        if est > error_target:
            dt_ok = dt * (error_target / est) ** (1.0 / order)
            raise ValueError(f"dt={dt:g} too large for error_target={error_target:g} with "
                             f"{method}: estimated global error {est:.1e}; use dt <= {dt_ok:.3g}")
    steps = max(1, int(np.ceil(t_final / dt - 1e-9)))
    dt = t_final / steps
    absorb = (absorbing_rate(grid, width=absorb_width, strength=absorb_strength)
              if absorb_width > 0 else None)
    advance = split_step_propagator(grid, consts, dt=dt, potential=potential, method=method,
                                    absorb=absorb)
    every = steps if record_every <= 0 else record_every
    ts, ns, es, recs = [], [], [], []

    def record(t: float, psi: np.ndarray) -> None:
        ts.append(t)
        ns.append(norm(psi, grid))
        es.append(energy(psi, grid, consts, _potential_at(potential, t, grid)))
        if observe is not None:
            recs.append(observe(t, psi))

    psi = psi0
    record(0.0, psi)
    done = 0
    while done < steps:
        k = min(every, steps - done)
        psi = advance(psi, done * dt, k)
        done += k
        record(done * dt, psi)
    return SchrodingerResult(psi=psi, t=np.array(ts), norm=np.array(ns), energy=np.array(es),
                             dt=dt, steps=steps, method=method, records=recs)


def gaussian_packet(grid: PeriodicGrid, *, diffusion: float, gamma: float, mu: float,
                    center: tuple[float, ...] | float = 0.0, wavenumber: tuple[float, ...] |
                    float = 0.0, sigma: float = 1.0, t: float = 0.0) -> np.ndarray:
    """Analytic free Gaussian packet of (34) with V = 0 (on the infinite line), product over axes.

    |Psi(0)|^2 is a normal density of std sigma around `center`, times exp(i k0 (q - center)).
    With c = sqrt(4 D gamma / mu): Psi(t) = (2 pi sigma^2)^(-1/4) (1 + i tau)^(-1/2)
    exp(-(q - q0 - 2 c k0 t)^2 / (4 sigma^2 (1 + i tau)) + i k0 (q - q0) - i c k0^2 t),
    tau = c t / sigma^2.
    """
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    c = consts.kinetic
    K = grid.ndim
    q0 = np.broadcast_to(np.asarray(center, dtype=float), (K,))
    k0 = np.broadcast_to(np.asarray(wavenumber, dtype=float), (K,))
    tau = c * t / sigma**2
    psi = np.ones(grid.shape, dtype=complex)
    for ax in range(K):
        q = grid.q[ax]
        psi = psi * ((2 * np.pi * sigma**2) ** -0.25 / np.sqrt(1 + 1j * tau)
                     * np.exp(-(q - q0[ax] - 2 * c * k0[ax] * t) ** 2
                              / (4 * sigma**2 * (1 + 1j * tau))
                              + 1j * k0[ax] * (q - q0[ax]) - 1j * c * k0[ax] ** 2 * t))
    return psi


def coherent_state(grid: PeriodicGrid, *, diffusion: float, gamma: float, mu: float,
                   stiffness: float, displacement: tuple[float, ...] | float,
                   t: float = 0.0) -> np.ndarray:
    """Analytic coherent state of (34) in V = stiffness |q|^2 / 2, product over axes.

    m = 1 / (2 c) (hbar = 1 units), omega = sqrt(2 gamma stiffness); centre x_c = d cos(omega t),
    momentum p_c = -m omega d sin(omega t): Psi = (m omega / pi)^(1/4) exp(-i omega t / 2)
    exp(-m omega (q - x_c)^2 / 2 + i p_c q - i x_c p_c / 2) per axis.
    """
    consts = madelung_constants(diffusion=diffusion, gamma=gamma, mu=mu)
    m = consts.mass
    w = consts.omega(stiffness)
    K = grid.ndim
    d = np.broadcast_to(np.asarray(displacement, dtype=float), (K,))
    psi = np.ones(grid.shape, dtype=complex)
    for ax in range(K):
        q = grid.q[ax]
        xc = d[ax] * np.cos(w * t)
        pc = -m * w * d[ax] * np.sin(w * t)
        psi = psi * ((m * w / np.pi) ** 0.25 * np.exp(-0.5j * w * t)
                     * np.exp(-m * w * (q - xc) ** 2 / 2 + 1j * pc * q - 0.5j * xc * pc))
    return psi
