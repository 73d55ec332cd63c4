"""Relativistic strings from the pi / pi^T ensemble of permutation chains (P2 §8, eq 64-76).

D + 1 subsystems x^(mu), mu = 0..D, of one closed chain of N neurons form the fields
x^(mu)(tau, sigma) of a closed string in an emergent (D+1)-dimensional Minkowski space
(eta = diag(-1, 1, ..., 1)). The ensemble (68) averages two branches evolved by the same
network, x^- by w = pi (right-moving, (69), (71)) and x^+ by w^T = pi^T (left-moving, (70),
(72)):  x = (x^- + x^+) / 2, which obeys the wave equation (73)-(74).

The time coordinate of a closed string grows linearly, x^(0) = E tau; a periodic chain can only
carry it through a bias, a drift E / alpha per step in the subsystem mu = 0 (an offset per
subsystem added to the shared bias b). Initial data come from classical closed-string
solutions in conformal gauge, X = (a(sigma - tau) + b(sigma + tau)) R / 2, X^0 = R tau with
|a'| = |b'| = 1, which satisfy the light-cone constraints (65), (75) exactly in the continuum.

Derivatives are the centred (second-order) versions of (53), (62); with them the discrete
ensemble of the linear pure permutation satisfies (71)-(72) exactly and the constraint residual
is a pure discretisation error, O((2 pi / N)^2), constant in time.

The solver: :func:`solve` evolves a :class:`StringState` (``StringState.of(closed_string(...))``)
under a :class:`StringChain` (``StringChain.of(data, activation=..., weights=...)``) with the
:class:`StringStepper`, in whole chain steps; :meth:`StringChain.derivatives` gives the centred
derivatives of a state for the constraints (75) and the action (76).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from emergent.chains.continuum import (
    alpha_for,
    centered_sigma_derivative,
    centered_tau_derivative,
    sigma_grid,
)
from emergent.chains.permutation import saved_steps
from emergent.evolution import Frame, Recorder, Result, Tracker
from emergent.evolution import evolve as evolve_loop
from emergent.kernels.chain_kernels import (
    LINEAR,
    PARALLEL_THRESHOLD,
    TANH,
    chain_steps_shifted,
    chain_steps_shifted_serial,
)
from emergent.septuple.activations import activation_code

__all__ = [
    "STRING_KINDS",
    "StringChain",
    "StringData",
    "StringState",
    "StringStepper",
    "closed_string",
    "light_cone_residuals",
    "minkowski",
    "nambu_goto_density",
    "polyakov_action",
    "polyakov_density",
    "solve",
]

STRING_KINDS = ("pulsating", "kibble-turok", "unconstrained")
"""The initial strings of :func:`closed_string`: the pulsating circle and the Kibble-Turok family
(both satisfy the constraints (64)-(65)), and the pulsating string with excess energy (which
violates them)."""


def minkowski(dims: int) -> np.ndarray:
    """The emergent Minkowski metric of (64)-(65): eta = diag(-1, 1, ..., 1).

    Parameters
    ----------
    dims : int
        D >= 1, spatial dimensions (subsystems besides x^(0)).

    Returns
    -------
    ndarray(shape=[dims + 1, dims + 1])

    Raises
    ------
    ValueError
        D not an integer >= 1.
    """
    if not isinstance(dims, int | np.integer) or dims < 1:
        raise ValueError(f"D (spatial dimensions, subsystems besides x^(0)) must be >= 1, "
                         f"got {dims!r}")
    eta = np.eye(dims + 1)
    eta[0, 0] = -1.0
    return eta


@dataclass(frozen=True)
class StringData:
    """Branch data of a closed string on a chain of n neurons, for the ensemble (68)-(72).

    Attributes
    ----------
    kind : str
        "pulsating", "kibble-turok" or "unconstrained".
    dims : int
        D.
    n : int
        Neurons of the chain.
    radius : float
        R.
    energy : float
        E of X^0 = E tau.
    x_minus0, x_plus0 : ndarray(shape=[D + 1, n])
        Initial states of the pi (69) and pi^T (70) branches.
    drift : ndarray(shape=[D + 1])
        Velocity d x^(mu) / d tau carried by the bias.
    kt_alpha, kt_phi : float
        Parameters of the Kibble-Turok family.
    """

    kind: str
    dims: int
    n: int
    radius: float
    energy: float
    x_minus0: np.ndarray
    x_plus0: np.ndarray
    drift: np.ndarray
    kt_alpha: float = 0.5
    kt_phi: float = np.pi / 3

    def exact(self, tau: float, sigma: np.ndarray | None = None) -> np.ndarray:
        """Continuum solution X^(mu)(tau, sigma) of (73), ndarray(shape=[D + 1, len(sigma)]).

        Parameters
        ----------
        tau : float
        sigma : ndarray, optional
            Positions (default the chain's sigma grid).

        Returns
        -------
        ndarray(shape=[D + 1, len(sigma)])
        """
        s = sigma_grid(self.n) if sigma is None else np.asarray(sigma, dtype=float)
        a = _curve_a(self.kind, self.dims, s - tau, self.kt_alpha)
        b = _curve_b(self.kind, self.dims, s + tau, self.kt_phi)
        x = 0.5 * self.radius * (a + b)
        x[0] = self.energy * tau
        return x


def _curve_a(kind: str, dims: int, s: np.ndarray, kt_alpha: float) -> np.ndarray:
    """Unit-speed closed curve a(s) (|a'| = 1) of the right movers, rows mu = 0..D (row 0 = 0)."""
    out = np.zeros((dims + 1, s.size))
    if kind == "kibble-turok":
        al = kt_alpha
        out[1] = (1 - al) * np.sin(s) + al / 3 * np.sin(3 * s)
        out[2] = -(1 - al) * np.cos(s) - al / 3 * np.cos(3 * s)
        out[3] = -2 * np.sqrt(al * (1 - al)) * np.cos(s)
    else:
        out[1] = np.cos(s)
        out[2] = np.sin(s)
    return out


def _curve_b(kind: str, dims: int, s: np.ndarray, kt_phi: float) -> np.ndarray:
    """Unit-speed closed curve b(s) of the left movers."""
    out = np.zeros((dims + 1, s.size))
    if kind == "kibble-turok":
        out[1] = np.sin(s)
        out[2] = -np.cos(kt_phi) * np.cos(s)
        out[3] = -np.sin(kt_phi) * np.cos(s)
    else:
        out[1] = np.cos(s)
        out[2] = np.sin(s)
    return out


def closed_string(kind: str = "pulsating", *, n: int, dims: int = 2, radius: float = 1.0,
                  kt_alpha: float = 0.5, kt_phi: float = np.pi / 3,
                  energy_excess: float = 0.5) -> StringData:
    """Initial data of a classical closed string in conformal gauge on a chain of n neurons.

    X = (a(sigma - tau) + b(sigma + tau)) R / 2, X^0 = E tau with |a'| = |b'| = 1, which
    satisfies the light-cone constraints (65), (75) in the continuum.

    Parameters
    ----------
    kind : {"pulsating", "kibble-turok", "unconstrained"}
        "pulsating" (D >= 2): X^1 + i X^2 = R cos(tau) e^{i sigma}, X^0 = R tau;
        "kibble-turok" (D >= 3): the Kibble-Turok family with parameters kt_alpha, kt_phi;
        "unconstrained" (D >= 2): the pulsating string with X^0 = (1 + energy_excess) R tau,
        which violates (75) by -((1 + energy_excess)^2 - 1) R^2 / 4 (a control that must fail).
    n : int
        Neurons per chain: >= 8 (24 for kibble-turok, which carries mode 3).
    dims : int
        D.
    radius : float
        R (finite, > 0).
    kt_alpha : float
        In [0, 1].
    kt_phi : float
        The Kibble-Turok angle.
    energy_excess : float
        (> 0) for "unconstrained".

    Returns
    -------
    StringData

    Raises
    ------
    ValueError
        An unknown kind, too few dimensions or neurons, a bad radius, kt_alpha or energy_excess.
    """
    if kind not in STRING_KINDS:
        raise ValueError(f"kind must be one of {', '.join(STRING_KINDS)}, got {kind!r}")
    minkowski(dims)
    need = 3 if kind == "kibble-turok" else 2
    if dims < need:
        raise ValueError(f"D (dims) must be >= {need} for a {kind} string, got {dims}")
    top_mode = 3 if kind == "kibble-turok" else 1
    if not isinstance(n, int | np.integer) or n < 8 * top_mode:
        raise ValueError(f"n (neurons per chain) = {n!r} is too small for the requested "
                         f"continuum resolution: a {kind} string needs n >= {8 * top_mode}")
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be finite and > 0, got {radius!r}")
    if not 0 <= kt_alpha <= 1:
        raise ValueError(f"kt_alpha must lie in [0, 1], got {kt_alpha!r}")
    if not (np.isfinite(energy_excess) and energy_excess > 0):
        raise ValueError(f"energy_excess must be finite and > 0, got {energy_excess!r}")
    s = sigma_grid(n)
    energy = radius * (1 + energy_excess) if kind == "unconstrained" else radius
    x_minus0 = radius * _curve_a(kind, dims, s, kt_alpha)
    x_plus0 = radius * _curve_b(kind, dims, s, kt_phi)
    drift = np.zeros(dims + 1)
    drift[0] = energy
    return StringData(kind, int(dims), int(n), float(radius), float(energy), x_minus0,
                      x_plus0, drift, float(kt_alpha), float(kt_phi))


@dataclass
class StringState:
    """The state of the pi / pi^T string ensemble (68) at chain step t.

    Attributes
    ----------
    minus, plus : ndarray(shape=[D + 1, N])
        The branches x^- (evolved by pi, (69)) and x^+ (by pi^T, (70)) at step t.
    minus_prev, plus_prev : ndarray(shape=[D + 1, N]) or None
        The branches at step t - 1 (None at the initial step): the centred tau derivative
        needs t - 1 and t + 1.
    """

    minus: np.ndarray
    plus: np.ndarray
    minus_prev: np.ndarray | None = None
    plus_prev: np.ndarray | None = None

    @classmethod
    def of(cls, data: StringData) -> StringState:
        """The state at step 0 from closed-string data (:func:`closed_string`).

        Parameters
        ----------
        data : StringData
            The branch data x^-(0), x^+(0).

        Returns
        -------
        StringState
            Copies of the branch data, no previous step.
        """
        return cls(np.array(data.x_minus0, dtype=float, order="C"),
                   np.array(data.x_plus0, dtype=float, order="C"))

    @property
    def x(self) -> np.ndarray:
        """Ensemble average (68), x = (x^- + x^+) / 2, ndarray(shape=[D + 1, N])."""
        return 0.5 * (self.minus + self.plus)


@dataclass(frozen=True, eq=False)
class StringChain:
    """The network of the pi / pi^T string ensemble (68), P2 (49)-(50), (60), (66), (69)-(70).

    The model of :func:`solve`: both branches use the same network, x^- with w x = weights *
    x[perm], perm[i] = i - 1 (60), x^+ with its transpose (66); the bias of subsystem mu is
    b + drift_mu / alpha (the time coordinate x^(0) = E tau of a closed string grows through
    it); f linear or tanh (49)-(50).

    Parameters
    ----------
    n : int
        N, neurons of the closed chain (>= 2).
    drift : ndarray(shape=[D + 1])
        d x^(mu) / d tau carried by the bias (``StringData.drift``).
    activation : {"linear", "tanh"}
        The activation f (a name of :mod:`emergent.septuple.activations` with a chain kernel).
    weights : ndarray(shape=[N]), optional
        Edge weights of pi (default 1; 1 + noise N(0, 1) makes a noisy permutation).
    bias : ndarray(shape=[N]), optional
        The shared bias b (default 0).

    Raises
    ------
    ValueError
        An activation without a chain kernel, weights or bias of the wrong shape or not finite.
    """

    n: int
    drift: np.ndarray
    activation: str = "linear"
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None
    #: derived: 1 / grid spacing (53), kernel code, pi and pi^T, weights of pi^T, drift / alpha
    alpha: float = field(init=False, repr=False)
    code: int = field(init=False, repr=False)
    perm: np.ndarray = field(init=False, repr=False)
    perm_t: np.ndarray = field(init=False, repr=False)
    weights_t: np.ndarray = field(init=False, repr=False)
    offset: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        code = activation_code(self.activation, (LINEAR, TANH))
        n = self.n
        alpha = alpha_for(n)
        w = np.ones(n) if self.weights is None else np.ascontiguousarray(self.weights,
                                                                         dtype=float)
        b = np.zeros(n) if self.bias is None else np.ascontiguousarray(self.bias, dtype=float)
        if w.shape != (n,) or b.shape != (n,):
            raise ValueError(f"weights and bias must have shape ({n},)")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ValueError("weights and bias must be finite")
        drift = np.asarray(self.drift, dtype=float)
        if drift.ndim != 1 or drift.size < 2 or not np.isfinite(drift).all():
            raise ValueError(f"drift must be a finite array of shape (D + 1,), got {drift!r}")
        perm = (np.arange(n, dtype=np.int64) - 1) % n
        perm_t = np.ascontiguousarray(np.argsort(perm)).astype(np.int64)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "bias", b)
        object.__setattr__(self, "drift", drift)
        for key, value in dict(code=code, alpha=alpha, perm=perm, perm_t=perm_t,
                               weights_t=np.ascontiguousarray(w[perm_t]),
                               offset=np.ascontiguousarray(drift / alpha)).items():
            object.__setattr__(self, key, value)

    @classmethod
    def of(cls, data: StringData, *, activation: str = "linear",
           weights: np.ndarray | None = None, bias: np.ndarray | None = None) -> StringChain:
        """The network that carries the closed string `data` (its n and drift).

        Parameters
        ----------
        data : StringData
            From :func:`closed_string`.
        activation, weights, bias
            As in the class.

        Returns
        -------
        StringChain
        """
        return cls(data.n, data.drift, activation, weights, bias)

    @property
    def tau_per_step(self) -> float:
        """1 / alpha: the tau of one chain step (53)."""
        return 1.0 / self.alpha

    def branches(self, minus: np.ndarray, plus: np.ndarray,
                 steps: int) -> tuple[np.ndarray, np.ndarray]:
        """`steps` >= 0 chain steps of both branches, (69)-(70), in the shifted kernel.

        Parameters
        ----------
        minus, plus : ndarray(shape=[D + 1, N])
            x^- and x^+.
        steps : int
            Number of chain steps.

        Returns
        -------
        (ndarray, ndarray)
            New arrays x^-, x^+ after `steps` steps.
        """
        kern = (chain_steps_shifted if minus.size >= PARALLEL_THRESHOLD
                else chain_steps_shifted_serial)
        m = kern(minus, self.perm, self.weights, self.bias, self.offset, steps, self.code)
        p = kern(plus, self.perm_t, self.weights_t, self.bias, self.offset, steps, self.code)
        return m, p

    def derivatives(self, state: StringState) -> tuple[np.ndarray, np.ndarray]:
        """Centred (53), (62) at the state's step: (d x / d tau, d x / d sigma), [D + 1, N].

        Computes step t + 1 without keeping it; needs the previous step.

        Parameters
        ----------
        state : StringState
            A state after at least one step.

        Returns
        -------
        (ndarray, ndarray)
            d x / d tau and d x / d sigma of the ensemble average x (68).

        Raises
        ------
        ValueError
            The state has no previous step (step 0).
        """
        if state.minus_prev is None or state.plus_prev is None:
            raise ValueError("derivatives need a previous step: advance the state first")
        alpha = self.alpha
        m1, p1 = self.branches(state.minus, state.plus, 1)
        x_next = 0.5 * (m1 + p1)
        x_prev = 0.5 * (state.minus_prev + state.plus_prev)
        return (centered_tau_derivative(x_prev, x_next, alpha),
                centered_sigma_derivative(state.x, alpha))


class StringStepper:
    """Advances a :class:`StringState` of a :class:`StringChain` between whole chain steps.

    The :class:`emergent.evolution.Stepper` of :func:`solve` and of the `strings` simulation:
    both branches of the ensemble (68) by (69)-(70) in the shifted chain kernel; times are chain
    steps t (tau = t / alpha, (53)).

    Parameters
    ----------
    model : StringChain
        The network.
    """

    def __init__(self, model: StringChain) -> None:
        self.model = model

    def advance(self, state: StringState, t0: float, t1: float) -> StringState:
        """The state at step `t1` from the state at `t0` (>= 1 step), P2 (69)-(70).

        Parameters
        ----------
        state : StringState
            The branches at step `t0`.
        t0, t1 : float
            The chain steps (whole numbers, t1 > t0).

        Returns
        -------
        StringState
            The branches at step `t1`, with those of step `t1 - 1` as the previous branches
            (for the centred tau derivative).

        Raises
        ------
        ValueError
            `t1 - t0` not a whole number of steps >= 1.
        """
        steps = int(round(t1 - t0))
        if steps < 1 or abs((t1 - t0) - steps) > 1e-9:
            raise ValueError(f"chain times are whole steps: cannot advance from {t0} to {t1}")
        minus, plus = state.minus, state.plus
        if steps > 1:
            minus, plus = self.model.branches(minus, plus, steps - 1)
        m1, p1 = self.model.branches(minus, plus, 1)
        return StringState(m1, p1, minus, plus)

    def save(self, state: StringState) -> dict[str, np.ndarray]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : StringState
            The branches.

        Returns
        -------
        dict of str to ndarray
            ``minus`` and ``plus`` (and ``minus_prev``, ``plus_prev`` when the state has them).
        """
        out = {"minus": state.minus, "plus": state.plus}
        if state.minus_prev is not None and state.plus_prev is not None:
            out.update(minus_prev=state.minus_prev, plus_prev=state.plus_prev)
        return out

    def load(self, saved: dict[str, np.ndarray]) -> StringState:
        """The state from :meth:`save`'s checkpoint.

        Parameters
        ----------
        saved : dict of str to ndarray
            The checkpoint (keys as written by :meth:`save`).

        Returns
        -------
        StringState
        """
        def arr(key: str) -> np.ndarray | None:
            return np.ascontiguousarray(saved[key], dtype=float) if key in saved else None

        minus, plus = arr("minus"), arr("plus")
        assert minus is not None and plus is not None
        return StringState(minus, plus, arr("minus_prev"), arr("plus_prev"))


def solve(initial: StringState, model: StringChain, t_final: int, *,
          saves: int | Sequence[int] = 11, keep_states: bool = True,
          trackers: Sequence[Tracker] = ()) -> Result:
    """Evolve the string ensemble (68) from step 0 to `t_final`: P2 (69)-(70), (73).

    Parameters
    ----------
    initial : StringState
        The branches at step 0 (``StringState.of(closed_string(...))``).
    model : StringChain
        The network.
    t_final : int
        The last chain step (>= 1; tau = t_final / alpha).
    saves : int or sequence of int
        Number of recorded steps, equally spaced and rounded to whole steps, 0 and `t_final`
        included (>= 2); or the recorded steps themselves (increasing, from 0 to `t_final`).
    keep_states : bool
        Keep the ensemble average x (68) at every recorded step in ``states``.
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded step after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        ``t`` (recorded steps), ``states`` [records, D + 1, N] (the average x, or None),
        ``final`` (the :class:`StringState`, whose :meth:`StringChain.derivatives` give the
        constraints (75) and the action (76)), ``series`` ("tau" and "time_coordinate", the
        mean of x^(0) = E tau) and ``info`` (alpha, activation).

    Raises
    ------
    ValueError
        A bad `t_final` or `saves`.
    """
    times = saved_steps(t_final, saves)
    alpha = model.alpha

    def observe(frame: Frame[StringState]) -> dict[str, object]:
        x = frame.state.x
        out: dict[str, object] = {"tau": frame.t / alpha, "time_coordinate": float(x[0].mean())}
        if keep_states:
            out["x"] = x
        return out

    recorder = Recorder(observe)
    evolve_loop(StringStepper(model), initial, times, [recorder, *trackers])
    result = recorder.result(alpha=alpha, activation=model.activation)
    result.states = result.series.pop("x") if keep_states else None
    return result


def _eta_dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return -u[0] * v[0] + np.sum(u[1:] * v[1:], axis=0)


def light_cone_residuals(dtau: np.ndarray, dsigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Constraints (75): eta_{mu nu} d_+ x^mu d_+ x^nu and eta d_- x d_- x.

    d_pm = (d_tau pm d_sigma) / 2 are the light-cone derivatives (xi_pm = tau pm sigma).
    (65) is the d_- part for a purely right-moving wave.

    Parameters
    ----------
    dtau, dsigma : ndarray(shape=[D + 1, N])
        d x / d tau and d x / d sigma (e.g. :meth:`StringChain.derivatives`).

    Returns
    -------
    (ndarray, ndarray)
        (r_plus, r_minus), each ndarray(shape=[N]); both vanish for a string solution.
    """
    dp = 0.5 * (dtau + dsigma)
    dm = 0.5 * (dtau - dsigma)
    return _eta_dot(dp, dp), _eta_dot(dm, dm)


def polyakov_density(dtau: np.ndarray, dsigma: np.ndarray,
                     worldsheet: np.ndarray | None = None) -> np.ndarray:
    """Integrand of (76): sqrt(-h) h^{ab} eta_{mu nu} d_a x^mu d_b x^nu, ndarray(shape=[N]).

    In the conformal gauge h = diag(-1, 1) the density is -xdot.xdot + x'.x' (dots with eta).
    (76) prints the second factor as d x^(mu); the contraction with eta_{mu nu} needs x^(nu).

    Parameters
    ----------
    dtau, dsigma : ndarray(shape=[D + 1, N])
        d x / d tau and d x / d sigma.
    worldsheet : ndarray(shape=[2, 2]), optional
        h_ab (Lorentzian, a = tau, sigma); default the conformal gauge.

    Returns
    -------
    ndarray(shape=[N])

    Raises
    ------
    ValueError
        A worldsheet metric that is not symmetric 2 x 2 with det < 0.
    """
    h = np.diag([-1.0, 1.0]) if worldsheet is None else np.asarray(worldsheet, dtype=float)
    if h.shape != (2, 2) or not np.allclose(h, h.T) or np.linalg.det(h) >= 0:
        raise ValueError("worldsheet must be a symmetric 2 x 2 Lorentzian metric (det < 0)")
    hinv = np.linalg.inv(h)
    sq = np.sqrt(-np.linalg.det(h))
    d = (dtau, dsigma)
    out = np.zeros(dtau.shape[1])
    for a in range(2):
        for b in range(2):
            out += hinv[a, b] * _eta_dot(d[a], d[b])
    return sq * out


def nambu_goto_density(dtau: np.ndarray, dsigma: np.ndarray) -> np.ndarray:
    """sqrt(-det gamma) of the induced metric gamma_ab = eta d_a x d_b x, ndarray(shape=[N]).

    On solutions of the constraints (75) in conformal gauge the Polyakov density (76) equals
    twice this: an independent check of (76). Negative -det gamma is clipped to 0.

    Parameters
    ----------
    dtau, dsigma : ndarray(shape=[D + 1, N])

    Returns
    -------
    ndarray(shape=[N])
    """
    g00 = _eta_dot(dtau, dtau)
    g01 = _eta_dot(dtau, dsigma)
    g11 = _eta_dot(dsigma, dsigma)
    return np.sqrt(np.clip(g01 * g01 - g00 * g11, 0.0, None))


def polyakov_action(dtau: np.ndarray, dsigma: np.ndarray, alpha: float,
                    worldsheet: np.ndarray | None = None) -> float:
    """Action (76) per unit tau: sum_i density_i / alpha (the sigma integral on the chain).

    Parameters
    ----------
    dtau, dsigma : ndarray(shape=[D + 1, N])
    alpha : float
        The inverse grid spacing (62).
    worldsheet : ndarray(shape=[2, 2]), optional
        As in :func:`polyakov_density`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`polyakov_density`.
    """
    return float(polyakov_density(dtau, dsigma, worldsheet).sum() / alpha)
