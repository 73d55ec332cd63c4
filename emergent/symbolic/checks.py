"""The ledger: every check, its recorded verdict, and the runner."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from emergent.symbolic import entropic, equilibrium, gravity, thermodynamics
from emergent.symbolic.derivations import derivation_for
from emergent.symbolic.verdict import FAILS, HOLDS, HOLDS_WITH_CORRECTION, Verdict

__all__ = ["CHECKS", "EXPECTED", "RECORDED", "ledger", "recorded_verdicts", "run_checks"]

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


def recorded_verdicts() -> list[tuple[str, str, str]]:
    """(equation, verdict, correction) as recorded in the package, without running anything.

    Returns
    -------
    list of (str, str, str)
        One row per check and dimension, from :data:`RECORDED`.
    """
    return [(eq, verdict, corr) for _, eq, verdict, corr in RECORDED]


_GRAV_FIX = (
    "sqrt|g| R = sqrt|g| (1/4)(-I1 + I2 + 2 I3 - 2 I5) + d_m V^m (Landau-Lifshitz): in (12.9)/(91) "
    "flip the sign of g^ab g^cd g^mn and add -(g^am g^bn g^cd + g^ab g^cn g^dm)"
)
_STATIC = [
    ("pointwise-89", "P2 89, P1 12.3, P1 12.6", F,
     "holds only for the action integrals, up to a boundary term"),
    ("p1-12.12-signs", "P1 12.12 (from 12.2, 12.14)", HC,
     "(12.2) + (12.14) as printed give G + kappa Lambda g = -kappa T; (12.12) needs "
     "S = int sqrt|g| ((R - 2 Lambda)/(2 kappa) + L)"),
    ("p2-95-signs", "P2 95 (from 88, 85)", H, ""),
    ("given-metrics", "P1 12.11-12.13, P2 93-96", H, ""),
    ("p2-22", "P2 22", H, ""),
    ("p2-29-30", "P2 29, 30", H, ""),
    ("p2-32-33", "P2 31-33", H, ""),
    ("p2-34-35", "P2 34, 35", HC,
     "Psi = sqrt(p) exp(i sqrt(gamma mu/(4D)) F), -i sqrt(4D/(gamma mu)) d_t Psi = "
     "((4D/mu) d^2 - V) Psi (the printed form is mu = 1)"),
    ("p2-36", "P2 36", HC,
     "(28)/mu = Re int Psi* (-(4D/mu) d^2 + V - i sqrt(4D/(gamma mu)) d_t) Psi"),
    ("p1-11.7", "P1 11.6-11.9", HC,
     "the Psi action of (11.7) also contains (D/8) p |sum_k Phi_k grad Theta_k|^2"),
    ("p2-38-44", "P2 38, 41, 43, 44", H, ""),
    ("p2-42", "P2 42 (from 38-41)", HC,
     "q_j'' = -2 gamma d_jV along q_j' = 2 gamma d_jF (characteristics of 38)"),
    ("p2-45-46", "P2 45, 46", H, ""),
    ("p2-47-48", "P2 47, 48", HC,
     "add (gamma/mu) sum_ik dF/dlambda_i d^2 lambda_i/dq_k^2 unless every lambda_i is affine in q"),
    ("p2-48", "P2 48", HC,
     "exact when every lambda_i is affine in q; in general add (gamma/mu) sum_i "
     "dq_m/dlambda_i dF/dq_m Delta_q lambda_i, which still involves only first "
     "derivatives of F, so the conclusion (H depends on q and dF/dq only) stands"),
    ("p2-87-88", "P2 87-88", HC,
     "(88) follows from (84) with A = -(2/kappa) int sqrt(-g) Lambda"),
    ("p1-5.9", "P1 5.9, 5.11, 5.13-5.14", H, ""),
    ("p1-5.10", "P1 5.10, 5.14", HC, "G v_i = lambda_i v_i"),
    ("p1-5.13", "P1 5.12-5.14", H, ""),
    ("p1-6.6-6.8", "P1 6.2-6.8, P2 11-12", H, ""),
    ("p1-7.2-7.11", "P1 7.2, P1 7.10-7.11, P1 10.1, P1 10.3, P1 11.1, P2 13-14, P2 16-17", H,
     ""),
    ("p1-6.1-7.1", "P1 6.1, 7.1", HC, "S = -beta d(log Z)/d beta + log Z = beta^2 dF/d beta"),
    ("p1-7.3-7.5", "P1 6.8, 7.3-7.5", H, ""),
    ("p1-7.7", "P1 7.7, 7.8", H, ""),
    ("p1-8.4", "P1 8.4, 8.5", HC, "d_beta S = -alpha int Delta F p log(Mp) exactly"),
    ("p1-8.10-8.11", "P1 8.8, 8.10, 8.11, 9.1", HC,
     "sigma = sigma_0 exp(-(alpha beta^2/2) sum_i (1 + beta lambda_i)^-2)"),
    ("p1-9.4", "P1 9.2-9.4, Fig. 1", HC,
     "stationary points log lambda = 0 and 2 log((1 - beta)/beta) (gamma = 1/3, beta < 1); "
     "final phase beta > gamma^(-1/2) - 1"),
    ("p1-9.8", "P1 9.8-9.9", HC,
     "the form (9.8) maps inputs to outputs only, but log G also has diagonal blocks, so "
     "(9.8) and the second line of (9.9) are false; Tr log G = 0 holds (det G = 1, 7.8), "
     "and the odd traces vanish because D G D ~ G^-1 (check p1-9.10-9.11)"),
    ("p1-9.10-9.11", "P1 9.10-9.11", H, ""),
]

RECORDED: list[tuple[str, str, str, str]] = [
    row
    for d in (2, 3, 4)
    for row in (
        (f"ricci-form-{d}d", "P1 12.13, P2 96", H, ""),
        (f"onsager-p1-p2-{d}d", "P1 12.9 vs P2 91", H, ""),
        (f"landau-lifshitz-{d}d", "P1 12.10, P2 92 (reference)", H, ""),
        (f"total-divergence-{d}d", "P1 12.10, P2 92", HC, _GRAV_FIX),
        (f"einstein-from-onsager-{d}d", "P1 12.12, P2 95 (from 12.9, 91)", HC, _GRAV_FIX),
        (f"einstein-hilbert-{d}d", "P1 12.12, P2 95 (from 12.2, 88)", H, ""),
    )
] + _STATIC
"""(key, equation, recorded verdict, correction) for every check at D+1 = 2, 3, 4."""
