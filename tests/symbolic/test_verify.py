"""`emergent verify` entry point and the verdict ledger."""

import json

import pytest

from emergent.symbolic import EXPECTED, Verdict
from emergent.symbolic.verify import main


def test_verify_only_writes_report_and_json(tmp_path, capsys):
    rep, js = tmp_path / "v.md", tmp_path / "v.json"
    rc = main(["--only", "p2-2*", "--dim", "2", "--report", str(rep), "--json", str(js)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "p2-22" in out and "all verdicts as recorded" in out
    rows = json.loads(js.read_text())
    assert {r["key"] for r in rows} == {"p2-22", "p2-29-30"}
    assert all(r["verdict"] == r["recorded"] and r["as_recorded"] for r in rows)
    assert "P2 22" in rep.read_text()


def test_verify_bad_arguments():
    assert main(["--dim", "7"]) == 2
    assert main(["--only", "no-such-check"]) == 2


def test_verify_detects_changed_verdict(monkeypatch):
    import sys

    ledger = sys.modules["emergent.symbolic.checks"]
    monkeypatch.setitem(EXPECTED, "p2-22", "FAILS")
    orig = ledger.CHECKS

    def patched(dim=3):
        return [(k, f, "FAILS" if k == "p2-22" else v) for k, f, v in orig(dim)]

    monkeypatch.setattr(ledger, "CHECKS", patched)
    assert main(["--only", "p2-22"]) == 1


def test_verdict_rejects_unknown_verdict():
    with pytest.raises(ValueError, match="verdict"):
        Verdict(key="x", equation="P1 1.1", statement="", verdict="MAYBE")


def test_recorded_table_matches_checks():
    """RECORDED (read without running) agrees with the verdicts the runner compares against,
    and with the equation strings the checks report (fast subset run here)."""
    from emergent.symbolic import RECORDED, recorded_verdicts, run_checks

    assert {r.key: r.verdict for r in RECORDED} == EXPECTED
    assert len(recorded_verdicts()) == sum(len(r.decides) for r in RECORDED)
    eqs = {r.key: r.equation for r in RECORDED}
    for v in run_checks(only="*2d", dim=2) + run_checks(only="p2-4*"):
        assert v.equation == eqs[v.key], v.key
        assert v.as_recorded


def test_every_check_decides_its_own_equations_with_their_own_verdicts():
    """One verdict per equation (issue 17): a check that holds decides only equations that hold;
    a check with a correction decides at least one equation that needs one; every decided
    equation is an equation of the papers with its own correction text (none inherited)."""
    from emergent.runs.ledger import parse_equation
    from emergent.symbolic import RECORDED

    for r in RECORDED:
        for d in r.decides:
            parse_equation(d.equation)
            assert (d.verdict == "HOLDS") == (d.correction == ""), (r.key, d.equation)
        verdicts = {d.verdict for d in r.decides}
        if r.verdict == "HOLDS":
            assert verdicts <= {"HOLDS"}, r.key
        else:
            assert verdicts - {"HOLDS"}, r.key
    corrections = [d.correction for r in RECORDED for d in r.decides if d.correction]
    # a correction names the equation it corrects, or is shared only by the two papers' copies
    # of one statement (P1 12.9 / P2 91, P1 12.10 / P2 92) across dimensions
    shared = {c for c in corrections if corrections.count(c) > 1}
    for c in shared:
        owners = {d.equation for r in RECORDED for d in r.decides if d.correction == c}
        assert owners in ({"P1 (12.9)", "P2 (91)"}, {"P1 (12.10)", "P2 (92)"}), owners


def test_no_equation_inherits_another_equations_correction():
    """The rows issue 17 found carrying a neighbour's correction now hold (or carry their own)."""
    from pathlib import Path

    from emergent.runs.ledger import build

    rows = {(e.paper, e.number): e for e in build(Path(__file__).resolve().parents[2])}
    for ref in [("P1", "8.10"), ("P1", "8.5"), ("P1", "5.14"), ("P1", "6.1"), ("P1", "9.10"),
                ("P2", "95"), ("P2", "88"), ("P1", "9.1"), ("P1", "9.2"), ("P1", "9.3"),
                ("P1", "11.6"), ("P1", "11.8"), ("P1", "11.9"), ("P2", "31")]:
        assert not rows[ref].verdict.startswith("holds with correction"), (ref, rows[ref].note)
    assert "kappa T_mn" in rows[("P1", "12.12")].note
    assert "Onsager" not in rows[("P1", "12.12")].note
    assert "1 + beta lambda_i" in rows[("P1", "8.11")].note


def test_report_covers_every_corrected_or_failing_equation():
    """Issue 17 item 5: docs/verification.md (verify --report) gives, for every equation the
    ledger marks "holds with correction" or "fails", the printed form, the corrected form and
    the derivation in LaTeX, with the check that decides it; and no stale entry."""
    from pathlib import Path

    from emergent.runs.ledger import build
    from emergent.symbolic.corrections import CORRECTIONS
    from emergent.symbolic.verify import corrected_equations, markdown_report

    ledger = {f"{e.paper} ({e.number})": e.verdict for e in build(Path(__file__).parents[2])}
    marked = {eq for eq, v in ledger.items() if v in ("holds with correction", "fails")}
    assert marked == set(corrected_equations()) == set(CORRECTIONS)
    report = markdown_report([], "emergent verify")
    for eq, (verdict, keys) in corrected_equations().items():
        c = CORRECTIONS[eq]
        assert f"### {eq}: {verdict.lower()}" in report
        assert c.printed in report and c.corrected in report and c.derivation in report
        for text in (c.printed, c.corrected):
            assert text.startswith("$$") and text.endswith("$$"), eq  # display LaTeX
        assert "$" in c.derivation, eq
        assert c.printed != c.corrected, eq
        assert keys, eq


def test_review_entries_are_bound_and_parse():
    """Every hand-review verdict names tests that are bound to that equation by the marker."""
    from pathlib import Path

    from emergent.runs.ledger import bound_tests, parse_equation
    from emergent.symbolic.review import NOTES, REVIEWED

    bound = bound_tests(Path(__file__).parents[2])
    for r in REVIEWED:
        ref = parse_equation(r.equation)
        assert r.tests and set(r.tests) <= bound.get(ref, set()), r.equation
    for eq in NOTES:
        parse_equation(eq)
