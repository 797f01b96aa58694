"""`python manage.py make_company`: a generated company of a chosen size, for benchmarks, load
tests and demos at scale."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from valuechain.company.build import (
    MAX_ASSETS,
    MAX_IDEAS,
    MAX_SEED,
    MIN_ASSETS,
    CompanyExists,
    build_company,
    refresh_statistics,
)
from valuechain.demo import DEMO_PASSWORD
from valuechain.figures import explained, invalidation, store

BOUNDS = {"ideas": (1, MAX_IDEAS), "assets": (MIN_ASSETS, MAX_ASSETS), "seed": (0, MAX_SEED)}


class Command(BaseCommand):
    help = (
        "Generate a large believable company: a four-tier catalogue of --assets assets with "
        "lineage, --ideas ideas with eight needs each, and data contracts on part of the "
        "curated and raw data. The same --seed gives the same "
        "company. Refuses to touch a database that already holds ideas or a catalogue unless "
        "--replace, which deletes them (with their needs, plans, runs and the contracts bound "
        f"to assets) first. Log in as pm, lead or exec with password {DEMO_PASSWORD!r}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ideas", type=int, default=2000, help="How many ideas (2000).")
        parser.add_argument(
            "--assets", type=int, default=5000, help="How many catalogue assets (5000)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing catalogue and ideas first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name, (low, high) in BOUNDS.items():
            if not low <= options[name] <= high:
                raise CommandError(f"--{name} must be between {low:,} and {high:,}.")
        started = time.perf_counter()
        try:
            # Thousands of rows: invalidated once at the end, not row by row.
            with invalidation.suspended(queue_refresh=False):
                counts = build_company(
                    ideas=options["ideas"],
                    assets=options["assets"],
                    seed=options["seed"],
                    replace=options["replace"],
                )
        except CompanyExists as exc:
            raise CommandError(str(exc)) from exc
        built = time.perf_counter()
        # Figures now, so the company's pages read stored figures from the first request.
        computed = store.refresh(then=explained.prepare)
        refresh_statistics()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"ROI figures of {computed:,} ideas computed and cached in "
            f"{time.perf_counter() - built:.1f} s."
        )
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Company ready in {elapsed:.1f} s: {summary}."))
        self.stdout.write(
            f"Log in as pm, lead or exec with password {DEMO_PASSWORD!r} (demo only)."
        )
