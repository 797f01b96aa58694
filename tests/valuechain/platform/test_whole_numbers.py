"""Forms show whole amounts of money as 400000, never 400000.0."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import FeatureFactory, IdeaFactory


@pytest.mark.django_db
def test_the_idea_form_shows_whole_amounts_without_a_decimal(client_for, pm_user):
    idea = IdeaFactory(
        owner=pm_user, benefit_low=400_000, benefit_likely=500_000.0, benefit_high=600_000
    )
    html = client_for(pm_user).get(reverse("idea-edit", args=[idea.pk])).content.decode()
    assert re.search(r'name="benefit_low"[^>]*value="400000"', html)
    assert re.search(r'name="benefit_likely"[^>]*value="500000"', html)
    assert "400000.0" not in html and "500000.0" not in html


@pytest.mark.django_db
def test_the_asset_form_keeps_real_decimals(client_for, lead_user):
    feature = FeatureFactory(build_low=1500.5, build_likely=2000, build_high=2500)
    url = reverse("catalogue-asset-edit", args=["feature", feature.pk])
    html = client_for(lead_user).get(url).content.decode()
    assert re.search(r'name="build_low"[^>]*value="1500.5"', html)
    assert re.search(r'name="build_likely"[^>]*value="2000"', html)
