"""The equation ledger: every numbered equation of P1 §2-12 and P2 §2-10, where it lives in the
code, the tests that check it, and the verdict (`emergent equations --write docs/equations.md`).

Built by reading the source: the simulations' declared equations (the registry), references in
the docstrings of the package ("P1 (5.14)", "P2 eq 34", "P2 57-61", "(5.14)"), the tests bound
to an equation by the pytest marker ``@pytest.mark.equations("P1 (5.14)", ...)`` (read from the
decorators, and from a module's or class's ``pytestmark``; never from a test's name or
docstring), and the verdicts recorded by the symbolic verification (:mod:`emergent.symbolic`).
A test fails when docs/equations.md is stale.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

__all__ = ["EQUATIONS", "Decided", "Entry", "bound_tests", "build", "decisions", "parse_equation",
           "render", "reproduce_rows", "scan_references"]

P1_SECTIONS = {
    2: ("Neural septuple", 11), 3: ("Supervised vs. unsupervised", 4),
    4: ("Statistical ensembles", 10), 5: ("Partition function", 14),
    6: ("Learning equilibrium", 8), 7: ("Thermodynamics of learning", 11),
    8: ("Optimal architecture", 12), 9: ("Deep vs. shallow", 11),
    10: ("Numerical experiments", 5), 11: ("Entropic mechanics", 9),
    12: ("Emergent gravity", 14),
}
P2_SECTIONS = {
    2: ("Neural Networks", 1, 9), 3: ("Thermodynamics of Learning", 10, 17),
    4: ("Entropic Mechanics", 18, 27), 5: ("Quantum Mechanics", 28, 36),
    6: ("Hamiltonian Mechanics", 37, 48), 7: ("Hidden Variables", 49, 65),
    8: ("Relativistic Strings", 66, 76), 9: ("Emergent Gravity", 77, 96),
    10: ("Holography", 97, 102),
}


def _all_equations() -> list[tuple[str, str, str]]:
    eqs = []
    for sec, (title, count) in P1_SECTIONS.items():
        eqs += [("P1", f"{sec}.{k}", f"§{sec} {title}") for k in range(1, count + 1)]
    for sec, (title, first, last) in P2_SECTIONS.items():
        eqs += [("P2", str(k), f"§{sec} {title}") for k in range(first, last + 1)]
    return eqs


EQUATIONS: list[tuple[str, str, str]] = _all_equations()
"""Every numbered equation of both papers: (paper, number, section), e.g. ("P2", "34", ...)."""
_KNOWN = {(p, n) for p, n, _ in EQUATIONS}

# "P1 (5.14)", "P1 5.14", "P1 eq 5.14", "P2 eq. (34)", "P2 57-61", "P2 (32)-(33)", "P1 2.10-2.11",
# and comma lists after the tag: "P1 5.9, 5.11, 5.13-5.14", "P2 29, 30"
_NUM = r"\(?\d+(?:\.\d+)?\)?(?:\s*(?:-|–|to)\s*\(?\d+(?:\.\d+)?\)?)?"
_TAGGED = re.compile(
    rf"\bP([12])\s*(?:,\s*)?(?:eqs?\.?\s*|equations?\s*)?({_NUM}(?:\s*(?:,|and)\s*{_NUM})*)"
)
_ITEM = re.compile(r"\(?(\d+(?:\.\d+)?)\)?(?:\s*(?:-|–|to)\s*\(?(\d+(?:\.\d+)?)\)?)?")
# a bare dotted number in parentheses is unambiguously P1: "(5.14)", "(2.1)-(2.3)"
_DOTTED = re.compile(r"\((\d{1,2}\.\d{1,2})\)(?:\s*(?:-|–)\s*\((\d{1,2}\.\d{1,2})\))?")
def _expand(paper: str, first: str, last: str | None) -> list[tuple[str, str]]:
    if last is None:
        return [(paper, first)] if (paper, first) in _KNOWN else []
    if "." in first and "." in last:
        s1, k1 = map(int, first.split("."))
        s2, k2 = map(int, last.split("."))
        if s1 != s2 or k2 < k1:
            return [e for e in ((paper, first), (paper, last)) if e in _KNOWN]
        refs = [(paper, f"{s1}.{k}") for k in range(k1, k2 + 1)]
    elif "." not in first and "." not in last:
        a, b = int(first), int(last)
        if b < a or b - a > 30:
            return [e for e in ((paper, first), (paper, last)) if e in _KNOWN]
        refs = [(paper, str(k)) for k in range(a, b + 1)]
    else:
        return []
    return [e for e in refs if e in _KNOWN]


def scan_text(text: str) -> set[tuple[str, str]]:
    """Equation references in a piece of text (a docstring, a comment, a line of code).

    Parameters
    ----------
    text : str
        Free text: "P1 5.14", "P2 eq. (34)", "P2 57-61", a bare dotted "(5.14)" (read as P1)
        and, on a line that names P2 only, bare "(32)".

    Returns
    -------
    set of (str, str)
        (paper, number) pairs, ranges expanded.
    """
    refs: set[tuple[str, str]] = set()
    for m in _TAGGED.finditer(text):
        for item in _ITEM.finditer(m.group(2)):
            refs.update(_expand(f"P{m.group(1)}", item.group(1), item.group(2)))
    for m in _DOTTED.finditer(text):
        refs.update(_expand("P1", m.group(1), m.group(2)))
    # P2 equations cited without the tag on a line that names P2: "P2 ... (32) and (33)"
    for line in text.splitlines():
        if "P2" in line and "P1" not in line:
            for m in re.finditer(r"\((\d{1,3})\)", line):
                refs.update(_expand("P2", m.group(1), None))
    return refs


_MARKER_REF = re.compile(r"P([12]) \((\d{1,3}(?:\.\d{1,2})?)\)")


def parse_equation(ref: str) -> tuple[str, str]:
    """One equation named the way the ``equations`` marker names it.

    Parameters
    ----------
    ref : str
        ``"P1 (5.14)"`` or ``"P2 (34)"``: the paper, a space and the number in parentheses.

    Returns
    -------
    (str, str)
        (paper, number), e.g. ("P1", "5.14").

    Raises
    ------
    ValueError
        `ref` is not of that form, or names no numbered equation of P1 §2-12 / P2 §2-10.
    """
    m = _MARKER_REF.fullmatch(ref.strip()) if isinstance(ref, str) else None
    if not m:
        raise ValueError(f"equation must look like 'P1 (5.14)' or 'P2 (34)', got {ref!r}")
    key = (f"P{m.group(1)}", m.group(2))
    if key not in _KNOWN:
        raise ValueError(f"{ref!r} is not a numbered equation of P1 §2-12 or P2 §2-10")
    return key


def _is_equations_marker(node: ast.expr) -> bool:
    """``pytest.mark.equations`` or ``mark.equations`` (the callee of a marker call)."""
    if not (isinstance(node, ast.Attribute) and node.attr == "equations"):
        return False
    inner = node.value
    return (isinstance(inner, ast.Attribute) and inner.attr == "mark") or (
        isinstance(inner, ast.Name) and inner.id == "mark")


def _marker_refs(exprs: list[ast.expr], where: str) -> set[tuple[str, str]]:
    """The equations named by the ``equations`` marker calls among `exprs` (decorators or the
    elements of a ``pytestmark``)."""
    refs: set[tuple[str, str]] = set()
    for expr in exprs:
        if not (isinstance(expr, ast.Call) and _is_equations_marker(expr.func)):
            continue
        if expr.keywords or not expr.args:
            raise ValueError(f"{where}: equations(...) takes one or more equation strings")
        for arg in expr.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise ValueError(f"{where}: equations(...) arguments must be string literals")
            try:
                refs.add(parse_equation(arg.value))
            except ValueError as err:
                raise ValueError(f"{where}: {err}") from None
    return refs


def _pytestmark(body: list[ast.stmt], where: str) -> set[tuple[str, str]]:
    """The equations of a ``pytestmark = marker`` or ``pytestmark = [marker, ...]`` in `body`."""
    refs: set[tuple[str, str]] = set()
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            refs |= _marker_refs(items, where)
    return refs


def _test_bindings(path: Path, rel: str) -> dict[str, set[tuple[str, str]]]:
    """{test node id: equations} for the tests of one file, from the ``equations`` markers."""
    tree = ast.parse(path.read_text())
    module = _pytestmark(tree.body, rel)
    out: dict[str, set[tuple[str, str]]] = {}

    def visit(body: list[ast.stmt], prefix: str, inherited: set[tuple[str, str]]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                    "test"):
                nodeid = f"{prefix}::{node.name}"
                refs = inherited | _marker_refs(node.decorator_list, nodeid)
                if refs:
                    out[nodeid] = refs
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                where = f"{prefix}::{node.name}"
                refs = inherited | _marker_refs(node.decorator_list, where)
                visit(node.body, where, refs | _pytestmark(node.body, where))

    visit(tree.body, rel, module)
    return out


def bound_tests(root: Path) -> dict[tuple[str, str], set[str]]:
    """The tests bound to each equation by the ``equations`` pytest marker.

    Only the marker binds: ``@pytest.mark.equations("P1 (5.14)", "P2 (34)")`` on a test
    function (or on a ``Test*`` class, or as a module's or class's ``pytestmark``). Test names
    and docstrings are never read.

    Parameters
    ----------
    root : Path
        The repository root (``tests/`` below it).

    Returns
    -------
    dict of (str, str) to set of str
        (paper, number) to the node ids (``tests/path.py::test_name``, or
        ``tests/path.py::TestClass::test_name``) of the tests bound to it.

    Raises
    ------
    ValueError
        A marker names something that is not an equation of the papers (with the test's id).
    """
    tests: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted((root / "tests").rglob("test_*.py")):
        for nodeid, refs in _test_bindings(path, path.relative_to(root).as_posix()).items():
            for ref in refs:
                tests[ref].add(nodeid)
    return dict(tests)


@dataclass
class Entry:
    """One equation's row in the ledger: where it lives in the code, the simulations that
    declare it, the tests bound to it (``equations`` marker), the reproduce rows that decide it,
    the symbolic checks (or the review) that decide it, and its verdict with the correction."""

    paper: str
    number: str
    section: str
    code: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)
    simulations: set[str] = field(default_factory=set)
    rows: set[str] = field(default_factory=set)
    decided_by: set[str] = field(default_factory=set)
    verdict: str = ""
    note: str = ""


# modules that cite equations to document them, not to implement them (the ledger itself, the
# hand review and the LaTeX corrections of docs/verification.md)
_NOT_IMPLEMENTATIONS = {"emergent/runs/ledger.py", "emergent/symbolic/review.py",
                        "emergent/symbolic/corrections.py"}


def scan_references(root: Path) -> tuple[dict, dict]:
    """Where the source and the tests under `root` cite each equation.

    Parameters
    ----------
    root : Path
        The repository root (``emergent/`` and ``tests/`` below it).

    Returns
    -------
    code : dict of (str, str) to set of str
        (paper, number) to the source files whose docstrings cite it.
    tests : dict of (str, str) to set of str
        (paper, number) to the tests bound to it by the ``equations`` marker
        (:func:`bound_tests`).
    """
    code: dict[tuple[str, str], set[str]] = defaultdict(set)
    tests: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted((root / "emergent").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in _NOT_IMPLEMENTATIONS:
            continue
        tree = ast.parse(path.read_text())
        module_refs = scan_text(ast.get_docstring(tree) or "")
        for ref in module_refs:
            code[ref].add(rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                if node.name.startswith("_"):
                    continue
                for ref in scan_text(ast.get_docstring(node) or ""):
                    code[ref].add(f"{rel}:{node.name}")
    tests.update(bound_tests(root))
    return code, tests


class Decided(NamedTuple):
    """One verdict on one equation: from a symbolic check (``source`` is its key) or from the
    hand review (``source`` is ``"review"``, with the tests that evaluate the corrected form)."""

    verdict: str
    correction: str
    source: str


def decisions() -> dict[tuple[str, str], list[Decided]]:
    """Every verdict recorded for each equation, without running anything.

    A symbolic check gives a verdict only to the equations it declares it decides
    (:data:`emergent.symbolic.checks.RECORDED`), each with its own correction; the hand review
    (:data:`emergent.symbolic.review.REVIEWED`) adds the verdicts no check encodes.

    Returns
    -------
    dict of (str, str) to list of Decided
        (paper, number) to its verdicts, in the order recorded.
    """
    from emergent.symbolic.checks import recorded_verdicts
    from emergent.symbolic.review import REVIEWED

    out: dict[tuple[str, str], list[Decided]] = defaultdict(list)
    for equation, verdict, correction, key in recorded_verdicts():
        out[parse_equation(equation)].append(Decided(verdict, correction, key))
    for r in REVIEWED:
        out[parse_equation(r.equation)].append(Decided(r.verdict, r.correction, "review"))
    return dict(out)


def reproduce_rows(root: Path) -> dict[tuple[str, str], set[str]]:
    """The reproduce rows (:class:`emergent.runs.registry.Check`) that declare they decide each
    equation, read from the source of ``emergent/runs/simulations/`` (nothing is run).

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    dict of (str, str) to set of str
        (paper, number) to ``"simulation: claim"`` for every ``Check(..., decides=(...))``
        whose ``decides`` names it (string literals only).

    Raises
    ------
    ValueError
        A ``decides`` entry is not an equation of the papers (with the file and line).
    """
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted((root / "emergent" / "runs" / "simulations").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Check"):
                continue
            decides = [k.value for k in node.keywords if k.arg == "decides"]
            if not decides:
                continue
            claim = node.args[0] if node.args else None
            text = claim.value if isinstance(claim, ast.Constant) else ast.unparse(claim or node)
            where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
            items = decides[0].elts if isinstance(decides[0], ast.Tuple | ast.List) else []
            for item in items:
                if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                    continue
                try:
                    out[parse_equation(item.value)].add(
                        f"{path.stem.replace('_', '-')}: {str(text)[:60]}")
                except ValueError as err:
                    raise ValueError(f"{where}: decides: {err}") from None
    return dict(out)


# Equations with nothing to check, and why (the ledger shows the reason instead of a verdict).
NOT_CHECKABLE: dict[tuple[str, str], str] = {
    ("P1", "11.2"): "quasi-stationarity assumption dQ/dbeta ~ 0, not an identity",
    ("P1", "11.3"): "definition of the constraints Theta",
    ("P1", "11.4"): "definition of the ensemble of constraints",
    ("P1", "12.1"): "definition of the action",
    ("P1", "12.4"): "notation: g_ab,m = dg_ab/dx^m",
    ("P2", "90"): "notation: g_ab,m = dg_ab/dx^m",
    ("P1", "12.7"): "symmetry convention imposed on L (garbled in the extracted text)",
    ("P1", "12.8"): "symmetry convention imposed on L",
    ("P2", "79"): "definition of the action",
    ("P2", "80"): "definition of the energy-momentum density",
    ("P2", "81"): "definition of L_M",
    ("P2", "83"): "definition of the action of matter",
    ("P2", "85"): "definition of T_mn",
    ("P2", "101"): "conjectured holographic correspondence stated with '~', nothing to check",
    ("P2", "102"): "conjectured holographic correspondence stated with '~', nothing to check",
}

_ORDER = ("FAILS", "HOLDS WITH CORRECTION", "UNDECIDED", "HOLDS")


def _verdict(found: list[Decided]) -> tuple[str, str]:
    """The ledger verdict and note of an equation from its recorded verdicts: the worst one,
    with the corrections of every non-HOLDS verdict (each once)."""
    worst = min(found, key=lambda d: _ORDER.index(d.verdict))
    notes: list[str] = []
    for d in found:
        if d.verdict != "HOLDS" and d.correction and d.correction not in notes:
            notes.append(d.correction)
    return worst.verdict.lower(), "; ".join(notes)


def _sources(found: list[Decided]) -> set[str]:
    """The deciding checks, gravity checks of every dimension folded into one ``-{2,3,4}d``."""
    keys = sorted({d.source for d in found})
    folded: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        stem, _, dim = k.rpartition("-")
        if dim in ("2d", "3d", "4d"):
            folded[stem].append(dim[0])
        else:
            folded[k] = []
    return {f"{k}-{{{','.join(v)}}}d" if v else k for k, v in folded.items()}


def build(root: Path) -> list[Entry]:
    """The ledger rows for every equation in scope, from the source tree at `root`.

    The verdict of an equation comes only from the checks that declare they decide it (and the
    hand review); "holds (numerical test)" only from tests bound to it by the ``equations``
    marker; an equation named only as context by a check gets nothing from that check.

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    list of Entry
        One per equation of :data:`EQUATIONS`: the simulations, code and tests that exercise
        it, the checks and reproduce rows that decide it, and its verdict.
    """
    from emergent.runs.registry import all_simulations
    from emergent.symbolic.review import NOTES as REVIEW_NOTES

    code, tests = scan_references(root)
    found_all = decisions()
    rows = reproduce_rows(root)
    entries = {(p, n): Entry(p, n, s) for p, n, s in EQUATIONS}
    for sim in all_simulations():
        for eq in sim.equations:
            for ref in scan_text(eq):
                entries[ref].simulations.add(sim.name)
    for ref, locs in code.items():
        entries[ref].code |= locs
    for ref, names in tests.items():
        entries[ref].tests |= names
    for ref, names in rows.items():
        entries[ref].rows |= names
    for ref, entry in entries.items():
        found = found_all.get(ref, [])
        if found:
            entry.verdict, entry.note = _verdict(found)
            entry.decided_by = _sources(found)
        elif entry.tests:
            entry.verdict = "holds (numerical test)"
        elif ref in NOT_CHECKABLE:
            entry.verdict = "nothing to check"
            entry.note = NOT_CHECKABLE[ref]
        elif entry.code or entry.simulations:
            entry.verdict = "implemented, not tested"
        else:
            entry.verdict = "not covered"
            entry.note = "no module, simulation or test of emergent cites it"
        review = REVIEW_NOTES.get(f"{ref[0]} ({ref[1]})")
        if review:
            entry.note = f"{entry.note}; review: {review}" if entry.note else f"review: {review}"
    return [entries[(p, n)] for p, n, _ in EQUATIONS]


def _cell(items: set[str], limit: int = 3) -> str:
    items_sorted = sorted(items)
    more = f" (+{len(items_sorted) - limit})" if len(items_sorted) > limit else ""
    return "<br>".join(f"`{i}`" for i in items_sorted[:limit]) + more if items_sorted else "-"


def _mutation_scores() -> dict[str, tuple[int, int]]:
    """{section: (killed, mutations)} of the published mutation check (docs/mutations.json,
    written by `emergent mutate --write docs/mutations.md`); empty when there is none."""
    path = Path(__file__).resolve().parents[2] / "docs" / "mutations.json"
    if not path.is_file():
        return {}
    sections = json.loads(path.read_text(encoding="utf-8")).get("sections", {})
    return {k: (int(v[0]), int(v[1])) for k, v in sections.items()}


def render(entries: list[Entry]) -> str:
    """docs/equations.md as text.

    Parameters
    ----------
    entries : list of Entry
        From :func:`build`.

    Returns
    -------
    str
        The Markdown ledger.
    """
    counts: dict[str, int] = defaultdict(int)
    for e in entries:
        counts[e.verdict] += 1
    lines = [
        "# Equation ledger",
        "",
        "Generated by `emergent equations --write docs/equations.md` from the simulation",
        "registry, the references in the source, the tests bound to an equation by",
        "`@pytest.mark.equations(...)`, and the verdicts of the symbolic checks that decide",
        "each equation (`emergent verify`; derivations of every correction in",
        "docs/verification.md). \"decided by\" names the checks (or the hand review) that give",
        "the verdict and the reproduce rows that declare they decide the equation; a check",
        "gives no verdict to an equation it names only as context. Do not edit by hand: a test",
        "fails when this file is stale.",
        "",
        "Verdicts: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + ".",
        "",
    ]
    scores = _mutation_scores()
    current = None
    for e in entries:
        head = f"{e.paper} {e.section}"
        if head != current:
            current = head
            lines += ["", f"## {head}", ""]
            if head in scores:
                killed, total = scores[head]
                lines += [f"Mutation check: {killed} of {total} mutations killed by the bound "
                          "tests (docs/mutations.md).", ""]
            lines += ["| eq | code | simulations | tests | decided by | verdict |",
                      "|---|---|---|---|---|---|"]
        verdict = e.verdict + (f": {e.note}" if e.note else "")
        verdict = verdict.replace("|", "\\|").replace("\n", " ")
        sims = ", ".join(sorted(e.simulations)) or "-"
        decided = sorted(f"`{d}`" for d in e.decided_by) + sorted(
            f"reproduce `{r}`".replace("|", "\\|") for r in e.rows)
        lines.append(f"| ({e.number}) | {_cell(e.code)} | {sims} | {_cell(e.tests, 2)} "
                     f"| {'<br>'.join(decided) or '-'} | {verdict} |")
    return "\n".join(lines) + "\n"
