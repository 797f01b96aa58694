"""Closures, charges and tiers on the hand-drawn catalogue of tests/engine/worked_example.py."""

from __future__ import annotations

import pytest

from tests.engine.worked_example import (
    A1,
    C1,
    C2,
    F1,
    F2,
    F3,
    R1,
    R2,
    asset,
    catalogue,
    money,
    walk_idea,
)
from valuechain.engine.chain import (
    NEVER_AVAILABLE,
    WEIGHT_NOT_POSITIVE,
    Asset,
    AssetKind,
    ClosureCache,
    Estimate,
    Idea,
    Need,
    UnknownAsset,
    availability_problem,
    charged,
    closure,
    closure_cost,
    feasibility_of,
    idea_closure,
    idea_tier,
    need_tier,
    offline_feature_count,
    weight_problem,
)


def test_pert_mean_weights_the_likely_value_four_times():
    # (60 + 4 x 90 + 180) / 6 = 100
    assert Estimate(60, 90, 180).mean == pytest.approx(100)
    assert Estimate.exact(42).mean == pytest.approx(42)
    # scaling is how person-days become money
    assert Estimate(1, 2, 6).scaled(800).mean == pytest.approx((800 + 6_400 + 4_800) / 6)


@pytest.mark.parametrize("low, likely, high", [(2, 1, 3), (1, 3, 2), (-1, 0, 1)])
def test_estimates_out_of_order_or_negative_are_refused(low, likely, high):
    with pytest.raises(ValueError, match=r"cannot be negative|low <= likely <= high"):
        Estimate(low, likely, high)


@pytest.mark.parametrize(
    "field, value",
    [
        ("probability", 1.2),
        ("probability", -0.1),
        ("horizon_years", 0),
        ("horizon_years", 31),
        ("discount_rate", 1.5),
    ],
)
def test_idea_inputs_outside_their_ranges_are_refused(field, value):
    with pytest.raises(ValueError):
        walk_idea(**{field: value})


def test_need_weight_must_be_positive():
    with pytest.raises(ValueError, match="weight"):
        Idea(1, money(1), 0.5, needs=(Need("n", F1, weight=0),))


def test_an_available_asset_stops_the_walk_upstream():
    cat = catalogue()
    # F1 exists, so its curated input C1 (and C1's raw source) are not part of it.
    assert closure(cat, F1) == {F1}
    # F2 must be built from C1; C1 exists, so the walk stops there before R1.
    assert closure(cat, F2) == {F2, C1}
    assert closure(cat, C1) == {C1}


def test_an_unavailable_asset_pulls_in_all_of_its_inputs():
    cat = catalogue()
    assert closure(cat, R2) == {R2, A1}
    # F3 -> C2 -> {R1 (arrives already, no further walk), R2 -> A1}
    assert closure(cat, F3) == {F3, C2, R1, R2, A1}


def test_charged_assets_are_unavailable_features_and_curated_data_plus_all_raw_and_acquisition():
    cat = catalogue()
    # F1 and C1 exist: nothing to pay.
    assert charged(cat, closure(cat, F2)) == {F2}
    # R1 is available but raw data is always curated before use, so it is charged.
    assert charged(cat, closure(cat, R1)) == {R1}
    assert charged(cat, closure(cat, F3)) == {F3, C2, R1, R2, A1}
    assert charged(cat, {F1, C1}) == frozenset()


def test_need_tier_is_the_highest_tier_in_its_closure():
    cat = catalogue()
    assert need_tier(cat, Need("a", F1)) == 1
    assert need_tier(cat, Need("b", F2)) == 2  # a feature still to build from curated data
    assert need_tier(cat, Need("c", C1)) == 2
    assert need_tier(cat, Need("d", R1)) == 3
    assert need_tier(cat, Need("e", F3)) == 4  # reaches the acquisition option


def test_idea_tier_is_the_highest_need_tier_and_its_assets_the_union_of_closures():
    cat = catalogue()
    idea = walk_idea()
    assert idea_tier(idea, cat) == 4
    assert idea_closure(idea, cat) == {F1, F2, C1, F3, C2, R1, R2, A1}
    assert idea_tier(walk_idea(needs=walk_idea().needs[:2]), cat) == 2
    # no needs: nothing reached, tier 1
    assert idea_tier(walk_idea(needs=()), cat) == 1


def test_a_need_pointing_at_a_missing_asset_is_reported():
    cat = catalogue()
    with pytest.raises(UnknownAsset):
        closure(cat, (F1[0], 999))
    # a broken lineage link is only followed when the asset is not available
    cat[F2] = asset(F2, available=False, upstream=((C1[0], 404),))
    with pytest.raises(UnknownAsset):
        closure(cat, F2)
    cat[F1] = asset(F1, available=True, upstream=((C1[0], 404),))
    assert closure(cat, F1) == {F1}


def test_closure_cache_gives_the_same_closures():
    cat = catalogue()
    cached = ClosureCache(cat)
    for key in cat:
        assert cached(key) == closure(cat, key)
        assert cached(key) is cached(key)


def test_online_serving_counts_offline_features_and_one_new_feature_per_upstream_need():
    cat = catalogue()
    needs = [Need("online", F1), Need("offline", F2), Need("straight from curated", C2)]
    keys = set().union(*(closure(cat, n.asset) for n in needs))
    # F1 is served online already; F2 is offline only; the need on C2 has no feature yet.
    assert offline_feature_count(cat, needs, keys) == 2


def test_only_an_acquisition_option_is_never_available():
    assert availability_problem("acquisition_option", True) == NEVER_AVAILABLE
    assert availability_problem(AssetKind.ACQUISITION_OPTION, False) is None
    assert availability_problem("raw_source", True) is None


def test_feasibility_is_the_assets_own_else_its_tiers_else_certain():
    defaults = {2: 0.7}
    assert feasibility_of(0.4, 2, defaults) == 0.4
    assert feasibility_of(0.0, 2, defaults) == 0.0
    assert feasibility_of(None, 2, defaults) == 0.7
    assert feasibility_of(None, 3, defaults) == 1.0


@pytest.mark.parametrize("weight", [0, -1, None, float("nan")])
def test_a_need_weighs_more_than_nothing(weight):
    assert weight_problem(weight) == WEIGHT_NOT_POSITIVE
    assert weight_problem(0.5) is None


def test_closure_cost_reaches_the_licence_and_adds_its_cost():

    raw = (AssetKind.RAW_SOURCE, 1)
    licence = (AssetKind.ACQUISITION_OPTION, 1)
    cat = {
        licence: Asset(
            kind=AssetKind.ACQUISITION_OPTION,
            id=1,
            available=False,
            build=Estimate(10, 40, 70),
            run=Estimate.exact(12),
            name="licence",
        ),
        raw: Asset(
            kind=AssetKind.RAW_SOURCE,
            id=1,
            available=False,
            build=Estimate.exact(9),
            run=Estimate.exact(3),
            upstream=(licence,),
        ),
    }
    cost = closure_cost(cat, raw, ClosureCache(cat))
    assert (cost.tier, cost.one_off, cost.yearly) == (4, 49, 15)
    assert cost.charged == (raw, licence)
    # once the raw data arrives, the licence is no longer pulled in
    arrived = {
        **cat,
        raw: Asset(
            kind=AssetKind.RAW_SOURCE,
            id=1,
            available=True,
            build=Estimate.exact(9),
            upstream=(licence,),
        ),
    }
    assert closure_cost(arrived, raw).tier == 3
    assert closure_cost(arrived, raw).one_off == 9
