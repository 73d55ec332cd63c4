"""Minimal (metric) interactions between the subsystems of a chain network (P2 eq 56, 77-78).

Each neuron i carries a metric g^i_{mu nu} (shape [N, D + 1, D + 1]); the network enters through
the operator of P2 (8),  G = (I - f' w)^T (I - f' w),  with f' = diag f'(y), y = w x_ref + b,
for any sparse weight matrix w and activation f. The discrete action (77) is

    A = sum_i g^i_{mu nu} xdot^mu_i xdot^nu_i - alpha^2 sum_{ij} g^i_{mu nu} x^mu_i G_ij x^nu_j.

Correction: (77)-(78) as printed carry the same sign on both terms, which gives
d^2x/dtau^2 = +alpha^2 G x; for w = pi, f' = I, g = eta that is x_tt = -x_sigma_sigma (an elliptic,
exponentially unstable equation), not the wave equation (73) the paper says (77)-(78) reduce to.
With the relative minus sign the Euler-Lagrange equation is (M = block-diagonal g, K the
symmetrised potential form)

    g^k_{nu mu} xddot^mu_k = -(alpha^2 / 2) [ g^k_{nu mu} (G x^mu)_k + (G (g x)_nu)_k ],

which for a metric that does not vary with i is (78) with the corrected sign,
g (xddot + alpha^2 G x) = 0, and for w = pi, f' = I the discrete wave equation
xddot_i = alpha^2 (x_{i+1} - 2 x_i + x_{i-1}). The energy H = xdot.M.xdot + x.K.x is conserved.
Constraint (56): g^i_{mu nu} xdot^mu_i xdot^nu_i = 0 for all i.

The solver: :func:`solve` integrates a state [x, v] under a :class:`MetricChain` (g, G, alpha)
with velocity Verlet (:class:`MetricStepper`, default step :meth:`MetricChain.default_dt`),
in tau.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from emergent.chains.continuum import centered_sigma_derivative
from emergent.evolution import Recorder, Result, Tracker, record_times, substeps
from emergent.evolution import evolve as evolve_loop

__all__ = [
    "MetricChain",
    "MetricStepper",
    "constraint_56",
    "discrete_action",
    "flat_metric",
    "light_cone_residual",
    "operator_g",
    "potential_gradient",
    "solve",
    "weakly_curved_metric",
]


def flat_metric(n: int, dims: int) -> np.ndarray:
    """g^i = eta = diag(-1, 1, ..., 1) for every neuron: the flat metric of (56), (77).

    Parameters
    ----------
    n : int
        Neurons (>= 2).
    dims : int
        D (>= 1).

    Returns
    -------
    ndarray(shape=[n, D + 1, D + 1])

    Raises
    ------
    ValueError
        Bad n or D.
    """
    if not isinstance(dims, int | np.integer) or dims < 1:
        raise ValueError(f"D (dims) must be an integer >= 1, got {dims!r}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n (neurons) must be an integer >= 2, got {n!r}")
    eta = np.eye(dims + 1)
    eta[0, 0] = -1.0
    return np.broadcast_to(eta, (n, dims + 1, dims + 1)).copy()


def weakly_curved_metric(n: int, dims: int, amplitude: float, modes: int,
                         rng: np.random.Generator) -> np.ndarray:
    """g^i = eta + h(sigma_i) for (77)-(78): h symmetric, smooth periodic in sigma.

    h has Fourier modes 1..modes and max |h_{mu nu}| = amplitude < 0.5 (weak curvature keeps
    g Lorentzian).

    Parameters
    ----------
    n : int
        Neurons.
    dims : int
        D.
    amplitude : float
        max |h| in [0, 0.5).
    modes : int
        Fourier modes (>= 1).
    rng : numpy.random.Generator
        The source of the coefficients and phases.

    Returns
    -------
    ndarray(shape=[n, D + 1, D + 1])

    Raises
    ------
    ValueError
        A bad amplitude or modes (or n, D as :func:`flat_metric`).
    """
    if not (np.isfinite(amplitude) and 0 <= amplitude < 0.5):
        raise ValueError(f"amplitude (metric perturbation) must lie in [0, 0.5), got {amplitude!r}")
    if not isinstance(modes, int | np.integer) or modes < 1:
        raise ValueError(f"modes must be an integer >= 1, got {modes!r}")
    g = flat_metric(n, dims)
    if amplitude == 0:
        return g
    m = dims + 1
    s = 2 * np.pi * np.arange(n) / n
    k = np.arange(1, modes + 1)
    coef = rng.standard_normal((m, m, modes)) / k
    phase = rng.uniform(0, 2 * np.pi, (m, m, modes))
    h = np.einsum("abk,abki->iab", coef, np.cos(k[None, None, :, None] * s + phase[..., None]))
    h = 0.5 * (h + h.transpose(0, 2, 1))
    h *= amplitude / np.abs(h).max()
    return g + h


def operator_g(w: sp.spmatrix, fprime: np.ndarray | None = None) -> sp.csr_matrix:
    """P2 (8): G = (I - f' w)^T (I - f' w) for sparse w (N x N) and f' (default 1).

    Parameters
    ----------
    w : sparse matrix (N x N)
        The weights (e.g. :func:`emergent.chains.permutation.permutation_matrix`).
    fprime : ndarray(shape=[N]), optional
        f'(y) (default 1, a linear f).

    Returns
    -------
    scipy.sparse.csr_matrix (N x N)

    Raises
    ------
    ValueError
        w not square, or fprime of the wrong shape or not finite.
    """
    w = sp.csr_matrix(w, dtype=float)
    n = w.shape[0]
    if w.shape != (n, n):
        raise ValueError(f"w must be square, got shape {w.shape}")
    fp = np.ones(n) if fprime is None else np.asarray(fprime, dtype=float)
    if fp.shape != (n,) or not np.isfinite(fp).all():
        raise ValueError(f"fprime must be a finite array of shape ({n},)")
    a = sp.identity(n, format="csr") - sp.diags(fp) @ w
    return sp.csr_matrix(a.T @ a)


def _check(x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    g = np.asarray(g, dtype=float)
    if x.ndim != 2 or g.shape != (x.shape[1], x.shape[0], x.shape[0]):
        raise ValueError("x must have shape [D + 1, N] and g shape [N, D + 1, D + 1]")
    return x, g


def _gx(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(g x)^nu_i = g^i_{nu mu} x^mu_i, shape [D + 1, N]."""
    return np.einsum("inm,mi->ni", g, x)


def discrete_action(x: np.ndarray, xdot: np.ndarray, g: np.ndarray, G: sp.spmatrix,
                    alpha: float) -> float:
    """Lagrangian (77), sign-corrected: sum_i g^i xdot xdot - alpha^2 sum_ij g^i x^mu_i G_ij x^nu_j.

    Parameters
    ----------
    x, xdot : ndarray(shape=[D + 1, N])
    g : ndarray(shape=[N, D + 1, D + 1])
    G : sparse matrix (N x N)
        The operator of P2 (8).
    alpha : float

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Shapes that do not match.
    """
    x, g = _check(x, g)
    xdot = np.asarray(xdot, dtype=float)
    kin = float(np.sum(xdot * _gx(g, xdot)))
    gxt = (G @ x.T).T  # (G x^nu)_i, [D + 1, N]
    pot = float(np.einsum("inm,ni,mi->", g, x, gxt))
    return kin - alpha**2 * pot


def potential_gradient(x: np.ndarray, g: np.ndarray, G: sp.spmatrix, alpha: float) -> np.ndarray:
    """K x = (1/2) dV/dx with V = alpha^2 sum_ij g^i x_i G_ij x_j, the force of (78).

    (K x)^nu_k = (alpha^2 / 2) [ g^k_{nu mu} (G x^mu)_k + sum_i G_ki (g x)^nu_i ] (G symmetric).

    Parameters
    ----------
    x : ndarray(shape=[D + 1, N])
    g : ndarray(shape=[N, D + 1, D + 1])
    G : sparse matrix (N x N)
    alpha : float

    Returns
    -------
    ndarray(shape=[D + 1, N])

    Raises
    ------
    ValueError
        Shapes that do not match.
    """
    x, g = _check(x, g)
    gxt = (G @ x.T).T
    return 0.5 * alpha**2 * (_gx(g, gxt) + (G @ _gx(g, x).T).T)


def light_cone_residual(v: np.ndarray, x: np.ndarray, alpha: float, g: np.ndarray) -> float:
    """max_i |g^i(d_pm x, d_pm x)|: the constraints (56), (75) in a curved metric.

    d_pm = (d_tau pm d_sigma) / 2 with d_tau x = v and the centred d_sigma of (62).

    Parameters
    ----------
    v, x : ndarray(shape=[D + 1, N])
        Velocity d x / d tau and position on the canonical cycle.
    alpha : float
        The inverse grid spacing of (62).
    g : ndarray(shape=[N, D + 1, D + 1])
        The metric.

    Returns
    -------
    float
        The largest residual over the neurons and both light-cone directions.
    """
    ds = centered_sigma_derivative(x, alpha)
    worst = 0.0
    for d in (0.5 * (v + ds), 0.5 * (v - ds)):
        worst = max(worst, float(np.abs(np.einsum("mi,imn,ni->i", d, g, d)).max()))
    return worst


def constraint_56(xdot: np.ndarray, g: np.ndarray) -> np.ndarray:
    """(56): g^i_{mu nu} xdot^mu_i xdot^nu_i for every neuron.

    Parameters
    ----------
    xdot : ndarray(shape=[D + 1, N])
    g : ndarray(shape=[N, D + 1, D + 1])

    Returns
    -------
    ndarray(shape=[N])

    Raises
    ------
    ValueError
        Shapes that do not match.
    """
    xdot, g = _check(xdot, g)
    return np.einsum("ni,ni->i", xdot, _gx(g, xdot))


@dataclass(frozen=True, eq=False)
class MetricChain:
    """The Euler-Lagrange equation of (77) (eq 78, corrected sign): g^k xddot_k = -(K x)_k.

    The model of :func:`solve`; :class:`MetricStepper` integrates it in tau with velocity
    Verlet.

    Parameters
    ----------
    g : ndarray(shape=[N, D + 1, D + 1])
        The metric g^i_{mu nu} of every neuron (:func:`flat_metric`, :func:`weakly_curved_metric`).
    G : sparse matrix (N x N)
        The operator G of P2 (8) (:func:`operator_g`).
    alpha : float
        The inverse grid spacing of (53), (62) (> 0).

    Raises
    ------
    ValueError
        Shapes that do not match, a non-finite or non-positive alpha.
    """

    g: np.ndarray
    G: sp.csr_matrix
    alpha: float

    def __post_init__(self) -> None:
        g = np.asarray(self.g, dtype=float)
        if g.ndim != 3 or g.shape[1] != g.shape[2] or g.shape[0] != self.G.shape[0]:
            raise ValueError("g must have shape [N, D + 1, D + 1] matching G (N x N)")
        if not (np.isfinite(self.alpha) and self.alpha > 0):
            raise ValueError(f"alpha must be finite and > 0, got {self.alpha!r}")
        object.__setattr__(self, "g", g)
        object.__setattr__(self, "G", sp.csr_matrix(self.G))
        object.__setattr__(self, "alpha", float(self.alpha))
        self.__dict__["ginv"] = np.linalg.inv(g)

    def default_dt(self) -> float:
        """The default Verlet step: a quarter of a chain step, dtau = 1 / (4 alpha).

        For the flat chain (w = pi, f' = 1, g = eta) the highest frequency is 2 alpha, so
        velocity Verlet is stable for dtau < 1 / alpha; a quarter of that keeps the phase
        error of mode k below (k dtau)^2 / 24 and leaves room for a weakly curved metric.

        Returns
        -------
        float
        """
        return 1.0 / (4 * self.alpha)

    def acceleration(self, x: np.ndarray) -> np.ndarray:
        """xddot = -g^-1 K x of (78) (sign corrected), ndarray(shape=[D + 1, N]).

        Parameters
        ----------
        x : ndarray(shape=[D + 1, N])

        Returns
        -------
        ndarray(shape=[D + 1, N])
        """
        kx = potential_gradient(x, self.g, self.G, self.alpha)
        return -np.einsum("inm,mi->ni", self.__dict__["ginv"], kx)

    def energy(self, x: np.ndarray, v: np.ndarray) -> float:
        """H = sum_i g^i v v + x.K.x, conserved by (78).

        Parameters
        ----------
        x, v : ndarray(shape=[D + 1, N])
            Position and velocity d x / d tau.

        Returns
        -------
        float
        """
        kin = float(np.sum(v * _gx(self.g, v)))
        return kin + float(np.sum(x * potential_gradient(x, self.g, self.G, self.alpha)))

    def verlet(self, x: np.ndarray, v: np.ndarray, steps: int,
               dt: float) -> tuple[np.ndarray, np.ndarray]:
        """`steps` velocity-Verlet steps of (78) with step `dt`; returns new arrays (x, v).

        Parameters
        ----------
        x, v : ndarray(shape=[D + 1, N])
        steps : int
        dt : float

        Returns
        -------
        (ndarray, ndarray)
        """
        x = np.array(x, dtype=float)
        v = np.array(v, dtype=float)
        a = self.acceleration(x)
        h = dt
        for _ in range(steps):
            v += 0.5 * h * a
            x += h * v
            a = self.acceleration(x)
            v += 0.5 * h * a
        return x, v


class MetricStepper:
    """Advances a state [x, v] (shape [2, D + 1, N]) of a :class:`MetricChain` in tau, (78).

    The :class:`emergent.evolution.Stepper` of :func:`solve` and of the `strings` simulation
    (velocity Verlet). An interval that is a whole number of steps `dt` (to rounding) is crossed
    in steps of exactly `dt`; any other in equal steps of at most `dt`.

    Parameters
    ----------
    model : MetricChain
        The equation of motion.
    dt : float, optional
        The Verlet step (default :meth:`MetricChain.default_dt`).

    Raises
    ------
    ValueError
        A non-finite or non-positive `dt`.
    """

    def __init__(self, model: MetricChain, dt: float | None = None) -> None:
        self.model = model
        self.dt = model.default_dt() if dt is None else float(dt)
        if not (np.isfinite(self.dt) and self.dt > 0):
            raise ValueError(f"dt must be finite and > 0, got {dt!r}")

    def advance(self, state: np.ndarray, t0: float, t1: float) -> np.ndarray:
        """The state [x, v] at tau = `t1` from the state at `t0` (P2 (78), sign corrected).

        Parameters
        ----------
        state : ndarray(shape=[2, D + 1, N])
            x and v = d x / d tau at tau = `t0`.
        t0, t1 : float
            The times tau (t1 > t0).

        Returns
        -------
        ndarray(shape=[2, D + 1, N])
            [x, v] at tau = `t1`, by velocity Verlet steps of `dt` (or equal steps of at most
            `dt` when `t1 - t0` is not a whole number of them).
        """
        span = t1 - t0
        n = int(round(span / self.dt))
        if n >= 1 and abs(n * self.dt - span) <= 1e-9 * span:
            h = self.dt
        else:
            n, h = substeps(t0, t1, self.dt)
        x, v = self.model.verlet(state[0], state[1], n, h)
        return np.stack([x, v])

    def save(self, state: np.ndarray) -> dict[str, np.ndarray]:
        """The checkpoint of a state.

        Parameters
        ----------
        state : ndarray(shape=[2, D + 1, N])
            [x, v].

        Returns
        -------
        dict of str to ndarray
            ``{"xv": state}``.
        """
        return {"xv": np.asarray(state)}

    def load(self, saved: dict[str, np.ndarray]) -> np.ndarray:
        """The state from :meth:`save`'s checkpoint.

        Parameters
        ----------
        saved : dict of str to ndarray
            The checkpoint (key ``"xv"``).

        Returns
        -------
        ndarray(shape=[2, D + 1, N])
            [x, v] as floats.
        """
        return np.asarray(saved["xv"], dtype=float)


def solve(initial: np.ndarray, model: MetricChain, t_final: float, *, dt: float | None = None,
          saves: int = 11, trackers: Sequence[Tracker] = ()) -> Result:
    """Integrate (78) (sign corrected) from tau = 0 to `t_final` with velocity Verlet.

    Parameters
    ----------
    initial : ndarray(shape=[2, D + 1, N])
        x and v = d x / d tau at tau = 0.
    model : MetricChain
        The metric, G and alpha.
    t_final : float
        The final tau (> 0).
    dt : float, optional
        The Verlet step (default :meth:`MetricChain.default_dt`).
    saves : int
        Recorded times, equally spaced, 0 and `t_final` included (>= 2).
    trackers : sequence of emergent.evolution.Tracker
        Told at every recorded time after the result's own recorder.

    Returns
    -------
    emergent.evolution.Result
        ``t``, ``states`` [saves, 2, D + 1, N], ``final``, ``series`` ("energy": H, conserved
        by (78); "constraint": max_i |(56)|) and ``info`` (dt).

    Raises
    ------
    ValueError
        A bad `initial` shape, `t_final` <= 0, `saves` < 2, a bad `dt`.
    """
    state = np.array(initial, dtype=float)
    n, m = model.g.shape[0], model.g.shape[1]
    if state.shape != (2, m, n):
        raise ValueError(f"initial must have shape (2, {m}, {n}) (x and v), got {state.shape}")
    times = record_times(t_final, saves)
    stepper = MetricStepper(model, dt)
    recorder = Recorder(lambda f: {
        "energy": model.energy(f.state[0], f.state[1]),
        "constraint": float(np.abs(constraint_56(f.state[1], model.g)).max())},
        keep_states=True)
    evolve_loop(stepper, state, times, [recorder, *trackers])
    return recorder.result(dt=stepper.dt)
