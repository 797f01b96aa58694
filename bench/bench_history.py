"""Benchmark: what recording history costs, and what reading it costs.

Prints, on SQLite in a throwaway database file:
  - the catalogue's bulk import of 5,000 new rows, and of 2,500 updates + 2,500 creates, with
    their change history recorded (bulk_history_create per kind) against the named baseline of
    the same import with history switched off (SIMPLE_HISTORY_ENABLED = False), same run, same
    file: the ratio is the price of the history;
  - the activity feed's first page of an idea with 20 recorded changes (the baseline) and with
    2,000: the ratio shows reading a page does not grow with the history.

    python bench/bench_history.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.pop("DATABASE_URL", None)  # SQLite: a file, as the app runs by default

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from valuechain import models as m  # noqa: E402
from valuechain.activity import feed  # noqa: E402
from valuechain.catalogue.bulk.database import import_catalogue  # noqa: E402
from valuechain.catalogue.bulk.document import COLUMNS, MAX_ROWS  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from bench_catalogue_import import GROUPS, document, empty  # noqa: E402

REPEAT = 2


def median(function: Callable[[], object], prepare: Callable[[], object], repeat: int) -> float:
    """Median CPU time of this process: the machine is shared, wall times wander."""
    times = []
    for _ in range(repeat):
        prepare()
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure() -> None:
    get_user_model().objects.create(username="lead")
    m.Role.objects.get_or_create(name="Data engineer", defaults={"day_rate": 800})
    every = document(COLUMNS, range(GROUPS))
    evens = document(COLUMNS, range(0, GROUPS, 2), likely=150)

    def half_there() -> None:
        empty()
        assert import_catalogue(data=evens, fmt="csv", dry_run=False).ok

    def bulk() -> None:
        report = import_catalogue(data=every, fmt="csv", dry_run=False)
        assert report.ok and len(report.rows) == MAX_ROWS, report.errors[:3]

    rows = []
    for label, prepare in (
        ("import 5,000 new rows", empty),
        ("import 2,500 updates + 2,500 creates", half_there),
    ):
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            base = median(bulk, prepare, REPEAT)
        recorded = median(bulk, prepare, REPEAT)
        rows.append((label, base, recorded))
    records = sum(
        model.history.count()  # type: ignore[attr-defined]
        for model in m.ASSET_MODELS.values()
    )
    print("History recorded by the bulk import (SQLite; baseline: history switched off)")
    for label, base, recorded in rows:
        print(
            f"  {label:<40} {recorded:6.2f} s CPU with history, {base:6.2f} s without:"
            f" x{recorded / base:.2f}"
        )
    print(f"  ({records:,} change records written by the last run's import)")

    owner = get_user_model().objects.get(username="lead")
    idea = m.Idea.objects.create(title="Often re-estimated", owner=owner)
    need = m.Need(idea=idea, name="signal", curated_dataset=m.CuratedDataset.objects.first())
    need.save()

    def change(times: int) -> None:
        """`times` recorded changes of the need's estimate, written in bulk (a save each
        would re-price the idea each time: minutes, and not what is measured here)."""
        versions = []
        for step in range(times):
            version = m.Need(
                **{f.attname: getattr(need, f.attname) for f in m.Need._meta.concrete_fields}
            )
            version.engineering_likely = version.engineering_high = 1_000 + step
            versions.append(version)
        m.Need.history.bulk_history_create(versions, update=True)  # type: ignore[attr-defined]

    change(18)  # with the two creations: 20 records
    few = median(lambda: feed.idea_feed(idea.pk), lambda: None, 20)
    change(1_980)
    many = median(lambda: feed.idea_feed(idea.pk), lambda: None, 20)
    print("Activity feed, first page (baseline: an idea with 20 recorded changes)")
    print(f"  20 changes:    {few * 1000:7.1f} ms CPU")
    print(f"  2,000 changes: {many * 1000:7.1f} ms CPU: x{many / few:.2f} the baseline")


def main() -> None:
    setup_test_environment()
    with tempfile.TemporaryDirectory() as folder:
        connection.settings_dict["TEST"]["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            measure()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
