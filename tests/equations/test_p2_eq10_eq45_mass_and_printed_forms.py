"""P2 (10) with the mass term on, and the printed P1 (9.4) as code evaluates it (issue 17).

U = d(beta F)/d beta (P2 (10)) for the canonical free energy (45) at m != 0, where the average
loss is sum_i (q_i - m) dF/dq_i (the paper's m = 0 hides the shift); and P1 (9.4) as printed,
s = 3 log(-1/2 + sqrt(1/4 + 1/beta)), against its inverse beta = 1 / (e^(2s/3) + e^(s/3)).
"""

import numpy as np
import pytest

from emergent.learning import callback
from emergent.septuple import canonical


@pytest.mark.equations("P2 (10)")
@pytest.mark.parametrize("mass", [0.4, -0.7])
def test_p2_eq10_average_loss_is_d_beta_f_over_d_beta_at_nonzero_mass(mass):
    """canonical_average_loss equals d(beta F)/d beta of canonical_free_energy (central
    differences in beta) at m != 0; without the shift by m it does not."""
    q = np.array([0.3, 1.1, 2.5, 4.0])
    beta, h = 0.8, 1e-5

    def beta_f(b):
        return b * float(canonical.canonical_free_energy(q, beta=b, mass=mass))

    fd = (beta_f(beta + h) - beta_f(beta - h)) / (2 * h)
    u = float(canonical.canonical_average_loss(q, beta=beta, mass=mass))
    assert u == pytest.approx(fd, rel=1e-8)
    unshifted = 0.5 * np.sum(q / ((1 - beta * mass) + beta * q))
    assert abs(unshifted - fd) > 1e-2


@pytest.mark.equations("P1 (9.4)")
def test_p1_eq9_4_printed_form_and_its_inverse():
    """gap_from_beta is the printed (9.4) (written out here) and beta_from_gap inverts it."""
    for beta in (0.3, 0.5, 0.9, 1.4, 3.0):
        s = callback.gap_from_beta(beta)
        assert s == pytest.approx(3 * np.log(-0.5 + np.sqrt(0.25 + 1 / beta)), rel=1e-14,
                                  abs=1e-15)
        assert callback.beta_from_gap(s) == pytest.approx(beta, rel=1e-12)
