"""P1 (5.9)-(9.4)."""

import numpy as np
import pytest

from emergent.symbolic import thermodynamics as t
from emergent.symbolic.verdict import HOLDS, HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (5.9)")
def test_p1_eq5_9_gaussian_integral():
    assert t.check_p1_5_9().verdict == HOLDS


@pytest.mark.equations("P1 (5.10)")
def test_p1_eq5_10_eigen_equation_typo():
    assert t.check_p1_5_10().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (7.1)")
def test_p1_eq6_1_7_1_entropy_uses_log_z():
    assert t.check_p1_6_1_7_1().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (7.3)", "P1 (7.4)", "P1 (7.5)")
def test_p1_eq7_3_7_5():
    assert t.check_p1_7_3_7_5().verdict == HOLDS


@pytest.mark.equations("P1 (7.7)")
def test_p1_eq7_7_det_g_one_for_feed_forward():
    assert t.check_p1_7_7().verdict == HOLDS


@pytest.mark.equations("P1 (8.4)")
def test_p1_eq8_4_entropy_production():
    assert t.check_p1_8_4().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (8.11)")
def test_p1_eq8_10_8_11():
    assert t.check_p1_8_10_8_11().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (9.4)")
def test_p1_eq9_4_stationary_points():
    v = t.check_p1_9_2_9_4()
    assert v.verdict == HOLDS_WITH_CORRECTION
    pts = t.laplacian_stationary_points(0.25)
    assert any(abs(r - 2 * np.log(3)) < 1e-8 and k == "min" for r, k in pts)
    assert any(abs(r) < 1e-8 and k == "max" for r, k in pts)
    # beta > 1/2: x = 0 becomes a minimum
    assert any(abs(r) < 1e-8 and k == "min" for r, k in t.laplacian_stationary_points(0.73))


def test_minus_laplacian_validation():
    with pytest.raises(ValueError, match="gamma_"):
        t.minus_laplacian_F(0.0, beta_=1.0, gamma_=1.5)
