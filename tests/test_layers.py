"""The seams of the package (issue 14 item 6): layers, no import cycles, no private imports.

Two independent checks:

* the import-linter contracts in ``.importlinter`` (layers: cli > runs > physics packages >
  evolution, grids > kernels; kernels import nothing else of emergent; no cycles between sibling
  modules; private modules stay in their package), run with ``lint-imports``;
* a static import graph built here with :mod:`ast` (no import of the package, so it is fast and
  sees function-level imports too), on which we check that there is no import cycle, that no
  module imports a private name of another module, and that no registered simulation imports
  another simulation.

Each check is also run on a copy of the package with one violation injected, to show it fails.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "emergent"
SIMULATIONS = "emergent.runs.simulations"

# Known violations, each to be removed by the change that fixes it (the test fails when an entry
# here no longer happens, so the list cannot go stale). None today.
KNOWN_SIMULATION_IMPORTS: set[tuple[str, str]] = set()
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str]] = set()  # (file, code)


# --------------------------------------------------------------------------- the import graph


@dataclass(frozen=True)
class Import:
    """One import statement's edge: `importer` imports `target` (a module of the package)."""

    importer: str
    target: str
    name: str | None  # the name taken from `target` (None: the module itself)
    lineno: int
    type_checking: bool

    def where(self, root: Path) -> str:
        path = module_path(root, self.importer)
        line = path.read_text().splitlines()[self.lineno - 1].strip()
        return f"{path.relative_to(root)}:{self.lineno}: {line}"


def module_path(root: Path, module: str) -> Path:
    base = root.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def package_modules(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def is_package(root: Path, module: str) -> bool:
    return module_path(root, module).name == "__init__.py"


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(root: Path, module: str, modules: dict[str, Path]) -> list[Import]:
    """The package-internal imports of `module`, at any depth (functions included)."""
    tree = ast.parse(modules[module].read_text(), filename=str(modules[module]))
    package = module if is_package(root, module) else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE and alias.name in modules:
                    found.append(Import(module, alias.name, None, node.lineno, type_checking))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != PACKAGE:
                return
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in modules:
                    found.append(Import(module, sub, None, node.lineno, type_checking))
                elif source in modules:
                    found.append(Import(module, source, alias.name, node.lineno, type_checking))
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking or _type_checking_block(node))

    visit(tree, False)
    return found


def import_graph(root: Path) -> list[Import]:
    modules = package_modules(root)
    return [imp for module in modules for imp in imports_of(root, module, modules)]


def is_ancestor(package: str, module: str) -> bool:
    return module.startswith(package + ".")


# --------------------------------------------------------------------------- the checks


def import_cycles(root: Path) -> list[str]:
    """Strongly connected components (size > 1) of the runtime import graph.

    Imports under ``if TYPE_CHECKING`` never run and are left out, and so are the edges from a
    module to its own ancestor packages (``from emergent.symbolic import entropic`` inside
    ``emergent.symbolic.checks``; ``from emergent import __version__``): a package ``__init__``
    that re-exports its modules is not a cycle.
    """
    edges: dict[str, set[str]] = {}
    for imp in import_graph(root):
        if imp.type_checking or is_ancestor(imp.target, imp.importer) or imp.target == imp.importer:
            continue
        edges.setdefault(imp.importer, set()).add(imp.target)
    # Tarjan's algorithm, iterative.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(package_modules(root)):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    report = []
    for component in components:
        members = set(component)
        lines = [
            imp.where(root)
            for imp in import_graph(root)
            if imp.importer in members and imp.target in members and not imp.type_checking
        ]
        report.append(" <-> ".join(component) + "\n    " + "\n    ".join(lines))
    return report


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(root: Path) -> list[str]:
    """Imports of a private name (``_x``) from another module of the package.

    A private *module* may be imported from within its parent package (``_potentials`` by the
    simulations next to it); a private name inside a module never leaves it. Attribute access
    ``alias._x`` on an imported package module counts too.
    """
    modules = package_modules(root)
    bad = []
    for imp in import_graph(root):
        if imp.name is not None:
            if _private(imp.name) and imp.target != imp.importer:
                bad.append(imp.where(root))
            continue
        parts = imp.target.split(".")
        for depth, part in enumerate(parts):
            if _private(part):
                parent = ".".join(parts[:depth])
                if not (imp.importer == parent or is_ancestor(parent, imp.importer)):
                    bad.append(imp.where(root))
                break
    for path in modules.values():
        tree = ast.parse(path.read_text())
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases |= {
                    a.asname or a.name.split(".")[0]
                    for a in node.names
                    if a.name.split(".")[0] == PACKAGE
                }
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                aliases |= {
                    a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in modules
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                line = path.read_text().splitlines()[node.lineno - 1].strip()
                bad.append(f"{path.relative_to(root)}:{node.lineno}: {line}")
    return sorted(set(bad))


def simulation_imports(root: Path) -> dict[tuple[str, str], str]:
    """Registered simulation modules that import another registered simulation module."""

    def is_simulation(module: str) -> bool:
        head, _, last = module.rpartition(".")
        return head == SIMULATIONS and not last.startswith("_")

    return {
        (imp.importer, imp.target): imp.where(root)
        for imp in import_graph(root)
        if is_simulation(imp.importer) and is_simulation(imp.target) and imp.importer != imp.target
    }


def run_import_linter(root: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='.importlinter', no_cache=True, no_logo=True))"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


# --------------------------------------------------------------------------- the tests


def test_import_linter_contracts_hold() -> None:
    pytest.importorskip("importlinter")
    result = run_import_linter(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycles() -> None:
    cycles = import_cycles(ROOT)
    assert not cycles, "import cycles between modules of emergent:\n" + "\n".join(cycles)


def test_no_private_imports_across_modules() -> None:
    bad = private_imports(ROOT)
    new = [b for b in bad if not any(f in b and code in b for f, code in KNOWN_PRIVATE_IMPORTS)]
    assert not new, "private names imported from another module:\n" + "\n".join(new)
    fixed = {
        (f, code) for f, code in KNOWN_PRIVATE_IMPORTS if not any(f in b and code in b for b in bad)
    }
    assert not fixed, f"fixed, remove from KNOWN_PRIVATE_IMPORTS: {sorted(fixed)}"


def test_no_simulation_imports_another() -> None:
    found = simulation_imports(ROOT)
    new = {edge: where for edge, where in found.items() if edge not in KNOWN_SIMULATION_IMPORTS}
    assert not new, (
        "a registered simulation imports another one (move the shared code into the library):\n"
        + "\n".join(new.values())
    )
    fixed = KNOWN_SIMULATION_IMPORTS - set(found)
    assert not fixed, f"fixed, remove from KNOWN_SIMULATION_IMPORTS: {sorted(fixed)}"


# --------------------------------------------------------------------------- the checks fail


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package sources (and .importlinter) in which a test injects a violation."""
    shutil.copytree(
        ROOT / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _append(root: Path, module: str, line: str) -> None:
    path = module_path(root, module)
    path.write_text(path.read_text() + "\n" + line + "\n")


def test_contracts_catch_a_kernel_importing_the_physics(package_copy: Path) -> None:
    pytest.importorskip("importlinter")
    _append(package_copy, "emergent.kernels.compile", "import emergent.stochastic.fokker_planck")
    result = run_import_linter(package_copy)
    assert result.returncode != 0
    assert "Kernels import nothing else of emergent BROKEN" in result.stdout
    assert "emergent.kernels.compile -> emergent.stochastic.fokker_planck" in result.stdout


def test_contracts_catch_physics_importing_runs(package_copy: Path) -> None:
    pytest.importorskip("importlinter")
    _append(package_copy, "emergent.septuple.losses", "from emergent.runs.io import RunData")
    result = run_import_linter(package_copy)
    assert result.returncode != 0
    assert "Physics packages never import runs or the command line BROKEN" in result.stdout


def test_cycle_check_catches_a_cycle(package_copy: Path) -> None:
    _append(package_copy, "emergent.runs.io", "from emergent.runs.ledger import build")
    _append(package_copy, "emergent.runs.ledger", "from emergent.runs import io")
    cycles = import_cycles(package_copy)
    assert any("emergent.runs.io <-> emergent.runs.ledger" in c for c in cycles), cycles


def test_private_check_catches_a_private_import(package_copy: Path) -> None:
    _append(package_copy, "emergent.cli", "from emergent.runs.io import _hidden")
    _append(package_copy, "emergent.grids", "import emergent.evolution as ev\nev._hidden")
    bad = private_imports(package_copy)
    assert any("from emergent.runs.io import _hidden" in b for b in bad), bad
    assert any("ev._hidden" in b for b in bad), bad


def test_simulation_check_catches_a_simulation_import(package_copy: Path) -> None:
    _append(package_copy, f"{SIMULATIONS}.chains", f"from {SIMULATIONS} import fig1")
    assert (f"{SIMULATIONS}.chains", f"{SIMULATIONS}.fig1") in simulation_imports(package_copy)


def test_contracts_catch_physics_packages_importing_each_other(package_copy: Path) -> None:
    pytest.importorskip("importlinter")
    _append(package_copy, "emergent.quantum.grid", "import emergent.chains.continuum")
    _append(package_copy, "emergent.septuple.network", "import emergent.stochastic.langevin")
    result = run_import_linter(package_copy)
    assert result.returncode != 0
    assert "emergent.quantum.grid -> emergent.chains.continuum" in result.stdout
    assert "emergent.septuple.network -> emergent.stochastic.langevin" in result.stdout
