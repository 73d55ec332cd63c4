"""P2 (22), (28)-(48) and P1 (11.6)-(11.9)."""

import pytest
import sympy as sp

from emergent.symbolic import entropic as e
from emergent.symbolic.verdict import HOLDS, HOLDS_WITH_CORRECTION


@pytest.mark.equations("P2 (22)")
def test_p2_eq22_entropy_production_by_parts():
    assert e.check_p2_22().verdict == HOLDS


@pytest.mark.equations("P2 (29)", "P2 (30)")
def test_p2_eq29_30_euler_lagrange_of_eq28():
    assert e.check_p2_29_30().verdict == HOLDS


@pytest.mark.equations("P2 (32)", "P2 (33)")
def test_p2_eq32_33_fokker_planck_navier_stokes():
    assert e.check_p2_32_33().verdict == HOLDS


@pytest.mark.equations("P2 (34)", "P2 (35)")
def test_p2_eq34_35_madelung_constants_solved():
    c = e.madelung_constants()
    assert sp.simplify(c["a"] - sp.sqrt(e.gamma * e.mu / (4 * e.D))) == 0
    assert sp.simplify(c["B"] - 4 * e.D / e.mu) == 0
    assert e.check_p2_34_35().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P2 (36)")
def test_p2_eq36_schrodinger_action():
    assert e.check_p2_36().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P1 (11.7)")
def test_p1_eq11_7_phase_gradient_term():
    assert e.check_p1_11_7().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P2 (38)", "P2 (41)", "P2 (43)", "P2 (44)")
def test_p2_eq38_41_44():
    assert e.check_p2_38_44().verdict == HOLDS


@pytest.mark.equations("P2 (42)")
def test_p2_eq42_classical_limit():
    assert e.check_p2_42().verdict == HOLDS_WITH_CORRECTION


@pytest.mark.equations("P2 (45)", "P2 (46)")
def test_p2_eq45_46_virial():
    assert e.check_p2_45_46().verdict == HOLDS


@pytest.mark.equations("P2 (47)")
def test_p2_eq47_48_general_lambda():
    assert e.check_p2_47().verdict == HOLDS_WITH_CORRECTION


def test_variational_derivative_detects_non_divergence():
    """A density that is not a total derivative has a non-zero Euler derivative."""
    dens = e.p * sp.diff(e.F, e.q[0]) ** 2
    assert sp.simplify(e.variational_derivative(dens, e.F)) != 0
