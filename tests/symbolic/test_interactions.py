"""P2 (77)-(78): the sign of the chain action against the wave equation (73), in SymPy."""

import pytest
import sympy as sp

from emergent.symbolic.interactions import chain_euler_lagrange, check_p2_77_78
from emergent.symbolic.verdict import HOLDS_WITH_CORRECTION


@pytest.mark.equations("P2 (77)", "P2 (78)")
def test_p2_eq77_78_printed_sign_is_elliptic_corrected_sign_is_the_wave_equation():
    v = check_p2_77_78()
    assert v.verdict == HOLDS_WITH_CORRECTION
    assert v.details["printed = wave (eta, generic g)"] == [False, False]
    assert v.details["corrected = wave (eta, generic g)"] == [True, True]


def test_chain_accelerations_by_hand_for_three_neurons():
    """N = 3, one field with metric (1): x''_0 = -sign alpha^2 ... from L = v^2 + s a^2 x G x."""
    a = sp.Symbol("alpha", positive=True)
    for sign in (+1, -1):
        x, acc = chain_euler_lagrange(sign, sp.Matrix([[1]]), n=3)
        x0, x1, x2 = x[0]
        # G = (I - pi)^T (I - pi) = 2I - pi - pi^T: (G x)_0 = 2 x0 - x1 - x2
        assert sp.expand(acc[0, 0] - sign * a**2 * (2 * x0 - x1 - x2)) == 0
