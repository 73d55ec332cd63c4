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
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MetricChain",
    "constraint_56",
    "discrete_action",
    "flat_metric",
    "operator_g",
    "potential_gradient",
    "weakly_curved_metric",
]


def flat_metric(n: int, dims: int) -> np.ndarray:
    """g^i = eta = diag(-1, 1, ..., 1) for every neuron: ndarray(shape=[n, D + 1, D + 1])."""
    if not isinstance(dims, int | np.integer) or dims < 1:
        raise ValueError(f"D (dims) must be an integer >= 1, got {dims!r}")
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n (neurons) must be an integer >= 2, got {n!r}")
    eta = np.eye(dims + 1)
    eta[0, 0] = -1.0
    return np.broadcast_to(eta, (n, dims + 1, dims + 1)).copy()


def weakly_curved_metric(n: int, dims: int, amplitude: float, modes: int,
                         rng: np.random.Generator) -> np.ndarray:
    """g^i = eta + h(sigma_i): h symmetric, smooth periodic in sigma (Fourier modes 1..modes),
    max |h_{mu nu}| = amplitude. Requires amplitude < 0.5 (weak curvature keeps g Lorentzian)."""
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
    """P2 (8): G = (I - f' w)^T (I - f' w) for sparse w (N x N) and f' (shape [N], default 1)."""
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

    x, xdot: ndarray(shape=[D + 1, N]); g: [N, D + 1, D + 1]; G: sparse N x N.
    """
    x, g = _check(x, g)
    xdot = np.asarray(xdot, dtype=float)
    kin = float(np.sum(xdot * _gx(g, xdot)))
    gxt = (G @ x.T).T  # (G x^nu)_i, [D + 1, N]
    pot = float(np.einsum("inm,ni,mi->", g, x, gxt))
    return kin - alpha**2 * pot


def potential_gradient(x: np.ndarray, g: np.ndarray, G: sp.spmatrix, alpha: float) -> np.ndarray:
    """K x = (1/2) dV/dx with V = alpha^2 sum_ij g^i x_i G_ij x_j: shape [D + 1, N].

    (K x)^nu_k = (alpha^2 / 2) [ g^k_{nu mu} (G x^mu)_k + sum_i G_ki (g x)^nu_i ] (G symmetric).
    """
    x, g = _check(x, g)
    gxt = (G @ x.T).T
    return 0.5 * alpha**2 * (_gx(g, gxt) + (G @ _gx(g, x).T).T)


def constraint_56(xdot: np.ndarray, g: np.ndarray) -> np.ndarray:
    """(56): g^i_{mu nu} xdot^mu_i xdot^nu_i for every neuron, ndarray(shape=[N])."""
    xdot, g = _check(xdot, g)
    return np.einsum("ni,ni->i", xdot, _gx(g, xdot))


class MetricChain:
    """Integrates the Euler-Lagrange equation of (77) (eq 78, corrected sign) in tau.

    g^k xddot_k = -(K x)_k, velocity Verlet with step dtau. x, v: [D + 1, N].
    """

    def __init__(self, g: np.ndarray, G: sp.spmatrix, alpha: float, dtau: float) -> None:
        g = np.asarray(g, dtype=float)
        if g.ndim != 3 or g.shape[1] != g.shape[2] or g.shape[0] != G.shape[0]:
            raise ValueError("g must have shape [N, D + 1, D + 1] matching G (N x N)")
        if not (np.isfinite(dtau) and dtau > 0):
            raise ValueError(f"dtau must be finite and > 0, got {dtau!r}")
        if not (np.isfinite(alpha) and alpha > 0):
            raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
        self.g, self.G, self.alpha, self.dtau = g, sp.csr_matrix(G), float(alpha), float(dtau)
        self.ginv = np.linalg.inv(g)

    def acceleration(self, x: np.ndarray) -> np.ndarray:
        kx = potential_gradient(x, self.g, self.G, self.alpha)
        return -np.einsum("inm,mi->ni", self.ginv, kx)

    def energy(self, x: np.ndarray, v: np.ndarray) -> float:
        """H = sum_i g^i v v + x.K.x, conserved by (78)."""
        kin = float(np.sum(v * _gx(self.g, v)))
        return kin + float(np.sum(x * potential_gradient(x, self.g, self.G, self.alpha)))

    def run(self, x: np.ndarray, v: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Advance (x, v) by `steps` Verlet steps; returns new arrays."""
        x = np.array(x, dtype=float)
        v = np.array(v, dtype=float)
        a = self.acceleration(x)
        h = self.dtau
        for _ in range(steps):
            v += 0.5 * h * a
            x += h * v
            a = self.acceleration(x)
            v += 0.5 * h * a
        return x, v
