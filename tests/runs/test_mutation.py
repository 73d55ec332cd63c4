"""The mutation check `emergent mutate` (issue 17): the table, the harness, the command."""

import hashlib
import json
from pathlib import Path

import pytest

from emergent.cli import main
from emergent.runs import mutation
from emergent.runs.ledger import EQUATIONS
from emergent.runs.mutation import KINDS, MUTATIONS, Mutation, run, select

ROOT = Path(__file__).resolve().parents[2]
KNOWN = {f"{p} ({n})" for p, n, _ in EQUATIONS}


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if ".venv" in path.parts or ".git" in path.parts:
            continue
        h.update(path.as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_every_mutation_applies_once_and_names_real_equations():
    """Each snippet occurs exactly once in its file (a stale table fails here, not silently in
    the run), changes something, has a known kind and names equations of the papers."""
    assert len(MUTATIONS) >= 80
    for m in MUTATIONS:
        text = (ROOT / m.path).read_text(encoding="utf-8")
        assert text.count(m.original) == 1, m.name
        assert m.mutated != m.original and m.kind in KINDS, m.name
        assert set(m.equations) <= KNOWN, m.equations


def test_every_checked_ledger_row_has_a_mutation_with_bound_tests():
    """Every ledger row labelled "holds (numerical test)" or "holds with correction" is named by
    at least one mutation, and every mutation has tests bound to one of its equations."""
    rows = mutation.target_rows(ROOT)
    covered = {e for m in MUTATIONS for e in m.equations}
    assert [r for r in rows if r not in covered] == []
    bound = mutation.bound_tests(ROOT)
    assert [m.name for m in MUTATIONS if not any(bound.get(e) for e in m.equations)] == []


def test_select_by_section_equation_and_sample():
    quantum = select(MUTATIONS, only=["P2 §5"])
    assert quantum and all(any(e in {"P2 (22)", "P2 (28)", "P2 (31)", "P2 (32)", "P2 (33)",
                                     "P2 (34)", "P2 (35)", "P2 (36)"} for e in m.equations)
                           for m in quantum)
    assert select(MUTATIONS, only=["P2 34"]) == select(MUTATIONS, only=["P2 (34)"])
    a = select(MUTATIONS, sample=5, seed=3)
    assert len(a) == 5 and a == select(MUTATIONS, sample=5, seed=3)
    assert a != select(MUTATIONS, sample=5, seed=4)


def _toy_repo(root: Path) -> None:
    (root / "tests").mkdir(parents=True)
    (root / "toy.py").write_text("def add(a, b):\n    return a + b\n\n\n"
                                 "def unused(a):\n    return 2 * a\n")
    (root / "tests" / "test_toy.py").write_text(
        "import pytest\n\nimport toy\n\n\n@pytest.mark.equations(\"P2 (34)\")\n"
        "def test_add():\n    assert toy.add(2, 3) == 5\n")


def test_harness_kills_survives_and_never_touches_the_tree(tmp_path):
    """A toy repository: flipping the tested sign is killed, changing an untested function
    survives, a missing snippet is stale, an equation without tests has none; the tree itself
    is unchanged afterwards (every mutant ran in a temporary copy)."""
    _toy_repo(tmp_path)
    before = _digest(tmp_path)
    table = [Mutation(("P2 (34)",), "toy.py", "return a + b", "return a - b", "sign"),
             Mutation(("P2 (34)",), "toy.py", "return 2 * a", "return 3 * a", "factor"),
             Mutation(("P2 (34)",), "toy.py", "return a * b", "return a / b", "sign"),
             Mutation(("P2 (35)",), "toy.py", "return a + b", "return b + a", "swap")]
    seen = []
    out = run(table, root=tmp_path, workers=2, timeout=120, progress=seen.append)
    assert [o.status for o in out] == ["killed", "survived", "stale", "no tests"]
    assert out[0].detail.endswith("test_add") and out[0].killed and not out[1].killed
    assert len(seen) == 4
    assert _digest(tmp_path) == before
    text = mutation.render(out, command="emergent mutate", seconds=1.0, targets=["P2 (34)"])
    assert "| P2 §5 Quantum Mechanics | 1 | 4 | 25% |" in text
    data = json.loads(mutation.to_json(out, command="x", seconds=1.0, date="d"))
    assert data["sections"] == {"P2 §5 Quantum Mechanics": [1, 4]}


def test_baseline_failure_is_reported(tmp_path):
    _toy_repo(tmp_path)
    (tmp_path / "toy.py").write_text("def add(a, b):\n    return a * b\n")
    with pytest.raises(RuntimeError, match="unmutated tests do not pass"):
        run([Mutation(("P2 (34)",), "toy.py", "return a * b", "return a - b", "sign")],
            root=tmp_path, workers=1, timeout=60)


@pytest.mark.parametrize("argv, message", [
    (["--sample", "0"], "--sample must be an integer 1..10000, got 0"),
    (["--sample", "x"], "--sample must be an integer"),
    (["--workers", "100"], "--workers must be an integer 1..64"),
    (["--timeout", "-1"], "--timeout must be an integer"),
    (["--seed", "-3"], "--seed must be an integer 0.."),
    (["--only", "Q3 (1)"], "is not an equation like"),
    (["--only", "P2 (400)"], "no mutation touches"),
    (["--write", "report.txt"], "--write must name a .md file"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_options_exit_2_in_one_line(capsys, argv, message):
    assert main(["mutate", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_list_prints_each_mutation_with_its_tests(capsys):
    assert main(["mutate", "--list", "--only", "P2 (42)"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("P2 (42)") and "tests)" in line for line in out)


def test_sample_run_kills_every_mutant_and_leaves_the_worktree_alone(tmp_path, capsys):
    """The CI sample: `emergent mutate --sample 4 --seed 0 --only "P2 §7" "P2 §8"` (fast
    chain tests); every sampled mutant is killed, the report is written, the worktree is
    unchanged."""
    before = _digest(ROOT / "emergent")
    report = tmp_path / "m.md"
    assert main(["mutate", "--sample", "4", "--seed", "0", "--only", "P2 §7", "P2 §8",
                 "--workers", "2", "--quiet", "--write", str(report)]) == 0
    text = report.read_text()
    assert "score: 4/4 killed (100%" in text
    assert json.loads(report.with_suffix(".json").read_text())["mutations"][0]["status"] in (
        "killed", "timeout")
    assert _digest(ROOT / "emergent") == before


def test_ledger_shows_the_published_score_per_section():
    """docs/equations.md (ledger.render) shows the score of docs/mutations.json per section."""
    from emergent.runs import ledger

    path = ROOT / "docs" / "mutations.json"
    if not path.is_file():
        pytest.skip("no published mutation results")
    sections = json.loads(path.read_text())["sections"]
    text = ledger.render(ledger.build(ROOT))
    for sec, (killed, total) in sections.items():
        assert f"## {sec}\n\nMutation check: {killed} of {total} mutations killed" in text
