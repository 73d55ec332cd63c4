"""The equation ledger docs/equations.md (issues 9, 17): reference parsing, marker binding,
staleness."""

import textwrap
from pathlib import Path

import pytest

from emergent.runs.ledger import (
    EQUATIONS,
    bound_tests,
    build,
    parse_equation,
    render,
    scan_text,
)

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


def _tree(tmp_path, text):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(textwrap.dedent(text))
    return bound_tests(tmp_path)


def test_only_the_equations_marker_binds(tmp_path):
    """Decorators, a module's and a class's pytestmark bind; names and docstrings do not."""
    found = _tree(tmp_path, '''
        import pytest
        from pytest import mark

        pytestmark = [pytest.mark.slow, pytest.mark.equations("P2 (19)")]

        def test_p1_eq5_14_named_but_not_bound():
            """P1 (5.14), P2 (34): mentioned, not bound."""

        @pytest.mark.parametrize("k", [1, 2])
        @pytest.mark.equations("P1 (5.14)", "P2 (34)")
        def test_bound(k):
            pass

        @mark.equations("P1 (12.12)")
        class TestGroup:
            pytestmark = pytest.mark.equations("P2 (95)")

            def test_member(self):
                pass

        def helper():
            pass
    ''')
    f = "tests/test_x.py"
    assert found[("P2", "19")] == {f"{f}::test_p1_eq5_14_named_but_not_bound",
                                   f"{f}::test_bound", f"{f}::TestGroup::test_member"}
    assert found[("P1", "5.14")] == found[("P2", "34")] == {f"{f}::test_bound"}
    assert found[("P1", "12.12")] == found[("P2", "95")] == {f"{f}::TestGroup::test_member"}
    assert set(found) == {("P2", "19"), ("P1", "5.14"), ("P2", "34"), ("P1", "12.12"),
                          ("P2", "95")}


def test_names_and_docstrings_alone_bind_nothing(tmp_path):
    found = _tree(tmp_path, '''
        def test_p2_eq34_coherent_state():
            """P2 (34), P1 (5.14)."""
    ''')
    assert found == {}


@pytest.mark.parametrize("bad", ['"P1 5.14"', '"P3 (1)"', '"P1 (1.1)"', '"P2 (400)"', "name"])
def test_a_malformed_marker_is_an_error_naming_the_test(tmp_path, bad):
    with pytest.raises(ValueError, match="test_y"):
        _tree(tmp_path, f'''
            import pytest

            @pytest.mark.equations({bad})
            def test_y():
                pass
        ''')


def test_parse_equation():
    assert parse_equation("P1 (5.14)") == ("P1", "5.14")
    assert parse_equation("P2 (102)") == ("P2", "102")
    with pytest.raises(ValueError, match="P1"):
        parse_equation("P1 (5.15)")


def test_the_repository_markers_parse():
    """Every equations(...) marker under tests/ names an equation of the papers."""
    found = bound_tests(ROOT)
    assert ("P2", "34") in found and ("P1", "5.14") in found


def test_docs_equations_md_is_not_stale():
    """Regenerate with `emergent equations --write docs/equations.md`."""
    current = (ROOT / "docs" / "equations.md").read_text()
    assert current == render(build(ROOT)), "docs/equations.md is stale: regenerate it"


def test_reproduce_rows_declare_what_they_decide(tmp_path):
    sims = tmp_path / "emergent" / "runs" / "simulations"
    sims.mkdir(parents=True)
    (sims / "my_sim.py").write_text(textwrap.dedent('''
        def checks(data):
            return [Check("P2 (19)-(20): density obeys FP", "x", "y", True,
                          decides=("P2 (19)", "P2 (20)")),
                    Check("context only", "x", "y", True)]
    '''))
    from emergent.runs.ledger import reproduce_rows

    rows = reproduce_rows(tmp_path)
    assert rows == {("P2", "19"): {"my-sim: P2 (19)-(20): density obeys FP"},
                    ("P2", "20"): {"my-sim: P2 (19)-(20): density obeys FP"}}
    (sims / "bad.py").write_text('Check("c", "x", "y", True, decides=("P2 19",))\n')
    with pytest.raises(ValueError, match="bad.py:1"):
        reproduce_rows(tmp_path)


def test_the_ledger_shows_reproduce_rows_and_deciding_checks():
    rows = {(e.paper, e.number): e for e in build(ROOT)}
    assert any("hamilton-jacobi" in r for r in rows[("P2", "42")].rows)
    assert rows[("P2", "42")].decided_by == {"p2-42"}
    assert rows[("P1", "12.10")].decided_by == {"total-divergence-{2,3,4}d"}
    assert rows[("P1", "8.10")].verdict == "holds"
    assert rows[("P2", "77")].verdict == "holds with correction"
    assert rows[("P1", "4.5")].verdict != "holds (numerical test)"
