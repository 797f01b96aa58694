"""The catalogue endpoints: CRUD, lineage by id, filters, search, ordering, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain import models as m

pytestmark = pytest.mark.django_db

ESTIMATE = {"low": 100, "likely": 200, "high": 400}


def test_data_lead_builds_a_lineage_upstream_to_an_acquisition_option(client_as, lead_user):
    client = client_as("lead")
    option = client.post(
        "/api/acquisition-options/",
        {
            "name": "Weather vendor",
            "provider": "Meteo",
            "available": False,
            "build_estimate": {"low": 10000, "likely": 20000, "high": 50000},
        },
        format="json",
    )
    assert option.status_code == 201, option.json()
    raw = client.post(
        "/api/raw-sources/",
        {"name": "Weather feed", "acquisition_option": option.json()["id"], "is_current": True},
        format="json",
    )
    assert raw.status_code == 201, raw.json()
    curated = client.post(
        "/api/curated-datasets/",
        {"name": "Daily weather", "raw_sources": [raw.json()["id"]], "available": False},
        format="json",
    )
    assert curated.status_code == 201, curated.json()
    feature = client.post(
        "/api/features/",
        {
            "name": "rain_mm_7d",
            "curated_datasets": [curated.json()["id"]],
            "build_estimate": ESTIMATE,
            "run_cost_estimate": {"low": 1, "likely": 2, "high": 3},
            "feasibility": 0.8,
            "online": True,
        },
        format="json",
    )
    assert feature.status_code == 201, feature.json()
    body = feature.json()
    assert body["curated_datasets"] == [curated.json()["id"]]
    assert body["build_estimate"] == {"low": 100.0, "likely": 200.0, "high": 400.0}
    assert body["owner"] == lead_user.pk  # defaults to the requesting user
    assert body["tier"] == 1 and body["asset_type"] == "feature"
    assert raw.json()["acquisition_option"] == option.json()["id"]
    stored = m.Feature.objects.get(pk=body["id"])
    assert stored.curated_datasets.get().raw_sources.get().acquisition_option.name == (
        "Weather vendor"
    )


def test_asset_estimate_in_person_days_of_a_role(client_as):
    role = RoleFactory(day_rate=700)
    response = client_as("lead").post(
        "/api/features/",
        {
            "name": "churn_score",
            "build_estimate": {"low": 2, "likely": 3, "high": 5, "days_of_role": role.pk},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["build_estimate"]["days_of_role"] == role.pk
    assert m.Feature.objects.get().build_days_role == role


def test_update_replaces_lineage_and_clears_an_acquisition_option(client_as):
    first, second = CuratedDatasetFactory(), CuratedDatasetFactory()
    feature = FeatureFactory(curated_datasets=[first])
    client = client_as("lead")
    response = client.patch(
        f"/api/features/{feature.pk}/", {"curated_datasets": [second.pk]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["curated_datasets"] == [second.pk]
    raw = RawSourceFactory(acquisition_option=AcquisitionOptionFactory())
    response = client.patch(
        f"/api/raw-sources/{raw.pk}/", {"acquisition_option": None}, format="json"
    )
    assert response.status_code == 200
    raw.refresh_from_db()
    assert raw.acquisition_option is None


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        # a raw source id where curated dataset ids belong: no such curated dataset
        ("/api/features/", {"curated_datasets": ["RAW"]}, "curated_datasets"),
        ("/api/curated-datasets/", {"raw_sources": [999999]}, "raw_sources"),
        ("/api/raw-sources/", {"acquisition_option": 999999}, "acquisition_option"),
        ("/api/features/", {"raw_sources": [1]}, "raw_sources"),
        ("/api/features/", {"curated_datasets": "1,2"}, "curated_datasets"),
        ("/api/acquisition-options/", {"available": True}, "available"),
        ("/api/features/", {"feasibility": 1.5}, "feasibility"),
        (
            "/api/features/",
            {"build_estimate": {"low": 5, "likely": 3, "high": 9}},
            "build_estimate",
        ),
        (
            "/api/features/",
            {"run_cost_estimate": {"low": -1, "likely": 3, "high": 9}},
            "run_cost_estimate",
        ),
        (
            "/api/features/",
            {"build_estimate": {"low": 1, "likely": 2, "high": 3, "days_of_role": 999999}},
            "build_estimate",
        ),
        ("/api/features/", {"owner": 999999}, "owner"),
        ("/api/features/", {"colour": "blue"}, "colour"),
    ],
)
def test_bad_catalogue_input_names_the_field_and_writes_nothing(client_as, url, payload, field):
    raw = RawSourceFactory()
    payload = {key: ([raw.pk] if value == ["RAW"] else value) for key, value in payload.items()}
    before = {model: model.objects.count() for model in m.ASSET_MODELS.values()}
    response = client_as("lead").post(url, {"name": "x", **payload}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert {model: model.objects.count() for model in m.ASSET_MODELS.values()} == before


def test_build_estimate_out_of_order_message(client_as):
    response = client_as("lead").post(
        "/api/features/",
        {"name": "x", "build_estimate": {"low": 5, "likely": 3, "high": 9}},
        format="json",
    )
    assert response.json() == {
        "build_estimate": ["An estimate must satisfy low <= likely <= high."]
    }


def test_asset_in_use_cannot_be_deleted(client_as):
    need = NeedFactory()
    response = client_as("lead").delete(f"/api/features/{need.feature_id}/")
    assert response.status_code == 409
    assert m.Feature.objects.filter(pk=need.feature_id).exists()
    unused = FeatureFactory()
    assert client_as("lead").delete(f"/api/features/{unused.pk}/").status_code == 204


def test_catalogue_filters_search_and_ordering(client_as, lead_user):
    FeatureFactory(name="alpha clicks", available=True, online=True, owner=lead_user)
    FeatureFactory(name="beta basket", available=False, description="clicks per basket")
    FeatureFactory(name="gamma", available=False, feasibility=0.3)
    client = client_as("exec")

    def names(query: str) -> list[str]:
        response = client.get(f"/api/features/{query}")
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names("?available=false") == ["beta basket", "gamma"]
    assert names("?online=true") == ["alpha clicks"]
    assert names(f"?owner={lead_user.pk}") == ["alpha clicks"]
    assert names("?search=clicks") == ["alpha clicks", "beta basket"]
    assert names("?ordering=-name") == ["gamma", "beta basket", "alpha clicks"]
    assert names("?default_feasibility=false") == ["gamma"]


def test_raw_source_readiness_filters(client_as):
    RawSourceFactory(name="fresh", is_current=True, sla_establishable=True)
    RawSourceFactory(name="stale", is_current=False)
    response = client_as("pm").get("/api/raw-sources/?is_current=true")
    assert [row["name"] for row in response.json()["results"]] == ["fresh"]


def test_tiers_list_their_default_roles(client_as):
    response = client_as("exec").get("/api/tiers/")
    assert response.status_code == 200
    tiers = {row["tier"]: row for row in response.json()}
    assert sorted(tiers) == [1, 2, 3, 4]
    data_engineer = m.Role.objects.get(name="Data engineer").pk
    assert tiers[3]["default_roles"] == [data_engineer]
    assert tiers[4]["default_feasibility"] == pytest.approx(0.6)


def test_staff_edit_a_tier_profile_and_roles(client_as):
    client = client_as("staff")
    response = client.patch("/api/tiers/2/", {"default_feasibility": 0.5}, format="json")
    assert response.status_code == 200
    assert m.TierProfile.objects.get(tier=2).default_feasibility == 0.5
    response = client.post("/api/roles/", {"name": "MLOps", "day_rate": 990}, format="json")
    assert response.status_code == 201
    assert (
        client_as("lead")
        .patch("/api/tiers/2/", {"default_feasibility": 0.1}, format="json")
        .status_code
        == 403
    )


def _catalogue(size: int) -> None:
    options = [AcquisitionOptionFactory() for _ in range(max(1, size // 4))]
    raws = [RawSourceFactory(acquisition_option=options[i % len(options)]) for i in range(size)]
    curated = [CuratedDatasetFactory(raw_sources=raws[i : i + 2]) for i in range(size)]
    for i in range(size):
        FeatureFactory(curated_datasets=curated[i : i + 2])


@pytest.mark.parametrize(
    "url",
    ["/api/features/", "/api/curated-datasets/", "/api/raw-sources/", "/api/acquisition-options/"],
)
def test_catalogue_lists_run_a_constant_number_of_queries(client_as, url):
    client = client_as("exec")
    counts = []
    for size in (5, 60):
        _catalogue(size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?page_size=200")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
