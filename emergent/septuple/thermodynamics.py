"""Thermodynamics of learning: the operator G, its spectrum, log Z, F, U, S, C, mu2, mu3
(P1 §4-9, P2 eq 5-17).

The Gaussian approximation of the canonical ensemble (P1 4.10, 5.1) of the bulk loss (3.4)
with mass m, linearised around the ensemble mean <x> (5.2), gives

    G = (I - f'w)^T (I - f'w)                                          (P1 5.6, P2 8)
    log Z = N/2 log 2 pi - 1/2 sum_i log(c + beta lambda_i)
            - 1/2 sum_i c beta lambda_i a_i^2 / (c + beta lambda_i),  c = 1 - beta m   (5.11)

with f'_ii = f'(sum_j w_ij <x_j> + b_i) (5.4), G v_i = lambda_i v_i (5.10, read as an eigen-
equation) and <x> = sum_i a_i v_i (5.12). Dropping the last term is the large-N form
(5.13)-(5.14). F = -log Z / beta (6.4), U = -d log Z / d beta (6.1), S = beta^2 dF/d beta
= log Z + beta U (7.1; the paper's text writes Z where log Z is meant); here U and S are
computed from analytic beta derivatives.

Exact low-rank spectrum. Write A = f'w. Only the n_r rows of A that belong to neurons with
incoming weights (index set R) are non-zero, A = E_R M with M = A[R, :]. Let M_RN = M[:, not R]
= T^T Q^T with Q (orthonormal, (N - n_r) x r) and T (r x n_r), r = rank M_RN (for a layered
net the first hidden layer size n_1: only it receives weights from outside R). The
subspace spanned by the coordinate vectors e_R and the columns of Q is invariant under I - A
and its transpose; in that orthonormal basis

    I - A  ->  K = [[I - M_RR, -T^T], [0, I_r]],

and G = I on the orthogonal complement. So the n_r + r non-trivial eigenvalues of G are the
squared singular values of the small matrix K, and the other N - n_r - r eigenvalues are
exactly 1. The eigenvalues depend on T only through the Gram matrix T^T T = M_RN M_RN^T
(a Schur-complement argument), so T is built from an eigen-decomposition of that n_r x n_r
Gram matrix: an N x N matrix is never formed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from emergent.septuple.network import NeuralSeptuple

__all__ = [
    "Spectrum",
    "ThermoSummary",
    "a_free_energy",
    "activation_slopes",
    "complexity",
    "complexity_n",
    "dense_g",
    "energy",
    "entropy",
    "entropy_destruction_model",
    "entropy_destruction_slope",
    "free_energy",
    "laplacian_free_energy",
    "log_partition",
    "mu2",
    "mu3",
    "n_greater",
    "split_free_energy",
    "nontrivial_eigenvalues",
    "spectrum",
    "summary",
    "thermodynamic_entropy",
    "trace_log_power",
]

Array = np.ndarray
LOG_2PI = float(np.log(2.0 * np.pi))


# ---------------------------------------------------------------------------- spectrum
@dataclass(frozen=True)
class Spectrum:
    """The spectrum of G (P1 5.10) stored without its trivial part.

    Attributes
    ----------
    eigenvalues : ndarray(shape=[K])
        The non-trivial eigenvalues, ascending (K = n_r + r, see the module docstring: 110 for
        784-40-20-10, 130 for 784-60-10, 140 for 784-70; all N for a dense computation).
    n_trivial : int
        How many further eigenvalues equal 1 exactly (N = K + n_trivial).
    coords : ndarray(shape=[K]) or None
        The components a_i = v_i . <x> of the mean state along the non-trivial eigenvectors
        (5.12).
    rest_norm2 : float
        |<x>|^2 - sum_i a_i^2, the weight of <x> on the eigenvalue-1 subspace.
    """

    eigenvalues: Array
    n_trivial: int = 0
    coords: Array | None = field(default=None, repr=False)
    rest_norm2: float = 0.0

    @property
    def n(self) -> int:
        """N, the number of all eigenvalues.

        Returns
        -------
        int
            K + n_trivial.
        """
        return int(self.eigenvalues.size + self.n_trivial)

    def full(self) -> Array:
        """All N eigenvalues of G (P1 5.10), ascending (allocates N numbers).

        Returns
        -------
        ndarray(shape=[N])
            The eigenvalues with the trivial ones (= 1).
        """
        return np.sort(np.concatenate([self.eigenvalues, np.ones(self.n_trivial)]))


def _as_spectrum(spec) -> Spectrum:
    if isinstance(spec, Spectrum):
        return spec
    lam = np.asarray(spec, dtype=float).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues must be a non-empty finite 1-d array")
    return Spectrum(np.sort(lam), 0)


def _x_mean(sep: NeuralSeptuple, x_mean) -> Array:
    x = np.asarray(x_mean, dtype=float)
    if x.ndim == 2 and x.shape[0] == 1:
        x = x[0]
    if x.shape != (sep.n,):
        raise ValueError(f"x_mean must have shape ({sep.n},), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x_mean must be finite")
    return x


def activation_slopes(sep: NeuralSeptuple, x_mean: Array) -> Array:
    """f'_ii = f'(sum_j w_ij <x_j> + b_i) (P1 5.4, P2 9).

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_mean : ndarray(shape=[N])
        The mean state <x>.

    Returns
    -------
    ndarray(shape=[N])
        The slopes.

    Raises
    ------
    ValueError
        x_mean of the wrong shape or not finite.
    """
    x = _x_mean(sep, x_mean)
    return sep.activation.df(sep.preactivation(x[None, :])[0])


def dense_g(sep: NeuralSeptuple, x_mean: Array) -> Array:
    """The dense operator G = (I - f'w)^T (I - f'w) (P1 5.6), for checks and small N.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_mean : ndarray(shape=[N])
        The mean state <x>.

    Returns
    -------
    ndarray(shape=[N, N])
        G.

    Raises
    ------
    ValueError
        x_mean of the wrong shape or not finite.
    """
    fp = activation_slopes(sep, x_mean)
    a = sp.diags(fp) @ sep.w
    ia = np.eye(sep.n) - a.toarray()
    return ia.T @ ia


def _lowrank_parts(sep: NeuralSeptuple, fp: Array):
    """M_RR (n_r x n_r), the Gram matrix M_RN M_RN^T and a function x_notR -> M_RN x_notR."""
    rows = sep.incoming_index
    n_r = rows.size
    if sep.is_layered:
        n0 = sep.layer_sizes[0]
        # rows R = all neurons after layer 0; columns outside R = layer 0 only.
        m_rr = np.zeros((n_r, n_r))
        offs = sep.layer_offsets - n0
        for k, blk in enumerate(sep.blocks[1:], start=1):
            r0, r1 = offs[k + 1], offs[k + 2]
            c0, c1 = offs[k], offs[k + 1]
            m_rr[r0:r1, c0:c1] = fp[n0 + r0 : n0 + r1, None] * blk
        n1 = sep.layer_sizes[1]
        f1 = fp[n0 : n0 + n1]
        w0 = sep.blocks[0]  # (n_1, n_0); M_RN = diag(f1) w0 on the first n_1 rows
        gram = np.zeros((n_r, n_r))
        gram[:n1, :n1] = f1[:, None] * sep.first_layer_gram() * f1[None, :]

        def apply(xn: Array) -> Array:
            out = np.zeros(n_r)
            out[:n1] = f1 * (w0 @ xn)
            return out

        return rows, m_rr, gram, apply, sep.n - n_r
    w = sep.w
    mask = np.ones(sep.n, dtype=bool)
    mask[rows] = False
    others = np.flatnonzero(mask)
    m_r = sp.diags(fp[rows]) @ w[rows]
    m_rr = m_r[:, rows].toarray()
    m_rn = m_r[:, others].tocsr()
    gram = (m_rn @ m_rn.T).toarray()

    def apply(xn: Array) -> Array:
        return np.asarray(m_rn @ xn).ravel()

    return rows, m_rr, gram, apply, others.size


def spectrum(
    sep: NeuralSeptuple, x_mean: Array, *, method: str = "lowrank", mean_coords: bool = True
) -> Spectrum:
    """The spectrum of G at <x> = x_mean (P1 5.6, 5.10).

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_mean : ndarray(shape=[N])
        The mean state <x> (5.3).
    method : str
        "lowrank" (exact, see the module docstring; cost O(nnz(w) + n_r^3)) or "dense"
        (numpy.linalg.eigh of the N x N G).
    mean_coords : bool
        Also compute the a_i of (5.12) that log Z (5.11) needs.

    Returns
    -------
    Spectrum
        The non-trivial eigenvalues, the number of trivial ones and (optionally) the a_i.

    Raises
    ------
    ValueError
        An unknown method, or x_mean of the wrong shape or not finite.
    """
    x = _x_mean(sep, x_mean)
    fp = activation_slopes(sep, x)
    if method == "dense":
        g = dense_g(sep, x)
        if mean_coords:
            lam, vec = np.linalg.eigh(g)
            return Spectrum(lam, 0, vec.T @ x, 0.0)
        return Spectrum(np.linalg.eigvalsh(g), 0)
    if method != "lowrank":
        raise ValueError("method must be 'lowrank' or 'dense'")
    rows, m_rr, gram, apply, n_other = _lowrank_parts(sep, fp)
    n_r = rows.size
    if n_r == 0:  # no connections: G = I
        return Spectrum(np.empty(0), sep.n, np.empty(0), float(x @ x))
    d, v = np.linalg.eigh(gram)
    d, v = d[::-1], v[:, ::-1]
    if sep.is_layered:  # structural rank of M_RN = diag(f'_1) W_0: at most n_1 (and n_0)
        r = min(sep.layer_sizes[1], sep.layer_sizes[0], n_r)
    else:  # numerical rank: directions with d ~ 0 only add eigenvalues 1 + O(eps)
        top = d[0] if d.size else 0.0
        r = min(int(np.count_nonzero(d > top * max(n_r, 1) * np.finfo(float).eps)), n_other)
    d, v = np.clip(d[:r], 0.0, None), v[:, :r]
    t = np.sqrt(d)[:, None] * v.T  # (r, n_r), T^T T = gram (rank <= r)
    k = np.zeros((n_r + r, n_r + r))
    k[:n_r, :n_r] = np.eye(n_r) - m_rr
    k[:n_r, n_r:] = -t.T
    k[n_r:, n_r:] = np.eye(r)
    if not mean_coords:
        s = np.linalg.svd(k, compute_uv=False)
        return Spectrum(np.sort(s * s), sep.n - n_r - r)
    _, s, vt = np.linalg.svd(k)
    # coordinates of <x> in the basis [e_R, Q], Q = M_RN^T V D^(-1/2)
    y = np.zeros(n_r + r)
    y[:n_r] = x[rows]
    mask = np.ones(sep.n, dtype=bool)
    mask[rows] = False
    mx = apply(x[mask])
    good = d > (d[0] if d.size else 0.0) * 1e-13
    y2 = np.zeros(r)
    y2[good] = (v[:, good].T @ mx) / np.sqrt(d[good])
    y[n_r:] = y2
    a = vt @ y
    order = np.argsort(s)
    lam = (s * s)[order]
    rest = max(float(x @ x - y @ y), 0.0)
    return Spectrum(lam, sep.n - n_r - r, a[order], rest)


def nontrivial_eigenvalues(sep: NeuralSeptuple, x_mean: Array) -> Array:
    """The non-trivial eigenvalues of G (P1 5.6, 5.10) by the exact low-rank route.

    All other N - K eigenvalues of G equal 1 exactly.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_mean : ndarray(shape=[N])
        The mean state <x>.

    Returns
    -------
    ndarray(shape=[K])
        Ascending; K = n_r + r with n_r the number of neurons with incoming weights and r the
        rank of the block of f'w from the other neurons (r = n_1 for a layered net).
    """
    return spectrum(sep, x_mean, mean_coords=False).eigenvalues


# ---------------------------------------------------------------------------- log Z, F, U, S
def _check_beta_m(beta: float, m: float) -> tuple[float, float]:
    beta = float(beta)
    m = float(m)
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta must be > 0 (inverse temperature), got {beta}")
    if not np.isfinite(m):
        raise ValueError("m must be finite")
    if 1.0 - beta * m <= 0:
        raise ValueError(f"1 - beta*m must be > 0 (Gaussian window, P1 5.9), got {1 - beta * m}")
    return beta, m


def log_partition(spec, *, beta: float, m: float = 0.0, mean_term: bool = False) -> float:
    """log Z in the Gaussian approximation (P1 5.11; with mean_term=False the large-N form 5.14).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective V = -m x^2 / 2 (P1 3.3); 1 - beta m > 0.
    mean_term : bool
        Include the <x> term of (5.11) (needs a Spectrum with coords); False: the large-N
        form (5.13)-(5.14).

    Returns
    -------
    float
        log Z.

    Raises
    ------
    ValueError
        beta <= 0, 1 - beta m <= 0, non-finite eigenvalues, or mean_term without coords.
    """
    beta, m = _check_beta_m(beta, m)
    s = _as_spectrum(spec)
    c = 1.0 - beta * m
    lam = s.eigenvalues
    out = 0.5 * s.n * LOG_2PI - 0.5 * np.sum(np.log(c + beta * lam))
    out -= 0.5 * s.n_trivial * np.log(c + beta)
    if mean_term:
        a2, rest = _mean_parts(s)
        out -= 0.5 * np.sum(c * beta * lam * a2 / (c + beta * lam))
        out -= 0.5 * c * beta * rest / (c + beta)
    return float(out)


def _mean_parts(s: Spectrum) -> tuple[Array, float]:
    if s.coords is None:
        raise ValueError(
            "mean_term=True needs a Spectrum with coords (spectrum(..., mean_coords=True))"
        )
    return s.coords**2, s.rest_norm2


def energy(spec, *, beta: float, m: float = 0.0, mean_term: bool = False) -> float:
    """U = <H> = -d log Z / d beta (P1 6.1, P2 10), analytically from :func:`log_partition`.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective V = -m x^2 / 2 (P1 3.3); 1 - beta m > 0.
    mean_term : bool
        Include the <x> term of (5.11) (needs a Spectrum with coords); False: the large-N
        form (5.13)-(5.14).

    Returns
    -------
    float
        U.

    Raises
    ------
    ValueError
        beta <= 0, 1 - beta m <= 0, non-finite eigenvalues, or mean_term without coords.
    """
    beta, m = _check_beta_m(beta, m)
    s = _as_spectrum(spec)
    c = 1.0 - beta * m
    lam = s.eigenvalues
    u = 0.5 * np.sum((lam - m) / (c + beta * lam)) + 0.5 * s.n_trivial * (1.0 - m) / (c + beta)
    if mean_term:
        a2, rest = _mean_parts(s)

        def term(lam_, w_):
            num = c * beta * lam_
            dnum = (1.0 - 2.0 * m * beta) * lam_
            den = c + beta * lam_
            dden = lam_ - m
            return np.sum(w_ * (dnum * den - num * dden) / den**2)

        u += 0.5 * term(lam, a2) + 0.5 * term(np.array([1.0]), np.array([rest]))
    return float(u)


def free_energy(spec, *, beta: float, m: float = 0.0, mean_term: bool = False) -> float:
    """F = -log Z / beta (P1 6.4-6.5, P2 6).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective V = -m x^2 / 2 (P1 3.3); 1 - beta m > 0.
    mean_term : bool
        Include the <x> term of (5.11) (needs a Spectrum with coords); False: the large-N
        form (5.13)-(5.14).

    Returns
    -------
    float
        F.

    Raises
    ------
    ValueError
        beta <= 0, 1 - beta m <= 0, non-finite eigenvalues, or mean_term without coords.
    """
    return -log_partition(spec, beta=beta, m=m, mean_term=mean_term) / float(beta)


def entropy(spec, *, beta: float, m: float = 0.0, mean_term: bool = False) -> float:
    """S = beta^2 dF/d beta = log Z + beta U (P1 7.1 with log Z for Z, P2 13).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective V = -m x^2 / 2 (P1 3.3); 1 - beta m > 0.
    mean_term : bool
        Include the <x> term of (5.11) (needs a Spectrum with coords); False: the large-N
        form (5.13)-(5.14).

    Returns
    -------
    float
        S.

    Raises
    ------
    ValueError
        beta <= 0, 1 - beta m <= 0, non-finite eigenvalues, or mean_term without coords.
    """
    return log_partition(spec, beta=beta, m=m, mean_term=mean_term) + float(beta) * energy(
        spec, beta=beta, m=m, mean_term=mean_term
    )


def n_greater(spec, *, beta: float, threshold: float = 1.0) -> int:
    """N_>: the number of eigenvalues with beta lambda > threshold (P1 6.6-6.8).

    This is the reading of lambda >> 1/beta; the trivial eigenvalues 1 are included.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold.

    Returns
    -------
    int
        N_>.

    Raises
    ------
    ValueError
        beta <= 0 or non-finite eigenvalues.
    """
    beta, _ = _check_beta_m(beta, 0.0)
    s = _as_spectrum(spec)
    k = int(np.count_nonzero(beta * s.eigenvalues > threshold))
    return k + (s.n_trivial if beta > threshold else 0)


def complexity(spec, *, beta: float, threshold: float = 1.0) -> float:
    """C(b, w) = -1/2 sum_(beta lambda_i > threshold) log lambda_i + N/2 log 2 pi (P1 6.7).

    The eigenvalues equal to 1 add log 1 = 0.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold.

    Returns
    -------
    float
        C.

    Raises
    ------
    ValueError
        beta <= 0 or non-finite eigenvalues.
    """
    beta, _ = _check_beta_m(beta, 0.0)
    s = _as_spectrum(spec)
    lam = s.eigenvalues
    big = beta * lam > threshold
    return float(-0.5 * np.sum(np.log(lam[big])) + 0.5 * s.n * LOG_2PI)


def a_free_energy(spec, *, beta: float, threshold: float = 1.0) -> float:
    """A(beta) = N_> log(beta) / (2 beta), the thermodynamic part of F (P1 6.8).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold.

    Returns
    -------
    float
        A.

    Raises
    ------
    ValueError
        beta <= 0 or non-finite eigenvalues.
    """
    k = n_greater(spec, beta=beta, threshold=threshold)
    return 0.5 * k * np.log(beta) / beta


def split_free_energy(spec, *, beta: float, threshold: float = 1.0) -> float:
    """The equilibrium form F ~ A(beta) - C(b, w)/beta of P1 (6.4), (6.6)-(6.8) (m = 0).

    1/(2 beta) sum_(beta lambda > threshold) log lambda + N_> log(beta)/(2 beta)
    - N log(2 pi)/(2 beta); it approaches F of (6.5) when no eigenvalue is near 1/beta.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold.

    Returns
    -------
    float
        A - C/beta.

    Raises
    ------
    ValueError
        beta <= 0 or non-finite eigenvalues.
    """
    beta, _ = _check_beta_m(beta, 0.0)
    return a_free_energy(spec, beta=beta, threshold=threshold) - complexity(
        spec, beta=beta, threshold=threshold
    ) / beta


def thermodynamic_entropy(spec, *, beta: float, threshold: float = 1.0) -> float:
    """S_0 = beta^2 dA/d beta = N_>/2 (1 - log beta) for A of (6.8) (P1 7.3-7.4).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold.

    Returns
    -------
    float
        S_0.

    Raises
    ------
    ValueError
        beta <= 0 or non-finite eigenvalues.
    """
    k = n_greater(spec, beta=beta, threshold=threshold)
    return 0.5 * k * (1.0 - np.log(beta))


def complexity_n(spec, n: int) -> float:
    """C_n of P1 (10.5): -1/2 sum log lambda over the n LARGEST of all N eigenvalues + N/2 log 2 pi.

    The trivial eigenvalues 1 are included (C_20 and C_834 of Fig. 6 for N = 854).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    n : int
        0 <= n <= N.

    Returns
    -------
    float
        C_n.

    Raises
    ------
    ValueError
        n outside [0, N].
    """
    s = _as_spectrum(spec)
    n = int(n)
    if n < 0 or n > s.n:
        raise ValueError(f"n must be in [0, N={s.n}], got {n}")
    logs = np.log(s.eigenvalues)
    pos = np.sort(logs[logs > 0])[::-1]
    neg = np.sort(logs[logs < 0])[::-1]
    zeros = s.n_trivial + int(np.count_nonzero(logs == 0))
    k = min(n, pos.size)
    total = float(np.sum(pos[:k]))
    rest = n - k - min(n - k, zeros)
    total += float(np.sum(neg[:rest]))
    return -0.5 * total + 0.5 * s.n * LOG_2PI


def trace_log_power(spec, k: int) -> float:
    """Tr (log G)^k = sum_i (log lambda_i)^k (P1 9.5, 9.6, 9.11); eigenvalues 1 add nothing.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    k : int
        The power.

    Returns
    -------
    float
        The trace.
    """
    s = _as_spectrum(spec)
    return float(np.sum(np.log(s.eigenvalues) ** int(k)))


def _moment(spec, k: int, normalisation: str) -> float:
    s = _as_spectrum(spec)
    t = trace_log_power(s, k)
    if normalisation == "trace":
        return t
    if normalisation == "mean":
        return t / s.eigenvalues.size
    raise ValueError("normalisation must be 'trace' or 'mean'")


def mu2(spec, *, normalisation: str = "trace") -> float:
    """mu2 of P1 (9.5).

    normalisation="trace": Tr (log G)^2, the sum over all N eigenvalues of (log lambda)^2, the
    paper's definition (eigenvalues 1 add 0). normalisation="mean": that sum divided by the
    number K of non-trivial eigenvalues (K = n_r + r of :func:`nontrivial_eigenvalues`: 110 for
    the deep 784-40-20-10 and 130 for the shallow 784-60-10 net of P1 §10; K = N for a dense
    Spectrum), the reading that fits the values P1 §10 quotes (mu2 ~ 1.84 shallow, ~ 2.44 deep).
    For a feed-forward net sum log lambda = 0 (7.8), so both are central moments.

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    normalisation : str
        "trace" or "mean".

    Returns
    -------
    float
        mu2.

    Raises
    ------
    ValueError
        An unknown normalisation.
    """
    return _moment(spec, 2, normalisation)


def mu3(spec, *, normalisation: str = "trace") -> float:
    """mu3 of P1 (9.6): Tr (log G)^3 ("trace") or its mean over the K non-trivial eigenvalues.

    The normalisations are those of :func:`mu2`. Zero for nets without hidden layers (9.11).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    normalisation : str
        "trace" or "mean".

    Returns
    -------
    float
        mu3.

    Raises
    ------
    ValueError
        An unknown normalisation.
    """
    return _moment(spec, 3, normalisation)


def laplacian_free_energy(spec, *, beta: float, m: float = 0.0) -> float:
    """Delta F = sum_j d^2 F / d lambda_j^2 = -beta/2 sum_i (1 - beta m + beta lambda_i)^-2.

    P1 (8.10) for m = 0; -Delta F is the entropy destruction rate of (9.1).

    Parameters
    ----------
    spec : Spectrum or array_like
        A :class:`Spectrum` (from :func:`spectrum`) or all N eigenvalues of G.
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective (P1 3.3).

    Returns
    -------
    float
        Delta F.

    Raises
    ------
    ValueError
        beta <= 0 or 1 - beta m <= 0.
    """
    beta, m = _check_beta_m(beta, m)
    s = _as_spectrum(spec)
    c = 1.0 - beta * m
    tot = np.sum((c + beta * s.eigenvalues) ** -2.0) + s.n_trivial * (c + beta) ** -2.0
    return float(-0.5 * beta * tot)


def _check_gamma(gamma: float) -> float:
    gamma = float(gamma)
    if not 0.0 < gamma < 1.0:
        raise ValueError(f"gamma must be in (0, 1), got {gamma}")
    return gamma


def entropy_destruction_model(
    log_lambda: Array, *, beta: float, gamma: float, n: float
) -> Array:
    """-Delta F of the two-peak spectrum of P1 (9.2)-(9.3) as a function of s = log lambda.

    A fraction gamma of the N eigenvalues sits at lambda, the rest at lambda^(gamma/(gamma-1))
    so that det G = 1 (9.2); then -Delta F = N beta/2 [gamma (1 + beta lambda)^-2
    + (1 - gamma)(1 + beta lambda^(gamma/(gamma-1)))^-2] (9.3).

    Parameters
    ----------
    log_lambda : array_like
        s = log lambda.
    beta : float
        Inverse temperature, > 0.
    gamma : float
        Fraction of small eigenvalues, 0 < gamma < 1.
    n : float
        N.

    Returns
    -------
    ndarray
        -Delta F, the shape of log_lambda.

    Raises
    ------
    ValueError
        beta <= 0 or gamma outside (0, 1).
    """
    beta, _ = _check_beta_m(beta, 0.0)
    gamma = _check_gamma(gamma)
    s = np.asarray(log_lambda, dtype=float)
    k = gamma / (gamma - 1.0)
    with np.errstate(over="ignore"):
        a = (1.0 + beta * np.exp(s)) ** -2.0
        b = (1.0 + beta * np.exp(k * s)) ** -2.0
    return 0.5 * n * beta * (gamma * a + (1.0 - gamma) * b)


def entropy_destruction_slope(
    log_lambda: Array, *, beta: float, gamma: float, n: float
) -> Array:
    """d(-Delta F)/d log lambda of P1 (9.3).

    -N gamma beta^2 [phi(lambda) - phi(lambda^k)] with phi(l) = l (1 + beta l)^-3 and
    k = gamma/(gamma - 1), so the stationary points solve phi(lambda) = phi(lambda^k);
    log lambda = 0 always is one.

    Parameters
    ----------
    log_lambda : array_like
        s = log lambda.
    beta : float
        Inverse temperature, > 0.
    gamma : float
        Fraction of small eigenvalues, 0 < gamma < 1.
    n : float
        N.

    Returns
    -------
    ndarray
        The slope, the shape of log_lambda.

    Raises
    ------
    ValueError
        beta <= 0 or gamma outside (0, 1).
    """
    beta, _ = _check_beta_m(beta, 0.0)
    gamma = _check_gamma(gamma)
    s = np.asarray(log_lambda, dtype=float)
    k = gamma / (gamma - 1.0)

    def phi(t: Array) -> Array:
        with np.errstate(over="ignore", invalid="ignore"):
            lam = np.exp(t)
            out = lam / (1.0 + beta * lam) ** 3
        return np.where(np.isfinite(out), out, 0.0)

    return -n * gamma * beta**2 * (phi(s) - phi(k * s))


# ---------------------------------------------------------------------------- summary
@dataclass(frozen=True)
class ThermoSummary:
    """The thermodynamic summary of a net at <x> (see :func:`summary`).

    Attributes
    ----------
    n : int
        N.
    beta, m : float
        Inverse temperature and mass.
    eigenvalues : ndarray(shape=[K])
        Non-trivial eigenvalues of G, ascending (P1 5.10).
    n_trivial : int
        The number of further eigenvalues equal to 1.
    log_z : float
        log Z used for F, U, S ((5.11) if mean_term else (5.14)).
    log_z_full, log_z_large_n : float
        Both forms of log Z.
    free_energy, energy, entropy : float
        F (6.4), U (6.1), S (7.1).
    free_energy_split : float
        A - C/beta, the equilibrium approximation (6.6) of F.
    complexity : float
        C (6.7).
    n_greater : int
        N_> (beta lambda > threshold).
    a_beta : float
        A(beta) (6.8).
    thermodynamic_entropy : float
        S_0 (7.4).
    laplacian : float
        Delta F (8.10).
    log_det : float
        sum log lambda (7.8).
    mu2, mu3 : float
        Traces Tr (log G)^k (9.5-9.6).
    mu2_mean, mu3_mean : float
        Per-non-trivial-eigenvalue means (see :func:`mu2`).
    """

    n: int
    beta: float
    m: float
    eigenvalues: Array = field(repr=False)
    n_trivial: int
    log_z: float
    log_z_full: float
    log_z_large_n: float
    free_energy: float
    free_energy_split: float
    energy: float
    entropy: float
    complexity: float
    n_greater: int
    a_beta: float
    thermodynamic_entropy: float
    laplacian: float
    log_det: float
    mu2: float
    mu3: float
    mu2_mean: float
    mu3_mean: float

    @property
    def spectrum(self) -> Spectrum:
        """The spectrum without coordinates.

        Returns
        -------
        Spectrum
            eigenvalues and n_trivial.
        """
        return Spectrum(self.eigenvalues, self.n_trivial)

    def complexity_n(self, n: int) -> float:
        """C_n of P1 (10.5) (see :func:`complexity_n`).

        Parameters
        ----------
        n : int
            0 <= n <= N.

        Returns
        -------
        float
            C_n.
        """
        return complexity_n(self.spectrum, n)


def summary(
    sep: NeuralSeptuple,
    x_mean: Array,
    *,
    beta: float,
    m: float = 0.0,
    mean_term: bool = False,
    threshold: float = 1.0,
) -> ThermoSummary:
    """Spectrum of G, log Z, F, U, S, C, N_>, A, S_0, Delta F, mu2, mu3 of a net at <x> (P1 §5-9).

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_mean : ndarray(shape=[N])
        The ensemble mean state <x> (e.g. the mean fixed point (2.9) over a batch).
    beta : float
        Inverse temperature, > 0.
    m : float
        Mass of the local objective (P1 3.3); 1 - beta m > 0.
    mean_term : bool
        Use the full (5.11) (with the <x> term) for F, U, S instead of the large-N form (5.14)
        that P1 §6-10 work with (both log Z values are returned either way).
    threshold : float
        "lambda >> 1/beta" is read as beta lambda > threshold (6.6-6.8).

    Returns
    -------
    ThermoSummary
        Every quantity.

    Raises
    ------
    ValueError
        beta <= 0, 1 - beta m <= 0, or x_mean of the wrong shape.
    """
    beta, m = _check_beta_m(beta, m)
    spec = spectrum(sep, x_mean, mean_coords=True)
    lz_full = log_partition(spec, beta=beta, m=m, mean_term=True)
    lz_n = log_partition(spec, beta=beta, m=m, mean_term=False)
    lz = lz_full if mean_term else lz_n
    u = energy(spec, beta=beta, m=m, mean_term=mean_term)
    return ThermoSummary(
        n=spec.n,
        beta=beta,
        m=m,
        eigenvalues=spec.eigenvalues,
        n_trivial=spec.n_trivial,
        log_z=lz,
        log_z_full=lz_full,
        log_z_large_n=lz_n,
        free_energy=-lz / beta,
        free_energy_split=split_free_energy(spec, beta=beta, threshold=threshold),
        energy=u,
        entropy=lz + beta * u,
        complexity=complexity(spec, beta=beta, threshold=threshold),
        n_greater=n_greater(spec, beta=beta, threshold=threshold),
        a_beta=a_free_energy(spec, beta=beta, threshold=threshold),
        thermodynamic_entropy=thermodynamic_entropy(spec, beta=beta, threshold=threshold),
        laplacian=laplacian_free_energy(spec, beta=beta, m=m),
        log_det=trace_log_power(spec, 1),
        mu2=mu2(spec),
        mu3=mu3(spec),
        mu2_mean=mu2(spec, normalisation="mean"),
        mu3_mean=mu3(spec, normalisation="mean"),
    )
