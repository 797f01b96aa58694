"""The catalogue by tier with lineage, and the tier-by-tier search behind the need picker."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain import models as m


def section(html: str, tier: int) -> str:
    start = html.index(f'id="tier-{tier}"')
    end = html.find('<section class="card tier-section"', start)
    return html[start:] if end == -1 else html[start:end]


def row(html: str, asset: m.Asset) -> str:
    start = html.index(f'id="asset-{asset.asset_type}-{asset.pk}"')
    return html[start : html.index("</tr>", start)]


def tier_page(client, tier: int, **params: str) -> str:
    response = client.get(reverse("catalogue"), {"tier": tier, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_tiers_come_in_order_from_the_feature_store_up(client_for, exec_user, value_chain):
    client = client_for(exec_user)
    html = client.get(reverse("catalogue")).content.decode()
    tabs = [html.index(f"Tier {tier} · {m.Tier(tier).label} (") for tier in (1, 2, 3, 4)]
    assert tabs == sorted(tabs)
    assert 'id="tier-1"' in html and 'id="tier-2"' not in html  # one tier at a time
    assert "Weekly sales per store" in section(html, 1)
    assert "Store footfall" in section(tier_page(client, 2), 2)
    assert "Point of sale log" in section(tier_page(client, 3), 3)
    assert "Weather vendor feed" in section(tier_page(client, 4), 4)


@pytest.mark.django_db
def test_each_tier_shows_its_investment_band_and_default_roles(client_for, exec_user):
    client = client_for(exec_user)
    for profile in m.TierProfile.objects.prefetch_related("default_roles"):
        part = section(tier_page(client, profile.tier), profile.tier)
        assert profile.get_investment_band_display() in part
        for role in profile.default_roles.all():
            assert role.name in part


@pytest.mark.django_db
def test_lineage_shows_inputs_upstream_and_users_downstream(client_for, exec_user, value_chain):
    client = client_for(exec_user)
    curated = row(tier_page(client, 2), value_chain.curated)
    assert "Point of sale log" in curated  # upstream input
    assert "Weekly sales per store" in curated and "Promotion uplift" in curated  # users
    # Lineage crosses tiers, so it links to where the asset is, not to an anchor here.
    place = reverse("catalogue-asset", args=["feature", value_chain.feature.pk])
    assert f'href="{place}"' in curated
    raw = row(tier_page(client, 3), value_chain.new_raw)
    assert "Weather vendor feed" in raw
    assert "Demand forecast" in raw  # the idea whose need points at it
    option = row(tier_page(client, 4), value_chain.acquisition)
    assert "Weather observations" in option


@pytest.mark.django_db
def test_estimates_are_pert_means_and_person_days_are_priced(client_for, exec_user):
    FeatureFactory(name="three point", build_low=100, build_likely=400, build_high=1300)
    role = RoleFactory(name="Costly role", day_rate=1000)
    CuratedDatasetFactory(
        name="in days", build_low=2, build_likely=3, build_high=4, build_days_role=role
    )
    client = client_for(exec_user)
    assert ">" + f"{(100 + 4 * 400 + 1300) / 6:,.0f}" + "<" in section(tier_page(client, 1), 1)
    assert ">3,000<" in section(tier_page(client, 2), 2)


@pytest.mark.django_db
def test_search_counts_matches_in_every_tier_and_opens_the_first_with_any(
    client_for, exec_user, value_chain
):
    client = client_for(exec_user)
    html = client.get(reverse("catalogue"), {"q": "weather"}).content.decode()
    assert "Tier 1 · Engineered features (0)" in html
    assert "Tier 3 · Raw data (1)" in html and "Tier 4 · Data acquisition (1)" in html
    assert "Weather observations" in section(html, 3)
    assert "Weekly sales per store" not in html
    # The tier tabs keep the search.
    assert "?q=weather&amp;tier=4" in html or "?tier=4&amp;q=weather" in html
    assert "Weather vendor feed" in section(tier_page(client, 4, q="weather"), 4)
    assert "Nothing in this tier matches" in section(tier_page(client, 1, q="weather"), 1)


def build_catalogue(size: int) -> None:
    idea = IdeaFactory()
    for _ in range(size):
        option = AcquisitionOptionFactory()
        raw = RawSourceFactory(acquisition_option=option, available=False)
        curated = CuratedDatasetFactory(raw_sources=[raw])
        feature = FeatureFactory(curated_datasets=[curated])
        NeedFactory(idea=idea, feature=feature)
        NeedFactory(idea=idea, raw_source=raw)
        NeedFactory(feature=feature)


@pytest.mark.django_db
@pytest.mark.parametrize("tier", [1, 2, 3, 4])
def test_the_catalogue_runs_the_same_number_of_queries_at_two_sizes(client_for, exec_user, tier):
    client = client_for(exec_user)
    build_catalogue(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("catalogue"), {"tier": tier}).status_code == 200
    build_catalogue(35)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("catalogue"), {"tier": tier})
    kind = list(m.ASSET_MODELS)[tier - 1]
    assert response.content.decode().count(f'id="asset-{kind}-') == 40
    assert len(large) == len(small)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tier", "found", "not_found"),
    [
        (1, "Weekly sales per store", "Sales golden table"),
        (2, "Sales golden table", "Weekly sales per store"),
        (3, "Point of sale log", "Sales golden table"),
        (4, "Weather vendor feed", "Point of sale log"),
    ],
)
def test_the_picker_search_returns_assets_of_the_chosen_tier_only(
    client_for, pm_user, value_chain, tier, found, not_found
):
    html = client_for(pm_user).get(reverse("catalogue-search"), {"tier": tier}).content.decode()
    assert found in html
    assert not_found not in html
    assert 'class="pick' in html


@pytest.mark.django_db
def test_the_picker_search_starts_in_the_feature_store_and_offers_the_next_tier(
    client_for, pm_user, value_chain
):
    client = client_for(pm_user)
    html = client.get(reverse("catalogue-search")).content.decode()
    assert 'data-tier="1"' in html and "Weekly sales per store" in html
    html = client.get(reverse("catalogue-search"), {"tier": 1, "q": "footfall"}).content.decode()
    assert "Nothing in tier 1" in html
    assert 'class="picker-next link-button" data-tier="2"' in html
    html = client.get(reverse("catalogue-search"), {"tier": 2, "q": "FOOT"}).content.decode()
    assert f'data-asset-type="curated_dataset" data-asset-id="{value_chain.new_curated.pk}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"tier": "0"},
        {"tier": "5"},
        {"tier": "feature"},
        {"tier": "1", "q": "x" * 101},
    ],
)
def test_a_bogus_search_is_a_400(client_for, pm_user, params):
    response = client_for(pm_user).get(reverse("catalogue-search"), params)
    assert response.status_code == 400


@pytest.mark.django_db
def test_catalogue_search_with_a_nul_character_still_renders(client_for, exec_user, value_chain):
    response = client_for(exec_user).get(reverse("catalogue"), {"q": "wea\x00ther", "tier": 4})
    assert response.status_code == 200
    assert "Weather vendor feed" in response.content.decode()
    bad = client_for(exec_user).get(reverse("catalogue-search"), {"tier": 1, "q": "a\x00"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_only_staff_see_the_link_to_edit_the_catalogue(client_for, staff_user, lead_user):
    admin = reverse("admin:app_list", args=["valuechain"])
    assert admin in client_for(staff_user).get(reverse("catalogue")).content.decode()
    assert admin not in client_for(lead_user).get(reverse("catalogue")).content.decode()
