"""Who may do what: product managers own ideas and needs, data leads the catalogue and
stakeholders, executives read, staff do everything, anonymous callers get 401."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/roles/",
    "/api/tiers/",
    "/api/features/",
    "/api/curated-datasets/",
    "/api/raw-sources/",
    "/api/acquisition-options/",
    "/api/ideas/",
    "/api/stakeholder-assignments/",
]
EXACT = {"low": 1, "likely": 1, "high": 1}


@pytest.fixture
def world(pm_user):
    idea = IdeaFactory(owner=pm_user)
    need = NeedFactory(idea=idea)
    return {"idea": idea, "need": need, "feature": FeatureFactory()}


@pytest.mark.parametrize("who", ["pm", "lead", "exec", "staff"])
@pytest.mark.parametrize("url", LISTS)
def test_every_signed_in_user_reads(client_as, who, url):
    assert client_as(who).get(url).status_code == 200


@pytest.mark.parametrize("url", [*LISTS, "/api/ideas/{idea}/roi/", "/api/ideas/{idea}/needs/"])
def test_anonymous_callers_get_401_with_a_token_challenge(world, url):
    response = APIClient().get(url.format(idea=world["idea"].pk))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_writes_get_401_and_write_nothing(world):
    response = APIClient().post("/api/features/", {"name": "x"}, format="json")
    assert response.status_code == 401
    assert m.Feature.objects.count() == 2


def _request(client, method, url, payload):
    return getattr(client, method)(url, payload, format="json")


def _payload(kind, world, users):
    return {
        "feature": {"name": "new feature"},
        "idea": {"title": "new idea", "benefit_estimate": EXACT},
        "need": {"name": "n", "asset_type": "feature", "asset_id": world["feature"].pk},
        "assignment": {
            "idea": world["idea"].pk,
            "tier": 1,
            "role": m.Role.objects.first().pk,
            "person": users["exec"].pk,
        },
        "role": {"name": "Prompt engineer", "day_rate": 500},
    }[kind]


CREATE = [
    # (what, url, {who: expected status})
    (
        "feature",
        "/api/features/",
        {"pm": 403, "other_pm": 403, "lead": 201, "exec": 403, "staff": 201},
    ),
    ("idea", "/api/ideas/", {"pm": 201, "other_pm": 201, "lead": 403, "exec": 403, "staff": 201}),
    (
        "need",
        "/api/ideas/{idea}/needs/",
        {"pm": 201, "other_pm": 403, "lead": 403, "exec": 403, "staff": 201},
    ),
    (
        "assignment",
        "/api/stakeholder-assignments/",
        {"pm": 403, "other_pm": 403, "lead": 201, "exec": 403, "staff": 201},
    ),
    ("role", "/api/roles/", {"pm": 403, "other_pm": 403, "lead": 403, "exec": 403, "staff": 201}),
]


@pytest.mark.parametrize("who", ["pm", "other_pm", "lead", "exec", "staff"])
@pytest.mark.parametrize(("kind", "url", "expected"), CREATE, ids=[c[0] for c in CREATE])
def test_create_permissions(client_as, users, world, who, kind, url, expected):
    counts = {
        model: model.objects.count()
        for model in (m.Feature, m.Idea, m.Need, m.StakeholderAssignment, m.Role)
    }
    response = _request(
        client_as(who), "post", url.format(idea=world["idea"].pk), _payload(kind, world, users)
    )
    assert response.status_code == expected[who], response.json()
    after = {model: model.objects.count() for model in counts}
    assert sum(after.values()) - sum(counts.values()) == (1 if expected[who] == 201 else 0)


CHANGE = [
    (
        "feature",
        "/api/features/{feature}/",
        {"name": "renamed"},
        {"pm": 403, "other_pm": 403, "lead": 200, "exec": 403, "staff": 200},
    ),
    (
        "idea",
        "/api/ideas/{idea}/",
        {"title": "renamed"},
        {"pm": 200, "other_pm": 403, "lead": 403, "exec": 403, "staff": 200},
    ),
    (
        "need",
        "/api/ideas/{idea}/needs/{need}/",
        {"name": "renamed"},
        {"pm": 200, "other_pm": 403, "lead": 403, "exec": 403, "staff": 200},
    ),
    (
        "tier",
        "/api/tiers/1/",
        {"label": "renamed"},
        {"pm": 403, "other_pm": 403, "lead": 403, "exec": 403, "staff": 200},
    ),
]


@pytest.mark.parametrize("who", ["pm", "other_pm", "lead", "exec", "staff"])
@pytest.mark.parametrize(("kind", "url", "payload", "expected"), CHANGE, ids=[c[0] for c in CHANGE])
def test_change_permissions(client_as, world, who, kind, url, payload, expected):
    url = url.format(idea=world["idea"].pk, need=world["need"].pk, feature=world["feature"].pk)
    response = client_as(who).patch(url, payload, format="json")
    assert response.status_code == expected[who]
    changed = client_as("exec").get(url).json()
    assert (changed.get("name", changed.get("title", changed.get("label"))) == "renamed") == (
        expected[who] == 200
    )


@pytest.mark.parametrize(("who", "expected"), [("other_pm", 403), ("exec", 403), ("pm", 204)])
def test_only_the_owner_deletes_an_idea(client_as, world, who, expected):
    response = client_as(who).delete(f"/api/ideas/{world['idea'].pk}/")
    assert response.status_code == expected
    assert m.Idea.objects.filter(pk=world["idea"].pk).exists() == (expected != 204)


def test_other_product_managers_cannot_delete_needs(client_as, world):
    url = f"/api/ideas/{world['idea'].pk}/needs/{world['need'].pk}/"
    assert client_as("other_pm").delete(url).status_code == 403
    assert m.Need.objects.filter(pk=world["need"].pk).exists()


def test_token_from_credentials_opens_the_api(users):
    user = users["exec"]
    client = APIClient()
    bad = client.post(
        "/api/auth/token/", {"username": user.username, "password": "wrong"}, format="json"
    )
    assert bad.status_code == 400
    response = client.post(
        "/api/auth/token/",
        {"username": user.username, "password": "valuechain-test"},
        format="json",
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/ideas/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/ideas/").status_code == 401


def test_session_login_works_for_the_api(users):
    client = APIClient()
    client.force_login(users["pm"])
    assert client.get("/api/features/").status_code == 200
