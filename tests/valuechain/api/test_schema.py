"""The OpenAPI schema and the offline API docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from valuechain.api.urls import core_urlpatterns

pytestmark = pytest.mark.django_db

MAIN_PATHS = [
    "/api/roles/",
    "/api/tiers/",
    "/api/features/",
    "/api/curated-datasets/",
    "/api/raw-sources/",
    "/api/acquisition-options/",
    "/api/ideas/",
    "/api/ideas/{id}/roi/",
    "/api/ideas/{idea_pk}/needs/",
    "/api/ideas/{idea_pk}/needs/{id}/",
    "/api/stakeholder-assignments/",
    "/api/ideas/{id}/stakeholder-gaps/",
]


def test_schema_lists_the_public_api(client_as):
    response = client_as("exec").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    for url in MAIN_PATHS:
        assert url in schema["paths"], url
    report = schema["components"]["schemas"]["RoiReport"]["properties"]
    for field in (
        "tier",
        "npv",
        "roi",
        "payback_years",
        "negative_from_tier",
        "best_stop_tier",
        "ladder",
        "charged_assets",
    ):
        assert field in report
    estimate = schema["components"]["schemas"]["Estimate"]["properties"]
    assert set(estimate) == {"low", "likely", "high", "days_of_role"}


def test_core_api_schema_generates_without_warnings():
    """What `spectacular --fail-on-warn` demands, for the endpoints of this package."""
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include(core_urlpatterns))])
    schema = generator.get_schema(request=None, public=True)
    assert "/api/ideas/{id}/roi/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, dict(
        GENERATOR_STATS._warn_cache
    )


def test_whole_schema_generates_without_warnings_and_validates(tmp_path: Path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    assert "/api/ideas/{id}/roi/" in target.read_text()


def test_docs_render_offline_from_the_sidecar(client_as, client):
    response = client_as("exec").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html
    bundle = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', html)
    assert bundle is not None and bundle.group(1).startswith("/static/")
    assert client.get(bundle.group(1)).status_code == 200
