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
from numba import njit, prange

__all__ = ["ACTIVATIONS", "activation_values", "lu_solve", "newton_kernel", "residual_loss"]

#: The activations with a compiled route; a kernel's activation code is the index in this tuple.
ACTIVATIONS = ("tanh", "logistic", "linear", "relu")

@njit(cache=True, inline="always")
def activation_values(code: int, y: float) -> tuple[float, float, float]:
    """f(y), f'(y), f''(y) of the activation with kernel code `code` (its index in ACTIVATIONS)."""
    if code == 0:
        t = np.tanh(y)
        yc = min(max(y, -350.0), 350.0)
        c = np.cosh(yc)
        d = 1.0 / (c * c)
        return t, d, -2.0 * t * d
    if code == 1:
        s = 0.5 * (1.0 + np.tanh(0.5 * y))
        return s, s * (1.0 - s), s * (1.0 - s) * (1.0 - 2.0 * s)
    if code == 2:
        return y, 1.0, 0.0
    if y > 0.0:
        return y, 1.0, 0.0
    return 0.0, 0.0, 0.0


@njit(cache=True, inline="always")
def residual_loss(s, h, c_p, xp_fixed, p_cols, w_ptr, w_col, w_val, code, m, yv, r, d1, cd, need):
    """H over the residual rows of sample s at hidden state h (fills yv, r and, when `need`,
    d1 = f' and cd = f'^2 - f'' r); returns H."""
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
    """step = -(H + lam I)^-1 g by LU with partial pivoting, H symmetric given by its lower
    triangle (an indefinite H: the step numpy.linalg.solve gives); False when singular."""
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
    """Damped Newton (Levenberg-Marquardt) on the hidden neurons of every sample, in place on
    h_all (S, n_h); status[s] = 0 converged, 1 failed (the numpy route's rules, per sample)."""
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
