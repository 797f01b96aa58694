"""An idea's needs under /api/ideas/{id}/needs/."""

from __future__ import annotations

import pytest

from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)
from valuechain import models as m

pytestmark = pytest.mark.django_db


def test_owner_adds_a_need_pointing_at_a_curated_dataset(client_as, pm_user):
    idea = IdeaFactory(owner=pm_user)
    curated = CuratedDatasetFactory(name="orders golden")
    response = client_as("pm").post(
        f"/api/ideas/{idea.pk}/needs/",
        {
            "name": "order history",
            "asset_type": "curated_dataset",
            "asset_id": curated.pk,
            "engineering_estimate": {"low": 1000, "likely": 2000, "high": 4000},
            "weight": 2,
            "essential": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["asset_type"], body["asset_id"], body["asset_name"]) == (
        "curated_dataset",
        curated.pk,
        "orders golden",
    )
    need = m.Need.objects.get()
    assert (need.idea, need.curated_dataset, need.weight, need.essential) == (
        idea,
        curated,
        2.0,
        False,
    )
    listed = client_as("exec").get(f"/api/ideas/{idea.pk}/needs/").json()
    assert [row["name"] for row in listed["results"]] == ["order history"]


def test_owner_repoints_updates_and_deletes_a_need(client_as, pm_user):
    need = NeedFactory(idea=IdeaFactory(owner=pm_user))
    raw = RawSourceFactory()
    client = client_as("pm")
    url = f"/api/ideas/{need.idea_id}/needs/{need.pk}/"
    response = client.patch(
        url, {"asset_type": "raw_source", "asset_id": raw.pk, "weight": 0.5}, format="json"
    )
    assert response.status_code == 200, response.json()
    need.refresh_from_db()
    assert (need.feature_id, need.raw_source_id, need.weight) == (None, raw.pk, 0.5)
    assert client.patch(url, {"essential": False}, format="json").status_code == 200
    assert client.delete(url).status_code == 204
    assert not m.Need.objects.exists()


def test_need_of_another_idea_is_not_found(client_as, pm_user):
    need = NeedFactory(idea=IdeaFactory(owner=pm_user))
    other = IdeaFactory(owner=pm_user)
    response = client_as("pm").get(f"/api/ideas/{other.pk}/needs/{need.pk}/")
    assert response.status_code == 404
    assert client_as("pm").get("/api/ideas/999999/needs/").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"asset_type": "spreadsheet"}, "asset_type"),
        ({"asset_id": 999999}, "asset_id"),
        ({"asset_type": "raw_source"}, "asset_id"),  # the feature's id is no raw source
        ({"asset_id": -3}, "asset_id"),
        ({"weight": 0}, "weight"),
        ({"weight": -1}, "weight"),
        ({"engineering_estimate": {"low": 3, "likely": 2, "high": 1}}, "engineering_estimate"),
        ({"engineering_estimate": {"low": 1, "likely": 2}}, "engineering_estimate"),
        ({"essential": {"yes": 1}}, "essential"),
        ({"idea_title": "x"}, "idea_title"),
    ],
)
def test_bad_need_input_names_the_field_and_writes_nothing(client_as, pm_user, payload, field):
    idea = IdeaFactory(owner=pm_user)
    feature = FeatureFactory()
    m.RawSource.objects.filter(pk=feature.pk).delete()
    body = {"name": "signal", "asset_type": "feature", "asset_id": feature.pk, **payload}
    response = client_as("pm").post(f"/api/ideas/{idea.pk}/needs/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not m.Need.objects.exists()
