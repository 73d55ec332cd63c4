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

    assert {k: v for k, _, v, _ in RECORDED} == EXPECTED
    assert len(recorded_verdicts()) == len(RECORDED)
    eqs = {k: e for k, e, _, _ in RECORDED}
    for v in run_checks(only="*2d", dim=2) + run_checks(only="p2-4*"):
        assert v.equation == eqs[v.key], v.key
        assert v.as_recorded
