"""Loss functions H of the neural septuple: boundary loss and bulk loss (P1 2.10-2.11, 3.1-3.4;
P2 eq 3-4), and the clamped minimisation (P1 3.2) of the bulk loss.

Bulk loss with a local objective (P1 3.4, P2 3; the paper's p_j inside f means b_i):

    H(x) = 1/2 sum_i (x_i - f(sum_j w_ij x_j + b_i))^2 + sum_i V(x_i),   V(x) = -m x^2 / 2 (3.3)

The sum of squared errors runs over the neurons with an input-bias condition (2.8) excluded: for
an input neuron x_i - f(b_i) is the mismatch of (2.8), which the paper assumes satisfied (2.7),
so by default the input neurons contribute no error (``input_residual=True`` keeps it). The
potential V sums over all neurons (3.3).

Clamped minimisation (3.2): with the boundary neurons fixed to the data, x_in on inputs and
y_out on outputs, minimise H over the hidden neurons only, for a whole batch at once: a damped
Newton (Levenberg-Marquardt) iteration on the n_h hidden unknowns per sample, with the exact
Hessian J^T J - sum_k r_k f''(y_k) w_kh w_kg + V''. Two routes run the same iteration (same
damping, acceptance and stopping rules per sample): a Numba kernel
(:func:`emergent.kernels.loss_kernels.newton_kernel`), parallel over samples, that
builds the Hessian from the sparse rows of w (only the weights into and out of the hidden
neurons) and solves with a dense Cholesky (LU when the damped Hessian is indefinite), used for
the built-in activations with V = 0 or the tachyonic V of (3.3) given by m; and a batched
numpy.linalg route for any other activation or a user :class:`Potential`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from emergent.kernels.loss_kernels import CODES as KERNEL_CODES
from emergent.kernels.loss_kernels import newton_kernel
from emergent.septuple.activations import ACTIVATIONS
from emergent.septuple.network import NeuralSeptuple

__all__ = [
    "Potential",
    "boundary_loss",
    "boundary_loss_samples",
    "bulk_hamiltonian",
    "bulk_loss",
    "bulk_loss_parts",
    "clamped_minimisation",
    "tachyonic",
]

Array = np.ndarray


@dataclass(frozen=True)
class Potential:
    """A local objective V(x) = sum_i V(x_i) (P1 3.3), given element-wise.

    Attributes
    ----------
    value : callable(ndarray) -> ndarray
        V(x) element by element.
    derivative : callable(ndarray) -> ndarray
        V'(x).
    second_derivative : callable(ndarray) -> ndarray
        V''(x).
    """

    value: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    second_derivative: Callable[[Array], Array]


def tachyonic(m: float) -> Potential:
    """The tachyonic potential V(x) = -m x^2 / 2 of P1 (3.3), P2 (after eq 3).

    Parameters
    ----------
    m : float
        The mass parameter m.

    Returns
    -------
    Potential
        V, V' = -m x and V'' = -m.
    """
    m = float(m)
    return Potential(
        lambda x: -0.5 * m * np.square(x),
        lambda x: -m * np.asarray(x),
        lambda x: np.full(np.shape(x), -m),
    )


def _potentials(m: float, potential: Potential | None) -> list[Potential]:
    if not np.isfinite(m):
        raise ValueError("m must be finite")
    out = []
    if m != 0.0:
        out.append(tachyonic(m))
    if potential is not None:
        if not isinstance(potential, Potential):
            raise ValueError("potential must be an emergent.septuple.losses.Potential or None")
        out.append(potential)
    return out


def _residual_rows(sep: NeuralSeptuple, input_residual: bool) -> Array:
    if input_residual:
        return np.arange(sep.n)
    mask = np.ones(sep.n, dtype=bool)
    mask[sep.input_index] = False
    return np.flatnonzero(mask)


def bulk_hamiltonian(
    sep: NeuralSeptuple,
    x: Array,
    *,
    m: float = 0.0,
    potential: Potential | None = None,
    input_residual: bool = False,
) -> Array:
    """The bulk loss H(x) of P1 (3.4), P2 (3) for a batch of states.

    H(x) = 1/2 sum_i (x_i - f(sum_j w_ij x_j + b_i))^2 + sum_i V(x_i), the squared errors over
    the non-input neurons unless `input_residual` (see the module docstring).

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x : ndarray(shape=[S, N])
        States.
    m : float
        Mass of the tachyonic potential V = -m x^2 / 2 (3.3).
    potential : Potential, optional
        A further local objective.
    input_residual : bool
        Also count the mismatch x_i - f(b_i) of the input neurons (2.8).

    Returns
    -------
    ndarray(shape=[S])
        H per state.

    Raises
    ------
    ValueError
        x of the wrong shape, a non-finite m or a potential that is not a Potential.
    """
    x = sep._states(x)
    pots = _potentials(m, potential)
    rows = _residual_rows(sep, input_residual)
    r = x[:, rows] - sep.activation.f(sep.preactivation(x)[:, rows])
    h = 0.5 * np.sum(r * r, axis=1)
    for p in pots:
        h = h + np.sum(p.value(x), axis=1)
    return h


def bulk_loss_parts(sep: NeuralSeptuple, x: Array) -> tuple[Array, Array]:
    """The two readings of the bulk loss (3.1) at states x: its hidden-neuron and output parts.

    P1 (3.1) sums the squared residuals r_i = x_i - f(sum_j w_ij x_j + b_i) over all neurons;
    P1 §2 (and the abstract, "in the bulk (i.e. hidden neurons)") also calls the hidden subspace
    V_hid alone "the bulk". This splits the literal sum over the non-input neurons (the
    :func:`bulk_hamiltonian` with m = 0) into
    H_hid = 1/2 sum_{i in V_hid} r_i^2 and H_out = 1/2 sum_{i in V_out} r_i^2, so that
    H_hid + H_out = H (3.1). At the clamped minimum (3.2) H_out is the mismatch between the
    clamped targets and what the minimising hidden state feeds to the outputs.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x : ndarray(shape=[S, N])
        States (e.g. the clamped minimisers x_bar of :func:`clamped_minimisation`).

    Returns
    -------
    hidden : ndarray(shape=[S])
        1/2 sum over the hidden neurons of r_i^2, per state.
    output : ndarray(shape=[S])
        1/2 sum over the output neurons of r_i^2, per state.

    Raises
    ------
    ValueError
        x of the wrong shape.
    """
    x = sep._states(x)
    r = x - sep.activation.f(sep.preactivation(x))
    r2 = 0.5 * r * r
    return (np.sum(r2[:, sep.hidden_index], axis=1),
            np.sum(r2[:, sep.output_index], axis=1))


def _targets(sep: NeuralSeptuple, x_in: Array, y_out: Array) -> tuple[Array, Array]:
    x_in = sep._inputs(x_in)
    y = np.asarray(y_out, dtype=float)
    if y.ndim == 1:
        y = y[None, :]
    n_out = sep.output_index.size
    if y.shape != (x_in.shape[0], n_out):
        raise ValueError(f"y_out must have shape ({x_in.shape[0]}, {n_out}), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y_out must be finite")
    return x_in, y


def boundary_loss_samples(sep: NeuralSeptuple, x_in: Array, y_out: Array) -> Array:
    """The boundary loss per sample (P1 2.11): 1/2 |P_out x_bar - y_out|^2.

    x_bar is the fixed point (2.9) reached from x_in. (P1 2.10 prints the same sum without 1/2.)

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_in : ndarray(shape=[S, n_in])
        Input data.
    y_out : ndarray(shape=[S, n_out])
        Output data.

    Returns
    -------
    ndarray(shape=[S])
        H_boundary per sample.

    Raises
    ------
    ValueError
        Data of the wrong shape or not finite.
    """
    x_in, y = _targets(sep, x_in, y_out)
    xb = sep.fixed_point(x_in)
    d = xb[:, sep.output_index] - y
    return 0.5 * np.sum(d * d, axis=1)


def boundary_loss(sep: NeuralSeptuple, x_in: Array, y_out: Array) -> float:
    """U_boundary: the boundary loss (P1 2.11, P2 4) averaged over the batch.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_in : ndarray(shape=[S, n_in])
        Input data.
    y_out : ndarray(shape=[S, n_out])
        Output data.

    Returns
    -------
    float
        The mean of :func:`boundary_loss_samples`.

    Raises
    ------
    ValueError
        Data of the wrong shape or not finite.
    """
    return float(np.mean(boundary_loss_samples(sep, x_in, y_out)))


def clamped_minimisation(
    sep: NeuralSeptuple,
    x_in: Array,
    y_out: Array,
    *,
    m: float = 0.0,
    potential: Potential | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
    input_residual: bool = False,
    x0: Array | None = None,
) -> tuple[Array, Array]:
    """x_bar and H(x_bar) of P1 (3.2) for a batch: the minimum over the hidden neurons of H (3.4).

    The boundary neurons are clamped to the data, x_bar[:, input_index] = x_in and
    x_bar[:, output_index] = y_out. The start is the forward fixed point (2.9) (or x0).
    Converged when max |dH/dx_hidden| <= tol per sample.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_in : ndarray(shape=[S, n_in])
        Input data (the boundary data x_boundary on the inputs).
    y_out : ndarray(shape=[S, n_out])
        Output data.
    m : float
        Mass of the tachyonic potential V = -m x^2 / 2 (3.3).
    potential : Potential, optional
        A further local objective (NumPy route).
    tol : float
        Gradient tolerance, > 0.
    max_iter : int
        Newton iterations per sample, >= 1.
    input_residual : bool
        Also count the mismatch of the input neurons (see :func:`bulk_hamiltonian`).
    x0 : ndarray(shape=[S, N]), optional
        Starting states.

    Returns
    -------
    x_bar : ndarray(shape=[S, N])
        The clamped minimisers.
    h : ndarray(shape=[S])
        H(x_bar) (3.4).

    Raises
    ------
    ValueError
        A sample did not converge within max_iter (the message names max_iter and tol), bad
        tol or max_iter, or data of the wrong shape.
    """
    x_in, y = _targets(sep, x_in, y_out)
    if not (tol > 0):
        raise ValueError("tol must be > 0")
    if max_iter < 1:
        raise ValueError("max_iter must be >= 1")
    pots = _potentials(m, potential)
    s_count = x_in.shape[0]
    hid = sep.hidden_index
    rows = _residual_rows(sep, input_residual)
    if x0 is None:
        x = sep.fixed_point(x_in)
    else:
        x = sep._states(x0).copy()
        if x.shape[0] != s_count:
            raise ValueError(f"x0 must have shape ({s_count}, {sep.n})")
        x[:, sep.input_index] = x_in
    x[:, sep.output_index] = y
    if hid.size == 0:
        return x, bulk_hamiltonian(sep, x, m=m, potential=potential, input_residual=input_residual)
    f = sep.activation
    # pre-activations of the residual rows: y_P = c_P + x_h @ W_Ph^T, c_P fixed by the boundary
    w_ph = sep.submatrix(rows, hid)  # (n_p, n_h)
    keep = np.any(w_ph != 0, axis=1) | np.isin(rows, hid)
    rows, w_ph = rows[keep], w_ph[keep]  # rows untouched by the hidden neurons are constant
    xb = x.copy()
    xb[:, hid] = 0.0
    c_p = sep.preactivation(xb)[:, rows]
    pos = {int(v): k for k, v in enumerate(hid)}
    prow = np.searchsorted(rows, hid)  # row of P holding each hidden neuron (rows sorted)
    n_h = hid.size
    diag = np.arange(n_h)
    nz = np.flatnonzero(np.any(w_ph != 0, axis=1))  # rows that feel the hidden neurons
    w_nz = w_ph[nz]
    x_p_fixed = x[:, rows].copy()
    hid_in_p = np.array([int(v) in pos for v in rows])
    p_cols = np.array([pos.get(int(v), 0) for v in rows])

    def parts(h: Array, idx: Array, need_hess: bool):
        yv = c_p[idx] + h @ w_ph.T
        xp = np.where(hid_in_p, h[:, p_cols], x_p_fixed[idx])
        fv = f.f(yv)
        r = xp - fv
        phi = 0.5 * np.sum(r * r, axis=1)
        for p in pots:
            phi = phi + np.sum(p.value(h), axis=1)
        if not need_hess:
            return phi, None, None
        d1 = f.df(yv)
        # J = S - D1 W with S the selection of hidden rows (every hidden neuron is a row of P):
        # J^T r = r[:, prow] - W^T (d1 r);  J^T J - sum_p r_p f''_p W_p W_p^T
        #       = I - B - B^T + W^T diag(d1^2 - f'' r) W,  B = (D1 W)[prow]
        g = r[:, prow] - (d1 * r) @ w_ph
        cdiag = d1 * d1 - f.d2f(yv) * r
        n_s = h.shape[0]
        hess = (w_nz.T[None, :, :] * cdiag[:, None, nz]).reshape(n_s * n_h, nz.size) @ w_nz
        hess = hess.reshape(n_s, n_h, n_h)
        bmat = d1[:, prow, None] * w_ph[prow][None, :, :]
        hess -= bmat + bmat.transpose(0, 2, 1)
        hess[:, diag, diag] += 1.0
        for p in pots:
            g = g + p.derivative(h)
            hess[:, diag, diag] += p.second_derivative(h)
        return phi, g, hess

    h = x[:, hid].copy()
    code = f.code if f.code in KERNEL_CODES else -1
    if potential is None and code >= 0 and ACTIVATIONS[f.name] is f:
        # compiled route: the same iteration per sample, parallel over samples
        csr = w_ph != 0  # row-major nonzeros: columns ascending within each row
        w_ptr = np.concatenate([[0], np.cumsum(csr.sum(axis=1))]).astype(np.int64)
        w_col = np.nonzero(csr)[1].astype(np.int64)
        w_val = np.ascontiguousarray(w_ph[csr], dtype=np.float64)
        status = np.zeros(s_count, dtype=np.int64)
        newton_kernel(h, np.ascontiguousarray(c_p, dtype=np.float64),
                       np.ascontiguousarray(x_p_fixed, dtype=np.float64),
                       np.where(hid_in_p, p_cols, -1).astype(np.int64), prow.astype(np.int64),
                       w_ptr, w_col, w_val, code, float(m), float(tol), int(max_iter), status)
        failed = status != 0
        if np.any(failed):
            raise ValueError(
                f"clamped_minimisation: {int(failed.sum())} of {s_count} samples did not reach "
                f"tol={tol} within max_iter={max_iter}; allowed: a larger max_iter or tol"
            )
        x[:, hid] = h
        return x, bulk_hamiltonian(sep, x, m=m, potential=potential,
                                   input_residual=input_residual)
    mu = np.full(s_count, 1e-3)
    active = np.arange(s_count)
    eye = np.eye(hid.size)
    failed = np.zeros(s_count, dtype=bool)
    for _ in range(max_iter):
        phi, g, hess = parts(h[active], active, True)
        gmax = np.max(np.abs(g), axis=1)
        done = gmax <= tol
        if np.all(done):
            active = active[:0]
            break
        active, phi, g, hess = active[~done], phi[~done], g[~done], hess[~done]
        gmax = gmax[~done]
        scale = np.maximum(np.abs(np.diagonal(hess, axis1=1, axis2=2)).max(axis=1), 1.0)
        pending = np.ones(active.size, dtype=bool)
        for _ in range(30):
            idx = np.flatnonzero(pending)
            if idx.size == 0:
                break
            lhs = hess[idx] + (mu[active[idx]] * scale[idx])[:, None, None] * eye
            try:
                step = -np.linalg.solve(lhs, g[idx][:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                step = -g[idx] / (mu[active[idx]] * scale[idx])[:, None]
            slope = np.einsum("sk,sk->s", step, g[idx])
            trial = h[active[idx]] + step
            phi_new, _, _ = parts(trial, active[idx], False)
            # at the rounding level of phi a descent step is taken without the decrease test
            tiny = -slope < 1e-13 * np.maximum(np.abs(phi[idx]), 1e-300)
            ok = (slope < 0) & ((phi_new <= phi[idx]) | tiny)
            acc = idx[ok]
            h[active[acc]] = trial[ok]
            mu[active[acc]] = np.maximum(mu[active[acc]] / 10.0, 1e-15)
            rej = idx[~ok]
            mu[active[rej]] *= 10.0
            pending[acc] = False
            if np.all(mu[active[rej]] > 1e12):
                break
        stuck = mu[active] > 1e12
        if np.any(stuck):
            # no decrease possible any more: converged at the rounding level, or failed
            failed[active[stuck & (gmax > 1e3 * tol)]] = True
            active = active[~stuck]
            if active.size == 0:
                break
    else:
        failed[active] = True
    if np.any(failed):
        raise ValueError(
            f"clamped_minimisation: {int(failed.sum())} of {s_count} samples did not reach "
            f"tol={tol} within max_iter={max_iter}; allowed: a larger max_iter or tol"
        )
    x[:, hid] = h
    return x, bulk_hamiltonian(sep, x, m=m, potential=potential, input_residual=input_residual)


def bulk_loss(
    sep: NeuralSeptuple,
    x_in: Array,
    y_out: Array,
    *,
    m: float = 0.0,
    potential: Potential | None = None,
    tol: float = 1e-10,
    input_residual: bool = False,
) -> float:
    """U = <H(x_bar)>: the bulk loss (3.4) at the clamped minimum (3.2), averaged over the batch.

    This is the ensemble average of P1 (4.1)/(4.4) over the data.

    Parameters
    ----------
    sep : NeuralSeptuple
        The net.
    x_in : ndarray(shape=[S, n_in])
        Input data.
    y_out : ndarray(shape=[S, n_out])
        Output data.
    m : float
        Mass of the tachyonic potential (3.3).
    potential : Potential, optional
        A further local objective.
    tol : float
        Gradient tolerance of :func:`clamped_minimisation`.
    input_residual : bool
        Also count the mismatch of the input neurons.

    Returns
    -------
    float
        U.

    Raises
    ------
    ValueError
        As :func:`clamped_minimisation`.
    """
    _, h = clamped_minimisation(
        sep, x_in, y_out, m=m, potential=potential, tol=tol, input_residual=input_residual
    )
    return float(np.mean(h))
