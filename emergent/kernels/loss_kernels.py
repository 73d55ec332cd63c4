"""Numba kernels of the clamped minimisation of the bulk loss (P1 3.2-3.4).

One damped Newton (Levenberg-Marquardt) iteration per sample on the hidden neurons, with the
exact Hessian J^T J - sum_k r_k f''(y_k) w_kh w_kg + V'' built from the sparse rows of w and a
dense Cholesky solve (LU when the damped Hessian is indefinite), parallel over samples. The
Python-level API is :func:`emergent.septuple.losses.clamped_minimisation`, which prepares the
sparse rows and falls back to NumPy for other activations or potentials. Kernels know nothing of
files, configs or the septuple classes.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from emergent.kernels.activation_codes import LINEAR, LOGISTIC, RELU, TANH
from emergent.kernels.cache import njit
from emergent.kernels.fastmath import sech2, tanh

__all__ = ["CODES", "activation_values", "lu_solve", "newton_kernel", "residual_loss"]

CODES = (LINEAR, TANH, LOGISTIC, RELU)
"""The activation codes (:mod:`emergent.kernels.activation_codes`) with a compiled route."""

@njit(cache=True, inline="always")
def activation_values(code: int, y: float) -> tuple[float, float, float]:
    """The activation f of P1 (2.6) and its first two derivatives at one pre-activation.

    Parameters
    ----------
    code : int
        Code of the activation (:mod:`emergent.kernels.activation_codes`: LINEAR, TANH,
        LOGISTIC; any other value is treated as RELU).
    y : float
        The pre-activation y = sum_j w_ij x_j + b_i.

    Returns
    -------
    tuple of float
        (f(y), f'(y), f''(y)). For tanh, f' = sech^2(y) (P1 10.4), which underflows to 0
        instead of overflowing; the logistic function is 1 / (1 + e^-y), evaluated as
        (1 + tanh(y / 2)) / 2. tanh and sech^2 are the vectorisable ones of
        :mod:`emergent.kernels.fastmath` (relative errors <= 2e-15 and 4e-15).
    """
    if code == TANH:
        t = tanh(y)
        d = sech2(y)
        return t, d, -2.0 * t * d
    if code == LOGISTIC:
        s = 0.5 * (1.0 + tanh(0.5 * y))
        return s, s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s)
    if code == LINEAR:
        return y, 1.0, 0.0
    if y > 0.0:
        return y, 1.0, 0.0
    return 0.0, 0.0, 0.0


@njit(cache=True, inline="always")
def residual_loss(s, h, c_p, xp_fixed, p_cols, w_ptr, w_col, w_val, code, m, yv, r, d1, cd, need):
    """The bulk loss H of P1 (3.4) of one sample as a function of its hidden neurons only.

    Evaluates, up to the terms constant under the clamping of (3.2),

        H(h) = 1/2 sum_p r_p^2 - m/2 sum_k h_k^2,   r_p = x_p - f(y_p),
        y_p = c_p[s, p] + sum_k W_pk h_k,

    the squared errors of the fixed-point equation (2.9) over the residual rows p plus the
    tachyonic potential V of (3.3) on the hidden neurons (V on the clamped boundary neurons is a
    constant and is left out).

    Parameters
    ----------
    s : int
        Index of the sample (row of `c_p` and `xp_fixed`).
    h : ndarray(shape=[n_h], float64)
        The hidden neurons of the sample.
    c_p : ndarray(shape=[S, n_p], float64)
        The part of the pre-activation of each residual row fixed by the boundary neurons and
        the bias, b_p + sum_(j boundary) w_pj x_j.
    xp_fixed : ndarray(shape=[S, n_p], float64)
        The state x_p of each residual row, used where the row is not a hidden neuron.
    p_cols : ndarray(shape=[n_p], int64)
        For each residual row, the position of its neuron among the hidden ones, or -1 when it is
        a boundary neuron (then x_p comes from `xp_fixed`).
    w_ptr, w_col, w_val : ndarray(int64), ndarray(int64), ndarray(float64)
        The weights W_pk from the hidden neurons into the residual rows in compressed sparse
        rows: row p holds columns ``w_col[w_ptr[p]:w_ptr[p+1]]`` (ascending) with values
        ``w_val[w_ptr[p]:w_ptr[p+1]]``; shape of w_ptr [n_p + 1].
    code : int
        Kernel code of the activation, see :func:`activation_values`.
    m : float
        The parameter m of the tachyonic potential V(x) = -m x^2 / 2 (P1 3.3); 0 for none.
    yv, r, d1, cd : ndarray(shape=[n_p], float64)
        Work arrays, overwritten: the pre-activations y_p, the residuals r_p and, when `need`,
        d1 = f'(y_p) and cd = f'(y_p)^2 - f''(y_p) r_p (the Gauss-Newton plus curvature weight
        of the exact Hessian).
    need : bool
        Whether to fill `d1` and `cd` (needed for the gradient and the Hessian).

    Returns
    -------
    float
        H(h) of the sample.
    """
    n_p = c_p.shape[1]
    phi = 0.0
    for p in range(n_p):
        acc = c_p[s, p]
        for q in range(w_ptr[p], w_ptr[p + 1]):
            acc += w_val[q] * h[w_col[q]]
        yv[p] = acc
        fv, df, d2f = activation_values(code, acc)
        xp = h[p_cols[p]] if p_cols[p] >= 0 else xp_fixed[s, p]
        rp = xp - fv
        r[p] = rp
        phi += 0.5 * rp * rp
        if need:
            d1[p] = df
            cd[p] = df * df - d2f * rp
    for k in range(h.size):
        phi -= 0.5 * m * h[k] * h[k]
    return phi


@njit(cache=True)
def lu_solve(hess, lam, g, a, step, piv) -> bool:
    """Solve (H + lam I) step = -g by LU with partial pivoting, in place.

    The route for a damped Hessian that is not positive definite (where the Cholesky solve of
    :func:`newton_kernel` fails); it gives the step that ``numpy.linalg.solve`` gives on the
    NumPy route of :func:`emergent.septuple.losses.clamped_minimisation`.

    Parameters
    ----------
    hess : ndarray(shape=[n, n], float64)
        The symmetric matrix H, read from its lower triangle only.
    lam : float
        The damping added to the diagonal.
    g : ndarray(shape=[n], float64)
        The right-hand side (the gradient).
    a : ndarray(shape=[n, n], float64)
        Work array, overwritten with the LU factors.
    step : ndarray(shape=[n], float64)
        Output: the solution -(H + lam I)^-1 g when the matrix is regular.
    piv : ndarray(shape=[n], int64)
        Work array, overwritten with the pivot rows.

    Returns
    -------
    bool
        True when solved; False when a pivot column is exactly zero (a singular matrix), in which
        case `step` is incomplete.
    """
    n = g.size
    for i in range(n):
        for j in range(i + 1):
            a[i, j] = hess[i, j]
            a[j, i] = hess[i, j]
        a[i, i] += lam
        step[i] = -g[i]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            if abs(a[i, k]) > big:
                big = abs(a[i, k])
                p = i
        if big == 0.0:
            return False
        piv[k] = p
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
            step[k], step[p] = step[p], step[k]
        for i in range(k + 1, n):
            fct = a[i, k] / a[k, k]
            if fct != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= fct * a[k, j]
                step[i] -= fct * step[k]
    for i in range(n - 1, -1, -1):
        acc = step[i]
        for j in range(i + 1, n):
            acc -= a[i, j] * step[j]
        step[i] = acc / a[i, i]
    return True


@njit(cache=True, parallel=True)
def newton_kernel(h_all, c_p, xp_fixed, p_cols, prow, w_ptr, w_col, w_val, code, m, tol,
                   max_iter, status):
    """The clamped minimisation of P1 (3.2) of the bulk loss (3.4) for every sample, in place.

    With the boundary neurons fixed, minimises H(h) of :func:`residual_loss` over the hidden
    neurons h of each sample by a damped Newton (Levenberg-Marquardt) iteration with the exact
    Hessian

        I - B - B^T + W^T diag(f'^2 - f'' r) W - m I,   B = (diag(f') W)[prow],

    i.e. J^T J - sum_p r_p f''(y_p) W_p W_p^T + V'' with V of (3.3). A step solves
    (Hessian + mu s I) step = -g with s the largest |diagonal entry| (at least 1), by Cholesky or,
    when that fails, :func:`lu_solve` (a plain gradient step when singular); it is accepted when
    it descends and does not increase H (or the decrease is below the rounding of H), and mu is
    then divided by 10, else multiplied by 10 and the step retried (up to 30 times). These are
    the damping, acceptance and stopping rules of the NumPy route of
    :func:`emergent.septuple.losses.clamped_minimisation`, applied per sample; the samples run
    in parallel.

    Parameters
    ----------
    h_all : ndarray(shape=[S, n_h], float64)
        Starting hidden states of the S samples; overwritten with the minimisers.
    c_p, xp_fixed, p_cols, w_ptr, w_col, w_val, code, m
        The residual rows, as in :func:`residual_loss`.
    prow : ndarray(shape=[n_h], int64)
        For each hidden neuron, the index of its own residual row (every hidden neuron is one).
    tol : float
        Convergence when the largest |component| of the gradient of H is at most `tol`.
    max_iter : int
        The most Newton iterations per sample.
    status : ndarray(shape=[S], int64)
        Output per sample: 0 converged; 1 failed (`max_iter` reached, or no decrease possible
        any more while the gradient is still above 1000 `tol`).
    """
    n_s, n_h = h_all.shape
    n_p = c_p.shape[1]
    for s in prange(n_s):
        h = h_all[s].copy()
        trial = np.empty(n_h)
        yv = np.empty(n_p)
        r = np.empty(n_p)
        d1 = np.empty(n_p)
        cd = np.empty(n_p)
        g = np.empty(n_h)
        hess = np.empty((n_h, n_h))
        chol = np.empty((n_h, n_h))
        step = np.empty(n_h)
        piv = np.empty(n_h, dtype=np.int64)
        mu = 1e-3
        st = 1
        for _ in range(max_iter):
            phi = residual_loss(s, h, c_p, xp_fixed, p_cols, w_ptr, w_col, w_val, code, m,
                       yv, r, d1, cd, True)
            # gradient J^T r = r[prow] - W^T (f' r) - m h
            for k in range(n_h):
                g[k] = r[prow[k]] - m * h[k]
            for p in range(n_p):
                a = d1[p] * r[p]
                for q in range(w_ptr[p], w_ptr[p + 1]):
                    g[w_col[q]] -= a * w_val[q]
            gmax = 0.0
            for k in range(n_h):
                gmax = max(gmax, abs(g[k]))
            if gmax <= tol:
                st = 0
                break
            # exact Hessian, lower triangle: I - B - B^T + W^T diag(f'^2 - f'' r) W - m I
            for i in range(n_h):
                for j in range(i + 1):
                    hess[i, j] = 0.0
                hess[i, i] = 1.0 - m
            for p in range(n_p):
                c = cd[p]
                for qa in range(w_ptr[p], w_ptr[p + 1]):
                    a = w_col[qa]
                    va = c * w_val[qa]
                    for qb in range(w_ptr[p], qa + 1):  # columns ascending: b <= a
                        hess[a, w_col[qb]] += va * w_val[qb]
            for k in range(n_h):
                p = prow[k]
                for q in range(w_ptr[p], w_ptr[p + 1]):
                    j = w_col[q]
                    v = d1[p] * w_val[q]
                    if j == k:
                        hess[k, k] -= 2.0 * v
                    elif j < k:
                        hess[k, j] -= v
                    else:
                        hess[j, k] -= v
            scale = 1.0
            for k in range(n_h):
                scale = max(scale, abs(hess[k, k]))
            for _t in range(30):
                # Cholesky of hess + mu scale I; indefinite: LU (the numpy route's solve)
                lam = mu * scale
                pd = True
                for j in range(n_h):
                    acc = hess[j, j] + lam
                    for k in range(j):
                        acc -= chol[j, k] * chol[j, k]
                    if not acc > 0.0:
                        pd = False
                        break
                    djj = np.sqrt(acc)
                    chol[j, j] = djj
                    for i in range(j + 1, n_h):
                        acc = hess[i, j]
                        for k in range(j):
                            acc -= chol[i, k] * chol[j, k]
                        chol[i, j] = acc / djj
                if pd:
                    for i in range(n_h):
                        acc = -g[i]
                        for k in range(i):
                            acc -= chol[i, k] * step[k]
                        step[i] = acc / chol[i, i]
                    for i in range(n_h - 1, -1, -1):
                        acc = step[i]
                        for k in range(i + 1, n_h):
                            acc -= chol[k, i] * step[k]
                        step[i] = acc / chol[i, i]
                elif not lu_solve(hess, lam, g, chol, step, piv):
                    # singular: a gradient step, as the numpy route
                    for k in range(n_h):
                        step[k] = -g[k] / lam
                slope = 0.0
                for k in range(n_h):
                    slope += step[k] * g[k]
                    trial[k] = h[k] + step[k]
                phi_new = residual_loss(s, trial, c_p, xp_fixed, p_cols, w_ptr, w_col, w_val, code,
                               m, yv, r, d1, cd, False)
                # at the rounding level of phi a descent step is taken without the decrease test
                tiny = -slope < 1e-13 * max(abs(phi), 1e-300)
                ok = slope < 0.0 and (phi_new <= phi or tiny)
                if ok:
                    for k in range(n_h):
                        h[k] = trial[k]
                    mu = max(mu / 10.0, 1e-15)
                    break
                mu *= 10.0
                if mu > 1e12:
                    break
            if mu > 1e12:
                # no decrease possible any more: converged at the rounding level, or failed
                st = 1 if gmax > 1e3 * tol else 0
                break
        status[s] = st
        for k in range(n_h):
            h_all[s, k] = h[k]
