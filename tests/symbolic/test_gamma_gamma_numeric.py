"""P1 (12.10) / P2 (92): the corrected Onsager coefficients by an independent numerical route.

Einstein's Gamma-Gamma Lagrangian G = g^mn (Gamma^a_mb Gamma^b_na - Gamma^a_mn Gamma^b_ab)
differs from R by a total divergence (Landau-Lifshitz, Classical Theory of Fields, §93). Built
here with numpy from Christoffel symbols of a random metric and random first derivatives, it
must equal sum_i c_i I_i with the package's corrected coefficients, and not the printed form.
"""

import numpy as np
import pytest

from emergent.symbolic.gravity import CORRECT_ONSAGER_COEFFS


def _contractions(gi, dg):
    """I1..I5 of emergent.symbolic.gravity, each contracted with g_ab,m g_cd,n."""
    return np.array([
        np.einsum("mn,ac,bd,abm,cdn->", gi, gi, gi, dg, dg),
        np.einsum("mn,ab,cd,abm,cdn->", gi, gi, gi, dg, dg),
        np.einsum("mc,an,bd,abm,cdn->", gi, gi, gi, dg, dg),
        np.einsum("ma,nc,bd,abm,cdn->", gi, gi, gi, dg, dg),
        np.einsum("ma,bn,cd,abm,cdn->", gi, gi, gi, dg, dg),
    ])


@pytest.mark.equations("P1 (12.10)", "P2 (92)")
@pytest.mark.parametrize("dim", [2, 3, 4])
def test_gamma_gamma_lagrangian_has_the_corrected_coefficients(dim):
    rng = np.random.default_rng(dim)
    a = rng.normal(size=(dim, dim))
    g = a @ a.T + dim * np.eye(dim)
    g[0, 1:] *= -1  # any symmetric invertible g: the identity is algebraic in g^ab and the
    g[1:, 0] *= -1  # first derivatives (a congruence by diag(-1, 1, ...) keeps it invertible)
    gi = np.linalg.inv(g)
    dg = rng.normal(size=(dim, dim, dim))
    dg = (dg + dg.transpose(1, 0, 2)) / 2  # dg[a, b, m] = g_ab,m, symmetric in (a, b)
    # Gamma^m_ab = (1/2) g^mn (g_na,b + g_nb,a - g_ab,n)
    # Gamma_{n ab} = (1/2)(g_na,b + g_nb,a - g_ab,n), then raise n
    low = 0.5 * (dg + dg.transpose(0, 2, 1) - dg.transpose(2, 0, 1))
    gam = np.einsum("mn,nab->mab", gi, low)
    gg = np.einsum("mn,amb,bna->", gi, gam, gam) - np.einsum("mn,amn,bab->", gi, gam, gam)
    i = _contractions(gi, dg)
    corrected = np.dot([float(c) for c in CORRECT_ONSAGER_COEFFS], i)
    printed = 0.25 * (2 * i[2] - i[0] - i[1])  # P2 (91) contracted, = 8 kappa L(P1 12.9) g g
    assert gg == pytest.approx(corrected, rel=1e-12, abs=1e-14)
    assert abs(gg - printed) > 1e-3 * abs(gg)
    assert corrected - printed == pytest.approx((i[1] - i[4]) / 2, rel=1e-12)
