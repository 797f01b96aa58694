"""Benchmark: a catalogue import of 5,000 rows (the largest allowed), end to end, on SQLite and
on PostgreSQL.

For each database, in a throwaway database of its own, prints the time of
  - reading, parsing, checking and planning the rows (the pure part of every import);
  - importing 5,000 new rows into an empty catalogue (the whole `import_catalogue`);
  - importing 5,000 rows of which 2,500 update existing assets (values and lineage);
  - the dry run of the 5,000 new rows;
against a named baseline measured in the same run on the same database: the per-row path this
import replaced (every row written through `services.create_asset`, which runs `full_clean`
and saves row by row). It takes a minute and a half for 5,000 rows on PostgreSQL, so it is
timed once on a sample of the file (500 rows by default: the same four kinds and lineage, its
own curated datasets linked within it) and scaled to 5,000 rows, which the output says; its
cost per row does not depend on how many rows came before (`--baseline-rows 5000` times the
whole file).

    python bench/bench_catalogue_import.py                 # SQLite, and PostgreSQL if reachable
    python bench/bench_catalogue_import.py --database sqlite --repeat 3
    BENCH_POSTGRES_URL=postgres://user@host:5432/name python bench/bench_catalogue_import.py

PostgreSQL is read from BENCH_POSTGRES_URL, else DATABASE_URL when it names PostgreSQL, else
postgres://postgres@127.0.0.1:5432/bulkimport_bench; the test database beside it is created
and dropped. Unreachable, it is reported and skipped.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not a line per task run inline

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from valuechain import models as m  # noqa: E402
from valuechain.catalogue import rules, services  # noqa: E402
from valuechain.catalogue.bulk.checks import (  # noqa: E402
    check_document,
    names_of,
    parse_document,
)
from valuechain.catalogue.bulk.database import import_catalogue, load_snapshot  # noqa: E402
from valuechain.catalogue.bulk.document import (  # noqa: E402
    APPLY_ORDER,
    COLUMNS,
    MAX_ROWS,
    read_document,
)
from valuechain.catalogue.bulk.parsing import parse_records  # noqa: E402
from valuechain.estimates import EstimateInput  # noqa: E402

GROUPS = MAX_ROWS // 4
NAMES = {
    "acquisition_option": "vendor",
    "raw_source": "raw",
    "curated_dataset": "golden",
    "feature": "feature",
}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/bulkimport_bench"


def document(
    columns: tuple[str, ...], groups: range, likely: int = 200, wrap: int = GROUPS
) -> bytes:
    """Four rows per group, one of each kind, each with lineage to the group upstream (and a
    curated dataset to the next group's raw source too, the last group's to the first's of
    `wrap` groups)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    blank = dict.fromkeys(columns, "")
    step = groups.step
    for i in groups:
        for kind, upstream in (
            ("acquisition_option", ""),
            ("raw_source", f"vendor {i}"),
            ("curated_dataset", f"raw {i};raw {(i + step) % wrap}"),
            ("feature", f"golden {i}"),
        ):
            row = {
                **blank,
                "kind": kind,
                "name": f"{NAMES[kind]} {i}",
                "upstream": upstream,
                "available": "false",
                "build_low": "100",
                "build_likely": str(likely),
                "build_high": "400",
                "build_days_role": "Data engineer" if kind == "raw_source" else "",
                "run_low": "0",
                "run_likely": "10",
                "run_high": "20",
                "owner": "lead",
            }
            writer.writerow([row[column] for column in columns])
    return out.getvalue().encode()


def median_of(
    function: Callable[[], object], prepare: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median wall time, and median CPU time of this process (the machine may be shared)."""
    walls, cpus = [], []
    for _ in range(repeat):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def per_row_import(data: bytes) -> None:
    """The path the bulk import replaced, new rows only: one service call per row, each
    running `full_clean` (a query per reference and check constraint) and a save."""
    records, _ = read_document(data, "csv")
    rows, _ = parse_records(records)
    roles = dict(m.Role.objects.values_list("name", "id"))
    users = {user.username: user for user in get_user_model().objects.all()}
    ids: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for kind in APPLY_ORDER:
            for row in (row for row in rows if row.kind == kind):
                changes: dict[str, object] = {**row.values, "name": row.name}
                changes["owner"] = users[str(row.values["owner"])]
                for prefix in ("build", "run"):
                    estimate = getattr(row, prefix)
                    role = roles[estimate.days_role] if estimate.days_role else None
                    changes[prefix] = EstimateInput(
                        estimate.low, estimate.likely, estimate.high, role
                    )
                lineage = rules.LINEAGE.get(kind)
                if lineage is not None:
                    upstream = [ids[(lineage.upstream, name)] for name in row.upstream or ()]
                    changes[lineage.field] = upstream if lineage.many else upstream[0]
                asset = services.create_asset(asset_type=kind, changes=changes)  # type: ignore[arg-type]
                ids[row.key] = asset.pk


def run_on_this_database(repeat: int, baseline_rows: int) -> None:
    setup_test_environment()
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as folder:
        if vendor == "sqlite":
            # A file, as the app runs it, not the test runner's in-memory database.
            connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            measure(vendor, repeat, baseline_rows)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def empty() -> None:
    """The catalogue, its lineage and its history deleted with plain SQL: deleting through the
    ORM re-prices and records per asset (minutes), and each run starts from the same tables."""
    tables = [
        m.Feature.curated_datasets.through._meta.db_table,
        m.CuratedDataset.raw_sources.through._meta.db_table,
        m.CuratedDataset.upstream_curated_datasets.through._meta.db_table,
    ]
    for kind in reversed(APPLY_ORDER):
        model = m.ASSET_MODELS[kind]
        tables += [model._meta.db_table, model.history.model._meta.db_table]  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def measure(vendor: str, repeat: int, baseline_rows: int) -> None:
    get_user_model().objects.create(username="lead")
    m.Role.objects.get_or_create(name="Data engineer", defaults={"day_rate": 800})
    every = document(COLUMNS, range(GROUPS))
    evens = document(COLUMNS, range(0, GROUPS, 2), likely=150)
    sample_groups = max(1, min(GROUPS, baseline_rows // 4))
    sample = document(COLUMNS, range(sample_groups), wrap=sample_groups)
    scale = MAX_ROWS / (4 * sample_groups)

    def half_there() -> None:
        empty()
        assert import_catalogue(data=evens, fmt="csv", dry_run=False).ok

    def check() -> None:
        rows, errors = parse_document(every, "csv")
        snapshot, _ = load_snapshot(names_of(rows))
        planned, errors = check_document(rows, errors, snapshot)
        assert not errors and len(planned) == MAX_ROWS, errors[:3]

    def bulk(dry_run: bool = False) -> None:
        report = import_catalogue(data=every, fmt="csv", dry_run=dry_run)
        assert report.ok and len(report.rows) == MAX_ROWS, report.errors[:3]

    start = time.perf_counter()
    empty()
    print(f"  (emptying the catalogue: {time.perf_counter() - start:.1f} s)", file=sys.stderr)
    sample_wall, sample_cpu = median_of(lambda: per_row_import(sample), empty, 1)
    base, base_cpu = sample_wall * scale, sample_cpu * scale
    print(
        f"  (per-row baseline: {sample_wall:.1f} s for {4 * sample_groups} rows)", file=sys.stderr
    )
    figures = (
        ("read, parse, check and plan (no writes):", median_of(check, empty, repeat)),
        ("import 5,000 new rows:", median_of(bulk, empty, repeat)),
        ("import 2,500 updates + 2,500 creates:", median_of(bulk, half_there, repeat)),
        ("dry run of 5,000 new rows:", median_of(lambda: bulk(dry_run=True), empty, repeat)),
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{vendor}: file {len(every) / 1024:.0f} KiB, {MAX_ROWS} rows, median of {repeat}; "
        f"wall time (CPU time of this process); load average {load}"
    )
    label = "baseline: per-row services path, 5,000 new rows:"
    how = (
        "timed on the whole file"
        if scale == 1
        else f"timed on {4 * sample_groups} rows in {sample_wall * 1000:.0f} ms, x{scale:g}"
    )
    print(f"  {label:<50}{base * 1000:8.1f} ms ({base_cpu * 1000:7.1f} ms)  {how}")
    for label, (wall, cpu) in figures:
        print(
            f"  {label:<50}{wall * 1000:8.1f} ms ({cpu * 1000:7.1f} ms)  "
            f"{base / wall:5.1f}x faster than the baseline"
        )


def _postgres_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def _postgres_answers(url: str) -> str | None:
    import psycopg

    try:
        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("all", "sqlite", "postgres"), default="all")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=500,
        help="rows of the sample the per-row baseline is timed on, scaled to 5,000 (max 5000)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_on_this_database(args.repeat, args.baseline_rows)
        return
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    status = 0
    for database in ("sqlite", "postgres"):
        if args.database not in ("all", database):
            continue
        child = dict(env)
        child.pop("DATABASE_URL", None)
        if database == "postgres":
            url = _postgres_url()
            problem = _postgres_answers(url)
            if problem is not None:
                print(f"postgresql: skipped, {url} does not answer: {problem}")
                continue
            child["DATABASE_URL"] = url
        command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
        command += ["--baseline-rows", str(args.baseline_rows)]
        status |= subprocess.run(command, env=child, check=False).returncode
    sys.exit(status)


if __name__ == "__main__":
    main()
