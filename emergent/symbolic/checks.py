"""The ledger: every check, its recorded verdict, and the runner."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import NamedTuple

from emergent.symbolic import entropic, equilibrium, gravity, interactions, thermodynamics
from emergent.symbolic.derivations import derivation_for
from emergent.symbolic.verdict import FAILS, HOLDS, HOLDS_WITH_CORRECTION, Verdict

__all__ = ["CHECKS", "EXPECTED", "RECORDED", "Decision", "Recorded", "ledger", "recorded_verdicts",
           "run_checks"]

H, HC, F = HOLDS, HOLDS_WITH_CORRECTION, FAILS


def _gravity(dim: int) -> list[tuple[str, Callable[[], Verdict], str]]:
    g = gravity
    return [
        (f"ricci-form-{dim}d", lambda: g.check_ricci_form(dim), H),
        (f"onsager-p1-p2-{dim}d", lambda: g.check_same_quadratic_form(dim), H),
        (f"landau-lifshitz-{dim}d", lambda: g.check_landau_lifshitz(dim), H),
        (f"total-divergence-{dim}d", lambda: g.check_total_divergence(dim), HC),
        (f"einstein-from-onsager-{dim}d", lambda: g.check_einstein_from_onsager(dim), HC),
        (f"einstein-hilbert-{dim}d", lambda: g.check_eh_variation(dim), H),
    ]


def CHECKS(dim: int = 3) -> list[tuple[str, Callable[[], Verdict], str]]:  # noqa: N802
    """(key, check, recorded verdict) for every check; generic gravity at D+1 = 2..dim.

    Parameters
    ----------
    dim : int
        The largest D+1 of the generic-metric gravity checks: 2, 3 or 4.

    Returns
    -------
    list of (str, callable, str)
        The key, the check (no arguments, returns a Verdict) and its recorded verdict.

    Raises
    ------
    ValueError
        `dim` not 2, 3 or 4.
    """
    if dim not in (2, 3, 4):
        raise ValueError(f"dim must be 2, 3 or 4, got {dim}")
    out = []
    for d in range(2, dim + 1):
        out += _gravity(d)
    g, e, t, q = gravity, entropic, thermodynamics, equilibrium
    out += [
        ("pointwise-89", lambda: g.check_pointwise(dim), F),
        ("p1-12.12-signs", g.check_signs_p1, HC),
        ("p2-95-signs", g.check_signs_p2, H),
        ("given-metrics", g.check_given_metrics, H),
        ("p2-22", e.check_p2_22, H),
        ("p2-29-30", e.check_p2_29_30, H),
        ("p2-32-33", e.check_p2_32_33, H),
        ("p2-34-35", e.check_p2_34_35, HC),
        ("p2-36", e.check_p2_36, HC),
        ("p1-11.7", e.check_p1_11_7, HC),
        ("p2-38-44", e.check_p2_38_44, H),
        ("p2-42", e.check_p2_42, HC),
        ("p2-45-46", e.check_p2_45_46, H),
        ("p2-47-48", e.check_p2_47, HC),
        ("p2-48", q.check_p2_48, HC),
        ("p2-87-88", q.check_p2_87_88, HC),
        ("p1-5.9", t.check_p1_5_9, H),
        ("p1-5.10", t.check_p1_5_10, HC),
        ("p1-5.13", q.check_p1_5_13, H),
        ("p1-6.6-6.8", q.check_p1_6_6_6_8, H),
        ("p1-7.2-7.11", q.check_p1_7_2_7_11, H),
        ("p1-6.1-7.1", t.check_p1_6_1_7_1, HC),
        ("p1-7.3-7.5", t.check_p1_7_3_7_5, H),
        ("p1-7.7", t.check_p1_7_7, H),
        ("p1-8.4", t.check_p1_8_4, HC),
        ("p1-8.10-8.11", t.check_p1_8_10_8_11, HC),
        ("p1-9.4", t.check_p1_9_2_9_4, HC),
        ("p1-9.8", q.check_p1_9_8_9_9, HC),
        ("p1-9.10-9.11", q.check_p1_9_10_9_11, H),
        ("p2-77-78", interactions.check_p2_77_78, HC),
    ]
    return out


EXPECTED = {k: v for k, _, v in CHECKS(4)}
"""Recorded verdicts (key -> verdict) for every check at dim = 4."""


def run_checks(only: str | None = None, dim: int | None = 3, progress=None) -> list[Verdict]:
    """Run the checks whose key matches the glob or substring ``only`` (generic-metric gravity
    at D+1 = 2..dim; ``dim=None`` means 4). Each verdict carries ``recorded`` and
    ``as_recorded``.

    Parameters
    ----------
    only : str, optional
        A glob or substring of the keys (``"p2-3*"``, ``"P2 22"``; case and spaces ignored).
    dim : int or None
        The largest D+1 of the generic-metric gravity checks (2, 3 or 4; None means 4).
    progress : callable(str), optional
        Called with each key before its check runs.

    Returns
    -------
    list of Verdict
        In the order of :func:`CHECKS`, each with its derivation and recorded verdict.

    Raises
    ------
    ValueError
        `dim` not 2, 3, 4 or None.
    """
    dim = 4 if dim is None else dim
    # "P2 22" finds the key "p2-22": case and spaces do not matter
    pattern = "-".join(only.lower().split()) if only else None
    out = []
    for key, fn, expected in CHECKS(dim):
        if pattern and not (fnmatch.fnmatch(key, pattern) or pattern in key):
            continue
        if progress:
            progress(key)
        v = fn()
        if not v.derivation:
            v.derivation = derivation_for(v.key)
        v.recorded = expected
        out.append(v)
    return out


def ledger(dim: int | None = 3, only: str | None = None) -> list[Verdict]:
    """The list of verdicts (runs the checks; used to generate docs/verification.md).

    Parameters
    ----------
    dim : int or None
        As for :func:`run_checks`.
    only : str, optional
        As for :func:`run_checks`.

    Returns
    -------
    list of Verdict
    """
    return run_checks(only=only, dim=dim)


class Decision(NamedTuple):
    """The verdict a check gives one equation it decides.

    equation: ``"P<paper> (<number>)"`` (the form of the ``equations`` test marker);
    verdict: one of :data:`VERDICTS`; correction: the corrected statement for this equation
    alone ("" when it holds as printed).
    """

    equation: str
    verdict: str
    correction: str = ""


class Recorded(NamedTuple):
    """A check as recorded in the package: its key, the equations it names (context included),
    its own verdict, and the equations it decides, each with its own verdict and correction.

    An equation the check names only as context (an input, a definition it uses) is not in
    ``decides`` and gets no verdict from it.
    """

    key: str
    equation: str
    verdict: str
    decides: tuple[Decision, ...]


def recorded_verdicts() -> list[tuple[str, str, str, str]]:
    """(equation, verdict, correction, check key) for every equation a recorded check decides,
    without running anything.

    Returns
    -------
    list of (str, str, str, str)
        One row per decided equation and check (and dimension for the gravity checks), from
        :data:`RECORDED`; the equation as ``"P<paper> (<number>)"``.
    """
    return [(d.equation, d.verdict, d.correction, r.key) for r in RECORDED for d in r.decides]


def _d(equation: str, verdict: str = H, correction: str = "") -> Decision:
    """Shorthand for :class:`Decision` in the table below.

    Parameters
    ----------
    equation : str
        ``"P<paper> (<number>)"``.
    verdict : str
        One of :data:`VERDICTS` (default HOLDS).
    correction : str
        The correction for this equation ("" when it holds as printed).

    Returns
    -------
    Decision
    """
    return Decision(equation, verdict, correction)


_ONSAGER_FIX = (
    "the Onsager tensor that gives the Einstein equations is the one with "
    "4 L g g = -I1 + I2 + 2 I3 - 2 I5 (I1 = g^mn g^ac g^bd, I2 = g^mn g^ab g^cd, "
    "I3 = g^mc g^an g^bd, I5 = g^ma g^bn g^cd, contracted with g_ab,m g_cd,n): flip the sign of "
    "g^ab g^cd g^mn and add -(g^am g^bn g^cd + g^ab g^cn g^dm)"
)
_DIVERGENCE_FIX = (
    "int sqrt|g| R = int sqrt|g| (1/4)(2 g^mc g^an g^bd - g^mn g^ac g^bd + g^mn g^ab g^cd "
    "- 2 g^ma g^bn g^cd) g_ab,m g_cd,n + boundary terms; the printed quadratic form differs "
    "from sqrt|g| R by sqrt|g| (I2 - I5)/2, which is not a total divergence"
)
_POINTWISE = (
    "{eq} cannot hold as an equality of densities (R is linear in g_ab,mn, the right side is "
    "quadratic in g_ab,m only); only the action integrals agree, up to a boundary term, and "
    "only with the corrected Onsager tensor ({tensor})"
)
_STATIC: list[Recorded] = [
    Recorded("pointwise-89", "P2 89, P1 12.3, P1 12.6", F, (
        _d("P2 (89)", F, _POINTWISE.format(eq="(89)", tensor="see (91)")),
        _d("P1 (12.3)", F, _POINTWISE.format(eq="(12.3)", tensor="see (12.9)")),
        _d("P1 (12.6)", F, _POINTWISE.format(eq="(12.6)", tensor="see (12.9)")))),
    Recorded("p1-12.12-signs", "P1 12.12 (from 12.2, 12.14)", HC, (
        _d("P1 (12.12)", HC,
          "(12.2) with T of (12.14) gives G_mn + kappa Lambda g_mn = -kappa T_mn; the printed "
          "(12.12) follows from S = int sqrt|g| ((R - 2 Lambda)/(2 kappa) + L), i.e. (12.2) with "
          "the opposite sign of its first term"),)),
    Recorded("p2-95-signs", "P2 95 (from 88, 85)", H, (_d("P2 (95)"),)),
    Recorded("given-metrics", "P1 12.11-12.13, P2 93-96", H, (
        _d("P1 (12.11)"), _d("P1 (12.13)"), _d("P2 (93)"), _d("P2 (96)"))),
    Recorded("p2-22", "P2 22", H, (_d("P2 (22)"),)),
    Recorded("p2-29-30", "P2 29, 30", H, (_d("P2 (29)"), _d("P2 (30)"))),
    Recorded("p2-32-33", "P2 31-33", H, (_d("P2 (32)"), _d("P2 (33)"))),
    Recorded("p2-34-35", "P2 34, 35", HC, (
        _d("P2 (34)", HC,
          "-i sqrt(4D/(gamma mu)) d_t Psi = ((4D/mu) d_k^2 - V) Psi; the printed form is mu = 1"),
        _d("P2 (35)", HC,
          "Psi = sqrt(p) exp(i sqrt(gamma mu/(4D)) F); the printed form is mu = 1"))),
    Recorded("p2-36", "P2 36", HC, (
        _d("P2 (36)", HC,
          "(28) without its learning term, divided by mu, is Re int dt d^Kq Psi* (-(4D/mu) "
          "d_k^2 + V - i sqrt(4D/(gamma mu)) d_t) Psi + boundary terms; the printed form is "
          "mu = 1"),)),
    Recorded("p1-11.7", "P1 11.6-11.9", HC, (
        _d("P1 (11.7)", HC,
          "the last equality holds only with the phase-gradient term: -4 int Psi* ((D/2) Delta "
          "+ i d_t) Psi = int [sqrt p (-2D Delta) sqrt p + dPhi/dt.Theta p + (D/8) p |sum_k "
          "Phi_k grad Theta_k|^2] + boundary terms"),
        _d("P1 (11.9)"))),
    Recorded("p2-38-44", "P2 38, 41, 43, 44", H, (
        _d("P2 (38)"), _d("P2 (41)"), _d("P2 (43)"), _d("P2 (44)"))),
    Recorded("p2-42", "P2 42 (from 38-41)", HC, (
        _d("P2 (42)", HC,
          "along the characteristics of (38), dq_j/dt = 2 gamma d_jF = u_j (not the drift (40)), "
          "d^2 q_j/dt^2 = -2 gamma d_jV; along (40) the acceleration is -gamma d_jV - gamma^2 "
          "d_kF d_j d_kF"),)),
    Recorded("p2-45-46", "P2 45, 46", H, (_d("P2 (45)"), _d("P2 (46)"))),
    Recorded("p2-47-48", "P2 47, 48", HC, (
        _d("P2 (47)", HC,
          "the first equality misses (gamma/mu) sum_{i,k} dF/dlambda_i d^2 lambda_i/dq_k^2; "
          "(47) holds as printed only when every lambda_i is affine in q"),)),
    Recorded("p2-48", "P2 48", HC, (
        _d("P2 (48)", HC,
          "exact when every lambda_i is affine in q; in general add (gamma/mu) sum_i "
          "dq_m/dlambda_i dF/dq_m Delta_q lambda_i, which still involves only first derivatives "
          "of F, so the conclusion (H depends on q and dF/dq only) stands"),)),
    Recorded("p2-87-88", "P2 87-88", HC, (
        _d("P2 (87)", HC, "A = -(2/kappa) int d^{D+1}X sqrt(-g) Lambda"),
        _d("P2 (88)"))),
    Recorded("p1-5.9", "P1 5.9, 5.11, 5.13-5.14", H, (_d("P1 (5.9)"),)),
    Recorded("p1-5.10", "P1 5.10, 5.14", HC, (
        _d("P1 (5.10)", HC,
           "G v_i = lambda_i v_i (the printed right side G lambda_i is a typo)"),)),
    Recorded("p1-5.13", "P1 5.12-5.14", H, (_d("P1 (5.13)"), _d("P1 (5.14)"))),
    Recorded("p1-6.6-6.8", "P1 6.2-6.8, P2 11-12", H, (
        _d("P1 (6.3)"), _d("P1 (6.4)"), _d("P1 (6.6)"), _d("P1 (6.7)"), _d("P1 (6.8)"),
        _d("P2 (12)"))),
    Recorded("p1-7.2-7.11",
             "P1 7.2, P1 7.10-7.11, P1 10.1, P1 10.3, P1 11.1, P2 13-14, P2 16-17", H, (
                 _d("P1 (7.2)"), _d("P1 (7.10)"), _d("P1 (7.11)"), _d("P1 (10.1)"),
                 _d("P1 (10.3)"), _d("P1 (11.1)"), _d("P2 (13)"), _d("P2 (14)"), _d("P2 (16)"),
                 _d("P2 (17)"))),
    Recorded("p1-6.1-7.1", "P1 6.1, 7.1", HC, (
        _d("P1 (6.1)"),
        _d("P1 (7.1)", HC, "S = -beta d(log Z)/d beta + log Z = beta^2 dF/d beta (log Z, not Z)"))),
    Recorded("p1-7.3-7.5", "P1 6.8, 7.3-7.5", H, (_d("P1 (7.3)"), _d("P1 (7.4)"), _d("P1 (7.5)"))),
    Recorded("p1-7.7", "P1 7.7, 7.8", H, (_d("P1 (7.7)"), _d("P1 (7.8)"))),
    Recorded("p1-8.4", "P1 8.4, 8.5", HC, (
        _d("P1 (8.4)", HC,
          "(8.1) is advective, so int p is not conserved and the term -int d_beta p = -alpha int "
          "Delta F p stays; d_beta S = -alpha int Delta F p log(M p) exactly"),
        _d("P1 (8.5)"))),
    Recorded("p1-8.10-8.11", "P1 8.8, 8.10, 8.11, 9.1", HC, (
        _d("P1 (8.10)"),
        _d("P1 (8.11)", HC,
          "(8.8) with Delta F of (8.10) inserted reads sigma_0 exp(-(alpha beta^2/2) sum_i "
          "(1 + beta lambda_i)^-2); since Delta F depends on beta, integrating (8.6) instead gives "
          "sigma_0 exp(-(alpha/2) sum_i [log(1 + beta lambda_i) + (1 + beta lambda_i)^-1 - 1] / "
          "lambda_i^2)"))),
    Recorded("p1-9.4", "P1 9.2-9.4, Fig. 1", HC, (
        _d("P1 (9.4)", HC,
          "for gamma = 1/3 the stationary points of (9.3) are log lambda = 0 and log lambda = "
          "2 log((1 - beta)/beta) (beta < 1); they exchange stability at beta = 1/2; the final "
          "phase begins at beta = gamma^(-1/2) - 1, not sqrt(N) - 1"),)),
    Recorded("p1-9.8", "P1 9.8-9.9", HC, (
        _d("P1 (9.8)", F,
          "false: log G has non-zero diagonal blocks, which no F1, F2 in (9.8) produce "
          "(counterexample f'w = E_21, N = 2: (log G)_11 = 2 log(golden ratio)/sqrt 5)"),
        _d("P1 (9.9)", HC,
          "the first line, Tr log G = 0, holds (det G = 1, (7.8)); the second line rests on "
          "(9.8) and is false; the true statement is Tr (log G)^2 = sum_i (log lambda_i)^2"))),
    Recorded("p1-9.10-9.11", "P1 9.10-9.11", H, (_d("P1 (9.10)"), _d("P1 (9.11)"))),
    Recorded("p2-77-78", "P2 77-78 (against 73)", HC, (
        _d("P2 (77)", HC,
          "A = sum_i g^i_mn (dx^m_i/dtau dx^n_i/dtau - alpha^2 x^m_i G_ij x^n_j): the two terms "
          "need opposite signs for the wave equation (73)"),
        _d("P2 (78)", HC,
          "g^i_mn (d^2 x^n_i/dtau^2 + alpha^2 (G x^n)_i) = 0; with the printed sign, w = pi, "
          "f' = I, g = eta give x_tt = -alpha^2 (x_{i+1} - 2 x_i + x_{i-1}), an elliptic "
          "equation, not (73)"))),
]

RECORDED: list[Recorded] = [
    row
    for d in (2, 3, 4)
    for row in (
        Recorded(f"ricci-form-{d}d", "P1 12.13, P2 96", H, (_d("P1 (12.13)"), _d("P2 (96)"))),
        Recorded(f"onsager-p1-p2-{d}d", "P1 12.9 vs P2 91", H, ()),
        Recorded(f"landau-lifshitz-{d}d", "P1 12.10, P2 92 (reference)", H, ()),
        Recorded(f"total-divergence-{d}d", "P1 12.10, P2 92", HC, (
            _d("P1 (12.10)", HC, _DIVERGENCE_FIX), _d("P2 (92)", HC, _DIVERGENCE_FIX))),
        Recorded(f"einstein-from-onsager-{d}d", "P1 12.12, P2 95 (from 12.9, 91)", HC, (
            _d("P1 (12.9)", HC, _ONSAGER_FIX), _d("P2 (91)", HC, _ONSAGER_FIX))),
        Recorded(f"einstein-hilbert-{d}d", "P1 12.12, P2 95 (from 12.2, 88)", H, ()),
    )
] + _STATIC
"""Every check at D+1 = 2, 3, 4: key, the equations it names, its verdict, and the equations it
decides with a verdict and correction each (an equation named only as context decides nothing).
"""
