"""Hand-readable derivations of every correction (written into docs/verification.md).

Each text states the steps that the corresponding check carries out by machine; the check, not
this text, decides the verdict.
"""

from __future__ import annotations

__all__ = ["DERIVATIONS", "derivation_for"]

_GRAVITY = (
    "Write Q = L^{mn ab cd} g_ab,m g_cd,n = sum_i c_i I_i with the five contractions "
    "I1 = g^mn g^ac g^bd, I2 = g^mn g^ab g^cd, I3 = g^mc g^an g^bd, I4 = g^ma g^nc g^bd, "
    "I5 = g^ma g^bn g^cd (each times g_ab,m g_cd,n). Contracting the printed tensors gives "
    "8 kappa L(P1 12.9) g g = 4 L(P2 91) g g / sqrt|g| = -I1 - I2 + 2 I3, so the two papers agree "
    "with each other. The Landau-Lifshitz identity sqrt|g| R = sqrt|g| G_GG + d_m V^m, "
    "G_GG = g^mn (Gamma^a_mb Gamma^b_na - Gamma^a_mn Gamma^b_ab), "
    "V^m = sqrt|g| (g^ab Gamma^m_ab - g^ma Gamma^b_ab), is verified as an exact polynomial "
    "identity, and G_GG = (1/4)(-I1 + I2 + 2 I3 - 2 I5). Hence sqrt|g| R - sqrt|g| Q(paper) = "
    "sqrt|g| (I2 - I5)/2 + d_m V^m, where (I2 - I5)/2 = 2 |grad log sqrt|g||^2 - "
    "(g^ma g_ab,m) g^bn d_n log sqrt|g|. Its Euler-Lagrange derivative is not identically zero "
    "(see the counterexample), so it is not a total divergence and varying the papers' action "
    "does not give the Einstein tensor. Solving sum_i c_i E^ab(sqrt|g| I_i) = -sqrt|g| G^ab "
    "for all components (a linear system over every monomial of the jets) gives the unique "
    "solution c = (-1/4, 1/4, 1/2, 0, -1/2) in D+1 = 3 and 4, i.e. exactly G_GG (in D+1 = 2, "
    "G^ab = 0 and a two-parameter family of null Lagrangians remains). Corrected (12.9), "
    "symmetric under (12.7)-(12.8) after symmetrisation in (a b), (c d): "
    "L = (1/8 kappa)(g^an g^bd g^mc + g^ac g^bn g^md - g^ac g^bd g^mn + g^ab g^cd g^mn "
    "- g^am g^bn g^cd - g^ab g^cn g^dm); corrected (91): sqrt|g| L = (sqrt|g|/4)(2 g^ac g^bn g^md "
    "- g^ac g^bd g^mn + g^ab g^cd g^mn - g^am g^bn g^cd - g^ab g^cn g^dm)."
)

DERIVATIONS: dict[str, str] = {
    "total-divergence": _GRAVITY,
    "einstein-from-onsager": _GRAVITY,
    "pointwise-89": (
        "sqrt|g| R = sqrt|g| g^mn R_mn contains g^mn g^ab (g_ma,nb - ...) linearly in the second "
        "jets, while the right side of (89) is quadratic in first jets only. In Riemann normal "
        "coordinates every g_ab,m vanishes at the origin, so the right side is 0 there while "
        "R is the curvature scalar (2/r^2 for a sphere of radius r)."
    ),
    "p1-12.12-signs": (
        "With delta(sqrt|g| R) = -sqrt|g| G^ab delta g_ab, delta sqrt|g| = sqrt|g| g^ab "
        "delta g_ab / 2 and (12.14) written as delta(sqrt|g| L) = sqrt|g| T^ab delta g_ab / 2, "
        "the variation of (12.2) is sqrt|g| [G^ab/(2 kappa) + Lambda g^ab/2 + T^ab/2] = 0, i.e. "
        "G_mn + kappa Lambda g_mn = -kappa T_mn. The printed (12.12) follows from "
        "S = int sqrt|g| [(R - 2 Lambda)/(2 kappa) + L]."
    ),
    "p2-32-33": (
        "(32) is (29) divided by -mu with u_k = 2 gamma d_kF. Applying (2 gamma/mu) d_j to (30): "
        "2 gamma d_t d_jF = d_t u_j; 2 gamma^2 d_j (d_kF)^2 = u_k d_k u_j; (2 gamma^2/mu) d_k^2 "
        "d_jF = (gamma/mu) d_k^2 u_j; and the rest is -2 gamma d_j [V - (4D/mu) d_k^2 sqrt(p) / "
        "sqrt(p)]. Read this way (the bracket lost in extraction) (33) holds exactly."
    ),
    "p2-34-35": (
        "Put Psi = R e^{i a F}, R = sqrt(p), into -i A d_t Psi = (B d_k^2 - V) Psi and divide by "
        "e^{i a F}. Real part: A a R d_tF = B d^2R - B a^2 R (dF)^2 - V R, i.e. d_tF + (B a/A) "
        "(dF)^2 + V/(A a) - (B/(A a)) d^2R/R = 0, to be (30)/mu without gamma d^2F: "
        "d_tF + gamma (dF)^2 + V - (4D/mu) d^2R/R = 0. Imaginary part: -A d_tR = B a (2 dR.dF + "
        "R d^2F), i.e. d_t p = -2 (B a/A) d_k(p d_kF), to be (29)/(-mu) without gamma d^2 p: "
        "d_t p = -2 gamma d_k(p d_kF). So A a = 1, B a/A = gamma, B/(A a) = 4D/mu: "
        "B = 4D/mu, a = sqrt(gamma mu/(4D)), A = sqrt(4D/(gamma mu)). The printed (34)-(35) are "
        "the case mu = 1 with their square roots restored."
    ),
    "p2-36": (
        "Re Psi*(-B d^2 + V - i A d_t) Psi = -B R d^2R + B a^2 R^2 (dF)^2 + V R^2 + A a R^2 d_tF "
        "= (1/mu)[-4D R d^2R + mu gamma p (dF)^2 + mu V p + mu p d_tF] with the constants above, "
        "i.e. (28)/mu without the learning term; the imaginary part -A R d_tR - B a d(R^2 dF) is "
        "a total derivative."
    ),
    "p1-11.7": (
        "With Psi = sqrt(p) e^{i theta}, theta = sum_k Theta_k Phi_k/4: "
        "Psi* Delta Psi = sqrt(p) Delta sqrt(p) - p |grad theta|^2 + i div(p grad theta), "
        "Psi* i d_t Psi = i d_t p/2 - p d_t theta. Hence -4 Psi*((D/2) Delta + i d_t) Psi = "
        "-2D sqrt(p) Delta sqrt(p) + 2D p |grad theta|^2 + 4 p d_t theta + (imaginary total "
        "derivatives). The second line of (11.7) has -2D sqrt(p) Delta sqrt(p) + p sum dPhi/dt "
        "Theta = ... + 4 p d_t theta only: the term 2D p |grad theta|^2 = (D/8) p |sum Phi_k "
        "grad Theta_k|^2 is missing. The first equality (integration by parts of -log p (D/2) "
        "Delta p, using (11.5)) holds."
    ),
    "p2-42": (
        "Along dq_j/dt = c d_jF with d_tF = -V - gamma (dF)^2 (38 without the Laplacian): "
        "q_j'' = c (d_t d_jF + c d_j d_kF d_kF) = c(-d_jV - 2 gamma d_kF d_j d_kF + c d_kF "
        "d_j d_kF). For c = gamma (40 as printed) q_j'' = -gamma d_jV - gamma^2 d_kF d_j d_kF, "
        "which is not closed; for c = 2 gamma (the characteristic dq/dt = dH/dp of the Hamiltonian "
        "(39), i.e. q' = u) the F terms cancel: q_j'' = -2 gamma d_jV."
    ),
    "p2-47-48": (
        "d^2F/dq_k^2 = sum_ij F_{lambda_i lambda_j} d_k lambda_i d_k lambda_j + sum_i "
        "F_{lambda_i} d_k^2 lambda_i; (47) keeps only the first sum. For (45), F_{lambda_i "
        "lambda_j} = -delta_ij beta/(2((1 - beta m) + beta lambda_i)^2) = -2 beta delta_ij "
        "(F_{lambda_i})^2, which gives the remaining equalities of (47) and (48) exactly; the "
        "dropped sum vanishes only for lambda_i affine in q."
    ),
    "p1-5.10": "G v_i = lambda_i v_i is the eigen-equation used in (5.11)-(5.14).",
    "p1-6.1-7.1": (
        "p = e^{-beta H}/Z, so S = -<log p> = beta <H> + log Z = -beta d(log Z)/d beta + log Z, "
        "and with F = -log Z/beta, beta^2 dF/d beta = log Z - beta d(log Z)/d beta. The printed "
        "(7.1) has Z in place of log Z in the middle expression."
    ),
    "p1-8.4": (
        "-d_beta int p log(Mp) = -int d_beta p (log(Mp) + 1). With the advective (8.1), d_beta p "
        "= -alpha d_kF d_kp, so int d_beta p = alpha int Delta F p is not zero, and the second "
        "term must be kept: -int d_beta p = -alpha int Delta F p. The paper's steps give "
        "alpha int Delta F p (1 - log Mp) for the first term; adding the second gives "
        "d_beta S = -alpha int Delta F p log(Mp) exactly, which is (8.5) without approximation."
    ),
    "p1-8.10-8.11": (
        "Delta F = (1/2 beta) sum_i d^2/d lambda_i^2 log(1 + beta lambda_i) = -(beta/2) sum_i "
        "(1 + beta lambda_i)^-2 (8.10 holds). Then beta alpha Delta F = -(alpha beta^2/2) sum_i "
        "(1 + beta lambda_i)^-2, not -(alpha/2) sum_i (1 + beta lambda_i)^-2 as in (8.11)."
    ),
    "p1-9.4": (
        "With y = log lambda and gamma = 1/3 the second eigenvalue is lambda^{-1/2}, "
        "f(y) = (1/3)(1 + beta e^y)^-2 + (2/3)(1 + beta e^{-y/2})^-2 and "
        "f'(y) = -(2/3) beta e^y (1 + beta e^y)^-3 + (2/3) beta e^{-y/2} (1 + beta e^{-y/2})^-3. "
        "With t = e^{y/2}, f' = 0 becomes t^2 (t + beta)^3 = t^2 (1 + beta t^2)^3, i.e. "
        "beta t^2 - t + 1 - beta = 0: t = 1 (y = 0) or t = (1 - beta)/beta "
        "(y = 2 log((1 - beta)/beta), exists for beta < 1). f''(0) = beta(2 beta - 1)/(1 + beta)^4 "
        "changes sign at beta = 1/2 (the exchange of the two extrema the paper describes). "
        "f(0) = (1 + beta)^-2 equals the plateau f(-inf) = gamma at beta = gamma^{-1/2} - 1 = "
        "sqrt(3) - 1 = 0.732, beyond which y = 0 is the global minimum. The printed location "
        "3 log(-1/2 + sqrt(1/4 + 1/beta)) solves beta s^2 + beta s - 1 = 0 instead, and the "
        "printed boundary sqrt(N) - 1 does not depend on gamma."
    ),
}
"""Derivation text by check key (dimension suffix dropped), written into docs/verification.md."""


def derivation_for(key: str) -> str:
    """The derivation text for a check key (dimension suffixes like '-3d' are ignored).

    Parameters
    ----------
    key : str
        A check key (``total-divergence-4d``, ``p2-34-35``, ...).

    Returns
    -------
    str
        The derivation, or "" when none is written.
    """
    if key in DERIVATIONS:
        return DERIVATIONS[key]
    base = key.rsplit("-", 1)[0] if key[-2:] in ("2d", "3d", "4d") else key
    return DERIVATIONS.get(base, "")
