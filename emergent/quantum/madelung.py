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

The equation is given once as a model, :class:`Madelung`; :class:`MadelungStepper` advances a
:class:`MadelungState` (the Stepper protocol of :mod:`emergent.evolution`) and
:func:`solve_madelung` drives it with :func:`emergent.evolution.evolve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from emergent.evolution import BlowUp, Frame, Recorder, Result, Tracker, evolve
from emergent.quantum.constants import MadelungConstants
from emergent.quantum.grid import PeriodicGrid
from emergent.quantum.stepping import StateKeeper, plan_times, step_count

__all__ = [
    "Madelung",
    "MadelungBlowUp",
    "MadelungState",
    "MadelungStepper",
    "from_wavefunction",
    "hydrodynamic_energy",
    "solve_madelung",
    "to_wavefunction",
    "velocity_from_wavefunction",
]

#: RK4's stability bound on the imaginary axis, rounded down (|lambda dt| <= 2.83).
RK4_LIMIT = 2.5


def to_wavefunction(p: np.ndarray, free_energy: np.ndarray,
                    constants: MadelungConstants) -> np.ndarray:
    """Psi = sqrt(p) exp(i a F), a = sqrt(gamma mu / (4 D)): the Madelung transform P2 (35)
    with the derived constant.

    Parameters
    ----------
    p : ndarray
        The probability density (>= 0).
    free_energy : ndarray
        F, the same shape.
    constants : MadelungConstants
        D, gamma, mu.

    Returns
    -------
    ndarray, complex
        Psi.

    Raises
    ------
    ValueError
        Negative p.
    """
    p = np.asarray(p, dtype=float)
    if np.any(p < 0):
        raise ValueError("p must be >= 0")
    return np.sqrt(p) * np.exp(1j * constants.phase * np.asarray(free_energy, dtype=float))


def from_wavefunction(psi: np.ndarray, constants: MadelungConstants, *,
                      node_tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of P2 (35): (p, F, nodes) with p = |Psi|^2, F = unwrapped arg(Psi) / a.

    The phase is unwrapped along each axis in turn (axis 0 first); at nodes the phase is
    undefined: F is NaN there, and unwrapping does not cross them (each run of non-node cells
    along an axis is unwrapped on its own, so F is defined up to a constant per connected
    piece).

    Parameters
    ----------
    psi : ndarray
        The wave function.
    constants : MadelungConstants
        D, gamma, mu.
    node_tol : float
        Cells with p <= node_tol * max p are nodes.

    Returns
    -------
    p, F, nodes : ndarray(shape=psi.shape)
        The density, the free energy (NaN at nodes) and the node mask.
    """
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
    return p, phase / constants.phase, nodes


def _unwrap_runs(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    ok = np.isfinite(x)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        out[s:e] = np.unwrap(x[s:e])
    return out


def velocity_from_wavefunction(psi: np.ndarray, grid: PeriodicGrid,
                               constants: MadelungConstants) -> list[np.ndarray]:
    """The velocity P2 (31), u = 2 gamma grad F = (2 gamma / a) Im(Psi* grad Psi) / |Psi|^2.

    Parameters
    ----------
    psi : ndarray(shape=grid.shape)
        The wave function.
    grid : PeriodicGrid
        Its grid.
    constants : MadelungConstants
        D, gamma, mu.

    Returns
    -------
    list of K ndarray(shape=grid.shape)
        u per axis (NaN at exact nodes).
    """
    psi_h = grid.fft(psi)
    p = np.abs(psi) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return [2 * constants.gamma / constants.phase
                * np.imag(np.conj(psi) * grid.ifft(1j * kk * psi_h)) / p for kk in grid.k]


def hydrodynamic_energy(p: np.ndarray, u: list[np.ndarray], grid: PeriodicGrid,
                        consts: MadelungConstants, v: np.ndarray | None) -> float:
    """<H> of P2 (34) in the Madelung variables (31):
    int [mu p |u|^2 / (4 gamma) + 4 D |grad sqrt p|^2 + mu p V].

    Parameters
    ----------
    p : ndarray(shape=grid.shape)
        The density.
    u : list of K ndarray(shape=grid.shape)
        The velocity.
    grid : PeriodicGrid
        The grid.
    consts : MadelungConstants
        D, gamma, mu.
    v : ndarray or None
        V on the grid.

    Returns
    -------
    float
        The energy.
    """
    r = np.sqrt(np.clip(p, 0, None))
    e = sum(consts.mu * p * uk**2 / (4 * consts.gamma) for uk in u)
    e = e + 4 * consts.diffusion * sum(g**2 for g in grid.gradient(r))
    if v is not None:
        e = e + consts.mu * p * v
    return float(grid.integrate(e))


@dataclass
class MadelungState:
    """A state of P2 (32)-(33): p, u, and the Fourier coefficients the integrator carries.

    Attributes
    ----------
    p : ndarray(shape=grid.shape)
        The density (> 0).
    u : list of K ndarray(shape=grid.shape)
        The velocity (31).
    spectral : ndarray(shape=[1 + K, *grid.shape]), complex
        fft(p), fft(u_1), ... as carried from step to step (so that cutting a run into
        intervals does not change a bit).
    """

    p: np.ndarray
    u: list[np.ndarray]
    spectral: np.ndarray

    def stacked(self) -> np.ndarray:
        """p and u as one real array.

        Returns
        -------
        ndarray(shape=[1 + K, *grid.shape])
            p, then the K components of u.
        """
        return np.stack([self.p, *self.u])


class MadelungBlowUp(BlowUp):
    """The hydrodynamic solution of P2 (32)-(33) lost resolution or blew up.

    An :class:`emergent.evolution.BlowUp` (a FloatingPointError): ``t`` is the last good time,
    ``result`` what was recorded up to then, ``state`` the last good :class:`MadelungState`.
    """


@dataclass(frozen=True, eq=False)
class Madelung:
    """The Madelung (hydrodynamic) equations of learning P2 (32)-(33): the model, given once.

    Parameters
    ----------
    grid : PeriodicGrid
        The periodic box.
    constants : MadelungConstants
        D, gamma, mu.
    potential : ndarray, optional
        A static V on the grid (None: V = 0).
    learning : bool
        Include the boxed learning terms: (gamma/mu) lap p in (32) and the negative viscosity
        -(gamma/mu) lap u in (33).
    """

    grid: PeriodicGrid
    constants: MadelungConstants
    potential: np.ndarray | None = None
    learning: bool = False

    @property
    def potential_field(self) -> np.ndarray | None:
        """V broadcast to the grid (None for V = 0)."""
        return None if self.potential is None else np.broadcast_to(self.potential,
                                                                   self.grid.shape)

    def dispersive_limit(self) -> float:
        """RK4's stability limit for the quantum-pressure (dispersive) term of P2 (33).

        Returns
        -------
        float
            2.5 / (c sum_k k_max,k^2), c = sqrt(4 D gamma / mu) (a time step).
        """
        return RK4_LIMIT / (self.constants.kinetic * sum(km**2 for km in self.grid.k_max))

    def default_dt(self, state: MadelungState) -> float:
        """The default step of :func:`solve_madelung`, from stability.

        Rule: half of RK4's stability limit for the fastest explicit terms, the dispersion
        c |k|^2 of the quantum pressure and the advection |u| |k| (the learning terms are
        integrated exactly):

            dt = 0.5 * 2.5 / (c sum_k k_max,k^2 + sum_k k_max,k max|u_k|).

        Parameters
        ----------
        state : MadelungState
            The initial state.

        Returns
        -------
        float
            The step.
        """
        adv = sum(km * float(np.max(np.abs(uk))) for km, uk in zip(self.grid.k_max, state.u,
                                                                   strict=True))
        rate = self.constants.kinetic * sum(km**2 for km in self.grid.k_max) + adv
        return 0.5 * RK4_LIMIT / rate

    def state(self, p0: np.ndarray, u0: Sequence[np.ndarray] | np.ndarray) -> MadelungState:
        """The initial state from p0 (> 0) and u0 (K arrays, or one array in 1D).

        Parameters
        ----------
        p0 : ndarray(shape=grid.shape)
            The density, finite and > 0 (the hydrodynamic form is undefined at nodes).
        u0 : sequence of K ndarray(shape=grid.shape)
            The velocity.

        Returns
        -------
        MadelungState
            The state.

        Raises
        ------
        ValueError
            Bad shapes, non-finite values or p0 <= 0 somewhere.
        """
        grid = self.grid
        p = np.array(p0, dtype=float)
        if p.shape != grid.shape or np.any(~np.isfinite(p)) or np.any(p <= 0):
            raise ValueError(f"p0 must be finite and > 0 on the grid (shape {grid.shape}); the "
                             "hydrodynamic form is undefined at nodes")
        u = [np.array(uk, dtype=float) for uk in (u0 if isinstance(u0, list | tuple) else
                                                   (u0,) if grid.ndim == 1 else tuple(u0))]
        if len(u) != grid.ndim or any(uk.shape != grid.shape for uk in u):
            raise ValueError(f"u0 must be {grid.ndim} arrays of shape {grid.shape}")
        return MadelungState(p, u, np.stack([grid.fft(p), *[grid.fft(x) for x in u]]))

    def tail(self, p: np.ndarray, u: list[np.ndarray]) -> float:
        """The largest spectral tail (:meth:`PeriodicGrid.tail_fraction`) of p and u.

        Parameters
        ----------
        p : ndarray(shape=grid.shape)
            The density.
        u : list of K ndarray(shape=grid.shape)
            The velocity.

        Returns
        -------
        float
            The tail.
        """
        t_u = max((self.grid.tail_fraction(x) for x in u), default=0.0)
        return max(self.grid.tail_fraction(p), t_u)

    def energy(self, state: MadelungState) -> float:
        """<H> of a state (:func:`hydrodynamic_energy`, P2 (34) in the variables (31)).

        Parameters
        ----------
        state : MadelungState
            The state.

        Returns
        -------
        float
            The energy.
        """
        return hydrodynamic_energy(state.p, state.u, self.grid, self.constants,
                                   self.potential_field)


class MadelungStepper:
    """Advances P2 (32)-(33) by Lawson RK4 with spectral derivatives (the Stepper protocol).

    The state is checked every `check_every` steps and at the end of every interval; a
    non-finite state, p <= 0 or a spectral tail above `tail_tol` raises
    :class:`MadelungBlowUp` carrying the last good state and time.

    Parameters
    ----------
    model : Madelung
        The equation.
    dt : float
        The step (> 0, at most :meth:`Madelung.dispersive_limit`).
    tail_tol : float
        The largest allowed spectral tail of p and u.
    check_every : int
        Steps between checks.

    Raises
    ------
    ValueError
        `dt` not > 0 or above the stability limit.
    """

    def __init__(self, model: Madelung, dt: float, *, tail_tol: float = 1e-8,
                 check_every: int = 1) -> None:
        if not np.isfinite(dt) or dt <= 0:
            raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
        dt_max = model.dispersive_limit()
        if dt > dt_max:
            raise ValueError(f"dt={dt:g} exceeds the RK4 stability limit of the dispersive "
                             f"(quantum-pressure) term on this grid: dt <= {dt_max:.3g}")
        self.model = model
        self.dt = float(dt)
        self.tail_tol = tail_tol
        self.check_every = max(1, int(check_every))
        c = model.constants
        grid = model.grid
        self._nu = c.gamma / c.mu if model.learning else 0.0
        self._ef: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        self._gv = (None if model.potential is None else
                    [2 * c.gamma * g for g in grid.gradient(np.broadcast_to(model.potential,
                                                                            grid.shape))])
        self._cq = 8 * c.gamma * c.diffusion / c.mu

    def _factors(self, h: float) -> tuple[np.ndarray, np.ndarray]:
        # Lawson integrating factors: p decays, u grows (ill-posed)
        if h not in self._ef:
            k2 = self.model.grid.k2
            self._ef[h] = (np.exp(-self._nu * k2 * h), np.exp(+self._nu * k2 * h))
        return self._ef[h]

    def _rhs(self, ph: np.ndarray, uh: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        grid = self.model.grid
        kvec = grid.k
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
            term = -grid.fft(adv) + self._cq * 1j * kvec[j] * qh
            if self._gv is not None:
                term = term - grid.fft(self._gv[j])
            du.append(term)
        return dp, du

    def _lawson(self, ph: np.ndarray, uh: list[np.ndarray], dt: float
                ) -> tuple[np.ndarray, list[np.ndarray]]:
        rhs = self._rhs
        h2, h = dt / 2, dt
        (e2p, e2u), (e1p, e1u) = self._factors(h2), self._factors(h)
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

    def advance(self, state: MadelungState, t0: float, t1: float) -> MadelungState:
        """The state at `t1` from the state at `t0`.

        Parameters
        ----------
        state : MadelungState
            The state at `t0`.
        t0, t1 : float
            The interval.

        Returns
        -------
        MadelungState
            The state at `t1`.

        Raises
        ------
        MadelungBlowUp
            The solution lost resolution or blew up (with the last good state and time).
        """
        grid = self.model.grid
        n, h, first = step_count(t0, t1, self.dt)
        ph, uh = state.spectral[0], [state.spectral[1 + j] for j in range(grid.ndim)]
        good: tuple[Any, ...] = (state.p, state.u, ph, uh)
        t_good = t0
        for j in range(1, n + 1):
            with np.errstate(over="ignore", invalid="ignore"):
                ph, uh = self._lawson(ph, uh, h)
            index = j if first is None else first + j
            if index % self.check_every and j != n:
                continue
            t_now = index * h if first is not None else t0 + j * h
            pp = grid.ifft(ph).real
            uu = [grid.ifft(x).real for x in uh]
            why = None
            if not (np.all(np.isfinite(pp)) and all(np.all(np.isfinite(x)) for x in uu)):
                why = "non-finite values"
            elif pp.min() <= 0:
                why = f"p <= 0 appeared (min p = {pp.min():.2e}): a node formed"
            else:
                tl = self.model.tail(pp, uu)
                if tl > self.tail_tol:
                    why = (f"loss of resolution: spectral tail {tl:.1e} > tail_tol "
                           f"{self.tail_tol:.0e}")
            if why is not None:
                c = self.model.constants
                msg = (f"Madelung solution (learning={'on' if self.model.learning else 'off'}, "
                       f"gamma/mu={c.gamma / c.mu:g}, cells={grid.cells}) stopped at "
                       f"t={t_now:.4g}: {why}")
                last = MadelungState(good[0], good[1], np.stack([good[2], *good[3]]))
                raise MadelungBlowUp(msg, max(t_good, 0.0), state=last)
            good, t_good = (pp, uu, ph, uh), t_now
        return MadelungState(good[0], good[1], np.stack([good[2], *good[3]]))

    def save(self, state: MadelungState) -> Mapping[str, Any]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : MadelungState
            The state.

        Returns
        -------
        mapping
            p, u (stacked) and the spectral coefficients.
        """
        return {"p": state.p, "u": np.stack(state.u), "spectral": state.spectral}

    def load(self, saved: Mapping[str, Any]) -> MadelungState:
        """The state from a checkpoint.

        Parameters
        ----------
        saved : mapping
            What :meth:`save` returned.

        Returns
        -------
        MadelungState
            The state.
        """
        u = np.asarray(saved["u"], dtype=float)
        return MadelungState(np.asarray(saved["p"], dtype=float), [u[j] for j in range(len(u))],
                             np.asarray(saved["spectral"], dtype=complex))


def solve_madelung(initial: MadelungState | tuple[np.ndarray, Sequence[np.ndarray]],
                   model: Madelung, t_final: float, *, dt: float | None = None,
                   saves: int | Sequence[float] | np.ndarray = 2,
                   trackers: Sequence[Tracker] = (),
                   observe: Callable[[Frame[MadelungState]], Mapping[str, Any]] | None = None,
                   keep_states: bool = False, tail_tol: float = 1e-8, check_every: int = 1,
                   on_blowup: str = "raise") -> Result:
    """Integrate P2 (32)-(33) from (p0, u0) to `t_final` with :class:`MadelungStepper`.

    Parameters
    ----------
    initial : MadelungState or (p0, u0)
        The initial density (> 0 everywhere) and velocity (K arrays).
    model : Madelung
        The equation: grid, constants, potential, learning terms on or off.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step; None picks :meth:`Madelung.default_dt` (half of RK4's stability
        limit for the dispersion and advection terms). A dt above the dispersive stability
        limit raises. With equally spaced `saves` the step used is the largest one <= dt that
        divides the save interval.
    saves : int or sequence of float
        Number of equally spaced recorded times from 0 to `t_final`, or the times.
    trackers : sequence of Tracker
        More trackers.
    observe : callable(Frame) -> mapping, optional
        More series to record at every recorded time.
    keep_states : bool
        Keep p and u at every recorded time (``Result.states``, shape [records, 1 + K, ...]).
    tail_tol : float
        The largest allowed spectral tail of p and u.
    check_every : int
        Steps between checks of the state.
    on_blowup : {"raise", "stop"}
        On a blow-up, raise :class:`MadelungBlowUp` (its ``result`` holds what was recorded)
        or return the last good state.

    Returns
    -------
    Result
        ``t``, ``final`` (a :class:`MadelungState`), ``states``, ``series`` (``mass``,
        ``energy``, ``tail`` and those of `observe`), ``info`` (``dt``, ``dt_limit``,
        ``learning``, ``blowup``: the message or None, ``t_stop``: the last good time).

    Raises
    ------
    ValueError
        Bad arguments (the message names them).
    MadelungBlowUp
        With ``on_blowup="raise"``, when the solution loses resolution or blows up.
    """
    if on_blowup not in ("raise", "stop"):
        raise ValueError(f"on_blowup must be 'raise' or 'stop', got {on_blowup!r}")
    if not np.isfinite(t_final) or t_final <= 0:
        raise ValueError(f"t_final must be > 0, got {t_final!r}")
    state = initial if isinstance(initial, MadelungState) else model.state(*initial)
    dt = model.default_dt(state) if dt is None else dt
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"dt must be a finite number > 0, got {dt!r}")
    times, step = plan_times(t_final, saves, dt)
    stepper = MadelungStepper(model, step, tail_tol=tail_tol, check_every=check_every)

    def series(frame: Frame[MadelungState]) -> dict[str, Any]:
        s = frame.state
        out: dict[str, Any] = {"mass": float(model.grid.integrate(s.p)),
                               "energy": model.energy(s), "tail": model.tail(s.p, s.u)}
        if observe is not None:
            out.update(observe(frame))
        return out

    rec = Recorder(series)
    keeper = StateKeeper(MadelungState.stacked) if keep_states else None
    info: dict[str, Any] = dict(dt=step, dt_limit=model.dispersive_limit(),
                                learning=model.learning, blowup=None, t_stop=float(times[-1]))
    try:
        evolve(stepper, state, times, [rec, *([keeper] if keeper else []), *trackers])
    except MadelungBlowUp as err:
        rec.final = err.state
        info.update(blowup=str(err), t_stop=err.t)
        res = _result(rec, keeper, info)
        if on_blowup == "raise":
            raise MadelungBlowUp(str(err), err.t, res, err.state) from None
        return res
    return _result(rec, keeper, info)


def _result(rec: Recorder, keeper: StateKeeper | None, info: dict[str, Any]) -> Result:
    res = rec.result(**info)
    if keeper is not None:
        res.states = keeper.array()
    return res
