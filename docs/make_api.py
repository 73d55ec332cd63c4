"""Generate the API reference of :mod:`emergent` into ``docs/api/`` (Markdown, one file a module).

The reference is built with pdoc's documentation model (:mod:`pdoc.doc`: members, signatures,
numpydoc docstrings converted to Markdown by :func:`pdoc.docstrings.convert`) and written as
compact Markdown, so that it is small enough to commit, diffs well and renders on any forge. The
output is deterministic: no timestamps, no absolute paths, no memory addresses.

Usage::

    python docs/make_api.py            # rewrite docs/api/
    python docs/make_api.py --check    # exit 1 when docs/api/ is stale

``tests/test_api_reference.py`` regenerates the reference into a temporary folder and compares,
and checks that every public name has a docstring with numpydoc sections.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "api"
PACKAGE = "emergent"
INDEX = "README.md"

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_MAX_VALUE = 120


def module_names(root: Path = ROOT) -> list[str]:
    """The public modules of the package, found on disk (no import), sorted.

    A module is public when no component of its dotted name starts with an underscore
    (``__init__`` stands for its package; ``__main__`` is left out).

    Parameters
    ----------
    root : Path
        The repository root that holds the ``emergent`` folder.

    Returns
    -------
    list of str
        Dotted module names, ``emergent`` first.
    """
    names = []
    for path in (root / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") for part in parts):
            continue
        names.append(".".join(parts))
    return sorted(names)


def is_public(doc: object, module: object) -> bool:
    """Whether a pdoc member belongs in the reference (pdoc's own default rule).

    Parameters
    ----------
    doc : pdoc.doc.Doc
        A member of `module` or of one of its classes.
    module : pdoc.doc.Module
        The module being documented.

    Returns
    -------
    bool
        True for names in the module's ``__all__`` and for names without a leading underscore.
    """
    name = doc.name  # type: ignore[attr-defined]
    if name in (getattr(module.obj, "__all__", None) or ()):  # type: ignore[attr-defined]
        return True
    return not name.startswith("_")


def public_members(module: object) -> Iterator[object]:
    """The public pdoc members of `module` that are documented on its page (no submodules).

    Parameters
    ----------
    module : pdoc.doc.Module

    Returns
    -------
    iterator of pdoc.doc.Doc
        Functions, classes and variables, in source (or ``__all__``) order.
    """
    for doc in module.members.values():  # type: ignore[attr-defined]
        if doc.kind != "module" and is_public(doc, module):
            yield doc


def class_members(cls: object, module: object) -> Iterator[object]:
    """The public members defined by class `cls` itself (not inherited).

    Parameters
    ----------
    cls : pdoc.doc.Class
    module : pdoc.doc.Module

    Returns
    -------
    iterator of pdoc.doc.Doc
    """
    for doc in cls.own_members:  # type: ignore[attr-defined]
        if is_public(doc, module) and not doc.name.startswith("_"):
            yield doc


def _clean(text: str) -> str:
    return _ADDRESS.sub("", text).replace(str(ROOT) + "/", "")


def _fence_doctests(text: str) -> str:
    """Put ``>>>`` examples (up to the next blank line) in ``pycon`` code fences."""
    out: list[str] = []
    inside = False
    for line in text.split("\n"):
        if not inside and line.lstrip().startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


def _docstring(doc: object) -> str:
    import pdoc.docstrings

    text = doc.docstring  # type: ignore[attr-defined]
    if not text:
        return "*(no docstring)*"
    return _fence_doctests(_clean(pdoc.docstrings.convert(text, "numpy", None)).strip())


def _class_signature(doc: object) -> str:
    obj = doc.obj  # type: ignore[attr-defined]
    try:
        try:
            sig = inspect.signature(obj, eval_str=True)
        except Exception:  # an annotation that does not evaluate: keep it as text
            sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return ""
    return _clean(str(sig.replace(return_annotation=inspect.Signature.empty)))


def _signature(doc: object, method: bool) -> str:
    try:
        sig = doc.signature_without_self if method else doc.signature  # type: ignore[attr-defined]
    except Exception:  # builtins and C functions may have no signature
        return "(...)"
    return _clean(str(sig))


def _render_variable(doc: object, level: int) -> list[str]:
    annotation = _clean(doc.annotation_str)  # type: ignore[attr-defined]
    value = " ".join(_clean(doc.default_value_str).split())  # type: ignore[attr-defined]
    if len(value) > _MAX_VALUE:
        value = value[: _MAX_VALUE - 3] + "..."
    lines = [_heading(level, f"`{doc.name}`"), ""]  # type: ignore[attr-defined]
    if annotation or value:
        lines += [f"`{doc.name}{annotation}{f' = {value}' if value else ''}`", ""]  # type: ignore[attr-defined]
    if doc.docstring:  # type: ignore[attr-defined]
        lines += [_docstring(doc), ""]
    return lines


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _render_function(doc: object, level: int, method: bool = False) -> list[str]:
    name = doc.name  # type: ignore[attr-defined]
    return [
        _heading(level, f"`{name}`"),
        "",
        "```python",
        f"{doc.funcdef} {name}{_signature(doc, method)}",  # type: ignore[attr-defined]
        "```",
        "",
        _docstring(doc),
        "",
    ]


def render_module(name: str) -> str:
    """The Markdown page of one module.

    Parameters
    ----------
    name : str
        Dotted module name (``emergent.runs.io``).

    Returns
    -------
    str
        The page: module docstring, then each public function, class (with its own public
        methods, properties and attributes) and variable with its signature and docstring.
    """
    import pdoc.doc

    module = pdoc.doc.Module.from_name(name)
    lines = [_heading(1, f"`{name}`"), "", _docstring(module), ""]
    subs = [m.modulename for m in module.submodules if not m.name.startswith("_")]
    if subs:
        lines += ["Submodules: " + ", ".join(f"[`{s}`]({s}.md)" for s in subs), ""]
    for doc in public_members(module):
        kind = doc.kind  # type: ignore[attr-defined]
        if kind == "function":
            lines += _render_function(doc, 2)
        elif kind == "class":
            bases = [b[2] for b in doc.bases if b[2] != "object"]  # type: ignore[attr-defined]
            base = f"({', '.join(bases)})" if bases else ""
            lines += [_heading(2, f"class `{doc.name}{base}`"), ""]  # type: ignore[attr-defined]
            signature = _class_signature(doc)
            if signature:
                lines += ["```python", f"{doc.name}{signature}", "```", ""]  # type: ignore[attr-defined]
            lines += [_docstring(doc), ""]
            for member in class_members(doc, module):
                if member.kind == "function":  # type: ignore[attr-defined]
                    lines += _render_function(member, 3, method=True)
                elif member.kind == "variable" and member.docstring:  # type: ignore[attr-defined]
                    lines += _render_variable(member, 3)
        elif kind == "variable":
            lines += _render_variable(doc, 2)
    return "\n".join(lines).rstrip() + "\n"


def _summary(name: str) -> str:
    import importlib

    doc = inspect.getdoc(importlib.import_module(name)) or ""
    first = doc.strip().split("\n\n")[0]
    return " ".join(first.split())


def render_all(root: Path = ROOT) -> dict[str, str]:
    """Every page of the reference, by file name (``emergent.runs.io.md``, ``README.md``).

    Parameters
    ----------
    root : Path
        The repository root whose ``emergent`` package is documented; it must be the one that
        ``import emergent`` finds.

    Returns
    -------
    dict of str to str
        File name to Markdown text.

    Raises
    ------
    RuntimeError
        ``import emergent`` finds a package outside `root`.
    """
    import emergent

    found = Path(emergent.__file__).resolve().parent
    if found != (root / PACKAGE).resolve():
        raise RuntimeError(f"import emergent finds {found}, not {root / PACKAGE}")
    names = module_names(root)
    pages = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            pages[f"{name}.md"] = render_module(name)
    index = [
        "# API reference of `emergent`",
        "",
        "Generated by `python docs/make_api.py` from the docstrings (numpydoc) with pdoc; do not",
        "edit by hand. `tests/test_api_reference.py` fails when it is stale.",
        "",
    ]
    index += [f"- [`{name}`]({name}.md): {_summary(name)}" for name in names]
    pages[INDEX] = "\n".join(index) + "\n"
    return pages


def write(pages: dict[str, str], output: Path) -> None:
    """Write `pages` into `output`, removing pages of modules that no longer exist.

    Parameters
    ----------
    pages : dict of str to str
        File name to text, from :func:`render_all`.
    output : Path
        The folder (created when missing).
    """
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (output / name).write_text(text, encoding="utf-8")


def stale(pages: dict[str, str], output: Path) -> list[str]:
    """The file names in which `output` differs from `pages` (missing, extra or changed).

    Parameters
    ----------
    pages : dict of str to str
        File name to text, from :func:`render_all`.
    output : Path
        The committed reference folder.

    Returns
    -------
    list of str
        Sorted file names; empty when the reference is up to date.
    """
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in output.glob("*.md")}
    names = set(pages) | set(on_disk)
    return sorted(n for n in names if pages.get(n) != on_disk.get(n))


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate ``docs/api/`` or, with ``--check``, report whether it is stale.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0, or 1 when ``--check`` finds stale pages.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    pages = render_all()
    if args.check:
        changed = stale(pages, args.output)
        for name in changed:
            print(f"stale: {args.output / name}")
        return 1 if changed else 0
    write(pages, args.output)
    print(f"wrote {len(pages)} pages to {args.output}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
