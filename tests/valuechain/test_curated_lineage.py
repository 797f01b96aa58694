"""Curated datasets built from curated datasets (dbt model -> model): closures, tiers, stored
figures and the API follow the new links, and a cycle is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import CuratedDatasetFactory, IdeaFactory, NeedFactory, RawSourceFactory
from valuechain import mappers
from valuechain.engine import chain, finance
from valuechain.figures import store

pytestmark = pytest.mark.django_db


def _priced(name: str, **kwargs: Any):
    return CuratedDatasetFactory(
        name=name, available=False, build_low=1_000, build_likely=1_000, build_high=1_000, **kwargs
    )


def _stack(depth: int, raw=None):
    """A mart on `depth` intermediate models on one staging model curated from raw data."""
    bottom = _priced("stg", raw_sources=[raw] if raw else [])
    below = bottom
    for level in range(depth):
        model = _priced(f"int_{level}")
        model.upstream_curated_datasets.add(below)
        below = model
    return below, bottom


def test_a_closure_walks_model_to_model_down_to_the_raw_data():
    raw = RawSourceFactory(available=True, build_low=500, build_likely=500, build_high=500)
    mart, bottom = _stack(3, raw)
    key = (chain.AssetKind.CURATED_DATASET, mart.pk)
    for catalogue in (mappers.load_catalogue(), mappers.load_closure([key])):
        reached = chain.closure(catalogue, key)
        assert (chain.AssetKind.CURATED_DATASET, bottom.pk) in reached
        assert (chain.AssetKind.RAW_SOURCE, raw.pk) in reached
        assert len(reached) == 5
        # still tier 3: curated -> curated adds no tier
        assert chain.tier_of(reached) == 3


def test_an_available_model_stops_the_walk_and_its_inputs_are_not_charged():
    mart, _ = _stack(2)
    middle = mart.upstream_curated_datasets.get()
    middle.available = True
    middle.save()
    idea = IdeaFactory(benefit_low=0, benefit_likely=10_000, benefit_high=10_000)
    NeedFactory(idea=idea, curated_dataset=mart)
    engine_idea = mappers.idea_to_engine(idea)
    report = finance.roi_report(engine_idea, mappers.ideas_catalogue([engine_idea]))
    assert report.one_off_investment == pytest.approx(1_000)  # the mart alone
    assert report.tier == 2


def test_loading_a_closure_costs_the_same_queries_for_a_shallow_and_a_deep_stack():
    counts = []
    for depth in (1, 15):
        mart, _ = _stack(depth)
        with CaptureQueriesContext(connection) as queries:
            catalogue = mappers.load_closure([(chain.AssetKind.CURATED_DATASET, mart.pk)])
        assert len(catalogue) >= depth + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_price_change_deep_upstream_makes_the_ideas_figures_stale(
    django_capture_on_commit_callbacks,
):
    mart, bottom = _stack(4)
    idea = IdeaFactory(benefit_low=0, benefit_likely=50_000, benefit_high=50_000)
    NeedFactory(idea=idea, curated_dataset=mart)
    store.refresh()
    before = store.figures_of([idea.pk], compute_up_to=0).reports[idea.pk]
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        bottom.build_likely = bottom.build_high = 9_000
        bottom.save()
    assert idea.pk in store.figures_of([idea.pk], compute_up_to=0).refreshing
    for callback in queued:
        callback()
    after = store.figures_of([idea.pk], compute_up_to=0).reports[idea.pk]
    assert after.one_off_investment > before.one_off_investment


def test_the_api_lists_and_writes_upstream_curated_datasets(api_client_for, lead_user):
    client = api_client_for(lead_user)
    stg, other = _priced("stg"), _priced("other")
    made = client.post(
        "/api/curated-datasets/",
        {"name": "mart", "upstream_curated_datasets": [stg.pk, other.pk]},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["upstream_curated_datasets"] == sorted([stg.pk, other.pk])
    assert made.json()["source_system"] == "manual" and made.json()["retired"] is False
    # stg built from the mart would make a cycle: refused, nothing written
    cycle = client.patch(
        f"/api/curated-datasets/{stg.pk}/",
        {"upstream_curated_datasets": [made.json()["id"]]},
        format="json",
    )
    assert cycle.status_code == 400 and "upstream_curated_datasets" in cycle.json()
    assert not stg.upstream_curated_datasets.exists()
    itself = client.patch(
        f"/api/curated-datasets/{stg.pk}/", {"upstream_curated_datasets": [stg.pk]}, format="json"
    )
    assert itself.status_code == 400
    wrong_kind = client.patch(
        f"/api/raw-sources/{RawSourceFactory().pk}/",
        {"upstream_curated_datasets": [stg.pk]},
        format="json",
    )
    assert wrong_kind.status_code in (200, 400)  # an unknown field on a raw source is ignored


@pytest.mark.parametrize("size", [3, 30])
def test_the_curated_dataset_list_costs_constant_queries(
    api_client_for, lead_user, size, django_assert_max_num_queries
):
    for _ in range(size):
        _stack(1)
    client = api_client_for(lead_user)
    with django_assert_max_num_queries(12):
        answer = client.get("/api/curated-datasets/?page_size=100")
    assert answer.status_code == 200


def test_the_edit_page_sets_the_curated_inputs_and_refuses_a_loop(client_for, lead_user):
    client = client_for(lead_user)
    stg, mart = _priced("stg"), _priced("mart")
    mart.upstream_curated_datasets.add(stg)
    page = client.get(f"/catalogue/curated-datasets/{stg.pk}/edit/")
    assert page.status_code == 200 and "Built from (curated datasets)" in page.content.decode()
    form = {
        "name": "stg",
        "description": "",
        "owner": "",
        "feasibility": "",
        **{f"{p}_{part}": "1000" for p in ("build", "run") for part in ("low", "likely", "high")},
        "build_days_role": "",
        "run_days_role": "",
        "upstream_curated_datasets": [str(mart.pk)],
    }
    refused = client.post(f"/catalogue/curated-datasets/{stg.pk}/edit/", form)
    assert refused.status_code == 400 and "cycle" in refused.content.decode()
    assert not stg.upstream_curated_datasets.exists()
