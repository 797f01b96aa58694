"""The shape of the code: the import contracts of pyproject.toml hold and catch violations, no
module imports itself back through others, no import hides in a function, presentation code
leaves the ORM to selectors and services, and modules stay small enough to read.

`make lint` runs the same import contracts; these tests show that they are not vacuous.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("valuechain", "contracts", "deployments")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 600
# Long by nature: the demo company's data.
SIZE_EXEMPT = {"valuechain/demo.py", "contracts/demo.py", "deployments/demo.py"}


def _sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


SOURCES = _sources()


# --- import contracts ------------------------------------------------------------------------


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


VIOLATIONS = [
    pytest.param(
        "valuechain/engine/finance.py",
        "from django.db import models",
        ["valuechain.engine is not allowed to import django", "valuechain.engine.finance"],
        id="the engine imports Django",
    ),
    pytest.param(
        "contracts/compatibility/check.py",
        "from contracts import models",
        ["contracts.compatibility is not allowed to import contracts.models"],
        id="the compatibility checker reads the database",
    ),
    pytest.param(
        "valuechain/ideas/selectors.py",
        "from valuechain.ideas import services",
        ["valuechain.ideas.selectors -> valuechain.ideas.services"],
        id="a selector writes",
    ),
    pytest.param(
        "valuechain/catalogue/services.py",
        "from contracts.registry import selectors",
        ["valuechain.catalogue.services -> contracts.registry.selectors"],
        id="the catalogue reads contracts",
    ),
    pytest.param(
        "valuechain/models/__init__.py",
        "from valuechain.ideas import views",
        ["valuechain.models -> valuechain.ideas.views"],
        id="the core imports a page",
    ),
]


@pytest.mark.parametrize("module, line, expected", VIOLATIONS)
def test_a_deliberate_violation_breaks_the_build(tmp_path: Path, module, line, expected):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    for text in expected:
        assert text in result.stdout


# --- cycles and hidden imports ---------------------------------------------------------------


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

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
    return cycles


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    modules = {m for m in graph.modules if ".migrations" not in m}
    # A package's __init__ importing nothing is no step in a cycle: skip packages' own node
    # unless they import something themselves.
    edges = {
        m: {i for i in graph.find_modules_directly_imported_by(m) if i in modules} for m in modules
    }
    assert _cycles(edges) == []


def test_the_cycle_search_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def _imports_in_functions(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    found.append((inner.lineno, inner.module))
                elif isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
    return found


def test_no_project_import_hides_in_a_function():
    """An import inside a function is how cycles get hidden: none of the project's own."""
    hidden = {
        name: found
        for name, path in SOURCES.items()
        if (
            found := [
                (line, module)
                for line, module in _imports_in_functions(ast.parse(path.read_text()))
                if module.split(".")[0] in PACKAGES
            ]
        )
    }
    assert hidden == {}


# --- presentation and size -------------------------------------------------------------------

# Views, API views, serializers and template tags validate, call a selector or a service and
# render: no query or write of their own.
PRESENTATION = re.compile(r"(^|\.)(views|serializers|\w+_views|\w+_serializers|templatetags\.\w+)$")
# (`.update(` and `.save(` are left out: dicts and DRF serializers have them too.)
ORM = re.compile(
    r"\.objects\b|\.filter\(|\.exclude\(|\.values_list\(|\.annotate\(|select_related|"
    r"prefetch_related|\.delete\(|\btransaction\b"
)


def test_presentation_leaves_the_orm_to_selectors_and_services():
    presentation = {name: path for name, path in SOURCES.items() if PRESENTATION.search(name)}
    assert len(presentation) > 15  # the pattern finds the pages, the API and the tags
    offending = {
        name: sorted(set(ORM.findall(path.read_text()))) for name, path in presentation.items()
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_modules_stay_readable():
    long = {
        rel: lines
        for path in SOURCES.values()
        if (rel := str(path.relative_to(ROOT))) not in SIZE_EXEMPT
        and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
