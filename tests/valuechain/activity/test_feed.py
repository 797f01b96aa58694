"""The activity feed on the idea and asset pages: who changed what, when, before -> after,
money formatted, and the idea's NPV and ROI before and after a change that re-priced it."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import User
from django.db.models import Max
from django.urls import reverse

from tests.factories import (
    AcquisitionOptionFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
    UserFactory,
)
from valuechain import models as m
from valuechain.activity import feed
from valuechain.figures import store
from valuechain.figures.tasks import refresh_figures


def idea_page(client, idea: m.Idea, **params: str) -> str:
    response = client.get(reverse("idea-detail", args=[idea.pk]), params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def activity_of(page: str) -> str:
    """The feed as read on screen: tags dropped (and the words only screen readers get)."""
    start = page.index('id="activity"')
    part = page[start : page.index("</section>", start)]
    part = part.replace('<span class="visually-hidden"> to </span>', "")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", part))


def stored(idea: m.Idea) -> m.IdeaFigures:
    return m.IdeaFigures.objects.get(idea=idea)


@pytest.mark.django_db
def test_an_estimate_change_shows_who_what_and_the_roi_before_and_after(
    client_for, api_client_for, pm_user, value_chain, settings
):
    idea = value_chain.idea
    client = client_for(pm_user)
    store.refresh()  # what the background refresh did after the chain was written
    before = stored(idea)
    weather = idea.needs.get(name="weather")

    response = api_client_for(pm_user).patch(
        f"/api/ideas/{idea.pk}/needs/{weather.pk}/",
        {"engineering_estimate": {"low": 40_000, "likely": 60_000, "high": 90_000}},
        format="json",
    )
    assert response.status_code == 200, response.content
    refresh_figures()  # the refresh the write queued after its commit (inline here)

    activity = activity_of(idea_page(client, idea))
    after = stored(idea)
    assert before.npv is not None and after.npv is not None
    assert before.roi is not None and after.roi is not None
    assert after.npv < before.npv  # dearer engineering, lower NPV
    currency = settings.VALUECHAIN["CURRENCY"]
    assert f"Need “weather” changed by {pm_user.username}" in activity
    assert f"Engineering likely: 5,000 {currency} → 60,000 {currency}" in activity
    text = activity
    npv = f"NPV: {before.npv:,.0f} {currency} → {after.npv:,.0f} {currency}"
    roi = f"ROI: {before.roi * 100:.1f} % → {after.roi * 100:.1f} %"
    assert npv in text and roi in text
    # the re-pricing is shown right above (newer than) the change that caused it
    repriced = text.index("ROI re-priced", text.index("verdict."))
    assert repriced < text.index(npv) < text.index("Need “weather” changed")


@pytest.mark.django_db
def test_a_change_that_does_not_move_the_figures_is_not_a_repricing(
    client_for, pm_user, value_chain
):
    idea = value_chain.idea
    client = client_for(pm_user)
    store.refresh()
    idea.description = "Now with a description"
    idea.save()
    refresh_figures()
    page = idea_page(client, idea)
    text = activity_of(page)
    assert "Description: — → Now with a description" in text
    assert "ROI re-priced changed" not in text and "data-repricing" not in page
    assert not m.FiguresChange.objects.filter(idea=idea).exists()


@pytest.mark.django_db
def test_person_day_estimates_are_shown_in_days_and_roles_by_name(client_for, pm_user):
    role = RoleFactory(name="ML engineer")
    idea = IdeaFactory(owner=pm_user, title="Days idea")
    need = NeedFactory(idea=idea, name="days need")
    need.engineering_days_role = role
    need.engineering_likely = need.engineering_high = 12
    need.save()
    text = activity_of(idea_page(client_for(pm_user), idea))
    assert "→ ML engineer" in text
    assert "→ 12.0 person-days" in text


@pytest.mark.django_db
def test_stakeholder_assignments_are_in_the_feed_by_name(client_for, pm_user, lead_user):
    idea = IdeaFactory(owner=pm_user)
    role = RoleFactory(name="Data engineer")
    person = UserFactory(username="dana")
    m.StakeholderAssignment.objects.create(idea=idea, tier=2, role=role, person=person)
    text = activity_of(idea_page(client_for(pm_user), idea))
    assert "Stakeholder dana as Data engineer on tier 2" in text
    assert "created" in text


@pytest.mark.django_db
def test_the_asset_page_shows_its_history(client_for, lead_user, exec_user, settings):
    feature = FeatureFactory(
        name="Basket size", available=False, build_likely=1_000, build_high=2_000
    )
    response = client_for(lead_user).post(
        reverse("catalogue-asset-edit", args=["feature", feature.pk]),
        {
            "name": "Basket size",
            "build_low": 0,
            "build_likely": 25_000,
            "build_high": 40_000,
            "run_low": 0,
            "run_likely": 0,
            "run_high": 0,
        },
    )
    assert response.status_code in (200, 302)
    feature.refresh_from_db()
    if feature.build_likely != 25_000:  # the form asks more: write as the service would
        feature.build_likely, feature.build_high = 25_000, 40_000
        feature._history_user = lead_user  # type: ignore[attr-defined]
        feature.save()
    page = client_for(exec_user).get(reverse("catalogue-asset", args=["feature", feature.pk]))
    assert page.status_code == 200
    text = activity_of(html.unescape(page.content.decode()))
    currency = settings.VALUECHAIN["CURRENCY"]
    assert f"Build likely: 1,000 {currency} → 25,000 {currency}" in text
    assert f"changed by {lead_user.username}" in text


@pytest.mark.django_db
def test_the_feed_pages_and_reads_in_constant_queries(
    client_for, pm_user, django_assert_max_num_queries
):
    idea = IdeaFactory(owner=pm_user)
    need = NeedFactory(idea=idea, name="often changed")

    def change(times: int) -> None:
        for step in range(times):
            need.engineering_likely = need.engineering_high = 1_000 + step
            need.save()

    change(3)
    with django_assert_max_num_queries(20) as few:
        small = feed.idea_feed(idea.pk)
    few_queries = len(few.captured_queries)  # read now: the connection's log is bounded
    change(60)
    with django_assert_max_num_queries(20) as many:
        large = feed.idea_feed(idea.pk)
    many_queries = len(many.captured_queries)
    assert len(small.entries) == 5  # idea created, need created, three changes
    assert len(large.entries) == feed.PER_PAGE and large.num_pages == 4
    second = feed.idea_feed(idea.pk, page=2)
    assert second.entries[0].when <= large.entries[-1].when
    page = idea_page(client_for(pm_user), idea, activity_page="2")
    assert "Showing 21\u201340 of 65" in page
    change(100)
    with django_assert_max_num_queries(20) as more:
        feed.idea_feed(idea.pk)
    # a short feed is read whole, with no count; a long one costs the same at any length
    assert few_queries < many_queries
    assert len(more.captured_queries) == many_queries


@pytest.mark.django_db
def test_the_idea_page_keeps_constant_queries_as_history_grows(client_for, pm_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(pm_user)
    idea = IdeaFactory(owner=pm_user)
    need = NeedFactory(idea=idea)
    client.get(reverse("idea-detail", args=[idea.pk]))
    need.save()  # each view below is the first after a change: its feed is read afresh
    store.refresh()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("idea-detail", args=[idea.pk]))

    def grow(start: int) -> int:
        for step in range(start, start + 40):
            need.weight = 1 + step
            need.save()
        store.refresh()  # re-prices once
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("idea-detail", args=[idea.pk]))
        return len(many)

    longer = grow(0)
    # a full page adds its count, the previous record it lacks and its rows' names
    assert len(few) <= longer <= len(few) + 3
    assert grow(40) == longer


@pytest.mark.django_db
def test_the_asset_page_reads_in_constant_queries_as_its_history_grows(
    client_for, exec_user, django_assert_max_num_queries
):
    raw = RawSourceFactory(available=False, acquisition_option=AcquisitionOptionFactory())
    client = client_for(exec_user)
    url = reverse("catalogue-asset", args=["raw_source", raw.pk])

    def change(times: int) -> None:
        for step in range(times):
            raw.build_likely = raw.build_high = 100 + step
            raw.save()

    change(30)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    few_queries = len(few.captured_queries)  # read now: the connection's log is bounded
    change(50)
    with django_assert_max_num_queries(40) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == few_queries
    assert "Showing 1\u201320 of 81" in page


@pytest.mark.django_db
def test_changes_to_the_idea_and_to_a_need_each_compare_with_their_own_previous_record(
    client_for, pm_user
):
    # history ids are counted per table: the idea's and the need's records share numbers
    idea = m.Idea.objects.get(pk=IdeaFactory(owner=pm_user, title="Old title").pk)
    need = NeedFactory(idea=idea, name="basket", weight=2)
    idea.title = "New title"
    idea.save()
    need.weight = 5
    need.save()
    # Number both histories alike (a database's sequences need not start both at 1).
    start = 1 + max(
        m.Idea.history.aggregate(top=Max("history_id"))["top"],  # type: ignore[attr-defined]
        m.Need.history.aggregate(top=Max("history_id"))["top"],  # type: ignore[attr-defined]
    )
    for records in (idea.history.order_by("history_id"), need.history.order_by("history_id")):
        for offset, record in enumerate(list(records)):
            type(record).objects.filter(history_id=record.history_id).update(
                history_id=start + offset
            )
    ids = {
        tuple(h.order_by("history_id").values_list("history_id", flat=True))
        for h in (idea.history, need.history)
    }
    assert ids == {(start, start + 1)}
    text = activity_of(idea_page(client_for(pm_user), idea))
    assert "Title: Old title → New title" in text
    assert "Weight: 2 → 5" in text


@pytest.mark.django_db
def test_the_feed_shows_each_kind_of_change_on_the_next_view(client_for, pm_user):
    """The feed is read once per state of the ideas and the catalogue: every change it shows
    (the idea, a need, a stakeholder, a re-pricing, a renamed asset, role or person) moves
    that state, so the next view has it."""
    client = client_for(pm_user)
    feature = m.Feature.objects.get(pk=FeatureFactory(name="basket_value", available=False).pk)
    idea = m.Idea.objects.get(pk=IdeaFactory(owner=pm_user, title="Basket model").pk)
    need = m.Need.objects.get(pk=NeedFactory(idea=idea, feature=FeatureFactory(name="clicks")).pk)
    text = activity_of(idea_page(client, idea))
    assert "Idea “Basket model” created" in text
    idea.title = "Basket scoring"
    idea.save()
    assert "Title: Basket model → Basket scoring" in activity_of(idea_page(client, idea))
    need.feature = feature
    need.save()
    assert "Feature: clicks → basket_value " in activity_of(idea_page(client, idea))
    feature.name = "basket_value_v2"
    feature.save()
    assert "Feature: clicks → basket_value_v2" in activity_of(idea_page(client, idea))
    role = m.Role.objects.get(pk=RoleFactory(name="Data engineer").pk)
    person = User.objects.get(pk=UserFactory(username="dana").pk)
    assignment = m.StakeholderAssignment.objects.create(idea=idea, tier=2, role=role, person=person)
    assert "Stakeholder dana as Data engineer on tier 2" in activity_of(idea_page(client, idea))
    role.name = "Platform engineer"
    role.save()
    assert "as Platform engineer on tier 2" in activity_of(idea_page(client, idea))
    person.username = "dana.k"
    person.save()
    assert "Stakeholder dana.k as" in activity_of(idea_page(client, idea))
    assignment.delete()
    assert "Stakeholder dana.k as Platform engineer on tier 2 deleted" in activity_of(
        idea_page(client, idea)
    )
