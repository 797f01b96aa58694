"""Lineage graphs follow the closure and charge rules of DESIGN section 3, as the engine
applies them: what the graph draws is what the ROI charges."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    RawSourceFactory,
)
from valuechain import mappers
from valuechain.engine import chain, finance
from valuechain.lineage import graph


def graph_data(page: str) -> dict:
    """The graph the page's script draws, from its json_script element."""
    found = re.search(r'id="lineage-graph-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def ids(data: dict) -> set[str]:
    return {node["id"] for node in data["nodes"]}


def charged(data: dict) -> set[str]:
    return {node["id"] for node in data["nodes"] if node["charged"]}


def edges(data: dict) -> set[tuple[str, str]]:
    return {(edge["source"], edge["target"]) for edge in data["edges"]}


@pytest.mark.django_db
def test_an_unavailable_feature_reaches_upstream_and_charges_what_is_not_ready():
    vendor = AcquisitionOptionFactory(name="vendor")
    new_raw = RawSourceFactory(name="new raw", available=False, acquisition_option=vendor)
    curated = CuratedDatasetFactory(name="to curate", available=False, raw_sources=[new_raw])
    feature = FeatureFactory(name="to build", available=False, curated_datasets=[curated])
    data = graph.asset_graph("feature", feature.pk).to_data()
    f, c, r, a = (
        f"feature-{feature.pk}",
        f"curated_dataset-{curated.pk}",
        f"raw_source-{new_raw.pk}",
        f"acquisition_option-{vendor.pk}",
    )
    assert ids(data) == {f, c, r, a}
    assert charged(data) == {f, c, r, a}
    assert edges(data) == {(c, f), (r, c), (a, r)}  # upstream -> downstream
    # tiers as columns: tier 4 on the left, tier 1 on the right
    x = {node["id"]: node["position"]["x"] for node in data["nodes"]}
    assert x[a] < x[r] < x[c] < x[f]
    assert [node["root"] for node in data["nodes"] if node["id"] == f] == [True]


@pytest.mark.django_db
def test_an_available_asset_stops_the_walk_and_is_not_charged():
    raw = RawSourceFactory(name="existing raw", available=True)
    curated = CuratedDatasetFactory(name="golden", available=True, raw_sources=[raw])
    feature = FeatureFactory(name="in store", available=True, curated_datasets=[curated])
    data = graph.asset_graph("feature", feature.pk).to_data()
    assert ids(data) == {f"feature-{feature.pk}"}  # what exists needs nothing upstream
    assert charged(data) == set()
    # a raw source is always charged (curating it), even when it already arrives
    raw_data = graph.asset_graph("raw_source", raw.pk).to_data()
    assert charged(raw_data) == {f"raw_source-{raw.pk}"}


@pytest.mark.django_db
def test_an_ideas_graph_is_the_union_of_its_needs_closures_as_the_roi_charges(value_chain):
    idea = value_chain.idea
    data = graph.idea_graph(idea).to_data()
    engine_idea = mappers.idea_to_engine(idea)
    catalogue = mappers.ideas_catalogue([engine_idea])
    closure = chain.idea_closure(engine_idea, catalogue)
    assert ids(data) == {f"{kind}-{pk}" for kind, pk in closure} | {"idea"}
    report = finance.roi_report(engine_idea, catalogue)
    assert charged(data) == {f"{kind}-{pk}" for kind, pk in report.charged_assets}
    # each need is an edge from its asset to the idea, named after the need
    to_idea = {edge["label"] for edge in data["edges"] if edge["target"] == "idea"}
    assert to_idea == {"sales history", "promotions", "footfall", "weather"}
    # the available feature's inputs are not drawn: they are not in the closure
    assert f"curated_dataset-{value_chain.curated.pk}" in ids(data)  # via the new feature
    assert f"acquisition_option-{value_chain.acquisition.pk}" in ids(data)


@pytest.mark.django_db
def test_the_tier_view_pages_its_assets_and_reads_in_constant_queries(
    client_for, exec_user, django_assert_max_num_queries
):
    def make(count: int) -> None:
        for _ in range(count):
            raw = RawSourceFactory(available=False, acquisition_option=AcquisitionOptionFactory())
            CuratedDatasetFactory(available=False, raw_sources=[raw])

    client = client_for(exec_user)
    make(3)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("catalogue-lineage"), {"tier": 2})
    make(40)
    with django_assert_max_num_queries(40) as many:
        response = client.get(reverse("catalogue-lineage"), {"tier": 2})
    assert len(many.captured_queries) == len(few.captured_queries)
    page = response.content.decode()
    assert "The 43 assets of tier 2, 20 a page" in page
    data = graph_data(page)
    assert sum(1 for node in data["nodes"] if node["tier"] == 2) == graph.TIER_PAGE_SIZE
    assert len(data["nodes"]) == 3 * graph.TIER_PAGE_SIZE  # each with its raw source and feed
    last = client.get(reverse("catalogue-lineage"), {"tier": 2, "page": 3}).content.decode()
    assert "page 3 of 3" in last


@pytest.mark.django_db
def test_the_tier_view_refuses_a_bad_tier_naming_it(client_for, exec_user):
    response = client_for(exec_user).get(reverse("catalogue-lineage"), {"tier": "9"})
    assert response.status_code == 400
    assert "tier must be 1, 2, 3 or 4" in response.content.decode()
    response = client_for(exec_user).get(reverse("catalogue-lineage"), {"page": "x"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_pages_show_the_graph_and_a_table_of_the_same_links(client_for, exec_user, value_chain):
    client = client_for(exec_user)
    for url in (
        reverse("idea-detail", args=[value_chain.idea.pk]),
        reverse("catalogue-asset", args=["raw_source", value_chain.new_raw.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'id="lineage-graph"' in page and "cytoscape.min.js" in page
        assert "cdn" not in page.lower()
        data = graph_data(page)
        rows = set(re.findall(r'data-edge="([^"]+)"', page))
        assert rows == {edge["id"] for edge in data["edges"]}
        assert rows  # the chain has links to show


@pytest.mark.django_db
def test_the_api_gives_the_same_graphs(api_client_for, exec_user, value_chain):
    client = api_client_for(exec_user)
    idea = value_chain.idea
    response = client.get(f"/api/ideas/{idea.pk}/lineage/")
    assert response.status_code == 200
    assert response.json() == graph.idea_graph(idea).to_data()
    asset = client.get(f"/api/lineage/raw_source/{value_chain.new_raw.pk}/")
    assert asset.status_code == 200
    assert {n["name"] for n in asset.json()["nodes"]} == {
        "Weather observations",
        "Weather vendor feed",
    }
    assert client.get("/api/lineage/raw_source/999999/").status_code == 404
    assert client.get("/api/lineage/raw_source/99999999999999999/").status_code == 404
    assert client.get("/api/ideas/999999/lineage/").status_code == 404
    assert api_client_for(None).get(f"/api/ideas/{idea.pk}/lineage/").status_code == 401


@pytest.mark.django_db
def test_the_catalogue_links_to_the_lineage_of_the_tier_it_shows(client_for, exec_user):
    page = client_for(exec_user).get(reverse("catalogue"), {"tier": 3}).content.decode()
    assert f'href="{reverse("catalogue-lineage")}?tier=3"' in page
