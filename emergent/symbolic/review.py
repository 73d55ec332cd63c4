"""Verdicts from the hand review of the ledger (issue 17) that no symbolic check encodes.

Each entry is an equation whose printed form the review found wrong (a typo, a lost index, a
quantity read at the wrong point), the corrected form, and the tests that evaluate the corrected
form through the package's code (bound to the equation by ``@pytest.mark.equations``). The
ledger (``emergent equations``) shows these verdicts with "review" as the deciding source; the
derivations are in :mod:`emergent.symbolic.corrections` and docs/verification.md.
"""

from __future__ import annotations

from typing import NamedTuple

from emergent.symbolic.verdict import FAILS, HOLDS_WITH_CORRECTION

__all__ = ["NOTES", "REVIEWED", "Reviewed"]


class Reviewed(NamedTuple):
    """One equation decided by the hand review.

    equation: ``"P<paper> (<number>)"``; verdict: one of
    :data:`emergent.symbolic.verdict.VERDICTS`; correction: the corrected statement; tests:
    node ids of the tests that evaluate the corrected form through the package's code.
    """

    equation: str
    verdict: str
    correction: str
    tests: tuple[str, ...]


_COMOVING = "tests/septuple/test_entropy_density.py::" \
    "test_p1_eq8_8_holds_for_comoving_volumes_not_at_fixed_q"

_LAWS_REAL = "tests/learning/test_laws.py::test_laws_on_a_short_real_sgd_training"
_LAWS_ROWS = ("the learning-laws reproduce rows (emergent run learning-laws; 300-epoch numbers "
              "in the README section 'P1 §7 and P2 §3: the laws of learning along SGD')")

REVIEWED: list[Reviewed] = [
    Reviewed(
        "P1 (3.4)", HOLDS_WITH_CORRECTION,
        "H = (1/2) sum_i [(x_i - f(sum_j w_ij x_j + b_i))^2 - m x_i^2]: the printed argument "
        "sum_j w_ij x_j + p_j has p_j for the bias b_i (the first line of (3.4) and P2 (3) have "
        "b)",
        ("tests/septuple/test_losses.py::test_p1_eq3_4_bulk_loss_by_hand",
         "tests/equations/test_p2_eq1_17_networks_and_thermodynamics.py::"
         "test_p2_eq3_bulk_hamiltonian_by_hand"),
    ),
    Reviewed(
        "P2 (76)", HOLDS_WITH_CORRECTION,
        "A = int dsigma dtau sqrt(-h) h^ab eta_mn dx^m/dxi^a dx^n/dxi^b: the printed second "
        "factor carries the index mu twice (dx^(mu)/dxi^a dx^(mu)/dxi^b), which leaves eta_mn "
        "with a free index",
        ("tests/chains/test_strings.py::test_p2_eq76_polyakov_action_pulsating_string",
         "tests/chains/test_strings.py::test_p2_eq76_worldsheet_metric_weyl_invariance"),
    ),
    Reviewed(
        "P2 (99)", HOLDS_WITH_CORRECTION,
        "w_d(eps) = P_d eps w (I - eps w)^-1 P_d^T (the generating function sum_L eps^L w^L of "
        "the bulk paths that (100) reads chain lengths from); the inverse is missing as "
        "printed (the extracted text keeps other exponents, e.g. the -1/2 of (7))",
        ("tests/chains/test_holography.py::test_p2_eq99_sparse_solve_equals_path_sum",
         "tests/chains/test_holography.py::test_p2_eq99_is_generating_function_of_bulk_dynamics"),
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
    Reviewed(
        "P1 (7.6)", FAILS,
        "holds between equilibria of the Gaussian ensemble (fixed spectrum of G, beta rising); "
        "along SGD training S increases on 15-43 % of the logged intervals under every reading "
        "of beta measured independently of U (spectral gap (9.4), loss fluctuations, SGD noise "
        "temperature), mostly in early epochs and with noisier mini-batches; " + _LAWS_ROWS,
        (_LAWS_REAL, "tests/learning/test_laws.py::test_second_law_detects_entropy_increase"),
    ),
    Reviewed(
        "P2 (15)", FAILS,
        "as P1 (7.6): dS/dt <= 0 holds between equilibria of the Gaussian ensemble and fails "
        "along SGD training under every independent reading of beta; " + _LAWS_ROWS,
        (_LAWS_REAL, "tests/learning/test_laws.py::test_second_law_detects_entropy_increase"),
    ),
    Reviewed(
        "P1 (7.11)", FAILS,
        "dU = T dS_0 + T dC holds for transitions between equilibria at a fixed spectrum; along "
        "SGD training T dS / dU is off by 10^2 (beta from the gap or the fluctuations) to "
        "10^-3 (SGD temperature) on >= 99 % of the intervals; " + _LAWS_ROWS,
        (_LAWS_REAL, "tests/learning/test_laws.py::"
         "test_first_law_holds_between_equilibria_and_fails_under_work"),
    ),
    Reviewed(
        "P2 (17)", FAILS,
        "as P1 (7.11): the first law holds between equilibria of the Gaussian ensemble and "
        "fails along SGD training under every independent reading of beta; " + _LAWS_ROWS,
        (_LAWS_REAL, "tests/learning/test_laws.py::"
         "test_first_law_holds_between_equilibria_and_fails_under_work"),
    ),
    Reviewed(
        "P1 (10.1)", FAILS,
        "U = N_>/(2 beta) is the Gaussian-ensemble estimate (7.5) and holds there; for trained "
        "nets, with beta measured independently of U, the measured U is 10^-2.8 (gap), "
        "10^-2.3 (fluctuations) or 10^+3.3 (SGD temperature) times N_>/(2 beta): no reading "
        "of beta makes the bulk loss equipartition over the N_> stiff modes; " + _LAWS_ROWS,
        (_LAWS_REAL, "tests/learning/test_laws.py::"
         "test_fluctuation_beta_and_eq_10_1_in_the_gaussian_ensemble"),
    ),
]
"""Every equation decided by the hand review, in paper order."""

NOTES: dict[str, str] = {
    "P1 (2.2)": "holds by construction (layered nets have no weights into the input layer); "
                "no test binds it",
    "P1 (2.3)": "holds by construction (no weights out of the output layer); no test binds it",
    "P1 (4.2)": "definition (micro-canonical ensemble at the clamped minimum)",
    "P1 (4.3)": "with (4.2) it is (4.1), which a test checks through bulk_loss",
    "P1 (4.5)": "definition of S; (4.5)-(4.10) checked by hand (the Lagrangian (4.6), its "
                "variation (4.7) and the solution (4.10) are right); no test evaluates them "
                "through the package (tests/equations' SLSQP test uses no package code)",
    "P1 (4.6)": "the second line is the first with the integrals collected: holds (by hand)",
    "P1 (4.7)": "d/dp of -p log p - beta p H - nu p: holds (by hand)",
    "P1 (4.10)": "solution of (4.7): holds (by hand); the package uses it as a definition",
    "P1 (5.1)": "Z = exp(1 + nu) = int exp(-beta H) from (4.9)-(4.10): holds (by hand)",
    "P1 (5.5)": "(3.4) with (5.2) about <x> gives (5.5) when <x> is a fixed point of the map "
                "(the constant residual <x> - f(w<x> + b) is dropped); used as input only",
    "P1 (5.7)": "definition (the state space of tanh is the box (-1, 1)^N)",
    "P1 (5.8)": "a modelling step (the box replaced by a Gaussian window exp(-x.x/2)), not an "
                "identity; tests compare the resulting (5.11) with the true integral",
    "P1 (6.2)": "definition of the learning equilibrium",
    "P1 (6.5)": "(5.14) at m = 0 divided by -beta: holds; bound test checks free_energy",
    "P1 (7.9)": "an approximation (dropping lambda << 1/beta); no package code, not bound",
    "P1 (8.3)": "definition of S(beta)",
    "P1 (8.7)": "definition of sigma",
    "P1 (8.9)": "the first line omits the constant -N/(2 beta) log 2pi that the second line "
                "has (harmless for Delta F); not bound to a test",
    "P1 (9.1)": "(8.10) restated with Tr (I + beta G)^-2 = sum (1 + beta lambda)^-2: holds (by "
                "hand); no test binds it",
    "P1 (11.6)": "second line = first with (11.5) and int d_t p = 0: holds (by hand); the "
                 "check p1-11.7 starts from it",
    "P1 (11.8)": "definition of Psi",
    "P1 (12.2)": "definition of the action; its first term has the opposite sign to the one "
                 "(12.12) needs (see (12.12))",
    "P1 (12.5)": "definition of J",
    "P1 (12.14)": "definition of T_mn",
    "P2 (4)": "definition of the boundary loss by restriction of (3); the package's boundary "
              "loss is the data fit of P1 (2.11), which (4) as printed does not give for a net "
              "with hidden layers (P^T w P has no input-output block)",
    "P2 (5)": "definition (P1 (5.1))",
    "P2 (6)": "definition of F",
    "P2 (7)": "P1 (5.13)",
    "P2 (11)": "definition of the learning equilibrium (P1 (6.2))",
    "P2 (21)": "definition of S_q",
    "P2 (23)": "chain rule with (19): holds (by hand); no package code (the test in "
               "tests/equations integrates a hand-written F)",
    "P2 (24)": "definition of V",
    "P2 (25)": "(23) with (24): the constraint; holds (by hand)",
    "P2 (26)": "definition of the action",
    "P2 (27)": "definition of the equations of motion",
    "P2 (31)": "definition of u",
    "P2 (33)": "the extracted text lost a bracket: the right side is -2 gamma d_j [V - "
               "(4D/mu) d_k^2 sqrt(p)/sqrt(p)]; read that way it holds",
    "P2 (37)": "(33) with D -> 0: holds (by hand, and SymPy in tests/equations without package "
               "code)",
    "P2 (39)": "definition of H",
    "P2 (40)": "(19) with (31): holds; it is the drift, not the characteristic of (38) (see (42))",
    "P2 (45)": "the printed log det((1 - beta m) + beta G) lacks the identity on (1 - beta m); "
               "the eigenvalue form is right",
    "P2 (50)": "(49) per subsystem; no test binds it",
    "P2 (51)": "definition of the overall average",
    "P2 (54)": "the constraint, equivalent to (55) with eta = diag(-1, 1, ..., 1)",
    "P2 (57)": "the extracted text drops the index i on the left and (t) on the right: "
               "x_i^(mu)(t+1) = w_ij x_j^(mu)(t)",
    "P2 (59)": "assumption w = pi",
    "P2 (69)": "(58) with w = pi: holds; no test binds it separately",
    "P2 (70)": "(58) with w = pi^T: holds; no test binds it separately",
    "P2 (71)": "(63) for the pi branch: holds; no direction-sensitive test binds it yet",
    "P2 (72)": "the pi^T branch moves left: d_tau x = +d_sigma x with the forward difference "
               "x_{i+1} - x_i; holds; no direction-sensitive test binds it yet",
    "P2 (79)": "the measure is printed d^D X; the emergent space-time has D + 1 dimensions "
               "(d^{D+1} X, as in (81))",
    "P2 (82)": "holds trivially when sqrt(-g) T^mn does not depend on g (as P2 assumes); the "
               "test in tests/equations checks a hand-written toy, not the package",
    "P2 (84)": "(81) with (83): holds (by hand)",
    "P2 (86)": "d/dkappa of (84): holds (by hand)",
    "P2 (94)": "notation",
}
"""Findings of the row-by-row review for rows that no check decides (the ledger shows them)."""
