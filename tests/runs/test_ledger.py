"""The equation ledger docs/equations.md (issue 9): reference parsing and staleness."""

from pathlib import Path

from emergent.runs.ledger import EQUATIONS, _testname_refs, build, render, scan_text

ROOT = Path(__file__).resolve().parents[2]


def test_every_equation_in_scope_is_listed_once():
    keys = [(p, n) for p, n, _ in EQUATIONS]
    assert len(keys) == len(set(keys)) == 109 + 102
    assert ("P1", "12.14") in keys and ("P2", "102") in keys and ("P1", "1.1") not in keys


def test_reference_parsing():
    assert scan_text("the Schrodinger equation (P2 eq 34)") == {("P2", "34")}
    assert scan_text("P2 57-61") == {("P2", str(k)) for k in range(57, 62)}
    assert scan_text("log Z (5.14) and (2.1)-(2.3)") == {
        ("P1", "5.14"), ("P1", "2.1"), ("P1", "2.2"), ("P1", "2.3")}
    assert scan_text("P1 2.10-2.11") == {("P1", "2.10"), ("P1", "2.11")}
    assert scan_text("P2: Madelung pair (32) and (33)") == {("P2", "32"), ("P2", "33")}
    assert scan_text("P1 (99.1), P2 (400)") == set()  # not equations of the papers
    assert _testname_refs("test_p1_eq2_1_2_3_feedforward") == {
        ("P1", "2.1"), ("P1", "2.2"), ("P1", "2.3")}
    assert _testname_refs("test_p2_eq34_norm") == {("P2", "34")}


def test_docs_equations_md_is_not_stale():
    """Regenerate with `emergent equations --write docs/equations.md`."""
    current = (ROOT / "docs" / "equations.md").read_text()
    assert current == render(build(ROOT)), "docs/equations.md is stale: regenerate it"
