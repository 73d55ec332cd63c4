"""`emergent reproduce`: every registered simulation plus the symbolic verification, one
progress display, one summary table of paper results against ours.

Each simulation writes DIR/NAME.h5 and DIR/NAME.png; the table is printed and also written to
DIR/summary.md and DIR/summary.json. A failing simulation is reported in the table and does not
stop the others.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from emergent.runs.figures import save_figure
from emergent.runs.registry import Simulation

__all__ = ["Row", "render_table", "reproduce"]

# status of a row: the paper's claim agrees with ours; it does not; it does not and that is a
# documented finding (the expected verdict); it fails as printed but the stated correction holds
# (found by the run or recorded by the verification); the simulation failed; nothing to compare.
STATUSES = ("yes", "NO", "NO*", "corrected", "FAILED", "-")


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    source: str
    claim: str
    paper: str
    ours: str
    status: str
    seconds: float


def _run_one(sim: Simulation, out: Path, *, full: bool, smoke: bool, seed: int,
             verbose: bool) -> list[Row]:
    from emergent.runs.io import execute, read_run

    path = out / f"{sim.name}.h5"
    start = time.monotonic()
    try:
        execute(sim, sim.defaults(full=full, smoke=smoke), seed, path, force=True, quiet=True)
        data = read_run(path)
        save_figure(sim, data, path.with_suffix(".png"))
        checks = sim.checks(data) if sim.checks else []
    except Exception as exc:  # one failure must not stop the others
        if verbose:
            traceback.print_exc()
        msg = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return [Row(sim.name, "(run)", "-", msg, "FAILED", time.monotonic() - start)]
    took = time.monotonic() - start
    if not checks:
        return [Row(sim.name, "(ran; no paper claim checked)", "-", "-", "-", took)]
    return [Row(sim.name, c.claim, c.paper,
                c.ours + (f"; corrected: {c.correction}" if c.correction and not c.agrees else "")
                + (f"; finding: {c.finding}" if c.finding and not c.agrees else ""),
                "yes" if c.agrees else "corrected" if c.correction
                else "NO*" if c.finding else "NO", took)
            for c in checks]


def _verify_rows(dim: int | None) -> list[Row]:
    from emergent.symbolic import run_checks

    rows = []
    for v in run_checks(dim=dim):
        status = {"HOLDS": "yes", "HOLDS WITH CORRECTION": "corrected", "FAILS": "corrected",
                  "UNDECIDED": "-"}.get(v.verdict, "-")
        if not v.as_recorded:
            status = "NO"
        ours = v.verdict + (f": {v.correction}" if v.correction else "")
        where = f" [D+1 = {v.dim}]" if v.dim else ""
        rows.append(Row("verify", f"{v.equation}{where}: {v.statement}", "as printed", ours,
                        status, v.seconds))
    return rows


def reproduce(
    sims: list[Simulation], out: Path, *, full: bool = False, smoke: bool = False,
    seed: int = 0, verify: bool = True, quiet: bool = False, verbose: bool = False,
) -> list[Row]:
    """Run `sims` (and the symbolic verification) into `out`; return the summary rows.

    Each simulation writes ``out/NAME.h5`` and its figure; its checks (the paper's claims
    against our numbers) become rows. ``summary.json`` and ``summary.md`` are written to `out`.
    A simulation that raises gives a FAILED row instead of stopping the others.

    Parameters
    ----------
    sims : list of Simulation
        The simulations to run.
    out : Path
        An existing folder for the run files, figures and summaries.
    full : bool
        Paper-scale parameters (and the symbolic checks in every dimension).
    smoke : bool
        Seconds-long parameters.
    seed : int
        The seed of every run.
    verify : bool
        Also run the symbolic verification (:func:`emergent.symbolic.run_checks`).
    quiet : bool
        No progress bars.
    verbose : bool
        Show each simulation's own progress bar.

    Returns
    -------
    list of Row
        One row per check (the table :func:`render_table` prints).
    """
    rows: list[Row] = []
    tasks: list[tuple[str, Any]] = [(s.name, s) for s in sims]
    if verify:
        tasks.append(("verify", None))
    bar = tqdm(tasks, desc="reproduce", disable=quiet, dynamic_ncols=True)
    for name, sim in bar:
        bar.set_postfix_str(name)
        if sim is None:
            start = time.monotonic()
            try:
                rows += _verify_rows(None if full else 3)
            except Exception as exc:
                msg = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                rows.append(Row("verify", "(symbolic verification)", "-", msg, "FAILED",
                                time.monotonic() - start))
        else:
            rows += _run_one(sim, out, full=full, smoke=smoke, seed=seed, verbose=verbose)
    (out / "summary.json").write_text(json.dumps([asdict(r) for r in rows], indent=1))
    (out / "summary.md").write_text(render_table(rows, markdown=True) + "\n")
    return rows


def render_table(rows: list[Row], markdown: bool = False) -> str:
    """The summary table as aligned text (or Markdown).

    Parameters
    ----------
    rows : list of Row
        From :func:`reproduce`.
    markdown : bool
        A Markdown table instead of aligned columns.

    Returns
    -------
    str
        The table (columns: source, paper result, paper, ours, agrees).
    """
    head = ("source", "paper result", "paper", "ours", "agrees")
    table = [head] + [(r.source, r.claim, r.paper, r.ours, r.status) for r in rows]
    if markdown:
        esc = [[c.replace("|", "\\|") for c in r] for r in table]
        lines = ["| " + " | ".join(r) + " |" for r in esc]
        lines.insert(1, "|" + "---|" * len(head))
        return "\n".join(lines)
    widths = [min(max(len(r[i]) for r in table), 70) for i in range(len(head))]
    def fmt(r: tuple[str, ...]) -> str:
        return " | ".join((c if len(c) <= w else c[: w - 3] + "...").ljust(w)
                          for c, w in zip(r, widths, strict=True))
    lines = [fmt(r) for r in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def all_agree(rows: list[Row]) -> bool:
    """True when every simulation ran and every verdict is the recorded one: "yes",
    "corrected" (a recorded correction) or "NO*" (a documented finding); "NO" (a claim that
    fails with nothing recorded) and "FAILED" (a run that failed) are not.

    Parameters
    ----------
    rows : list of Row
        From :func:`reproduce`.

    Returns
    -------
    bool
        No row has status "NO" or "FAILED".
    """
    return not any(r.status in ("NO", "FAILED") for r in rows)
