"""RICE, ICE and WSJF take their effort from the value chain, not from a guess."""

from __future__ import annotations

import pytest

from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need
from valuechain.engine.portfolio import portfolio_problem
from valuechain.engine.scoring import (
    BIG_BET,
    FILL_IN,
    MONEY_PIT,
    QUICK_WIN,
    quadrant,
    relative,
    score,
)

F = AssetKind.FEATURE
C = AssetKind.CURATED_DATASET


def catalogue():
    return {
        (C, 1): Asset(
            kind=C, id=1, available=False, build=Estimate.exact(200_000), feasibility=0.5
        ),
        (F, 1): Asset(kind=F, id=1, available=True),
        (F, 2): Asset(
            kind=F, id=2, available=False, upstream=((C, 1),), build=Estimate.exact(10_000)
        ),
        (F, 3): Asset(
            kind=F, id=3, available=False, upstream=((C, 1),), build=Estimate.exact(5_000)
        ),
    }


def ideas():
    return [
        # Cheap: the feature exists, only engineering.
        Idea(
            id=1,
            benefit=Estimate.exact(50_000),
            probability=0.8,
            title="cheap",
            needs=(Need("a", (F, 1), Estimate.exact(20_000)),),
        ),
        # Expensive: needs the curated dataset built, which idea 3 also needs.
        Idea(
            id=2,
            benefit=Estimate.exact(150_000),
            probability=0.8,
            title="costly",
            needs=(Need("b", (F, 2), Estimate.exact(20_000)),),
            horizon_years=1,
        ),
        Idea(
            id=3,
            benefit=Estimate.exact(10_000),
            probability=0.9,
            title="small",
            needs=(Need("c", (F, 3)),),
        ),
    ]


def scored():
    cat, items = catalogue(), ideas()
    problem = portfolio_problem(items, cat, 0.10, 3)
    return {s.idea_id: s for s in score(problem, items, cat)}


def test_rice_is_expected_yearly_benefit_per_unit_of_chain_investment():
    scores = scored()
    assert scores[1].one_off_investment == pytest.approx(20_000)
    assert scores[1].rice == pytest.approx(50_000 * 0.8 / 20_000)
    # Idea 2 pays the curated dataset and its feature: effort 230k, confidence 0.8 x 0.5.
    assert scores[2].one_off_investment == pytest.approx(230_000)
    assert scores[2].probability == pytest.approx(0.4)
    assert scores[2].rice == pytest.approx(150_000 * 0.4 / 230_000)


def test_ice_ease_falls_as_investment_rises_and_confidence_follows_feasibility():
    scores = scored()
    assert scores[1].ease > scores[2].ease
    assert scores[1].confidence > scores[2].confidence
    assert scores[2].impact == pytest.approx(10.0)
    assert scores[1].ice == pytest.approx(scores[1].impact * scores[1].confidence * scores[1].ease)


def test_wsjf_rewards_enabling_other_ideas_and_a_short_window():
    scores = scored()
    # Ideas 2 and 3 share the curated dataset: each enables the other; idea 1 enables none.
    assert scores[2].enablement > scores[1].enablement
    assert scores[1].enablement == pytest.approx(1.0)
    assert scores[2].time_criticality == pytest.approx(10.0)  # a one-year window
    for s in scores.values():
        assert s.wsjf == pytest.approx(
            (s.business_value + s.time_criticality + s.enablement) / s.job_size
        )


def test_value_versus_investment_quadrants():
    assert quadrant(10, 1, 5, 5) == QUICK_WIN
    assert quadrant(10, 9, 5, 5) == BIG_BET
    assert quadrant(1, 1, 5, 5) == FILL_IN
    assert quadrant(1, 9, 5, 5) == MONEY_PIT
    scores = scored()
    assert scores[1].quadrant == QUICK_WIN  # positive NPV, small investment
    assert scores[2].quadrant == MONEY_PIT  # pays the dataset alone and loses


def test_relative_scale_runs_from_one_to_ten():
    assert relative([0, 5, 10]) == [1.0, 5.5, 10.0]
    assert relative([0, 0]) == [1.0, 1.0]
    assert relative([-3, 6]) == [1.0, 10.0]


def test_an_optional_need_on_uncertain_data_lowers_value_not_confidence():
    cat = catalogue()
    # Idea 1 plus an optional need on feature 2, built on the curated dataset that comes off
    # one time in two (and weighs as much as the existing need).
    idea = Idea(
        id=1,
        benefit=Estimate.exact(50_000),
        probability=0.8,
        title="cheap plus",
        needs=(
            Need("a", (F, 1), Estimate.exact(20_000)),
            Need("extra", (F, 2), essential=False),
        ),
    )
    problem = portfolio_problem([idea], cat, 0.10, 3)
    (scores,) = score(problem, [idea], cat)
    # p = 0.8: the essential need's data is there; k = 1/2 + 1/2 x 0.5 = 0.75
    assert scores.probability == pytest.approx(0.8)
    assert scores.expected_annual_benefit == pytest.approx(0.8 * 0.75 * 50_000)
    # effort: 20,000 + 10,000 (feature 2) + 200,000 (the curated dataset)
    assert scores.rice == pytest.approx(30_000 / 230_000)
