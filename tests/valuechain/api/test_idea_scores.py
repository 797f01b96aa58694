"""The product manager's score inputs on an idea through the API: round trip, not scored yet by
default, and a 400 naming the field on a value off the scale."""

from __future__ import annotations

import pytest

from tests.factories import IdeaFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db

BENEFIT = {"low": 50000, "likely": 80000, "high": 140000}
SCORES = {
    "reach": 12_000,
    "impact": 2,
    "confidence": 0.8,
    "business_value": 13,
    "time_criticality": 5,
    "risk_reduction": 3,
}


def test_score_inputs_round_trip(client_as):
    client = client_as("pm")
    created = client.post(
        "/api/ideas/", {"title": "Scored", "benefit_estimate": BENEFIT, **SCORES}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = client.get(f"/api/ideas/{created.json()['id']}/").json()
    assert {name: body[name] for name in SCORES} == SCORES
    idea = m.Idea.objects.get(pk=body["id"])
    assert (idea.reach, idea.impact, idea.business_value) == (12_000, 2.0, 13)
    # clearing one puts the idea back to "not scored" for what needs it
    cleared = client.patch(f"/api/ideas/{idea.pk}/", {"reach": None}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["reach"] is None
    assert cleared.json()["impact"] == 2


def test_a_new_idea_is_not_scored_yet(client_as):
    response = client_as("pm").post(
        "/api/ideas/", {"title": "Fresh", "benefit_estimate": BENEFIT}, format="json"
    )
    assert response.status_code == 201
    assert all(response.json()[name] is None for name in SCORES)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("reach", -1, "greater than or equal to 0"),
        ("reach", 2.5, "valid integer"),
        ("reach", 10**12, "less than or equal to"),
        ("impact", 0.7, "0.25 (minimal)"),
        ("impact", "lots", "valid number"),
        ("confidence", 1.5, "less than or equal to 1"),
        ("confidence", -0.1, "greater than or equal to 0"),
        ("business_value", 4, "1, 2, 3, 5, 8, 13, 20"),
        ("time_criticality", 0, "1, 2, 3, 5, 8, 13, 20"),
        ("risk_reduction", 100, "1, 2, 3, 5, 8, 13, 20"),
        ("risk_reduction", True, "valid integer"),
    ],
)
def test_a_score_off_its_scale_is_a_400_naming_the_field(client_as, pm_user, field, value, words):
    idea = IdeaFactory(owner=pm_user)
    response = client_as("pm").patch(f"/api/ideas/{idea.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert words in " ".join(response.json()[field])
    idea.refresh_from_db()
    assert getattr(idea, field) is None
