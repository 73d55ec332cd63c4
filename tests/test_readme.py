"""README.md gives the two set-up commands, and .ci/run runs exactly its test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set-up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_main_job_and_test_commands():
    main_job, tests = _commands()[:2]
    assert main_job.startswith("python3 -m venv") and main_job.endswith("emergent reproduce")
    assert tests.startswith("python3 -m venv") and "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    tests = _commands()[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci


def _api_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.S)


def _body_lines(code: str) -> list[str]:
    return [line for line in code.splitlines()
            if line.strip() and not line.startswith(("import ", "from ", "#"))]


def test_python_api_examples_are_at_most_three_lines_after_the_imports():
    examples = _api_examples()
    assert len(examples) >= 6
    for code in examples:
        assert len(_body_lines(code)) <= 3, code


def test_python_api_examples_run_and_give_what_the_readme_says(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.chdir(tmp_path)
    spaces = []
    for code in _api_examples():
        namespace: dict = {}
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
        spaces.append(namespace)
    by_text = dict(zip(_api_examples(), spaces, strict=True))
    for code, ns in by_text.items():
        if "FokkerPlanckModel" in code:
            assert abs(ns["res"].series["mean"][-1][0] - np.exp(-1.0)) < 2e-4
            assert ns["res"].states.shape == (11, 512)
        if "cycle_permutation" in code:
            assert np.array_equal(ns["res"].final, np.roll(ns["x0"], 16))
        if "LangevinModel" in code:
            assert ns["res"].t[-1] == 1.0 and ns["res"].final.shape == (100_000, 1)
        if "solve_schrodinger" in code:
            qm, g, c = ns["qm"], ns["g"], ns["c"]
            exact = qm.coherent_state(g, c, stiffness=1.0, displacement=2.0, t=1.0)
            assert np.abs(ns["res"].final - exact).max() < 1e-8
            assert abs(c.hbar - np.sqrt(4 * 0.3 * 2.5 / 0.6)) < 1e-12
        if "learning.analyse" in code:
            report = ns["report"]
            assert abs(report["log_det"]) < 1e-10  # det G = 1 for a feed-forward net, P1 (7.7)
            assert report["eigenvalues"].size == 130 and report["bulk_loss"] <= report[
                "boundary_loss"]
        if "emergent.run(" in code:
            assert ns["again"].simulation == "chains" and (tmp_path / "chains.h5").exists()
