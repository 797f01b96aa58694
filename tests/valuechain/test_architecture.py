"""The shape of the valuechain package: no import cycles, no imports hidden in functions, and
the pure modules free of Django. Read from the source, without importing it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "valuechain"
# Rules and parsing that must run without Django (the engine is checked by its own tests).
PURE = [
    "valuechain.catalogue.rules",
    "valuechain.catalogue.bulk.document",
    "valuechain.catalogue.bulk.parsing",
    "valuechain.catalogue.bulk.checks",
    "valuechain.ideas.rules",
    "valuechain.dashboard.summary",
    "valuechain.estimates",
]


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()
# Importing from an empty package (`from valuechain.catalogue import rules`) imports nothing
# of its own; valuechain itself only starts Celery.
EMPTY = {"valuechain"} | {
    name for name, path in MODULES.items() if path.name == "__init__.py" and not path.read_text()
}


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _imports(tree: ast.AST, *, top: bool = True) -> Iterator[tuple[bool, str]]:
    """(at module level, name) of every import, leaving out `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported(node):
                yield top, name
            continue
        nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _imports(node, top=top and not nested)


def _module_of(name: str) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for top, imported in _imports(ast.parse(path.read_text())):
            target = _module_of(imported)
            if top and target is not None and target != name and target not in EMPTY:
                graph[name].add(target)
    return graph


def test_no_module_imports_itself_back_through_others():
    graph = _graph()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_valuechain_import_hides_in_a_function():
    hidden = [
        (name, imported)
        for name, path in MODULES.items()
        if not name.startswith("valuechain.engine")
        for top, imported in _imports(ast.parse(path.read_text()))
        if not top and imported.startswith("valuechain")
    ]
    assert hidden == []


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_do_not_import_django(name):
    imported = [name for _, name in _imports(ast.parse(MODULES[name].read_text()))]
    assert not [i for i in imported if i.split(".")[0] in {"django", "rest_framework"}]
    # nor another valuechain module that does
    for other in {_module_of(i) for i in imported} - {None} - EMPTY:
        assert other in PURE or other.startswith("valuechain.engine"), other
