"""Explained reports made ready by the refresh: the first view of an ROI report after a change
is a read, with exactly the figures a computation in the request gives, and never the
figures of older inputs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
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
