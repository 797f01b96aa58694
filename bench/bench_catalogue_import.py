"""Benchmark: reading and checking a catalogue import of 5,000 rows (the largest allowed).

Prints the time to read, parse and check the rows against a catalogue of 5,000 assets (the
pure part of every import and dry run), and its ratio against a named baseline measured in
the same run on the same file: csv.DictReader reading the rows and float() on every number.

    python bench/bench_catalogue_import.py
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

import django

django.setup()

from valuechain.catalogue.bulk.checks import validate_document  # noqa: E402
from valuechain.catalogue.bulk.document import (  # noqa: E402
    COLUMNS,
    MAX_ROWS,
    AssetRow,
    CatalogueSnapshot,
)

GROUPS = MAX_ROWS // 4
NUMBERS = ("build_low", "build_likely", "build_high", "run_low", "run_likely", "run_high")


def document() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    blank = dict.fromkeys(COLUMNS, "")
    for i in range(GROUPS):
        for kind, upstream in (
            ("acquisition_option", ""),
            ("raw_source", f"vendor {i}"),
            ("curated_dataset", f"raw {i};raw {(i + 1) % GROUPS}"),
            ("feature", f"golden {i}"),
        ):
            name = {
                "acquisition_option": "vendor",
                "raw_source": "raw",
                "curated_dataset": "golden",
                "feature": "feature",
            }[kind]
            row = {
                **blank,
                "kind": kind,
                "name": f"{name} {i}",
                "upstream": upstream,
                "available": "false",
                "build_low": "100",
                "build_likely": "200",
                "build_high": "400",
                "run_low": "0",
                "run_likely": "10",
                "run_high": "20",
                "owner": "lead",
            }
            writer.writerow([row[column] for column in COLUMNS])
    return out.getvalue().encode()


def snapshot() -> CatalogueSnapshot:
    """Half the rows already exist: a realistic mix of updates and creates."""
    assets = {}
    for i in range(0, GROUPS, 2):
        for kind, name in (
            ("acquisition_option", "vendor"),
            ("raw_source", "raw"),
            ("curated_dataset", "golden"),
            ("feature", "feature"),
        ):
            assets[(kind, f"{name} {i}")] = [AssetRow(0, kind, f"{name} {i}")]
    return CatalogueSnapshot(assets=assets, usernames=frozenset({"lead"}))


def best_of(function: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline(data: bytes) -> None:
    for record in csv.DictReader(io.StringIO(data.decode())):
        for column in NUMBERS:
            float(record[column])


def main() -> None:
    data = document()
    known = snapshot()

    def check() -> None:
        _rows, planned, errors = validate_document(data, "csv", known)
        assert not errors and len(planned) == MAX_ROWS, errors[:3]

    base = best_of(lambda: baseline(data))
    ours = best_of(check)
    print(f"file: {len(data) / 1024:.0f} KiB, {MAX_ROWS} rows")
    print(f"baseline csv.DictReader + float(): {base * 1000:8.1f} ms")
    print(
        f"read, parse, check and plan:       {ours * 1000:8.1f} ms  "
        f"({ours / base:.1f}x the baseline)"
    )


if __name__ == "__main__":
    main()
