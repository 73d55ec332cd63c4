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

The grid equation is given once as a model, :class:`HamiltonJacobi`;
:class:`HamiltonJacobiStepper` advances a :class:`HamiltonJacobiState` (the Stepper protocol of
:mod:`emergent.evolution`) and :func:`solve_hamilton_jacobi` drives it with
:func:`emergent.evolution.evolve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from emergent.evolution import BlowUp, Frame, Recorder, Result, Tracker, evolve
from emergent.quantum.grid import PeriodicGrid
from emergent.quantum.stepping import StateKeeper, plan_times, step_count

__all__ = [
    "HamiltonJacobi",
    "HamiltonJacobiBlowUp",
    "HamiltonJacobiState",
    "HamiltonJacobiStepper",
    "characteristics",
    "cole_hopf_solution",
    "drift_trajectory",
    "hj_residual",
    "solve_hamilton_jacobi",
    "stationary_free_energy",
]


#: RK4's stability bound on the imaginary axis, rounded down (|lambda dt| <= 2.83).
RK4_LIMIT = 2.5


def _check_pos(**kw: float) -> None:
    for name, v in kw.items():
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")


@dataclass
class HamiltonJacobiState:
    """A state of P2 (38): F on the grid and the Fourier coefficients the integrator carries.

    Attributes
    ----------
    free_energy : ndarray(shape=grid.shape)
        F.
    spectral : ndarray(shape=grid.shape), complex
        fft(F) as carried from step to step (so that cutting a run into intervals does not
        change a bit).
    """

    free_energy: np.ndarray
    spectral: np.ndarray


class HamiltonJacobiBlowUp(BlowUp):
    """The grid solution of P2 (38) lost resolution or blew up.

    An :class:`emergent.evolution.BlowUp` (a FloatingPointError): ``t`` is the last good time,
    ``result`` what was recorded up to then, ``state`` the last good :class:`HamiltonJacobiState`.
    """


@dataclass(frozen=True, eq=False)
class HamiltonJacobi:
    """The viscous Hamilton-Jacobi equation of learning P2 (38) on a periodic grid: the model.

    dF/dt = -V - gamma |grad F|^2 - (gamma/mu) lap F.

    Parameters
    ----------
    grid : PeriodicGrid
        The periodic box.
    gamma : float
        gamma, the learning rate (> 0).
    mu : float or None
        mu (> 0); None drops the viscous term (the classical limit of (40)-(42)).
    potential : ndarray, optional
        A static V on the grid (None: V = 0).

    Raises
    ------
    ValueError
        gamma or mu not a finite number > 0.
    """

    grid: PeriodicGrid
    gamma: float
    mu: float | None = None
    potential: np.ndarray | None = None

    def __post_init__(self) -> None:
        _check_pos(gamma=self.gamma)
        if self.mu is not None:
            _check_pos(mu=self.mu)

    @property
    def viscosity(self) -> float:
        """gamma / mu, the (negative) viscosity of (38); 0 in the classical limit."""
        return 0.0 if self.mu is None else self.gamma / self.mu

    def state(self, f0: np.ndarray) -> HamiltonJacobiState:
        """The initial state from F0.

        Parameters
        ----------
        f0 : ndarray(shape=grid.shape)
            F at t = 0, finite and periodic.

        Returns
        -------
        HamiltonJacobiState
            The state.

        Raises
        ------
        ValueError
            A bad shape or non-finite values.
        """
        f = np.array(f0, dtype=float)
        if f.shape != self.grid.shape or not np.all(np.isfinite(f)):
            raise ValueError(f"f0 must be finite with shape {self.grid.shape}")
        return HamiltonJacobiState(f, self.grid.fft(f))

    def default_dt(self, f0: np.ndarray, t_final: float) -> float:
        """The default step of :func:`solve_hamilton_jacobi`, from stability and accuracy.

        Rule: half the smaller of (a) RK4's stability limit for the explicit nonlinear term
        gamma |grad F|^2, which advects at speed 2 gamma |grad F| with |grad F| bounded along
        the run by G = max|grad F0| + t_final max|grad V| (dP/dt = -grad V on the
        characteristics), and (b) the step over which the exactly integrated anti-diffusion of
        the highest mode grows by e:

            dt = 0.5 min(2.5 / (2 gamma G sum_k k_max,k), 1 / ((gamma/mu) sum_k k_max,k^2)),

        and at most `t_final`.

        Parameters
        ----------
        f0 : ndarray(shape=grid.shape)
            The initial F.
        t_final : float
            The duration.

        Returns
        -------
        float
            The step.
        """
        grid = self.grid
        g = sum(float(np.max(np.abs(x))) for x in grid.gradient(np.asarray(f0, float)))
        if self.potential is not None:
            g += t_final * sum(float(np.max(np.abs(x))) for x in
                               grid.gradient(np.broadcast_to(self.potential, grid.shape)))
        rates = [2 * self.gamma * g * sum(grid.k_max) / RK4_LIMIT,
                 self.viscosity * sum(k**2 for k in grid.k_max)]
        rate = max(rates)
        return float(t_final if rate <= 0 else min(t_final, 0.5 / rate))


class HamiltonJacobiStepper:
    """Advances P2 (38) by Lawson RK4 in Fourier space (the Stepper protocol).

    The linear (viscous) term is integrated exactly; after every step a non-finite F or a
    spectral tail of F - mean F above `tail_tol` raises :class:`HamiltonJacobiBlowUp` with the
    last good state and time.

    Parameters
    ----------
    model : HamiltonJacobi
        The equation.
    dt : float
        The step (> 0).
    tail_tol : float
        The largest allowed spectral tail.

    Raises
    ------
    ValueError
        `dt` not a finite number > 0.
    """

    def __init__(self, model: HamiltonJacobi, dt: float, *, tail_tol: float = 1e-8) -> None:
        _check_pos(dt=dt)
        self.model = model
        self.dt = float(dt)
        self.tail_tol = tail_tol
        grid = model.grid
        self._vh = (None if model.potential is None
                    else grid.fft(np.broadcast_to(model.potential, grid.shape)))
        self._ef: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def _factors(self, h: float) -> tuple[np.ndarray, np.ndarray]:
        if h not in self._ef:
            nu, k2 = self.model.viscosity, self.model.grid.k2
            self._ef[h] = (np.exp(nu * k2 * h / 2), np.exp(nu * k2 * h))
        return self._ef[h]

    def _rhs(self, fh: np.ndarray) -> np.ndarray:
        grid = self.model.grid
        g2 = sum(grid.ifft(1j * kk * fh).real ** 2 for kk in grid.k)
        out = -self.model.gamma * grid.fft(g2)
        return out if self._vh is None else out - self._vh

    def advance(self, state: HamiltonJacobiState, t0: float, t1: float) -> HamiltonJacobiState:
        """The state at `t1` from the state at `t0`.

        Parameters
        ----------
        state : HamiltonJacobiState
            The state at `t0`.
        t0, t1 : float
            The interval.

        Returns
        -------
        HamiltonJacobiState
            The state at `t1`.

        Raises
        ------
        HamiltonJacobiBlowUp
            The solution lost resolution or blew up (with the last good state and time).
        """
        grid = self.model.grid
        n, dt, first = step_count(t0, t1, self.dt)
        e2, e1 = self._factors(dt)
        rhs = self._rhs
        fh = state.spectral
        good, good_h, t_good = state.free_energy, fh, t0
        for j in range(1, n + 1):
            with np.errstate(over="ignore", invalid="ignore"):
                k1 = rhs(fh)
                k2 = rhs(e2 * (fh + dt / 2 * k1))
                k3 = rhs(e2 * fh + dt / 2 * k2)
                k4 = rhs(e1 * fh + dt * e2 * k3)
                fh = e1 * fh + dt / 6 * (e1 * k1 + 2 * e2 * (k2 + k3) + k4)
            t_now = (first + j) * dt if first is not None else t0 + j * dt
            ff = grid.ifft(fh).real
            why = None
            if not np.all(np.isfinite(ff)):
                why = "non-finite values"
            else:
                tl = grid.tail_fraction(ff - ff.mean())
                if tl > self.tail_tol:
                    why = (f"loss of resolution: spectral tail {tl:.1e} > tail_tol "
                           f"{self.tail_tol:.0e}")
            if why is not None:
                msg = (f"Hamilton-Jacobi solution (gamma/mu={self.model.viscosity:g}, "
                       f"cells={grid.cells}) stopped at t={t_now:.4g}: {why}")
                raise HamiltonJacobiBlowUp(msg, t_good,
                                           state=HamiltonJacobiState(good, good_h))
            good, good_h, t_good = ff, fh, t_now
        return HamiltonJacobiState(good, good_h)

    def save(self, state: HamiltonJacobiState) -> Mapping[str, Any]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : HamiltonJacobiState
            The state.

        Returns
        -------
        mapping
            F and its spectral coefficients.
        """
        return {"free_energy": state.free_energy, "spectral": state.spectral}

    def load(self, saved: Mapping[str, Any]) -> HamiltonJacobiState:
        """The state from a checkpoint.

        Parameters
        ----------
        saved : mapping
            What :meth:`save` returned.

        Returns
        -------
        HamiltonJacobiState
            The state.
        """
        return HamiltonJacobiState(np.asarray(saved["free_energy"], dtype=float),
                                   np.asarray(saved["spectral"], dtype=complex))


def solve_hamilton_jacobi(f0: np.ndarray | HamiltonJacobiState, model: HamiltonJacobi,
                          t_final: float, *, dt: float | None = None,
                          saves: int | Sequence[float] | np.ndarray = 2,
                          trackers: Sequence[Tracker] = (),
                          observe: Callable[[Frame[HamiltonJacobiState]],
                                            Mapping[str, Any]] | None = None,
                          keep_states: bool = True, tail_tol: float = 1e-8,
                          on_blowup: str = "raise") -> Result:
    """Integrate P2 (38) from a periodic F0 to `t_final` with :class:`HamiltonJacobiStepper`.

    Parameters
    ----------
    f0 : ndarray(shape=grid.shape) or HamiltonJacobiState
        The initial F.
    model : HamiltonJacobi
        The equation: grid, gamma, mu (None: classical limit), potential.
    t_final : float
        The final time (> 0).
    dt : float, optional
        The largest step; None picks :meth:`HamiltonJacobi.default_dt` (half the smaller of the
        RK4 advection limit and the anti-diffusion growth time of the highest mode). With
        equally spaced `saves` the step used is the largest one <= dt that divides the save
        interval.
    saves : int or sequence of float
        Number of equally spaced recorded times from 0 to `t_final`, or the times.
    trackers : sequence of Tracker
        More trackers.
    observe : callable(Frame) -> mapping, optional
        Series to record at every recorded time.
    keep_states : bool
        Keep F at every recorded time (``Result.states``, shape [records, *grid.shape]).
    tail_tol : float
        The largest allowed spectral tail of F - mean F.
    on_blowup : {"raise", "stop"}
        On a blow-up, raise :class:`HamiltonJacobiBlowUp` (its ``result`` holds what was
        recorded) or return the last good state.

    Returns
    -------
    Result
        ``t``, ``final`` (a :class:`HamiltonJacobiState`), ``states``, ``series`` (those of
        `observe`), ``info`` (``dt``, ``blowup``: the message or None, ``t_stop``: the last
        good time).

    Raises
    ------
    ValueError
        Bad arguments (the message names them).
    HamiltonJacobiBlowUp
        With ``on_blowup="raise"``, when the solution loses resolution or blows up.
    """
    _check_pos(t_final=t_final)
    if on_blowup not in ("raise", "stop"):
        raise ValueError(f"on_blowup must be 'raise' or 'stop', got {on_blowup!r}")
    state = f0 if isinstance(f0, HamiltonJacobiState) else model.state(f0)
    dt = model.default_dt(state.free_energy, t_final) if dt is None else dt
    _check_pos(dt=dt)
    times, step = plan_times(t_final, saves, dt)
    stepper = HamiltonJacobiStepper(model, step, tail_tol=tail_tol)
    rec = Recorder(observe)
    keeper = StateKeeper(lambda s: s.free_energy) if keep_states else None
    info: dict[str, Any] = dict(dt=step, blowup=None, t_stop=float(times[-1]))
    chain = [rec, *([keeper] if keeper else []), *trackers]
    try:
        evolve(stepper, state, times, chain)
    except HamiltonJacobiBlowUp as err:
        rec.final = err.state
        info.update(blowup=str(err), t_stop=err.t)
        res = rec.result(**info)
        if keeper is not None:
            res.states = keeper.array()
        if on_blowup == "raise":
            raise HamiltonJacobiBlowUp(str(err), err.t, res, err.state) from None
        return res
    res = rec.result(**info)
    if keeper is not None:
        res.states = keeper.array()
    return res


def cole_hopf_solution(q: np.ndarray, t: float, *, gamma: float, mu: float, offset: float,
                       amplitude: float, wavenumber: float) -> np.ndarray:
    """Exact solution of P2 (38) with V = 0: F = (1/mu) log(A + B exp((gamma/mu) k^2 t) cos(k q)).

    Defined while A > |B| exp((gamma/mu) k^2 t); F blows up (log 0) at the finite time
    t* = (mu / (gamma k^2)) log(A / |B|): the anti-diffusion of (38) in closed form (Cole-Hopf:
    phi = exp(mu F) solves the backward heat equation).

    Parameters
    ----------
    q : ndarray
        Points.
    t : float
        The time.
    gamma, mu : float
        The constants of (38) (> 0).
    offset, amplitude, wavenumber : float
        A (> 0), B and k.

    Returns
    -------
    ndarray
        F(t, q).

    Raises
    ------
    ValueError
        `t` at or past the blow-up time, or non-positive gamma, mu, offset.
    """
    _check_pos(gamma=gamma, mu=mu, offset=offset)
    phi = offset + amplitude * np.exp(gamma / mu * wavenumber**2 * t) * np.cos(wavenumber * q)
    if np.any(phi <= 0):
        raise ValueError("t is past the blow-up time of the Cole-Hopf solution")
    return np.log(phi) / mu


def stationary_free_energy(q: np.ndarray, *, mu: float, c0: float,
                           ck: np.ndarray | float) -> np.ndarray:
    """The stationary solution P2 (44) of (43): F = C_0 + (1/mu) sum_k log(C_k + mu q_k).

    Parameters
    ----------
    q : ndarray(shape=[..., K])
        Points.
    mu : float
        mu (> 0).
    c0 : float
        C_0.
    ck : float or ndarray(shape=[K])
        C_k.

    Returns
    -------
    ndarray(shape=[...])
        F.

    Raises
    ------
    ValueError
        C_k + mu q_k <= 0 somewhere, or mu <= 0.
    """
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
    """Residual of P2 (38), dF/dt + V + gamma |grad F|^2 + (gamma/mu) lap F, by 4th-order finite
    differences on a (non-periodic) grid with the given spacing per axis.

    Parameters
    ----------
    f : ndarray(shape=[n_1, ..., n_K])
        F on the grid.
    spacing : tuple of float
        h per axis.
    gamma, mu : float
        The constants of (38) (> 0).
    potential : ndarray, optional
        V on the grid.
    dfdt : ndarray, optional
        dF/dt on the grid (None: stationary, (43)).

    Returns
    -------
    ndarray
        The residual without the two outermost cells per side (shape reduced by 4 per axis).
    """
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
    dF/dt = gamma P^2 - V (the classical limit of P2 (38), corrected (40)-(42)).

    Parameters
    ----------
    q0, momentum0 : ndarray(shape=[K])
        The start point and P = grad F there.
    gamma : float
        gamma (> 0).
    grad_potential : callable(q) -> ndarray(shape=[K])
        grad V.
    potential : callable(q) -> float, optional
        V (None: V = 0).
    times : ndarray(shape=[T])
        The output times (from 0).
    f0 : float
        F at the start point.
    rtol : float
        The ODE tolerance (DOP853).

    Returns
    -------
    q, P, F : ndarray
        At `times`, shapes [T, K], [T, K], [T].
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
    """The learning drift P2 (19)/(40) as printed, dq/dt = gamma grad F(t, q).

    Parameters
    ----------
    q0 : ndarray(shape=[K])
        The start point.
    gamma : float
        gamma (> 0).
    grad_f : callable(t, q) -> ndarray(shape=[K])
        grad F.
    times : ndarray(shape=[T])
        The output times (from 0).
    rtol : float
        The ODE tolerance (DOP853).

    Returns
    -------
    ndarray(shape=[T, K])
        q at `times`.
    """
    _check_pos(gamma=gamma)
    q0 = np.atleast_1d(np.asarray(q0, float))
    sol = solve_ivp(lambda t, q: gamma * np.asarray(grad_f(t, q), float), (0.0, times[-1]), q0,
                    t_eval=times, method="DOP853", rtol=rtol, atol=rtol * 1e-2)
    return sol.y.T
