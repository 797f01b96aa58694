"""The catalogue page and the need picker at a company's size: 5,000 assets and 2,000 ideas x
8 needs, read in process through Django's test client on the configured database
(DATABASE_URL; SQLite in memory otherwise).

Baseline: the login page (a trivial view through the same middleware), measured in the same
run. Before pagination the catalogue page rendered every asset of every tier (~5 s at this
size under gunicorn on PostgreSQL).

Run: python bench/bench_catalogue_page.py [--assets N] [--ideas N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not the login backend's line per request

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from valuechain import models as m  # noqa: E402

NEEDS_PER_IDEA = 8
# Share of the catalogue per tier, downstream first.
SHARE = {m.Feature: 0.6, m.CuratedDataset: 0.2, m.RawSource: 0.15, m.AcquisitionOption: 0.05}


def build_company(assets: int, ideas: int, rng: random.Random) -> User:
    owner = User.objects.create_user("bench-lead", password="unused", is_staff=True)
    made: dict[Any, list[Any]] = {}
    kinds: list[Any] = [m.AcquisitionOption, m.RawSource, m.CuratedDataset, m.Feature]
    for model in kinds:
        count = max(1, int(assets * SHARE[model]))
        rows = [
            model(
                name=f"{model.__name__} {n:05d}",
                description=f"bench asset {n} of {model.__name__}",
                owner=owner if n % 7 == 0 else None,
                available=model is not m.AcquisitionOption and n % 3 == 0,
                build_low=1000,
                build_likely=2000,
                build_high=4000,
            )
            for n in range(count)
        ]
        if model is m.RawSource:
            for row in rows:
                row.acquisition_option = rng.choice(made[m.AcquisitionOption])
        made[model] = model.objects.bulk_create(rows)
    raw_links: Any = m.CuratedDataset.raw_sources.through
    raw_links.objects.bulk_create(
        raw_links(curateddataset_id=curated.pk, rawsource_id=raw.pk)
        for curated in made[m.CuratedDataset]
        for raw in rng.sample(made[m.RawSource], 2)
    )
    curated_links: Any = m.Feature.curated_datasets.through
    curated_links.objects.bulk_create(
        curated_links(feature_id=feature.pk, curateddataset_id=curated.pk)
        for feature in made[m.Feature]
        for curated in rng.sample(made[m.CuratedDataset], 2)
    )
    idea_rows = m.Idea.objects.bulk_create(
        m.Idea(title=f"idea {n:05d}", owner=owner) for n in range(ideas)
    )
    needs = []
    for idea in idea_rows:
        for n in range(NEEDS_PER_IDEA):
            kind: Any = m.Feature if n < 6 else rng.choice([m.CuratedDataset, m.RawSource])
            field = m.AssetType(kind.ASSET_TYPE).value
            needs.append(m.Need(idea=idea, name=f"need {n}", **{field: rng.choice(made[kind])}))
    m.Need.objects.bulk_create(needs)
    return owner


def timed(call: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` calls after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        owner = build_company(args.assets, args.ideas, random.Random(7))
        client = Client()
        client.force_login(owner)

        def get(path: str, **params: Any) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path, params)
                assert response.status_code == 200, (path, params, response.status_code)
                return response

            return call

        baseline = timed(get("/login/"), args.repeat)
        cases = {
            "catalogue, tier 1 page 1": get("/catalogue/"),
            "catalogue, tier 1 page 30": get("/catalogue/", tier=1, page=30),
            "catalogue, tier 2, used by ideas": get("/catalogue/", tier=2, use="used"),
            "catalogue, search '0042'": get("/catalogue/", q="0042"),
            "editing list, features page 20": get("/catalogue/features/", page=20),
            "need picker, tier 1": get("/catalogue/search/", tier=1),
            "need picker, tier 3": get("/catalogue/search/", tier=3),
        }
        print(
            f"{args.assets:,} assets, {args.ideas:,} ideas x {NEEDS_PER_IDEA} needs on "
            f"{connection.vendor}; median of {args.repeat}"
        )
        print(f"  {'login page (baseline)':34s} {baseline * 1000:8.1f} ms")
        for name, call in cases.items():
            seconds = timed(call, args.repeat)
            print(f"  {name:34s} {seconds * 1000:8.1f} ms  {seconds / baseline:6.1f}x baseline")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
