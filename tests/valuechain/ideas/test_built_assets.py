"""A shipped idea's features and curated datasets, marked available by a data lead."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m
from valuechain.ideas import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(value_chain):
    idea = value_chain.idea
    idea.status = m.Idea.Status.SHIPPED
    idea.save()
    return value_chain


def keys(chain) -> list[str]:
    return [f"feature:{chain.new_feature.pk}", f"curated_dataset:{chain.new_curated.pk}"]


def available(*assets) -> list[bool]:
    return [type(a).objects.get(pk=a.pk).available for a in assets]


def test_the_assets_offered_are_exactly_the_charged_features_and_curated_datasets(shipped):
    FeatureFactory(name="Someone else's feature", available=False)
    idea = selectors.ideas().get(pk=shipped.idea.pk)
    with CaptureQueriesContext(connection) as queries:
        offered = selectors.built_assets(idea)
    # not the features already in the store, never raw data nor the acquisition
    assert [(a.asset_type, a.name) for a in offered] == [
        ("feature", "Promotion uplift"),
        ("curated_dataset", "Store footfall"),
    ]
    assert [a.key for a in offered] == keys(shipped)
    # as many queries for an idea with each need three times over: reads grow with nothing
    bigger = IdeaFactory(status=m.Idea.Status.SHIPPED)
    for need in shipped.idea.needs.all():
        pointer = {field: getattr(need, field) for field in m.Need.ASSET_FIELDS}
        for _ in range(3):
            NeedFactory(idea=bigger, **pointer)
    bigger_idea = selectors.ideas().get(pk=bigger.pk)
    with CaptureQueriesContext(connection) as more:
        assert [a.key for a in selectors.built_assets(bigger_idea)] == keys(shipped)
    assert len(queries) == len(more)


def test_a_data_lead_marks_them_available(shipped, lead_user):
    changed = services.mark_built_available(idea=shipped.idea, keys=keys(shipped), user=lead_user)
    assert changed == 2
    assert available(shipped.new_feature, shipped.new_curated) == [True, True]
    # raw data and the acquisition are untouched; nothing is left to offer
    assert available(shipped.new_raw) == [False]
    assert selectors.built_assets(selectors.ideas().get(pk=shipped.idea.pk)) == []


@pytest.mark.parametrize("who", ["pm_user", "exec_user"])
def test_only_data_leads_and_staff_may_mark(shipped, who, request, staff_user):
    with pytest.raises(PermissionDenied):
        services.mark_built_available(
            idea=shipped.idea, keys=keys(shipped), user=request.getfixturevalue(who)
        )
    assert available(shipped.new_feature, shipped.new_curated) == [False, False]
    assert services.mark_built_available(idea=shipped.idea, keys=keys(shipped), user=staff_user)


def test_all_or_nothing_when_one_asset_is_not_the_ideas_to_mark(shipped, lead_user):
    for wrong in (
        f"raw_source:{shipped.new_raw.pk}",
        f"acquisition_option:{shipped.acquisition.pk}",
    ):
        with pytest.raises(ValidationError) as error:
            services.mark_built_available(
                idea=shipped.idea, keys=[*keys(shipped), wrong], user=lead_user
            )
        assert "assets" in error.value.message_dict
    assert available(shipped.new_feature, shipped.new_curated) == [False, False]
    assert available(shipped.new_raw) == [False]


def test_a_failure_halfway_leaves_every_asset_as_it_was(shipped, lead_user, monkeypatch):
    marked = services._mark_available
    calls = []

    def fail_second(model, ids):
        calls.append(model)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return marked(model, ids)

    monkeypatch.setattr(services, "_mark_available", fail_second)
    with pytest.raises(RuntimeError):
        services.mark_built_available(idea=shipped.idea, keys=keys(shipped), user=lead_user)
    assert available(shipped.new_feature, shipped.new_curated) == [False, False]


def test_an_idea_not_shipped_offers_nothing_to_mark(value_chain, lead_user):
    with pytest.raises(ValidationError):
        services.mark_built_available(idea=value_chain.idea, keys=keys(value_chain), user=lead_user)
    assert available(value_chain.new_feature) == [False]


def test_the_page_lists_them_for_a_data_lead_and_marks_the_ticked_ones(
    shipped, client_for, lead_user, pm_user
):
    url = f"/ideas/{shipped.idea.pk}/built/"
    detail = client_for(lead_user).get(f"/ideas/{shipped.idea.pk}/").content.decode()
    assert f'href="{url}"' in detail
    html = client_for(lead_user).get(url).content.decode()
    assert f'value="feature:{shipped.new_feature.pk}"' in html
    assert "Store footfall" in html and "Weather vendor feed" not in html
    assert "Mark the chosen assets available" in html
    # a product manager sees the list, not the button, and cannot post
    pm_html = client_for(pm_user).get(url).content.decode()
    assert "Store footfall" in pm_html and "Mark the chosen assets available" not in pm_html
    assert client_for(pm_user).post(url, {"assets": keys(shipped)}).status_code == 403
    # the data lead ticks only the feature
    response = client_for(lead_user).post(url, {"assets": keys(shipped)[:1]}, follow=True)
    assert "Marked 1 asset available." in response.content.decode()
    assert available(shipped.new_feature, shipped.new_curated) == [True, False]
    bad = client_for(lead_user).post(url, {"assets": [f"raw_source:{shipped.new_raw.pk}"]})
    assert bad.status_code == 400
    assert available(shipped.new_raw) == [False]
