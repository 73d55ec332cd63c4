"""The API reference (issue 14 item 7): docs/api/ is up to date and every public name documented.

``docs/make_api.py`` writes one Markdown page a public module from the docstrings (with pdoc).
These tests regenerate it into a temporary folder and compare (no network), and check that every
public module, function, class and method has a docstring, and that a public function or method
that takes parameters has a numpydoc ``Parameters`` section (and ``Returns`` when it returns a
value). All offenders are reported in one message, grouped by package.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

pdoc_doc = pytest.importorskip("pdoc.doc")

# Public names that need no docstring / sections, with the reason. Keep it short.
ALLOWLIST: dict[str, str] = {
    "emergent.__version__": "the version string",
}

_PARAMETERS = re.compile(r"^\s*(Parameters|Other Parameters)\s*\n\s*-{3,}\s*$", re.MULTILINE)
_RETURNS = re.compile(r"^\s*(Returns|Yields)\s*\n\s*-{3,}\s*$", re.MULTILINE)


def _load_make_api() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_api = _load_make_api()


def _top_level_assignments(module: ModuleType) -> set[str]:
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return set()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Assign | ast.AnnAssign):
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _is_property(doc: object) -> bool:
    return any("property" in d for d in getattr(doc, "decorators", ()))


def _function_problems(doc: object, method: bool) -> list[str]:
    text = doc.docstring  # type: ignore[attr-defined]
    if not text.strip():
        return ["no docstring"]
    if _is_property(doc):
        return []
    try:
        sig = doc.signature_without_self if method else doc.signature  # type: ignore[attr-defined]
    except Exception:  # builtins without a signature: nothing more to check
        return []
    problems = []
    if sig.parameters and not _PARAMETERS.search(text):
        problems.append("no Parameters section")
    returns = sig.return_annotation
    if returns not in (inspect.Signature.empty, None, "None") and not _RETURNS.search(text):
        problems.append("no Returns section")
    return problems


def docstring_offenders() -> list[tuple[str, str, str]]:
    """(module, qualified name, problem) for every public name that breaks the rules."""
    offenders: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def report(module: str, qualname: str, problems: list[str]) -> None:
        if f"{module}.{qualname}" in ALLOWLIST:
            return
        offenders.extend((module, qualname, p) for p in problems)

    for name in make_api.module_names(ROOT):
        module = pdoc_doc.Module.from_name(name)
        if not module.docstring.strip():
            report(name, "(module)", ["no module docstring"])
        defined_here = _top_level_assignments(module.obj)
        for doc in make_api.public_members(module):
            home, qualname = doc.taken_from
            if home is None or "<locals>" in (qualname or "") or home.split(".")[0] != "emergent":
                home, qualname = name, doc.qualname  # made by a factory, or a foreign object
            if (home, qualname) in seen:
                continue
            seen.add((home, qualname))
            if doc.kind == "function":
                report(home, qualname, _function_problems(doc, method=False))
            elif doc.kind == "class":
                if not doc.docstring.strip():
                    report(home, qualname, ["no docstring"])
                for member in make_api.class_members(doc, module):
                    if member.kind == "function":
                        problems = _function_problems(member, method=True)
                        report(home, f"{qualname}.{member.name}", problems)
            elif doc.kind == "variable":
                exported = doc.name in (getattr(module.obj, "__all__", None) or ())
                if exported and doc.name in defined_here and not doc.docstring.strip():
                    report(name, doc.name, ["no docstring"])
    return offenders


def format_offenders(offenders: list[tuple[str, str, str]]) -> str:
    """One message: the count per package, then every offender by module."""
    by_package: dict[str, list[str]] = defaultdict(list)
    for module, qualname, problem in offenders:
        parts = module.split(".")
        package = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
        by_package[package].append(f"{module}.{qualname}: {problem}")
    names = len({(module, qualname) for module, qualname, _ in offenders})
    lines = [
        f"{names} public names lack a docstring or numpydoc sections "
        f"({len(offenders)} problems):"
    ]
    lines += ["problems per package:"]
    lines += [f"  {package}: {len(items)}" for package, items in sorted(by_package.items())]
    for package, items in sorted(by_package.items()):
        lines += ["", f"[{package}]"] + [f"  {item}" for item in items]
    return "\n".join(lines)


def test_api_reference_is_up_to_date(tmp_path: Path) -> None:
    pages = make_api.render_all(ROOT)
    make_api.write(pages, tmp_path)
    regenerated = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.md")}
    changed = make_api.stale(regenerated, ROOT / "docs" / "api")
    assert not changed, (
        "docs/api is stale; run `python docs/make_api.py` and commit. Changed: "
        + ", ".join(changed)
    )


def test_api_reference_is_deterministic() -> None:
    first = make_api.render_all(ROOT)
    text = "".join(first.values())
    assert str(ROOT) not in text, "an absolute path leaked into the reference"
    assert not re.search(r" at 0x[0-9a-f]+", text), "a memory address leaked into the reference"


def test_every_public_name_has_a_numpydoc_docstring() -> None:
    offenders = docstring_offenders()
    assert not offenders, format_offenders(offenders)


def test_the_docstring_check_catches_offenders() -> None:
    def documented(x: int) -> int:
        """Double.

        Parameters
        ----------
        x : int

        Returns
        -------
        int
        """
        return 2 * x

    def bare(x: int) -> int:
        """Double."""
        return 2 * x

    def silent(x: int) -> None:
        pass

    def as_doc(fn: object) -> object:
        return pdoc_doc.Function(__name__, fn.__name__, fn, (__name__, fn.__name__))

    assert _function_problems(as_doc(documented), method=False) == []
    assert _function_problems(as_doc(bare), method=False) == [
        "no Parameters section",
        "no Returns section",
    ]
    assert _function_problems(as_doc(silent), method=False) == ["no docstring"]
    message = format_offenders([("emergent.x.y", "f", "no docstring")])
    assert "emergent.x: 1" in message and "emergent.x.y.f: no docstring" in message
