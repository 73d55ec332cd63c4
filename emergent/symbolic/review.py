"""Verdicts from the hand review of the ledger (issue 17) that no symbolic check encodes.

Each entry is an equation whose printed form the review found wrong (a typo, a lost index, a
quantity read at the wrong point), the corrected form, and the tests that evaluate the corrected
form through the package's code (bound to the equation by ``@pytest.mark.equations``). The
ledger (``emergent equations``) shows these verdicts with "review" as the deciding source; the
derivations are in :mod:`emergent.symbolic.corrections` and docs/verification.md.
"""

from __future__ import annotations

from typing import NamedTuple

from emergent.symbolic.verdict import HOLDS_WITH_CORRECTION

__all__ = ["REVIEWED", "Reviewed"]


class Reviewed(NamedTuple):
    """One equation decided by the hand review.

    equation: ``"P2 (76)"``; verdict: one of the verdicts of :mod:`emergent.symbolic.verdict`;
    correction: the corrected statement; tests: node ids of the tests that evaluate the corrected
    form through the package's code.
    """

    equation: str
    verdict: str
    correction: str
    tests: tuple[str, ...]


_COMOVING = "tests/septuple/test_entropy_density.py::" \
    "test_p1_eq8_8_holds_for_comoving_volumes_not_at_fixed_q"

REVIEWED: list[Reviewed] = [
    Reviewed(
        "P2 (76)", HOLDS_WITH_CORRECTION,
        "A = int dsigma dtau sqrt(-h) h^ab eta_mn dx^m/dxi^a dx^n/dxi^b: the printed second "
        "factor carries the index mu twice (dx^(mu)/dxi^a dx^(mu)/dxi^b), which leaves eta_mn "
        "with a free index",
        ("tests/chains/test_strings.py::test_p2_eq76_polyakov_action_pulsating_string",
         "tests/chains/test_strings.py::test_p2_eq76_worldsheet_metric_weyl_invariance"),
    ),
    Reviewed(
        "P1 (8.6)", HOLDS_WITH_CORRECTION,
        "under the advective flow (8.1) sigma is carried along the trajectories, d_beta sigma = "
        "-(dQ/dbeta).grad sigma at fixed Q; the growth law holds for the entropy of a comoving "
        "volume element: d/dbeta [sigma(beta, Q(beta)) J] = alpha Delta F sigma J, J = det "
        "dQ(beta)/dQ(0)",
        (_COMOVING,),
    ),
    Reviewed(
        "P1 (8.8)", HOLDS_WITH_CORRECTION,
        "sigma(beta, Q(beta)) J(beta) = sigma(0, Q(0)) exp(beta alpha Delta F) along each "
        "trajectory (Delta F constant); at a fixed Q, sigma(beta, Q) = sigma(0, Q) "
        "exp(beta alpha Delta F) fails",
        (_COMOVING,),
    ),
]
"""Every equation decided by the hand review, in paper order."""
