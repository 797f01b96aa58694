"""The real tools: dbt (with the duckdb adapter) and Feast, run as subprocesses from their own
virtual environment (`make install` creates .venv-tools; VALUECHAIN_TOOLS_BIN points elsewhere).
They are never installed beside the app: their pins clash with the app's own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[3]


def tools_bin() -> Path | None:
    configured = os.environ.get("VALUECHAIN_TOOLS_BIN")
    candidates = [Path(configured)] if configured else [ROOT / ".venv-tools" / "bin"]
    for candidate in candidates:
        if (candidate / "dbt").exists() and (candidate / "feast").exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def tools() -> Path:
    found = tools_bin()
    if found is None:
        service_missing("no tools venv with dbt and feast (make install creates .venv-tools)")
    assert found is not None
    return found


def run_tool(args: list[str], cwd: Path) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))},
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "FEAST_USAGE": "False",
        "DO_NOT_TRACK": "1",
    }
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise AssertionError(f"{args[0]} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


DBT_PROJECT = {
    "dbt_project.yml": """
        name: shop
        version: "1.0"
        profile: shop
        model-paths: ["models"]
    """,
    "profiles/profiles.yml": """
        shop:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: shop.duckdb
    """,
    "models/stg_orders.sql": "select * from {{ source('app', 'orders') }}",
    "models/stg_customers.sql": "select * from {{ source('app', 'customers') }}",
    "models/customer_ltv.sql": """
        select cast(c.id as integer) as customer_id, cast(1.0 as double) as ltv
        from {{ ref('stg_orders') }} o join {{ ref('stg_customers') }} c on true
    """,
}

DBT_SCHEMA = """
    version: 2
    sources:
      - name: app
        description: The shop's application database
        tables:
          - name: orders
            description: Raw orders
          - name: customers
    models:
      - name: stg_orders
        description: Cleaned orders
        meta: {owner: lead-test}
      - name: customer_ltv
        description: Lifetime value per customer
        config:
          contract: {enforced: true}
        columns:
          - name: customer_id
            data_type: integer
            constraints: [{type: not_null}]
          - name: ltv
            data_type: double
    exposures:
      - name: churn_model
        label: Churn model
        type: ml
        owner: {name: Bob, email: bob@example.com}
        depends_on: [ref('customer_ltv')]
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).strip() + "\n")


@pytest.fixture
def dbt_project(tools: Path, tmp_path: Path) -> Callable[..., bytes]:
    """Writes the shop project (with changes) and returns the manifest `dbt parse` made."""
    root = tmp_path / "dbt"

    def parse(files: dict[str, str | None] | None = None, schema: str = DBT_SCHEMA) -> bytes:
        write(root, {**DBT_PROJECT, "models/schema.yml": schema})
        for name, content in (files or {}).items():
            if content is None:
                (root / name).unlink(missing_ok=True)
            else:
                write(root, {name: content})
        run_tool(
            [str(tools / "dbt"), "parse", "--profiles-dir", "profiles", "--no-partial-parse"],
            root,
        )
        return (root / "target" / "manifest.json").read_bytes()

    return parse
