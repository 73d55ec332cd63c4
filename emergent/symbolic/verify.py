"""`emergent verify`: run the symbolic checks, print the ledger, compare with recorded verdicts."""

from __future__ import annotations

import argparse
import json
import sys
import time

from emergent.symbolic.checks import RECORDED, run_checks
from emergent.symbolic.corrections import CORRECTIONS
from emergent.symbolic.review import NOTES, REVIEWED
from emergent.symbolic.verdict import FAILS, HOLDS, HOLDS_WITH_CORRECTION, Verdict

Rows = list[Verdict]

__all__ = ["corrected_equations", "main", "markdown_report"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit status 2, one line, the prefix of every command
        print(f"emergent: error: verify: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="emergent verify",
        description="Decide each claimed equation of P1/P2: HOLDS, HOLDS WITH "
        "CORRECTION, FAILS or UNDECIDED.",
    )
    p.add_argument("--only", metavar="PATTERN",
                   help="glob or substring of check keys (e.g. p2-34, 'P2 34', '*4d')")
    p.add_argument(
        "--dim",
        type=int,
        choices=(2, 3, 4),
        default=3,
        help="largest spacetime dimension D+1 for the generic-metric checks (default 3)",
    )
    p.add_argument("--report", metavar="FILE.md", help="write the ledger with derivations")
    p.add_argument("--json", metavar="FILE", help="write the verdicts as JSON")
    return p


def _table(rows: Rows) -> str:
    head = f"{'check':28} {'equation':30} {'verdict':22} {'dim':>3} {'s':>6}  recorded"
    lines = [head, "-" * len(head)]
    for v in rows:
        mark = "ok" if v.as_recorded else f"CHANGED (recorded {v.recorded})"
        lines.append(
            f"{v.key:28} {v.equation[:30]:30} {v.verdict:22} {v.dim or '':>3} "
            f"{v.seconds:6.2f}  {mark}"
        )
    return "\n".join(lines)


_METHOD = """\
## How the checks decide

* **Gravity (generic metrics).** A metric whose every component is an arbitrary function of all
  D+1 coordinates is represented at a point by independent symbols: sqrt|g|, the inverse metric
  g^ab and the jets g_ab,m, g_ab,mn, g_ab,mnp. Total derivatives and derivatives by g_ab act on
  them by exact rules (d_m g^ab = -g^ac g^bd g_cd,m, d_m sqrt|g| = sqrt|g| g^ab g_ab,m / 2, ...),
  so every curvature expression is a polynomial with rational coefficients. Since g^ab ranges
  over an open set and the jets are free, a zero polynomial is a proof for every metric and a
  non-zero one is a disproof, made concrete by evaluating it on an explicit metric (the
  counterexamples below). "Total divergence" is decided by the Euler operator (an expression is
  a divergence iff all its Euler-Lagrange derivatives vanish identically); the Landau-Lifshitz
  current V^m is also checked explicitly. Corrections are found by solving for the coefficients
  of the five invariant quadratic forms in g_ab,m g_cd,n. No `sympy.simplify` is ever applied to
  these expressions.
* **Entropic mechanics.** SymPy Euler-Lagrange derivatives with K = 2 coordinates; the
  Madelung-to-Schrodinger constants are unknowns solved for, not assumed.
* **Thermodynamics.** SymPy algebra and exact integrals, with numerical quadrature and root
  finding as second routes.
"""


_ORDER = (FAILS, HOLDS_WITH_CORRECTION, HOLDS)


def _eq_key(equation: str) -> tuple:
    """Paper order for "P<paper> (<number>)"."""
    paper, num = equation.split(" ", 1)
    return (paper, tuple(int(k) for k in num.strip("()").split(".")))


def corrected_equations() -> dict[str, tuple[str, list[str]]]:
    """Every equation that a recorded check or the hand review finds not to hold as printed.

    Returns
    -------
    dict of str to (str, list of str)
        ``"P<paper> (<number>)"`` to (the worst verdict, the deciding check keys or
        ``"review"``), in paper order; the verdict is HOLDS WITH CORRECTION or FAILS.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    for r in RECORDED:
        for d in r.decides:
            found.setdefault(d.equation, []).append((d.verdict, r.key))
    for rv in REVIEWED:
        found.setdefault(rv.equation, []).append((rv.verdict, "review"))
    out = {}
    for eq in sorted(found, key=_eq_key):
        worst = min((v for v, _ in found[eq]), key=_ORDER.index)
        if worst != HOLDS:
            keys = sorted({k for v, k in found[eq] if v != HOLDS})
            out[eq] = (worst, keys)
    return out


def _deciders(keys: list[str]) -> str:
    """``total-divergence-2d, -3d, -4d`` folded to ``total-divergence-{2,3,4}d``, as code."""
    stems: dict[str, list[str]] = {}
    for k in keys:
        stem, _, dim = k.rpartition("-")
        if dim in ("2d", "3d", "4d"):
            stems.setdefault(stem, []).append(dim[0])
        else:
            stems[k] = []
    return ", ".join(f"`{k}-{{{','.join(v)}}}d`" if v else
                     ("the hand review (tests bound to the corrected form)" if k == "review"
                      else f"`{k}`") for k, v in stems.items())


_REVIEW = """\
## The ledger reviewed row by row (issue 17)

Every row of docs/equations.md (211 equations of P1 §2-12 and P2 §2-10) was read against the
papers (the text in `/work/shared/papers/`). The ledger now takes a verdict only from a check
that declares it decides the equation (`emergent.symbolic.checks.RECORDED`: one verdict and one
correction per equation; an equation a check names only as context gets nothing), from the hand
review below, or, for "holds (numerical test)", from a test bound to the equation by
`@pytest.mark.equations(...)` whose assertion evaluates it through the package's code; never
from a test's name or docstring.

What the review changed:

* **Inherited corrections removed.** The old ledger stamped a check's worst verdict and its
  correction on every equation the check named. These rows read "holds with correction" with a
  neighbour's correction and now read as their own check decides: P1 (5.14) (it carried
  (5.10)'s typo), P1 (6.1) ((7.1)'s log Z), P1 (8.5) ((8.4)'s missing term), P1 (8.10) and
  P1 (9.1) ((8.11)'s exponent), P1 (9.2), P1 (9.3) ((9.4)'s stationary point), P1 (11.6),
  P1 (11.8), P1 (11.9) ((11.7)'s phase-gradient term), P2 (88) ((87)'s sign), and P1 (12.12) /
  P2 (95), which carried the Onsager-tensor correction of (12.9) / (91), while (12.9) and (91)
  themselves read "holds" (from the check that only compares the two papers' tensors with each
  other). They are now "holds with correction" (check `einstein-from-onsager`); P1 (12.12)
  carries its own sign correction (check `p1-12.12-signs`) and P2 (95) holds. P1 (8.8) is
  corrected again, for its own reason (below).
* **Bindings from names removed.** P1 (4.5)-(4.9) (a test named `eq4_4_4_10` that uses no
  package code), P1 (5.5) (used as input), P1 (5.7), (5.8), (7.9), P2 (23)-(25), (37), (82)
  (tests of hand-written toys), P1 (12.5) (mentioned in a docstring), P2 (4) (the test checks
  the data-fit boundary loss of P1 (2.11)) and P2 (68)-(72) from the test of the discrete
  wave equation (which a single branch also satisfies) no longer count as tested; (68) stays
  bound to the tests that compare the pi / pi^T ensemble with the d'Alembert solution of data
  that move both ways.
* **Signs that contradicted the labels.** P2 (77)-(78) were "holds (numerical test)" although
  `emergent.chains.interactions` states that their printed sign is wrong; the new check
  `p2-77-78` decides them (holds with correction).
* **Typos the checks did not encode.** P1 (3.4) (the bias printed as p_j), P2 (76) (the index
  mu twice), P2 (99) (the inverse of I - eps w missing) are now "holds with correction" from the
  review, each with tests of the corrected form; P1 (8.6), (8.8) hold for comoving volumes only.
* **Chains of equalities.** A check that encodes part of a chain decides only that part:
  `total-divergence` decides the second equality of P1 (12.10) / P2 (92) (the first is (12.13)
  contracted), `p1-9.8` finds the first line of P1 (9.9) true and the second false.

Findings for the rows no check decides (also shown in docs/equations.md):

"""


def _review_section() -> list[str]:
    out = [_REVIEW, "| equation | verdict | finding | evidence |", "|---|---|---|---|"]
    for rv in REVIEWED:
        tests = "<br>".join(f"`{t.split('::')[-1]}`" for t in rv.tests)
        out.append(f"| {rv.equation} | {rv.verdict.lower()} | {rv.correction} | {tests} |")
    for eq in sorted(NOTES, key=_eq_key):
        out.append(f"| {eq} | (as in the ledger) | {NOTES[eq]} | - |")
    return out + [""]


def markdown_report(rows: Rows, command: str) -> str:
    """docs/verification.md: the checks, then every corrected or failing equation with its
    printed form, corrected form and derivation in LaTeX and the check that decides it, the
    method, the row-by-row review of the ledger, and every check's statement, correction and
    counterexample.

    Parameters
    ----------
    rows : list of Verdict
        From :func:`emergent.symbolic.run_checks`.
    command : str
        The command line that produced them (printed in the report).

    Returns
    -------
    str
        docs/verification.md as text.
    """
    decides = {r.key: r.decides for r in RECORDED}
    out = [
        "# Verification ledger",
        "",
        f"Generated by `{command}`. Every row is decided by `emergent.symbolic`; the exit "
        "status of `emergent verify` is non-zero when a verdict differs from the recorded one.",
        "A check gives a verdict only to the equations in its \"decides\" column.",
        "",
        "| check | equations named | decides | verdict | dim | s |",
        "|---|---|---|---|---|---|",
    ]
    for v in rows:
        named = ", ".join(
            f"{d.equation}{'' if d.verdict == HOLDS else ' (' + d.verdict.lower() + ')'}"
            for d in decides.get(v.key, ())) or "nothing (a reference identity or a comparison)"
        out.append(f"| {v.key} | {v.equation} | {named} | **{v.verdict}** | {v.dim or ''} | "
                   f"{v.seconds:.2f} |")
    out += ["", "## Corrected and failing equations", "",
            "For each equation that does not hold as printed: the printed form, the corrected "
            "form, the derivation, and what decides it.", ""]
    for eq, (verdict, keys) in corrected_equations().items():
        c = CORRECTIONS[eq]
        out += [f"### {eq}: {verdict.lower()}", "", f"Decided by {_deciders(keys)}.", "",
                "**As printed:**", "", c.printed, "",
                "**Corrected:**" if verdict == HOLDS_WITH_CORRECTION else "**What holds:**", "",
                c.corrected, "", f"**Derivation.** {c.derivation}", ""]
    out += [_METHOD]
    out += _review_section()
    out += ["## Statements, corrections and counterexamples of every check", ""]
    for v in rows:
        out += [f"### {v.equation} ({v.key}): {v.verdict}", "", f"*As printed:* {v.statement}", ""]
        if v.correction:
            out += [f"*Correction:* {v.correction}", ""]
        if v.counterexample:
            out += [f"*Counterexample:* {v.counterexample}", ""]
        if v.derivation:
            out += [f"*Derivation:* {v.derivation}", ""]
        out += [f"*Method:* {v.method}", ""]
        if v.details:
            out += ["*Details:* " + "; ".join(f"{k} = {val}" for k, val in v.details.items()), ""]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """Entry point for `emergent verify ARGS...`; returns the exit status (0, 1 or 2).

    Parameters
    ----------
    argv : list of str
        The arguments after ``verify`` (``--only``, ``--dim``, ``--report``, ``--json``).

    Returns
    -------
    int
        0 when every verdict is as recorded, 1 when one changed, 2 for bad usage or when no
        check matches ``--only``.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    t0 = time.perf_counter()
    rows = run_checks(only=args.only, dim=args.dim)
    if not rows:
        print(f"emergent: error: verify --only: no check matches {args.only!r}", file=sys.stderr)
        return 2
    print(_table(rows))
    changed = [v.key for v in rows if not v.as_recorded]
    print(
        f"\n{len(rows)} checks in {time.perf_counter() - t0:.1f} s; "
        + (
            f"{len(changed)} verdict(s) changed: {', '.join(changed)}"
            if changed
            else "all verdicts as recorded"
        )
    )
    if args.report:
        cmd = "emergent verify " + " ".join(argv)
        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write(markdown_report(rows, cmd.strip()))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([v.to_dict() for v in rows], fh, indent=1)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
