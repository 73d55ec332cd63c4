"""Thermodynamics of learning: P1 (5.9)-(9.4), derived and checked with SymPy."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import integrate, optimize

from emergent.symbolic.verdict import FAILS, HOLDS, HOLDS_WITH_CORRECTION, Verdict, timed

__all__ = [
    "check_p1_5_10",
    "check_p1_5_9",
    "check_p1_6_1_7_1",
    "check_p1_7_3_7_5",
    "check_p1_7_7",
    "check_p1_8_10_8_11",
    "check_p1_8_4",
    "check_p1_9_2_9_4",
    "laplacian_stationary_points",
    "minus_laplacian_F",
    "thermo_checks",
]

beta, m, g, a, x, alpha, M = sp.symbols("beta m g a x alpha M", positive=True)


@timed
def check_p1_5_9() -> Verdict:
    """Gaussian integral (5.9) for N = 2 with a generic symmetric G, and N = 1 by quadrature.

    Returns
    -------
    Verdict
        Key "p1-5.9": recorded verdict HOLDS (P1 5.9, 5.11, 5.13-5.14).
    """
    g11, g12, g22, a1, a2, x1, x2 = sp.symbols("g11 g12 g22 a1 a2 x1 x2", real=True)
    G = sp.Matrix([[g11, g12], [g12, g22]])
    av = sp.Matrix([a1, a2])
    c = 1 - beta * m
    A = beta * G + c * sp.eye(2)
    b = beta * G * av
    c0 = beta / 2 * (av.T * G * av)[0]
    # completing the square: int exp(-x A x/2 + b x - c0) = 2 pi det(A)^(-1/2) exp(b A^-1 b/2 - c0)
    xv = sp.Matrix([x1, x2])
    expo = -beta / 2 * ((xv - av).T * G * (xv - av))[0] - c / 2 * (xv.T * xv)[0]
    shift = A.inv() * b
    completed = -((xv - shift).T * A * (xv - shift))[0] / 2 + (b.T * A.inv() * b)[0] / 2 - c0
    ok_sq = sp.cancel(sp.together(sp.expand(expo - completed))) == 0
    printed = -(av.T * (c * beta * G * A.inv()) * av)[0] / 2
    ok_exp = sp.cancel(sp.together((b.T * A.inv() * b)[0] / 2 - c0 - printed)) == 0
    # N = 1 numeric quadrature at sample values
    vals = {beta: 0.7, m: 0.3, g: 1.9, a: 0.4}
    cc = 1 - 0.7 * 0.3
    num, _ = integrate.quad(
        lambda y: np.exp(-0.7 / 2 * 1.9 * (y - 0.4) ** 2 - cc / 2 * y * y), -np.inf, np.inf
    )
    ana = float(
        sp.sqrt(2 * sp.pi / (c + beta * g)).subs(vals)
        * sp.exp(-(c * beta * g / (c + beta * g)) * a**2 / 2).subs(vals)
    )
    ok_num = abs(num - ana) < 1e-10 * ana
    return Verdict(
        key="p1-5.9",
        equation="P1 5.9, 5.11, 5.13-5.14",
        statement=(
            "int d^Nx exp(-beta/2 (x-<x>)G(x-<x>) - (1-beta m)/2 x.x) = (2pi)^{N/2} "
            "det(I(1-beta m) + beta G)^{-1/2} exp(-1/2 <x>((1-beta m) beta G/(I(1-beta m)+"
            "beta G))<x>)"
        ),
        verdict=HOLDS if ok_sq and ok_exp and ok_num else FAILS,
        method=(
            "completing the square for N = 2 with generic symmetric G (SymPy); N = 1 against "
            "scipy.integrate.quad"
        ),
        details={"quad": num, "closed form": ana},
    )


@timed
def check_p1_5_10() -> Verdict:
    """P1 (5.10), (5.14): the eigenvector equation of G and log det as a sum over eigenvalues.

    Returns
    -------
    Verdict
        Key "p1-5.10": recorded verdict HOLDS WITH CORRECTION: G v_i = lambda_i v_i.
    """
    rng = np.random.default_rng(5)
    w = rng.normal(size=(5, 5))
    G = w.T @ w
    lam, v = np.linalg.eigh(G)
    ok = np.allclose(G @ v, v * lam)
    ok_logdet = np.isclose(np.linalg.slogdet(np.eye(5) + 0.7 * G)[1], np.log(1 + 0.7 * lam).sum())
    return Verdict(
        key="p1-5.10",
        equation="P1 5.10, 5.14",
        statement=(
            "G v_i = G lambda_i;  "
            "log det(I(1-beta m) + beta G) = sum_i log(1 - beta m + beta lambda_i)"
        ),
        verdict=HOLDS_WITH_CORRECTION if ok and ok_logdet else FAILS,
        correction="(5.10) means G v_i = lambda_i v_i (extraction typo)",
        method="numpy eigendecomposition of a random G = W^T W (seed 5)",
    )


@timed
def check_p1_6_1_7_1() -> Verdict:
    """U = -d log Z / d beta and S = -<log p> = log Z + beta U = beta^2 dF/d beta (Gaussian).

    Returns
    -------
    Verdict
        Key "p1-6.1-7.1": recorded verdict HOLDS WITH CORRECTION:
        S = -beta d(log Z)/d beta + log Z.
    """
    logZ = sp.log(sp.sqrt(2 * sp.pi / (beta * (g - m))))  # H = (g - m) x^2 / 2
    F = -logZ / beta
    # independent route: quadrature of <H> and -<log p> at sample values
    bv, kv = 0.8, 1.7
    z, _ = integrate.quad(lambda y: np.exp(-bv * kv * y * y / 2), -np.inf, np.inf)
    u_num, _ = integrate.quad(
        lambda y: kv * y * y / 2 * np.exp(-bv * kv * y * y / 2) / z, -np.inf, np.inf
    )
    s_num, _ = integrate.quad(
        lambda y: -(np.exp(-bv * kv * y * y / 2) / z) * (-bv * kv * y * y / 2 - np.log(z)),
        -np.inf,
        np.inf,
    )
    at = {beta: bv, g: kv, m: 0}
    ok61 = abs(float((-sp.diff(logZ, beta)).subs(at)) - u_num) < 1e-9
    ok71 = abs(float((beta**2 * sp.diff(F, beta)).subs(at)) - s_num) < 1e-9
    ok71b = sp.simplify(beta**2 * sp.diff(F, beta) - (-beta * sp.diff(logZ, beta) + logZ)) == 0
    printed = -beta * sp.diff(sp.exp(logZ), beta) + sp.exp(logZ)
    fails_printed = abs(float(printed.subs(at)) - s_num) > 1e-6
    return Verdict(
        key="p1-6.1-7.1",
        equation="P1 6.1, 7.1",
        statement="U = -d log Z/d beta;  S = -<log p> = -beta dZ/d beta + Z = beta^2 dF/d beta",
        verdict=HOLDS_WITH_CORRECTION if ok61 and ok71 and ok71b and fails_printed else FAILS,
        correction="S = -beta d(log Z)/d beta + log Z = beta^2 dF/d beta (log Z, not Z)",
        method="exact integrals for the canonical ensemble of H = (g - m) x^2/2 (SymPy)",
        counterexample="H = x^2/2 (g = 1, m = 0), beta = 1: S = (1 + log 2pi)/2 but -beta Z' + Z "
        f"= {sp.nsimplify(printed.subs({g: 1, m: 0, beta: 1}))}",
    )


@timed
def check_p1_7_3_7_5() -> Verdict:
    """P1 (6.8), (7.3)-(7.5): the entropy S_0 and energy U of A = N_>/(2 beta) log beta.

    Returns
    -------
    Verdict
        Key "p1-7.3-7.5": recorded verdict HOLDS.
    """
    N = sp.Symbol("N_>", positive=True)
    U_ = sp.Symbol("U", positive=True)
    A = N / (2 * beta) * sp.log(beta)
    S0 = beta**2 * sp.diff(A, beta)
    U = sp.diff(beta * A, beta)
    ok = (
        sp.simplify(S0 - beta * (U - A)) == 0
        and sp.simplify(S0 - (-N / 2 * sp.log(beta) + N / 2)) == 0
        and sp.simplify(U - N / (2 * beta)) == 0
        and sp.simplify(
            sp.expand_log(
                (S0.subs(beta, N / (2 * U_)) - (N / 2 * sp.log(U_) + N / 2 * (1 - sp.log(N / 2)))),
                force=True,
            )
        )
        == 0
    )
    return Verdict(
        key="p1-7.3-7.5",
        equation="P1 6.8, 7.3-7.5",
        statement=(
            "A = N_>/(2 beta) log beta => S0 = beta^2 A' = beta(U - A) = -N_>/2 log beta + "
            "N_>/2 = N_>/2 log U + N_>/2 (1 - log(N_>/2)), U = d(beta A)/d beta = N_>/(2 beta)"
        ),
        verdict=HOLDS if ok else FAILS,
        method="SymPy differentiation",
    )


@timed
def check_p1_7_7() -> Verdict:
    """P1 (7.7)-(7.8): for a feed-forward (nilpotent) w, det G = 1 and sum_i log lambda_i = 0.

    Returns
    -------
    Verdict
        Key "p1-7.7": recorded verdict HOLDS.
    """
    n = 4
    w = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"w{i}{j}") if j > i else 0)
    fp = sp.diag(*sp.symbols(f"f0:{n}"))
    det = sp.expand((sp.eye(n) - fp * w).det())
    G = (sp.eye(n) - fp * w).T * (sp.eye(n) - fp * w)
    ok = det == 1 and sp.expand(G.det()) == 1
    return Verdict(
        key="p1-7.7",
        equation="P1 7.7, 7.8",
        statement="nilpotent (feed-forward) w: det G = det(I - f'w)^2 = 1, sum_i log lambda_i = 0",
        verdict=HOLDS if ok else FAILS,
        method="SymPy determinant with a generic strictly upper-triangular 4x4 w and diagonal f'",
    )


@timed
def check_p1_8_4() -> Verdict:
    """(8.4) with the advective (8.1): d_beta p = -alpha F' p' does not conserve int p.

    Returns
    -------
    Verdict
        Key "p1-8.4": recorded verdict HOLDS WITH CORRECTION:
        d_beta S = -alpha int Delta F p log(Mp) exactly.
    """
    Q = sp.Symbol("Q", real=True)
    p = sp.exp(-(Q**2)) / sp.sqrt(sp.pi)
    F = Q**2 / 2 + Q**4 / 12
    pdot = -alpha * sp.diff(F, Q) * sp.diff(p, Q)
    logmp = sp.log(M) + sp.expand_log(sp.log(p), force=True)

    def integral(e):
        return sp.simplify(sp.integrate(sp.expand(e), (Q, -sp.oo, sp.oo)))

    exact = integral(-pdot * (logmp + 1))
    printed = integral(alpha * sp.diff(F, Q, 2) * p * (1 - logmp))
    corrected = integral(-alpha * sp.diff(F, Q, 2) * p * logmp)
    fails = sp.simplify(exact - printed) != 0
    fixed = sp.simplify(exact - corrected) == 0
    return Verdict(
        key="p1-8.4",
        equation="P1 8.4, 8.5",
        statement=(
            "with (8.1)-(8.2): d_beta S = alpha int sum_k d_k^2 F p (1 - log(M p)), "
            "approximately -alpha int d_k^2F p log(Mp) when M << 1/p"
        ),
        verdict=HOLDS_WITH_CORRECTION if fails and fixed else (HOLDS if not fails else FAILS),
        correction=(
            "(8.1) is advective, so int p is not conserved and -d_beta int p log(Mp) keeps "
            "the term -int d_beta p = -alpha int Delta F p; then d_beta S = "
            "-alpha int Delta F p log(M p) exactly, i.e. (8.5) holds with no condition on M"
        ),
        method=("exact integrals in 1D with p = exp(-Q^2)/sqrt(pi), F = Q^2/2 + Q^4/12 (SymPy)"),
        counterexample=f"exact {exact}; printed (8.4) gives {printed}",
    )


@timed
def check_p1_8_10_8_11() -> Verdict:
    """P1 (8.8), (8.10)-(8.11), (9.1): the Laplacian of F in the eigenvalues and the optimal
    width sigma.

    Returns
    -------
    Verdict
        Key "p1-8.10-8.11": recorded verdict HOLDS WITH CORRECTION: a factor beta^2 in
        the exponent of sigma.
    """
    lam = sp.symbols("lambda1:4", positive=True)
    F = sum(sp.log(1 + beta * li) for li in lam) / (2 * beta) - 3 * sp.log(2 * sp.pi) / (2 * beta)
    lapF = sum(sp.diff(F, li, 2) for li in lam)
    ok810 = sp.simplify(lapF + beta / 2 * sum((1 + beta * li) ** -2 for li in lam)) == 0
    sigma_exp = sp.simplify(beta * alpha * lapF)
    printed = -alpha / 2 * sum((1 + beta * li) ** -2 for li in lam)
    fails = sp.simplify(sigma_exp - printed) != 0
    ok = ok810 and fails and sp.simplify(sigma_exp - beta**2 * printed) == 0
    return Verdict(
        key="p1-8.10-8.11",
        equation="P1 8.8, 8.10, 8.11, 9.1",
        statement=(
            "Delta F = -(beta/2) sum (1 + beta lambda_i)^-2 and sigma = sigma_0 "
            "exp(-(alpha/2) sum (1+beta lambda_i)^-2)"
        ),
        verdict=HOLDS_WITH_CORRECTION if ok else FAILS,
        correction=(
            "(8.10) holds; inserting it into (8.8), sigma_0 exp(beta alpha Delta F), gives "
            "sigma = sigma_0 exp(-(alpha beta^2/2) sum (1+beta lambda_i)^-2) (and (8.8) "
            "itself assumes Delta F independent of beta, which (8.10) is not)"
        ),
        method="SymPy with three eigenvalues",
    )


def minus_laplacian_F(logl, *, beta_: float, gamma_: float = 1 / 3, n: int = 854):
    """-Delta F(log lambda) of (9.3): N beta/2 (gamma/(1+beta l)^2 + (1-gamma)/(1+beta
    l^{gamma/(gamma-1)})^2), l = exp(logl). Accepts arrays.

    Parameters
    ----------
    logl : float or array_like
        log lambda.
    beta_ : float
        The inverse temperature beta > 0.
    gamma_ : float
        The architecture exponent gamma of P1 (9.2), 0 < gamma < 1.
    n : int
        The number of neurons N.

    Returns
    -------
    float or ndarray
        -Delta F at each log lambda.

    Raises
    ------
    ValueError
        gamma outside (0, 1) or beta <= 0.
    """
    if not 0 < gamma_ < 1:
        raise ValueError(f"gamma_ must be in (0, 1), got {gamma_}")
    if beta_ <= 0:
        raise ValueError(f"beta_ must be > 0, got {beta_}")
    lg = np.asarray(logl, dtype=float)
    e = gamma_ / (gamma_ - 1)
    return (
        n
        * beta_
        / 2
        * (
            gamma_ / (1 + beta_ * np.exp(lg)) ** 2
            + (1 - gamma_) / (1 + beta_ * np.exp(e * lg)) ** 2
        )
    )


def laplacian_stationary_points(beta_: float, gamma_: float = 1 / 3) -> list[tuple[float, str]]:
    """Stationary points (log lambda, "min"/"max") of -Delta F of (9.3) in |log lambda| <= 12,
    from sign changes of the analytic derivative, refined by Brent's method.

    Parameters
    ----------
    beta_ : float
        The inverse temperature beta > 0.
    gamma_ : float
        The architecture exponent gamma, 0 < gamma < 1.

    Returns
    -------
    list of (float, str)
        (log lambda, "min" or "max"), in increasing log lambda.

    Raises
    ------
    ValueError
        gamma outside (0, 1).
    """
    if not 0 < gamma_ < 1:
        raise ValueError(f"gamma_ must be in (0, 1), got {gamma_}")
    e = gamma_ / (gamma_ - 1)

    def df(y):
        u, v = beta_ * np.exp(y), beta_ * np.exp(e * y)
        return -2 * gamma_ * u / (1 + u) ** 3 - 2 * (1 - gamma_) * e * v / (1 + v) ** 3

    xs = np.linspace(-12, 12, 24000)  # even count: 0 is not a node
    d = df(xs)
    out = []
    for i in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
        r = optimize.brentq(df, xs[i], xs[i + 1], xtol=1e-13)
        h = 1e-5
        f2 = (df(r + h) - df(r - h)) / (2 * h)
        out.append((float(r), "min" if f2 > 0 else "max"))
    return out


@timed
def check_p1_9_2_9_4() -> Verdict:
    """P1 (9.2)-(9.4), Fig. 1: the stationary points of -Delta F and the phases of learning.

    Returns
    -------
    Verdict
        Key "p1-9.4": recorded verdict HOLDS WITH CORRECTION: the stationary points
        and the beta of the final phase.
    """
    lam_, gam = sp.symbols("lambda gamma", positive=True)
    ok92 = (
        sp.simplify(
            sp.powsimp(lam_ ** (gam * x) * lam_ ** (gam / (gam - 1) * (1 - gam) * x), force=True)
        )
        == 1
    )
    # gamma = 1/3: -Delta F ~ f(y) with y = log lambda
    y = sp.Symbol("y", real=True)
    f = (
        sp.Rational(1, 3) / (1 + beta * sp.exp(y)) ** 2
        + sp.Rational(2, 3) / (1 + beta * sp.exp(-y / 2)) ** 2
    )
    df = sp.diff(f, y)
    tt = sp.Symbol("t", positive=True)  # t = exp(y/2)
    num = sp.factor(sp.numer(sp.together(df.subs(y, 2 * sp.log(tt)))))
    roots = sp.solve(num, tt)
    closed = 2 * sp.log((1 - beta) / beta)
    ok_closed = any(sp.simplify(rt - (1 - beta) / beta) == 0 for rt in roots) and any(
        sp.simplify(rt - 1) == 0 for rt in roots
    )
    f2_0 = sp.simplify(sp.diff(f, y, 2).subs(y, 0))
    # stability exchange at x = 0 where f''(0) changes sign
    b_exchange = sp.solve(sp.numer(sp.together(f2_0)), beta)
    paper = 3 * sp.log(-sp.Rational(1, 2) + sp.sqrt(sp.Rational(1, 4) + 1 / beta))
    b = sp.Rational(1, 4)
    num_pts = laplacian_stationary_points(0.25)
    paper_val = float(paper.subs(beta, b))
    ours = float(closed.subs(beta, b))
    at_ours = any(abs(r - ours) < 1e-3 for r, _ in num_pts)
    at_paper = any(abs(r - paper_val) < 1e-3 for r, _ in num_pts)
    # final phase: f(0) = 1/(1+beta)^2 below the plateau f(-inf) = gamma
    b_final = sp.solve(sp.Eq(1 / (1 + beta) ** 2, sp.Rational(1, 3)), beta)
    types = {bb: laplacian_stationary_points(bb) for bb in (0.25, 0.5, 0.73, 1.0)}
    ok = ok92 and ok_closed and at_ours and not at_paper
    return Verdict(
        key="p1-9.4",
        equation="P1 9.2-9.4, Fig. 1",
        statement=(
            "gamma = 1/3: for beta < 1/2 a stable minimum of -Delta F at log lambda = "
            "3 log(-1/2 + sqrt(1/4 + 1/beta)) and a maximum at 0; for 1/2 < beta < "
            "sqrt(N) - 1 the two exchange; for beta > sqrt(N) - 1 the global minimum is at 0"
        ),
        verdict=HOLDS_WITH_CORRECTION if ok else FAILS,
        correction=(
            "the stationary points of (9.3) are log lambda = 0 (all beta, all gamma) and, "
            "for gamma = 1/3 and beta < 1, log lambda = 2 log((1 - beta)/beta); they "
            "exchange stability at beta = " + ", ".join(map(str, b_exchange)) + "; "
            "-Delta F(0) = N beta/2/(1+beta)^2 drops below the plateau N beta gamma/2 at "
            "beta = gamma^(-1/2) - 1 = "
            + ", ".join(map(str, b_final))
            + " (= 0.732, the beta = 0.73 of Fig. 1), not sqrt(N) - 1"
        ),
        method=(
            "t = exp(y/2) turns f'(y) = 0 into (1 + beta t^2)^3 = (t + beta)^3, roots t = 1, "
            "(1 - beta)/beta (SymPy); types by the sign of f''; numeric root scan as check"
        ),
        counterexample=(
            f"beta = 1/4: printed point {paper_val:.4f}, stationary points found "
            f"numerically {[(round(r, 4), k) for r, k in num_pts]}"
        ),
        details={"types": types, "f''(0)": f2_0},
    )


def thermo_checks() -> list:
    """Run every check of this module (P1 (5.9)-(9.4)).

    Returns
    -------
    list of Verdict
        In the order of the paper.
    """
    return [
        check_p1_5_9(),
        check_p1_5_10(),
        check_p1_6_1_7_1(),
        check_p1_7_3_7_5(),
        check_p1_7_7(),
        check_p1_8_4(),
        check_p1_8_10_8_11(),
        check_p1_9_2_9_4(),
    ]
