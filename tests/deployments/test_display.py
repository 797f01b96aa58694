"""How deployments read on the pages: a clear recommendation without a conflict banner, and
latencies in the unit a reader would use."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from deployments.templatetags.deployment_tags import latency
from tests.deployments.factories import DeploymentPlanFactory
from tests.deployments.test_pages import FORM, client_for
from tests.factories import IdeaFactory


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [
        (250, "250\u00a0ms"),
        (0.5, "0.5\u00a0ms"),
        (1_000, "1\u00a0s"),
        (1_500, "1.5\u00a0s"),
        (120_000, "2\u00a0min"),
        (90_000, "1.5\u00a0min"),
        (3_600_000, "1\u00a0h"),
        (86_400_000, "1\u00a0day"),
        (172_800_000, "2\u00a0days"),
        (None, "\u2013"),
    ],
)
def test_latency_is_shown_in_sensible_units(milliseconds, text) -> None:
    assert latency(milliseconds) == text


@pytest.mark.django_db
def test_a_clear_answer_has_no_conflict_banner_but_says_why_others_are_ruled_out(pm_user) -> None:
    client: Client = client_for(pm_user)
    device = {**FORM, "data_location": "device", "connectivity": "none", "latency_ms": "10"}
    html = client.post("/deployments/recommend/", device).content.decode()
    assert re.findall(r'data-type="(\w+)"', html)[0] == "edge"
    assert "pull against each other" not in html
    assert "Ruled out:" in html and "never reaches" in html


@pytest.mark.django_db
def test_the_plans_table_shows_an_hour_not_3600000_ms(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user, title="Nightly scores")
    DeploymentPlanFactory(idea=idea, latency_ms=3_600_000)
    html = client_for(pm_user).get("/deployments/").content.decode()
    assert "1\u00a0h" in html
    assert "3,600,000" not in html and "3600000" not in html
