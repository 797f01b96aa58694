"""Garbage in gets a 4xx JSON answer naming what is wrong, writes nothing, and never a 500."""

from __future__ import annotations

import json

import pytest

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db

BENEFIT = {"low": 1, "likely": 2, "high": 3}
HUGE = 10**40


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            m.Idea,
            m.Need,
            m.Feature,
            m.CuratedDataset,
            m.RawSource,
            m.AcquisitionOption,
            m.StakeholderAssignment,
            m.Role,
        )
    }


IDEA_FIELD_ERRORS = [
    ({"probability_of_success": "abc"}, "probability_of_success"),
    ({"probability_of_success": 1.2}, "probability_of_success"),
    ({"probability_of_success": -0.1}, "probability_of_success"),
    ({"probability_of_success": True}, "probability_of_success"),
    ({"probability_of_success": [0.5]}, "probability_of_success"),
    ({"horizon_years": 0}, "horizon_years"),
    ({"horizon_years": 31}, "horizon_years"),
    ({"horizon_years": "five"}, "horizon_years"),
    ({"horizon_years": HUGE}, "horizon_years"),
    ({"horizon_years": 2.5}, "horizon_years"),
    ({"horizon_years": True}, "horizon_years"),
    ({"discount_rate": 1.5}, "discount_rate"),
    ({"discount_rate": -0.01}, "discount_rate"),
    ({"discount_rate": {"rate": 0.1}}, "discount_rate"),
    ({"benefit_estimate": {"low": 3, "likely": 2, "high": 1}}, "benefit_estimate"),
    ({"benefit_estimate": {"low": -1, "likely": 2, "high": 3}}, "benefit_estimate"),
    ({"benefit_estimate": {"low": "a", "likely": 2, "high": 3}}, "benefit_estimate"),
    ({"benefit_estimate": {"low": {"x": 1}, "likely": 2, "high": 3}}, "benefit_estimate"),
    (
        {"benefit_estimate": {"low": HUGE**10, "likely": HUGE**10, "high": HUGE**10}},
        "benefit_estimate",
    ),
    ({"benefit_estimate": {"low": 1, "likely": 2, "high": 3, "median": 2}}, "benefit_estimate"),
    (
        {"benefit_estimate": {"low": 1, "likely": 2, "high": 3, "days_of_role": -4}},
        "benefit_estimate",
    ),
    (
        {"benefit_estimate": {"low": 1, "likely": 2, "high": 3, "days_of_role": HUGE}},
        "benefit_estimate",
    ),
    (
        {"benefit_estimate": {"low": 1, "likely": 2, "high": 3, "days_of_role": 1}},
        "benefit_estimate",
    ),  # a benefit is money, never person-days
    ({"benefit_estimate": "100"}, "benefit_estimate"),
    ({"benefit_estimate": [1, 2, 3]}, "benefit_estimate"),
    ({"benefit_estimate": None}, "benefit_estimate"),
    ({"title": {"a": [1, {"b": None}]}}, "title"),
    ({"title": "nul\x00byte"}, "title"),
    ({"title": "x" * 5000}, "title"),
    ({"status": ["draft"]}, "status"),
    ({"status": "finished"}, "status"),
    ({"owner": -1}, "owner"),
    ({"owner": HUGE}, "owner"),
    ({"owner": {"id": 1}}, "owner"),
    ({"owner": "me"}, "owner"),
    ({"roi": 3, "npv": 5}, "npv"),
]


@pytest.mark.parametrize(("payload", "field"), IDEA_FIELD_ERRORS)
def test_bad_idea_fields_are_named(client_as, payload, field):
    before = _rows()
    body = {"title": "t", "benefit_estimate": BENEFIT, **payload}
    response = client_as("pm").post("/api/ideas/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _rows() == before


@pytest.mark.parametrize(("payload", "field"), IDEA_FIELD_ERRORS)
def test_bad_idea_updates_are_named_and_change_nothing(client_as, pm_user, payload, field):
    idea = IdeaFactory(owner=pm_user, title="kept")
    response = client_as("pm").patch(f"/api/ideas/{idea.pk}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    idea.refresh_from_db()
    assert idea.title == "kept" and idea.benefit_likely == 100_000


RAW_BODIES = [
    b'{"title": "t", "benefit_estimate": ',  # truncated
    b"{'title': 't'}",  # not JSON
    b'{"title": NaN}',
    b'{"title": "t", "probability_of_success": Infinity}',
    b"[" * 50_000 + b"]" * 50_000,  # nested too deeply for the parser
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b"42",
    b"\xff\xfe\x00garbage",
]


@pytest.mark.parametrize(
    "url",
    ["/api/ideas/", "/api/features/", "/api/stakeholder-assignments/", "/api/ideas/{idea}/needs/"],
)
@pytest.mark.parametrize("body", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_malformed_bodies_are_400(client_as, pm_user, url, body):
    idea = IdeaFactory(owner=pm_user)
    before = _rows()
    response = client_as("staff").generic(
        "POST", url.format(idea=idea.pk), body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()
    assert _rows() == before


def test_huge_float_literal_is_400(client_as):
    body = b'{"title": "t", "benefit_estimate": {"low": 1e400, "likely": 1e400, "high": 1e400}}'
    response = client_as("pm").generic("POST", "/api/ideas/", body, content_type="application/json")
    assert response.status_code == 400
    assert "benefit_estimate" in response.json()


def test_oversized_body_is_413(client_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "t", "description": "x" * 20_000, "benefit_estimate": BENEFIT})
    response = client_as("pm").generic("POST", "/api/ideas/", body, content_type="application/json")
    assert response.status_code == 413
    assert not m.Idea.objects.exists()


def test_form_encoded_body_is_refused_with_415(client_as):
    response = client_as("pm").post("/api/ideas/", {"title": "t"})
    assert response.status_code == 415


@pytest.mark.parametrize(
    "query",
    ["?page=abc", "?page=0", "?page=99999", f"?page={HUGE}"],
)
def test_bad_pages_are_404_not_500(client_as, query):
    IdeaFactory()
    response = client_as("exec").get(f"/api/ideas/{query}")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "?ordering=bogus",
        "?ordering=-npv,bogus,title",
        "?ordering=owner__password",
        "?ordering=",
        "?page_size=100000",
        "?page_size=-5",
        "?page_size=abc",
        "?available=maybe",
        "?unknown=1",
        "?ordering=" + "title," * 3000,
        "?search=" + "%20" * 150 + "x",
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/api/ideas/",
        "/api/features/",
        "/api/raw-sources/",
        "/api/stakeholder-assignments/",
        "/api/ideas/{idea}/needs/",
    ],
)
def test_odd_query_strings_still_answer(client_as, url, query):
    idea = IdeaFactory()
    NeedFactory(idea=idea)
    response = client_as("exec").get(url.format(idea=idea.pk) + query)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) <= 200


def test_page_size_is_bounded(client_as):
    for _ in range(205):
        FeatureFactory()
    body = client_as("exec").get("/api/features/?page_size=100000").json()
    assert body["count"] == 205 and len(body["results"]) == 200


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/ideas/?owner=abc", "owner"),
        (f"/api/ideas/?owner={HUGE}", "owner"),
        ("/api/ideas/?owner=-1", "owner"),
        ("/api/ideas/?status=bogus", "status"),
        ("/api/ideas/?tier=9", "tier"),
        ("/api/ideas/?tier=abc", "tier"),
        ("/api/features/?owner=1.5", "owner"),
        (f"/api/features/?curated_dataset={HUGE}", "curated_dataset"),
        ("/api/raw-sources/?acquisition_option=x", "acquisition_option"),
        ("/api/stakeholder-assignments/?tier=7", "tier"),
        ("/api/stakeholder-assignments/?person=-2", "person"),
        ("/api/features/?feature_group=%00", "feature_group"),
        ("/api/features/?search=%00%01", "search"),
        ("/api/ideas/?search=" + "x" * 3000, "search"),
        ("/api/raw-sources/?search=" + "a%20" * 60, "search"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(client_as, url, param):
    response = client_as("exec").get(url)
    assert response.status_code == 400, response.content
    assert param in response.json()


@pytest.mark.parametrize(
    "path",
    [
        f"/api/ideas/{HUGE}/",
        "/api/ideas/abc/",
        "/api/ideas/-1/",
        f"/api/ideas/{HUGE}/roi/",
        "/api/ideas/99999/roi/",
        f"/api/ideas/{2**63}/needs/",
        "/api/ideas/99999/needs/",
        f"/api/features/{2**63}/",
        "/api/tiers/9/",
        f"/api/ideas/{2**63 - 1}/stakeholder-gaps/",
    ],
)
def test_unknown_or_absurd_ids_are_404(client_as, path):
    response = client_as("staff").get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_writes_to_absurd_ids_are_404(client_as, method):
    response = getattr(client_as("staff"), method)(
        f"/api/ideas/{2**63}/needs/{HUGE}/", {"name": "x"}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"idea": HUGE}, "idea"),
        ({"idea": -1}, "idea"),
        ({"role": "Data engineer"}, "role"),
        ({"person": [1]}, "person"),
        ({"tier": 5}, "tier"),
        ({"tier": "one"}, "tier"),
        ({"note": {"x": 1}}, "note"),
        ({"manager": 1}, "manager"),
    ],
)
def test_bad_assignment_input_is_named(client_as, users, payload, field):
    idea = IdeaFactory()
    body = {
        "idea": idea.pk,
        "tier": 1,
        "role": m.Role.objects.first().pk,
        "person": users["exec"].pk,
        **payload,
    }
    response = client_as("lead").post("/api/stakeholder-assignments/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not m.StakeholderAssignment.objects.exists()


def test_duplicate_assignment_is_refused(client_as, users):
    idea = IdeaFactory()
    body = {
        "idea": idea.pk,
        "tier": 2,
        "role": m.Role.objects.first().pk,
        "person": users["exec"].pk,
    }
    client = client_as("lead")
    assert client.post("/api/stakeholder-assignments/", body, format="json").status_code == 201
    again = client.post("/api/stakeholder-assignments/", body, format="json")
    assert again.status_code == 400
    assert m.StakeholderAssignment.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"curated_datasets": [HUGE]},
        {"curated_datasets": [-1]},
        {"curated_datasets": [{"id": 1}]},
        {"curated_datasets": [True]},
        {"curated_datasets": {"1": 1}},
        {"curated_datasets": list(range(1, 2000))},
        {"build_estimate": {"low": HUGE, "likely": HUGE, "high": HUGE}},
        {"feasibility": "0.5.1"},
        {"feasibility": 1e308},
        {"online": {"deep": [[[]]]}},
    ],
)
def test_garbage_in_catalogue_writes_is_400(client_as, payload):
    response = client_as("lead").post("/api/features/", {"name": "f", **payload}, format="json")
    assert response.status_code == 400, response.content
    assert set(payload) & set(response.json())
    assert not m.Feature.objects.exists()


def test_token_endpoint_survives_deeply_nested_json():
    from rest_framework.test import APIClient

    response = APIClient().generic(
        "POST",
        "/api/auth/token/",
        b"[" * 50_000 + b"]" * 50_000,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
