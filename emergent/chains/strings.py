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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergent.chains.continuum import (
    alpha_for,
    centered_sigma_derivative,
    centered_tau_derivative,
    sigma_grid,
)
from emergent.kernels.chain_kernels import (
    ACTIVATIONS,
    PARALLEL_THRESHOLD,
    chain_steps_shifted,
    chain_steps_shifted_serial,
)

__all__ = [
    "STRING_KINDS",
    "StringData",
    "StringEnsemble",
    "closed_string",
    "light_cone_residuals",
    "minkowski",
    "nambu_goto_density",
    "polyakov_action",
    "polyakov_density",
]

STRING_KINDS = ("pulsating", "kibble-turok", "unconstrained")


def minkowski(dims: int) -> np.ndarray:
    """eta = diag(-1, 1, ..., 1) of shape [dims + 1, dims + 1] (dims = D >= 1)."""
    if not isinstance(dims, int | np.integer) or dims < 1:
        raise ValueError(f"D (spatial dimensions, subsystems besides x^(0)) must be >= 1, "
                         f"got {dims!r}")
    eta = np.eye(dims + 1)
    eta[0, 0] = -1.0
    return eta


@dataclass(frozen=True)
class StringData:
    """Branch data of a closed string on a chain of n neurons.

    x_minus0, x_plus0: ndarray(shape=[D + 1, n]) initial states of the pi and pi^T branches;
    drift: ndarray(shape=[D + 1]) velocity d x^(mu) / d tau carried by the bias;
    kind, radius, dims: the solution; energy: X^0 = energy * tau.
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
        """Continuum solution X^(mu)(tau, sigma), ndarray(shape=[D + 1, len(sigma)])."""
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

    kind: "pulsating" (D >= 2): X^1 + i X^2 = R cos(tau) e^{i sigma}, X^0 = R tau;
    "kibble-turok" (D >= 3): the Kibble-Turok family with parameters kt_alpha in [0, 1], kt_phi;
    "unconstrained" (D >= 2): the pulsating string with X^0 = (1 + energy_excess) R tau, which
    violates (75) by -((1 + energy_excess)^2 - 1) R^2 / 4 (a control that must fail).
    The chain must resolve the string: n >= 8 (24 for kibble-turok, which carries mode 3).
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


class StringEnsemble:
    """The pi / pi^T ensemble (68) of D + 1 subsystems on one closed chain, evolved in a kernel.

    Both branches use the same network: w x = weights * x[perm] with perm[i] = i - 1 (60) for
    x^-, its transpose for x^+; bias = shared bias b + drift_mu / alpha per subsystem; f linear
    or tanh (49)-(50). ``weights`` = 1 + noise N(0, 1) makes a noisy permutation.
    State: branches at steps t - 1 and t (the centred tau derivative needs t - 1 and t + 1).
    """

    def __init__(self, data: StringData, *, activation: str = "linear",
                 weights: np.ndarray | None = None, bias: np.ndarray | None = None) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                             f"got {activation!r}")
        n = data.n
        self.data = data
        self.alpha = alpha_for(n)
        self.activation = ACTIVATIONS.index(activation)
        self.perm = (np.arange(n, dtype=np.int64) - 1) % n
        self.perm_t = np.ascontiguousarray(np.argsort(self.perm)).astype(np.int64)
        w = np.ones(n) if weights is None else np.ascontiguousarray(weights, dtype=float)
        b = np.zeros(n) if bias is None else np.ascontiguousarray(bias, dtype=float)
        if w.shape != (n,) or b.shape != (n,):
            raise ValueError(f"weights and bias must have shape ({n},)")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise ValueError("weights and bias must be finite")
        self.w, self.w_t = w, np.ascontiguousarray(w[self.perm_t])
        self.b, self.b_t = b, b
        self.c = np.ascontiguousarray(data.drift / self.alpha)
        self.t = 0
        self.minus = np.array(data.x_minus0, dtype=float, order="C")
        self.plus = np.array(data.x_plus0, dtype=float, order="C")
        self.minus_prev: np.ndarray | None = None
        self.plus_prev: np.ndarray | None = None

    def _step(self, minus: np.ndarray, plus: np.ndarray,
              k: int) -> tuple[np.ndarray, np.ndarray]:
        kern = (chain_steps_shifted if minus.size >= PARALLEL_THRESHOLD
                else chain_steps_shifted_serial)
        m = kern(minus, self.perm, self.w, self.b, self.c, k, self.activation)
        p = kern(plus, self.perm_t, self.w_t, self.b_t, self.c, k, self.activation)
        return m, p

    def advance(self, steps: int) -> None:
        """Advance both branches by `steps` >= 1 steps."""
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        if steps > 1:
            self.minus, self.plus = self._step(self.minus, self.plus, steps - 1)
        self.minus_prev, self.plus_prev = self.minus, self.plus
        self.minus, self.plus = self._step(self.minus, self.plus, 1)
        self.t += steps

    @property
    def x(self) -> np.ndarray:
        """Ensemble average (68), x = (x^- + x^+) / 2, ndarray(shape=[D + 1, N])."""
        return 0.5 * (self.minus + self.plus)

    @property
    def tau(self) -> float:
        return self.t / self.alpha

    def derivatives(self) -> tuple[np.ndarray, np.ndarray]:
        """Centred (53), (62) at the current step: (d x / d tau, d x / d sigma), [D + 1, N].

        Needs the previous step (call advance first); computes step t + 1 without keeping it.
        """
        if self.minus_prev is None or self.plus_prev is None:
            raise ValueError("derivatives need a previous step: call advance(steps) first")
        m1, p1 = self._step(self.minus, self.plus, 1)
        x_next = 0.5 * (m1 + p1)
        x_prev = 0.5 * (self.minus_prev + self.plus_prev)
        return (centered_tau_derivative(x_prev, x_next, self.alpha),
                centered_sigma_derivative(self.x, self.alpha))

    def state(self) -> dict[str, np.ndarray | int]:
        """Arrays that restore the evolution (for checkpoints)."""
        return {"t": self.t, "minus": self.minus, "plus": self.plus,
                "minus_prev": self.minus_prev, "plus_prev": self.plus_prev}

    def load(self, state: dict) -> None:
        self.t = int(state["t"])
        self.minus = np.ascontiguousarray(state["minus"], dtype=float)
        self.plus = np.ascontiguousarray(state["plus"], dtype=float)
        self.minus_prev = np.ascontiguousarray(state["minus_prev"], dtype=float)
        self.plus_prev = np.ascontiguousarray(state["plus_prev"], dtype=float)


def _eta_dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return -u[0] * v[0] + np.sum(u[1:] * v[1:], axis=0)


def light_cone_residuals(dtau: np.ndarray, dsigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Constraints (75): eta_{mu nu} d_+ x^mu d_+ x^nu and eta d_- x d_- x.

    d_pm = (d_tau pm d_sigma) / 2 are the light-cone derivatives (xi_pm = tau pm sigma).

    (65) is the d_- part for a purely right-moving wave. dtau, dsigma: ndarray(shape=[D + 1, N]).
    Returns (r_plus, r_minus), each ndarray(shape=[N]); both vanish for a string solution.
    """
    dp = 0.5 * (dtau + dsigma)
    dm = 0.5 * (dtau - dsigma)
    return _eta_dot(dp, dp), _eta_dot(dm, dm)


def polyakov_density(dtau: np.ndarray, dsigma: np.ndarray,
                     worldsheet: np.ndarray | None = None) -> np.ndarray:
    """Integrand of (76): sqrt(-h) h^{ab} eta_{mu nu} d_a x^mu d_b x^nu, ndarray(shape=[N]).

    worldsheet: h_ab (2 x 2, Lorentzian, a = tau, sigma); default the conformal gauge
    h = diag(-1, 1), where the density is -xdot.xdot + x'.x' (dots with eta). (76) prints the
    second factor as d x^(mu); the contraction with eta_{mu nu} needs x^(nu).
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

    On solutions of the constraints (75) in conformal gauge the Polyakov density equals twice
    this: an independent check of (76). Negative -det gamma is clipped to 0.
    """
    g00 = _eta_dot(dtau, dtau)
    g01 = _eta_dot(dtau, dsigma)
    g11 = _eta_dot(dsigma, dsigma)
    return np.sqrt(np.clip(g01 * g01 - g00 * g11, 0.0, None))


def polyakov_action(dtau: np.ndarray, dsigma: np.ndarray, alpha: float,
                    worldsheet: np.ndarray | None = None) -> float:
    """Action (76) per unit tau: sum_i density_i / alpha (the sigma integral on the chain)."""
    return float(polyakov_density(dtau, dsigma, worldsheet).sum() / alpha)
