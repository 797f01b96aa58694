"""The shape of the contracts app: imports run one way, pure rooms stay free of Django, views
leave the ORM to selectors and services, modules stay small enough to read."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "contracts"
MAX_LINES = 600
# Long by nature: the demo company's data.
SIZE_EXEMPT = {"contracts/demo.py"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, tree: ast.Module) -> set[str]:
    """The contracts modules a module imports when it is loaded (module-level statements)."""
    names: set[str] = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {n for n in names if n in MODULES and n != module}


def _graph() -> dict[str, set[str]]:
    return {m: _imported(m, ast.parse(p.read_text(encoding="utf-8"))) for m, p in MODULES.items()}


def test_no_import_cycles_between_contracts_modules() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def _function_level_imports(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines += [
                inner.lineno
                for inner in ast.walk(node)
                if isinstance(inner, (ast.Import, ast.ImportFrom))
            ]
    return lines


def test_no_imports_inside_functions() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := _function_level_imports(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}


PURE = [
    "contracts.compatibility",
    "contracts.odcs",
    "contracts.sla",
    "contracts.enforcement.records",
    "contracts.enforcement.predicates",
    "contracts.enforcement.judging",
    "contracts.registry.diffs",
]


@pytest.mark.parametrize("module", PURE)
def test_pure_rooms_load_without_django(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


# Views, API views, serializers and template tags validate, call a selector or a service, and
# render: no query or write of their own.
PRESENTATION = [
    "contracts/registry/views.py",
    "contracts/registry/forms.py",
    "contracts/enforcement/views.py",
    "contracts/enforcement/forms.py",
    "contracts/api/registry_views.py",
    "contracts/api/registry_serializers.py",
    "contracts/api/enforcement_views.py",
    "contracts/api/enforcement_serializers.py",
    "contracts/templatetags/contract_tags.py",
    "contracts/templatetags/enforcement_tags.py",
]
# (super().create/update are DRF's mixins, which hand the write to perform_create/update.)
ORM = re.compile(r"\.objects\b|\.filter\(|\.exclude\(|select_related|prefetch_related|\.save\(|"
                 r"(?<!super\(\))\.update\(|\.delete\(|\btransaction\b")  # fmt: skip


@pytest.mark.parametrize("path", PRESENTATION)
def test_presentation_leaves_the_orm_to_selectors_and_services(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert ORM.findall(text) == []


def test_template_tags_do_not_import_views() -> None:
    graph = _graph()
    for tags in ("contracts.templatetags.contract_tags", "contracts.templatetags.enforcement_tags"):
        assert not {m for m in graph[tags] if m.endswith("views")}


def test_modules_stay_readable() -> None:
    long = {
        rel: n
        for path in MODULES.values()
        if (rel := str(path.relative_to(ROOT))) not in SIZE_EXEMPT
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
