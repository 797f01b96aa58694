"""Benchmark: importing a dbt project of 5,000 models and 2,000 sources with lineage.

Prints, for a synthetic manifest (each model built from one to three earlier models or
sources, as a real DAG), the time of
  - the baseline: parsing the manifest's JSON alone (`json.loads`), measured in the same run;
  - reading it into records (the pure dbt parser);
  - the first import into an empty catalogue (7,000 assets, their lineage);
  - a re-import with no change (the sync every scheduled run does);
  - the dry run of a changed manifest (100 models gone, 100 new sources);
each as a ratio to the baseline, with absolute times. SQLite (a file, as the app runs it) by
default; `--database postgres` or `all` adds PostgreSQL (BENCH_POSTGRES_URL, else DATABASE_URL
when it names PostgreSQL), in a throwaway test database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from valuechain import models as m  # noqa: E402
from valuechain.connectors import dbt, sync  # noqa: E402

MODELS, SOURCES = 5_000, 2_000
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/connectors_bench"


def manifest(models: int = MODELS, sources: int = SOURCES, seed: int = 7) -> bytes:
    """A dbt manifest of the shape dbt writes, with a random DAG over sources and models."""
    rng = random.Random(seed)
    nodes: dict[str, Any] = {}
    source_ids = [f"source.big.raw.table_{i}" for i in range(sources)]
    sources_part = {
        uid: {
            "unique_id": uid,
            "resource_type": "source",
            "name": f"table_{i}",
            "source_name": "raw",
            "database": "warehouse",
            "schema": "raw",
            "description": f"Raw table {i}",
            "meta": {},
        }
        for i, uid in enumerate(source_ids)
    }
    for i in range(models):
        uid = f"model.big.model_{i}"
        earlier = [f"model.big.model_{j}" for j in rng.sample(range(i), min(i, 2))]
        parents = earlier[: rng.randint(0, len(earlier))] + rng.sample(source_ids, 1)
        nodes[uid] = {
            "unique_id": uid,
            "resource_type": "model",
            "name": f"model_{i}",
            "description": f"Model {i}",
            "depends_on": {"macros": [], "nodes": parents},
            "config": {"meta": {}, "contract": {"enforced": False}},
            "columns": {},
            "meta": {},
        }
    return json.dumps(
        {"metadata": {"dbt_version": "1.10"}, "nodes": nodes, "sources": sources_part}
    ).encode()


def changed(data: bytes) -> bytes:
    document = json.loads(data)
    for i in range(100):
        document["nodes"].pop(f"model.big.model_{MODELS - 1 - i}")
        uid = f"source.big.raw.new_{i}"
        document["sources"][uid] = {"resource_type": "source", "name": f"new_{i}"}
    return json.dumps(document).encode()


def timed(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(vendor: str, repeat: int) -> None:
    data = manifest()
    other = changed(data)
    system = str(m.SourceSystem.DBT)

    def apply(document: bytes, dry_run: bool = False) -> dict[str, Any]:
        records = dbt.parse_manifest(json.loads(document))
        return sync.apply_import(system=system, data=records, dry_run=dry_run)

    baseline = timed(lambda: json.loads(data), repeat)
    parse = timed(lambda: dbt.parse_manifest(json.loads(data)), repeat)
    start = time.perf_counter()
    first = apply(data)
    first_time = time.perf_counter() - start
    assert first["created"] == MODELS + SOURCES, first["created"]
    links = sum(
        through.objects.count()
        for through, _, _ in sync.LINKS.values()  # type: ignore[attr-defined]
    )
    again = timed(lambda: apply(data), 1)
    assert apply(data)["unchanged"] == MODELS + SOURCES
    preview = timed(lambda: apply(other, dry_run=True), 1)
    answer = apply(other, dry_run=True)
    assert (answer["retired"], answer["created"]) == (100, 100), answer["retired"]
    print(
        f"{vendor}: manifest {len(data) / 1024 / 1024:.1f} MiB, {MODELS} models, {SOURCES} "
        f"sources, {links} lineage links; median of {repeat} for the parsing rows"
    )
    rows = [
        ("baseline: json.loads of the manifest alone", baseline),
        ("read into records (dbt parser, JSON included)", parse),
        ("first import into an empty catalogue", first_time),
        ("re-import, nothing changed", again),
        ("dry run of a changed manifest", preview),
    ]
    for label, seconds in rows:
        print(f"  {label:<48}{seconds * 1000:9.1f} ms  {seconds / baseline:7.1f}x the baseline")


def run_on_this_database(repeat: int) -> None:
    setup_test_environment()
    with tempfile.TemporaryDirectory() as folder:
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            measure(connection.vendor, repeat)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("all", "sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_on_this_database(args.repeat)
        return
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    status = 0
    for database in ("sqlite", "postgres"):
        if args.database not in ("all", database):
            continue
        child = dict(env)
        child.pop("DATABASE_URL", None)
        if database == "postgres":
            url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
            child["DATABASE_URL"] = url if url.startswith("postgres") else DEFAULT_POSTGRES
        command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
        status |= subprocess.run(command, env=child, check=False).returncode
    sys.exit(status)


if __name__ == "__main__":
    main()
