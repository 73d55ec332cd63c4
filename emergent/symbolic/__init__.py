"""Symbolic verification of the papers' equations: gravity (Onsager tensor vs Einstein-Hilbert),
entropic mechanics, thermodynamics of learning. Each check returns a :class:`Verdict`."""

from emergent.symbolic.checks import EXPECTED, RECORDED, ledger, recorded_verdicts, run_checks
from emergent.symbolic.verdict import (
    FAILS,
    HOLDS,
    HOLDS_WITH_CORRECTION,
    UNDECIDED,
    Verdict,
)

__all__ = [
    "EXPECTED",
    "FAILS",
    "HOLDS",
    "HOLDS_WITH_CORRECTION",
    "UNDECIDED",
    "Verdict",
    "RECORDED",
    "ledger",
    "recorded_verdicts",
    "run_checks",
]
