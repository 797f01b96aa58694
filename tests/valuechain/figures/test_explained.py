"""Explained reports made ready by the refresh: the first view of an ROI report after a change
is a read, with exactly the figures a computation in the request gives, and never the
figures of older inputs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)
from valuechain import mappers
from valuechain import models as m
from valuechain.figures import explained, store, tasks
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def _ideas(count: int) -> list[m.Idea]:
    shared = FeatureFactory(
        available=False, build_low=10_000, build_likely=20_000, build_high=40_000
    )
    ideas = []
    for number in range(count):
        benefit = 60_000 + number * 1_000
        idea = IdeaFactory(
            title=f"Idea {number}",
            **dict.fromkeys(("benefit_low", "benefit_likely", "benefit_high"), benefit),
        )
        NeedFactory(idea=idea, feature=shared)
        NeedFactory(idea=idea, feature=FeatureFactory(available=False), essential=False)
        ideas.append(idea)
    return ideas


def _computed_in_the_request(idea: m.Idea) -> explained.ExplainedReport:
    cache.clear()
    return selectors.explained_report(selectors.ideas().get(pk=idea.pk))


@pytest.mark.parametrize("count", [3, 40])
def test_prepared_reports_equal_those_computed_in_the_request(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ideas = _ideas(count)
    monkeypatch.setattr(store, "WHOLE_CATALOGUE_FROM", 10)  # the 40 take the compiled catalogue
    store.refresh()
    cache.clear()
    assert explained.prepare() == count
    prepared = {idea.pk: selectors.explained_report(idea) for idea in ideas}
    for idea in ideas:
        assert prepared[idea.pk] == _computed_in_the_request(idea)


def test_the_first_roi_answer_after_a_refresh_walks_no_lineage(lead_user: Any) -> None:
    idea = _ideas(2)[0]
    tasks.refresh_figures()  # as the worker does after a write
    client = APIClient()
    client.force_authenticate(lead_user)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/ideas/{idea.pk}/roi/")
    assert answer.status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "valuechain_feature" not in tables and "valuechain_need" not in tables
    assert answer.json()["npv"] == pytest.approx(selectors.roi_report(idea).npv)


def test_a_prepared_report_of_older_inputs_is_never_shown(lead_user: Any) -> None:
    idea = _ideas(1)[0]
    tasks.refresh_figures()
    before = selectors.explained_report(idea).report.npv
    need = idea.needs.get(essential=True)
    feature = need.feature
    feature.build_likely = feature.build_high = 40_000  # the shared feature costs more
    feature.save()
    store.refresh()  # fresh again, under a new version: the prepared entry is not its key
    client = APIClient()
    client.force_authenticate(lead_user)
    npv = client.get(f"/api/ideas/{idea.pk}/roi/").json()["npv"]
    assert npv < before
    assert npv == pytest.approx(_computed_in_the_request(idea).report.npv)


def test_only_fresh_ideas_are_prepared() -> None:
    ideas = _ideas(2)
    store.refresh()
    store.bump_ideas([ideas[0].pk])
    assert explained.prepare() == 1
    assert store.fresh_key(ideas[0].pk, explained.NAME) is None


def _deep_lineage(ideas: list[m.Idea]) -> m.CuratedDataset:
    """A feature on a curated dataset built from another (available) curated dataset, its raw
    source and that source's acquisition option, used by every idea; the curated dataset the
    feature is made of (to be built, so charged and shown)."""
    raw = RawSourceFactory(available=True, acquisition_option=AcquisitionOptionFactory())
    base = CuratedDatasetFactory(available=True, raw_sources=[raw])
    top = CuratedDatasetFactory(available=False)
    top.upstream_curated_datasets.set([base])
    feature = FeatureFactory(available=False, curated_datasets=[top])
    for idea in ideas:
        NeedFactory(idea=idea, feature=feature, essential=False)
    return top


@pytest.mark.parametrize("count", [3, 40])
def test_prepared_closures_equal_the_lineage_read_in_the_request(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ideas = _ideas(count)
    _deep_lineage(ideas)
    monkeypatch.setattr(store, "WHOLE_CATALOGUE_FROM", 10)  # the 40 take the compiled catalogue
    store.refresh()
    cache.clear()
    explained.prepare()
    for idea in selectors.ideas().filter(pk__in=[i.pk for i in ideas]):
        key = store.fresh_key(idea.pk, store.CLOSURE)
        roots = [need.asset for need in mappers.idea_to_engine(idea, mappers.day_rates()).needs]
        read = mappers.load_closure(roots)
        assert key is not None and cache.get(key) == read
        assert len(read) == 7  # three features, two curated datasets, a source, its option


def test_the_first_idea_page_after_a_refresh_reads_no_lineage_and_shows_current_names(
    client_for: Any, pm_user: Any
) -> None:
    ideas = _ideas(2)
    upstream = _deep_lineage(ideas)
    tasks.refresh_figures()  # as the worker does after a write: figures and closures ready
    url = reverse("idea-detail", args=[ideas[0].pk])
    client = client_for(pm_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    read = " ".join(query["sql"] for query in queries.captured_queries)
    # the needs' own assets are joined to the needs; nothing upstream of them is read
    assert 'FROM "valuechain_rawsource"' not in read
    assert 'FROM "valuechain_curateddataset' not in read  # nor the links between them
    upstream.name = "Renamed upstream dataset"
    upstream.save()  # a name is part of the closure: the cached one is not read again
    tasks.refresh_figures()
    assert "Renamed upstream dataset" in client.get(url).content.decode()
