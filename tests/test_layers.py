"""The import contracts of pyproject.toml hold, and a deliberate violation is caught.

`make lint` runs the same checker; these tests show that it is not vacuous: the engine
importing Django breaks the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("valuechain", "contracts", "deployments")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_project(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_engine_importing_django_breaks_the_build(tmp_path: Path):
    project = copy_project(tmp_path)
    finance = project / "valuechain" / "engine" / "finance.py"
    finance.write_text(finance.read_text() + "\nfrom django.db import models  # noqa\n")

    result = lint_imports(project)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "valuechain.engine is not allowed to import django" in result.stdout
    assert "valuechain.engine.finance -> django" in result.stdout
