"""Stored figures: exact JSON, a refresh that never stores figures of older inputs, one refresh
per transaction, constant queries, and pages that say when figures are being refreshed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m
from valuechain.engine.chain import AssetKind
from valuechain.figures import codec, store
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def _idea_on_new_feature(title: str = "Basket size") -> m.Idea:
    idea = IdeaFactory(title=title, benefit_low=50_000, benefit_likely=90_000, benefit_high=99_000)
    NeedFactory(
        idea=idea,
        feature=FeatureFactory(
            available=False, build_low=15_000, build_likely=20_000, build_high=30_000
        ),
    )
    return idea


def test_a_report_survives_json_bit_for_bit(value_chain: Any) -> None:
    report = store.compute(selectors.ideas().filter(pk=value_chain.idea.pk))[value_chain.idea.pk]
    document = json.loads(json.dumps(codec.report_to_json(report)))
    assert codec.report_from_json(document) == report
    with pytest.raises(codec.UnreadableReport):
        codec.report_from_json({"ladder": "?"})


def test_figures_computed_from_inputs_that_changed_meanwhile_are_not_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    idea = _idea_on_new_feature()
    compute = store.compute_documents

    def compute_while_someone_writes(rows: Any, count: int, whole: bool = False) -> Any:
        reports = compute(rows, count=count, whole=whole)
        store.bump_ideas([idea.pk])  # a write lands after the inputs were read
        return reports

    monkeypatch.setattr(store, "compute_documents", compute_while_someone_writes)
    assert store.refresh([idea.pk]) == 0
    assert idea.pk in store.figures_of([idea.pk], compute_up_to=0).refreshing
    monkeypatch.setattr(store, "compute_documents", compute)
    assert store.refresh([idea.pk]) == 1
    assert idea.pk in store.figures_of([idea.pk], compute_up_to=0).reports


def test_a_refresh_costs_the_same_queries_for_5_and_40_ideas() -> None:
    counts = []
    for size in (5, 40):
        ids = [_idea_on_new_feature(f"Idea {size}-{i}").pk for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert store.refresh(ids) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_transaction_writing_many_rows_queues_one_refresh(
    django_capture_on_commit_callbacks: Any,
) -> None:
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks() as queued:
        for i in range(5):
            _idea_on_new_feature(f"Idea {i}")
    assert len(queued) == 1


def test_a_refresh_dropped_with_a_rolled_back_savepoint_is_queued_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks() as queued:
        try:
            with transaction.atomic():
                _idea_on_new_feature("Dropped")
                raise RuntimeError
        except RuntimeError:
            pass
        _idea_on_new_feature("Kept")
    assert len(queued) == 1  # the first was dropped with its savepoint, the second is queued
    assert [t for t in m.Idea.objects.values_list("title", flat=True)] == ["Kept"]


def test_a_cached_catalogue_is_never_older_than_the_database() -> None:
    feature = FeatureFactory(available=False, build_low=1, build_likely=2, build_high=3)
    key = (AssetKind.FEATURE, feature.pk)
    assert store.cached_catalogue()[key].build.likely == 2
    feature.build_likely = 3
    feature.save()
    assert store.cached_catalogue()[key].build.likely == 3


def test_the_idea_list_says_which_figures_are_being_refreshed(
    client_for: Any, pm_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _idea_on_new_feature("Fresh idea")
    store.refresh()
    waiting = _idea_on_new_feature("Waiting idea")  # stale: its refresh has not run
    monkeypatch.setattr(selectors, "COMPUTE_IN_REQUEST", 0)
    page = client_for(pm_user).get(reverse("idea-list")).content.decode()
    assert "The figures of 1 idea are being recomputed" in page
    waiting_row = page[page.index(f'data-idea="{waiting.pk}"') :]
    assert "Figures being refreshed" in waiting_row.split("</tr>")[0]
    # listed after the ideas whose figures are known, whatever the sort
    assert page.index(f'data-idea="{fresh.pk}"') < page.index(f'data-idea="{waiting.pk}"')
    monkeypatch.setattr(selectors, "COMPUTE_IN_REQUEST", 200)
    page = client_for(pm_user).get(reverse("idea-list")).content.decode()
    assert "being recomputed" not in page and "Figures being refreshed" not in page


def test_the_dashboard_leaves_out_ideas_whose_figures_are_being_refreshed(
    client_for: Any, exec_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _idea_on_new_feature("Fresh idea")
    store.refresh()
    _idea_on_new_feature("Waiting idea")
    monkeypatch.setattr(selectors, "COMPUTE_IN_REQUEST", 0)
    page = client_for(exec_user).get(reverse("dashboard")).content.decode()
    assert "The figures of 1 idea are being recomputed" in page
    assert 'data-kpi="ideas">1<' in page
    # the export never leaves an idea out: it computes what is missing
    export = client_for(exec_user).get(reverse("ideas-export-csv")).content.decode()
    assert "Waiting idea" in export and "Fresh idea" in export


def test_a_large_refresh_over_the_compiled_catalogue_stores_what_closures_give(
    value_chain: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ideas = [value_chain.idea.pk] + [_idea_on_new_feature(f"Idea {i}").pk for i in range(40)]
    store.refresh()
    by_closures = store.figures_of(ideas, compute_up_to=0).reports
    store.bump_all_ideas()
    monkeypatch.setattr(store, "WHOLE_CATALOGUE_FROM", 1)
    assert store.refresh() == len(ideas)
    assert store.figures_of(ideas, compute_up_to=0).reports == by_closures


def test_charts_and_explanations_cached_per_version_follow_every_write(value_chain: Any) -> None:
    idea = value_chain.idea
    store.refresh()
    first = selectors.explained_report(idea)
    chart = selectors.ladder_chart(idea.pk, first.report, "EUR")
    assert selectors.ladder_chart(idea.pk, first.report, "EUR") == chart  # read back
    idea.benefit_high = 900_000
    idea.save()
    assert store.fresh_key(idea.pk, "explained") is None  # stale: nothing is read from the cache
    store.refresh()
    second = selectors.explained_report(idea)
    assert second.report.npv > first.report.npv
    assert selectors.ladder_chart(idea.pk, second.report, "EUR") != chart


def test_the_dashboard_totals_cached_per_epoch_follow_every_write(
    client_for: Any, exec_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    idea = _idea_on_new_feature("Fresh idea")
    store.refresh()
    client = client_for(exec_user)

    def page() -> str:
        return client.get(reverse("dashboard")).content.decode()

    def top_ideas() -> str:
        shown = page()
        start = shown.find('id="top-ideas"')  # no such list while no idea has figures
        return shown[start:].split("</section>")[0] if start >= 0 else ""

    assert "Fresh idea" in top_ideas()  # now cached under this epoch
    monkeypatch.setattr(selectors, "COMPUTE_IN_REQUEST", 0)
    idea.title = "Renamed idea"
    idea.save()  # a new epoch: the cached totals of the old one are never shown again
    assert "The figures of 1 idea are being recomputed" in page()
    assert "Fresh idea" not in top_ideas() and "Renamed idea" not in top_ideas()
    store.refresh()
    assert "Renamed idea" in top_ideas()
    assert "being recomputed" not in page()


def test_the_roi_answer_cached_per_version_follows_a_write(
    value_chain: Any, lead_user: Any
) -> None:
    client = APIClient()
    client.force_authenticate(lead_user)
    idea = value_chain.idea
    url = f"/api/ideas/{idea.pk}/roi/"
    store.refresh()
    first = client.get(url).json()
    assert client.get(url).json() == first  # read back from the cache
    idea.benefit_high = 900_000
    idea.save()
    stale = client.get(url).json()  # computed afresh while the stored figures are stale
    store.refresh()
    assert client.get(url).json() == stale != first
    assert stale["npv"] > first["npv"]


def test_a_stored_report_of_an_older_shape_is_refreshed_not_shown() -> None:
    idea = _idea_on_new_feature()
    store.refresh()
    m.IdeaFigures.objects.filter(idea=idea).update(report={"shape": "of an older version"})
    store.forget_process_caches()
    assert idea.pk in store.figures_of([idea.pk], compute_up_to=0).refreshing
    assert store.refresh([idea.pk]) == 1  # made stale by the read: the refresh rewrites it
    assert idea.pk in store.figures_of([idea.pk], compute_up_to=0).reports
