"""The catalogue at company size: a page of one tier at a time, real counts per tier,
filters, and links that land on the page an asset is on."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)
from valuechain import models as m
from valuechain.catalogue.selectors import IDEAS_SHOWN, PAGE_SIZE


def features(count: int, **fields) -> list[m.Feature]:
    return [FeatureFactory(name=f"feature {n:03d}", **fields) for n in range(count)]


def shown(html: str, kind: str = "feature") -> int:
    return html.count(f'id="asset-{kind}-')


def get(client, **params) -> str:
    response = client.get(reverse("catalogue"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_page_two_shows_the_next_assets_by_name(client_for, exec_user):
    made = features(PAGE_SIZE + 10)
    client = client_for(exec_user)
    first = get(client, tier=1)
    assert shown(first) == PAGE_SIZE
    assert "Showing 1\u201350 of 60" in first
    second = get(client, tier=1, page=2)
    assert shown(second) == 10
    assert "Showing 51\u201360 of 60" in second
    assert f'id="asset-feature-{made[PAGE_SIZE].pk}"' in second
    assert f'id="asset-feature-{made[PAGE_SIZE].pk}"' not in first
    # The pagination is a landmark and marks where the user is.
    assert '<nav class="pagination" aria-label="Pages of tier 1">' in second
    assert 'aria-current="page" aria-label="Page 2, current page"' in second
    assert 'href="?tier=1" rel="prev"' in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "expected"), [("99", "Showing 51\u201360 of 60"), ("two", "Showing 1\u201350 of 60")]
)
def test_a_page_out_of_range_or_not_a_number_shows_the_last_or_the_first(
    client_for, exec_user, page, expected
):
    features(PAGE_SIZE + 10)
    assert expected in get(client_for(exec_user), tier=1, page=page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"tier": "9"},
        {"tier": "x"},
        {"availability": "maybe"},
        {"owner": "someone"},
        {"use": "sometimes"},
        {"sort": "price"},
        {"page": "-1"},
    ],
)
def test_unknown_filter_values_are_ignored(client_for, exec_user, value_chain, params):
    html = get(client_for(exec_user), **params)
    assert "Tier 1 · Engineered features (2)" in html
    assert "Weekly sales per store" in html and "Promotion uplift" in html


@pytest.mark.django_db
def test_each_tier_tab_counts_what_matches(client_for, exec_user, value_chain):
    features(3, available=True)
    html = get(client_for(exec_user), availability="available")
    assert "Tier 1 · Engineered features (4)" in html
    assert "Tier 2 · Curated data (1)" in html
    assert "Tier 3 · Raw data (1)" in html
    assert "Tier 4 · Data acquisition (0)" in html  # acquisition options are never available
    assert 'aria-current="page">Tier 1' in html


@pytest.mark.django_db
def test_filters_by_availability_owner_and_use(client_for, exec_user, value_chain):
    mine = FeatureFactory(name="my feature", owner=exec_user)
    client = client_for(exec_user)
    to_build = get(client, tier=1, availability="to_build")
    assert "Promotion uplift" in to_build and "Weekly sales per store" not in to_build
    owned = get(client, tier=1, owner="mine")
    assert shown(owned) == 1 and f'id="asset-feature-{mine.pk}"' in owned
    assert 'class="pagination"' not in owned  # one page: no page links
    used = get(client, tier=1, use="used")
    assert "Weekly sales per store" in used and "my feature" not in used
    unused = get(client, tier=1, use="unused")
    assert shown(unused) == 1 and "my feature" in unused
    # Filters combine, and the tabs and page links keep them.
    both = get(client, tier=1, use="unused", owner="mine", q="my")
    assert shown(both) == 1
    assert "Nothing in this tier matches these filters." in get(
        client, tier=1, owner="mine", use="used"
    )


@pytest.mark.django_db
def test_sorting_by_name_both_ways(client_for, exec_user, value_chain):
    client = client_for(exec_user)
    ascending = get(client, tier=1)
    descending = get(client, tier=1, sort="-name")
    assert ascending.index("Promotion uplift") < ascending.index("Weekly sales per store")
    assert descending.index("Weekly sales per store") < descending.index("Promotion uplift")


@pytest.mark.django_db
def test_page_links_keep_the_search_and_filters(client_for, exec_user):
    features(PAGE_SIZE + 1, available=True)
    html = get(client_for(exec_user), tier=1, q="feature", availability="available")
    href = re.search(r'href="\?([^"]*)" rel="next"', html)
    assert href is not None
    assert parse_qs(unescape(href.group(1))) == {
        "tier": ["1"],
        "q": ["feature"],
        "availability": ["available"],
        "page": ["2"],
    }


@pytest.mark.django_db
def test_a_link_to_an_asset_lands_on_its_tier_and_page(client_for, exec_user):
    made = features(PAGE_SIZE + 10)
    raw = RawSourceFactory(name="a raw source")
    client = client_for(exec_user)
    target = made[PAGE_SIZE + 3]
    response = client.get(reverse("catalogue-asset", args=["feature", target.pk]))
    assert response.status_code == 200  # the asset's page links to its row
    place = f"/catalogue/?tier=1&amp;page=2#asset-feature-{target.pk}"
    assert f'href="{place}"' in response.content.decode()
    landed = client.get(place.replace("&amp;", "&")).content.decode()
    assert f'id="asset-feature-{target.pk}"' in landed
    response = client.get(reverse("catalogue-asset", args=["raw_source", raw.pk]))
    assert f'href="/catalogue/?tier=3#asset-raw_source-{raw.pk}"' in response.content.decode()
    missing = client.get(reverse("catalogue-asset", args=["raw_source", raw.pk + 1000]))
    assert missing.status_code == 404


@pytest.mark.django_db
def test_lineage_links_reach_an_asset_on_a_later_page(client_for, exec_user):
    made = features(PAGE_SIZE + 5)
    curated = CuratedDatasetFactory(name="popular table")
    made[-1].curated_datasets.add(curated)
    client = client_for(exec_user)
    html = get(client, tier=2)
    link = reverse("catalogue-asset", args=["feature", made[-1].pk])
    assert f'href="{link}"' in html
    place = f"/catalogue/?tier=1&amp;page=2#asset-feature-{made[-1].pk}"
    assert f'href="{place}"' in client.get(link).content.decode()


@pytest.mark.django_db
def test_saving_an_asset_lands_on_its_page(client_for, lead_user):
    features(PAGE_SIZE + 5)
    target = FeatureFactory(name="zzz last")
    response = client_for(lead_user).post(
        reverse("catalogue-asset-edit", args=["feature", target.pk]),
        {
            "name": "zzz last",
            "description": "",
            "owner": "",
            "feasibility": "",
            "build_low": "0",
            "build_likely": "0",
            "build_high": "0",
            "run_low": "0",
            "run_likely": "0",
            "run_high": "0",
            "feature_group": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/catalogue/?tier=1&page=2#asset-feature-{target.pk}"


@pytest.mark.django_db
def test_a_row_names_a_few_ideas_and_counts_the_rest(client_for, exec_user):
    feature = FeatureFactory(name="popular feature")
    titles = [f"idea {n}" for n in range(IDEAS_SHOWN + 4)]
    ideas = []
    for title in titles:
        idea = IdeaFactory(title=title)
        ideas.append(idea)
        NeedFactory(idea=idea, feature=feature)
        NeedFactory(idea=idea, feature=feature)  # two needs, one idea
    html = get(client_for(exec_user), tier=1)
    row = html[html.index(f'id="asset-feature-{feature.pk}"') :]
    row = row[: row.index("</tr>")]
    for idea in ideas[:IDEAS_SHOWN]:
        assert f'href="{reverse("idea-detail", args=[idea.pk])}"' in row
        assert f">{idea.title}</a>" in row
    assert f">{titles[IDEAS_SHOWN]}</a>" not in row
    assert "+4 more ideas" in row


@pytest.mark.django_db
def test_the_editing_list_is_paged_and_searchable(client_for, lead_user):
    features(PAGE_SIZE + 2)
    FeatureFactory(name="basket affinity")
    client = client_for(lead_user)
    url = reverse("catalogue-asset-list", args=["feature"])
    first = client.get(url).content.decode()
    assert shown(first) == PAGE_SIZE and "Showing 1\u201350 of 53" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert shown(second) == 3
    found = client.get(url, {"q": "basket"}).content.decode()
    assert shown(found) == 1 and "basket affinity" in found
    assert "No feature matches" in client.get(url, {"q": "nothing"}).content.decode()
    assert client.get(url, {"page": "x"}).status_code == 200
