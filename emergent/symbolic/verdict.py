"""The verdict object every symbolic check returns."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

__all__ = ["FAILS", "HOLDS", "HOLDS_WITH_CORRECTION", "UNDECIDED", "VERDICTS", "Verdict", "timed"]

HOLDS = "HOLDS"
"""The equation holds as printed."""
HOLDS_WITH_CORRECTION = "HOLDS WITH CORRECTION"
"""The equation holds once corrected (the correction is given with the verdict)."""
FAILS = "FAILS"
"""The equation is false as stated (a counterexample is given)."""
UNDECIDED = "UNDECIDED"
"""The check could not decide."""
VERDICTS = (HOLDS, HOLDS_WITH_CORRECTION, FAILS, UNDECIDED)
"""Every allowed value of :attr:`Verdict.verdict`."""


@dataclass
class Verdict:
    """The outcome of one check.

    equation: paper and number, e.g. "P1 12.9"; statement: the claim as printed; verdict: one of
    :data:`VERDICTS`; correction: the corrected formula ("" when none is needed); method: how it
    was decided; dim: the spacetime dimension D+1 for gravity checks (None otherwise); seconds:
    wall time; counterexample: a concrete case where the printed statement fails; derivation: the
    steps a physicist can follow; key: stable identifier of the check.
    """

    key: str
    equation: str
    statement: str
    verdict: str
    correction: str = ""
    method: str = ""
    dim: int | None = None
    seconds: float = 0.0
    counterexample: str = ""
    derivation: str = ""
    details: dict = field(default_factory=dict)
    recorded: str = ""

    @property
    def as_recorded(self) -> bool:
        """True when the verdict equals the one recorded in the package (or none is recorded)."""
        return not self.recorded or self.verdict == self.recorded

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def to_dict(self) -> dict:
        """The verdict as a JSON-ready dict (details as strings, plus ``as_recorded``).

        Returns
        -------
        dict
        """
        d = asdict(self)
        d["details"] = {k: str(v) for k, v in self.details.items()}
        d["as_recorded"] = self.as_recorded
        return d


def timed(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Decorator: fill in ``seconds`` with the wall time of the check.

    Parameters
    ----------
    fn : callable(...) -> Verdict
        A check.

    Returns
    -------
    callable(...) -> Verdict
        The same check (same name, module and docstring) that also times itself.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> Verdict:
        t0 = time.perf_counter()
        v = fn(*args, **kwargs)
        v.seconds = time.perf_counter() - t0
        return v

    return wrapper
