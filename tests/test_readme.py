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
