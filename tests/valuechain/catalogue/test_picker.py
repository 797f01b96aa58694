"""The need picker says what choosing an asset brings: the tier its closure really reaches and
the cumulative one-off and yearly cost of everything it charges the idea."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain.catalogue import selectors

pytestmark = pytest.mark.django_db


def three_point(prefix: str, low: float, likely: float, high: float) -> dict[str, float]:
    return {f"{prefix}_low": low, f"{prefix}_likely": likely, f"{prefix}_high": high}


@pytest.fixture
def licensed_raw():
    """A raw source that does not arrive yet: using it means buying a licence (tier 4)."""
    licence = AcquisitionOptionFactory(
        name="CrediScore licence",
        **three_point("build", 10_000, 40_000, 70_000),  # mean 40,000
        **three_point("run", 12_000, 12_000, 12_000),
    )
    # curation of 10 person-days of a 900-a-day role, and 3,000 a year to run
    role = RoleFactory(name="Curator", day_rate=900)
    raw = RawSourceFactory(
        name="Buyer credit records",
        available=False,
        acquisition_option=licence,
        build_days_role=role,
        **three_point("build", 10, 10, 10),
        **three_point("run", 3_000, 3_000, 3_000),
    )
    return raw, licence


def test_a_raw_source_pulling_in_a_licence_reaches_tier_4_and_includes_its_cost(licensed_raw):
    raw, licence = licensed_raw
    assert licence.available is False
    (result,), truncated = selectors.search_assets(3, "credit")
    assert not truncated
    assert result["asset"] == raw
    assert result["reach_tier"] == 4
    assert result["one_off"] == pytest.approx(9_000 + 40_000)
    assert result["yearly"] == pytest.approx(3_000 + 12_000)
    assert [asset.name for asset in result["pulls_in"]] == ["CrediScore licence"]


def test_an_available_chain_reaches_only_what_still_needs_work():
    # A feature to build on an available curated dataset: its closure stops at the dataset
    # (tier 2, already there: nothing charged, nothing upstream walked), so only the feature's
    # own build is charged.
    curated = CuratedDatasetFactory(available=True, **three_point("build", 5, 5, 5))
    feature = FeatureFactory(
        name="Basket size",
        available=False,
        curated_datasets=[curated],
        **three_point("build", 2_000, 2_000, 2_000),
    )
    (result,), _ = selectors.search_assets(1, "basket")
    assert result["asset"] == feature
    assert (result["reach_tier"], result["one_off"], result["yearly"]) == (2, 2_000, 0)
    assert result["pulls_in"] == []


def test_the_picker_shows_the_reached_tier_and_cumulative_cost(client_for, pm_user, licensed_raw):
    html = (
        client_for(pm_user)
        .get(reverse("catalogue-search"), {"tier": 3, "q": "credit"})
        .content.decode()
    )
    assert "reaches tier 4" in html
    assert "49,000" in html and "15,000" in html
    assert "CrediScore licence (tier 4)" in html
    assert 'data-label="Buyer credit records (tier 3, reaches tier 4)"' in html


def test_the_picker_search_reads_in_a_constant_number_of_queries(
    django_assert_max_num_queries, django_assert_num_queries, licensed_raw
):
    with django_assert_max_num_queries(20) as one:
        selectors.search_assets(3, "")
    baseline = len(one.captured_queries)
    for _ in range(15):
        option = AcquisitionOptionFactory()
        CuratedDatasetFactory(
            raw_sources=[RawSourceFactory(available=False, acquisition_option=option)]
        )
    with django_assert_num_queries(baseline):
        results, _ = selectors.search_assets(3, "")
    assert len(results) == 16
    assert all(result["reach_tier"] == 4 for result in results)


def test_the_picker_reads_only_the_lineage_its_results_reach(monkeypatch, licensed_raw):
    def whole_catalogue(*args, **kwargs):
        raise AssertionError("the picker must not load the whole catalogue")

    monkeypatch.setattr(selectors.mappers, "load_catalogue", whole_catalogue)
    results, _ = selectors.search_assets(3, "Buyer")
    assert [result["reach_tier"] for result in results] == [4]
