"""RICE, ICE and WSJF: the product manager's judgement over the effort the value chain gives."""

from __future__ import annotations

import pytest

from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need
from valuechain.engine.portfolio import portfolio_problem
from valuechain.engine.scales import impact_problem, wsjf_problem
from valuechain.engine.scoring import (
    BIG_BET,
    FILL_IN,
    MONEY_PIT,
    QUICK_WIN,
    ScoreInputs,
    ease,
    investment_line,
    quadrant,
    ranked,
    score,
    stored_rows,
    tier_day_rates,
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


# Day rates by tier: tier 1 work at 1,000 a day, tier 2 at 2,000.
RATES = {1: 1_000.0, 2: 2_000.0, 3: 2_000.0, 4: 2_000.0}
INPUTS = {
    1: ScoreInputs(
        reach=1_000,
        impact=2.0,
        confidence=0.8,
        business_value=8,
        time_criticality=5,
        risk_reduction=2,
    ),
    # idea 2: RICE inputs only; idea 3: nothing entered yet
    2: ScoreInputs(reach=5_000, impact=1.0, confidence=0.5),
}


def scored(inputs=INPUTS, rates=RATES):
    cat, items = catalogue(), ideas()
    problem = portfolio_problem(items, cat, 0.10, 3)
    return {s.idea_id: s for s in score(problem, items, cat, inputs, rates)}


def test_effort_is_the_chains_person_days_at_each_tiers_day_rate():
    scores = scored()
    # idea 1: 20,000 of need engineering at tier 1's 1,000 a day
    assert scores[1].person_days == pytest.approx(20.0)
    assert scores[1].effort == pytest.approx(1.0)  # person-months of 20 days
    # idea 2: 20,000 engineering (20 days) + feature 10,000 (10 days at tier 1)
    # + curated dataset 200,000 at tier 2's 2,000 (100 days)
    assert scores[2].person_days == pytest.approx(130.0)
    assert scores[2].effort == pytest.approx(6.5)


def test_rice_is_reach_times_impact_times_confidence_over_effort():
    scores = scored()
    assert scores[1].rice == pytest.approx(1_000 * 2.0 * 0.8 / 1.0)
    assert scores[2].rice == pytest.approx(5_000 * 1.0 * 0.5 / 6.5)


def test_ice_ease_loses_a_point_per_doubling_of_the_work():
    assert [ease(d) for d in (0, 5, 6, 10, 20, 40, 130, 1_280, 1_281)] == [
        10,
        10,
        9,
        9,
        8,
        7,
        5,
        2,
        1,
    ]
    scores = scored()
    assert scores[1].ease == 8 and scores[2].ease == 5
    assert scores[1].ice == pytest.approx(2.0 * 0.8 * 8)
    assert scores[2].ice == pytest.approx(1.0 * 0.5 * 5)


def test_wsjf_is_the_cost_of_delay_entered_over_the_chains_job_size():
    scores = scored()
    assert scores[1].cost_of_delay == 15
    assert scores[1].wsjf == pytest.approx((8 + 5 + 2) / 1.0)
    # the idea's horizon tells nothing about urgency: only what was entered counts
    assert scores[2].wsjf is None


def test_an_idea_not_scored_yet_has_no_made_up_score():
    scores = scored()
    assert (scores[3].rice, scores[3].ice, scores[3].wsjf) == (None, None, None)
    assert scores[3].reach is None
    # its effort still comes from the chain
    assert scores[3].person_days == pytest.approx(5.0 + 100.0)
    # without day rates there is no effort, so nothing is scored
    bare = scored(rates={})
    assert bare[1].effort is None and bare[1].rice is None and bare[1].wsjf is None


def test_tier_day_rates_average_each_tiers_roles_and_fill_gaps():
    rates = tier_day_rates({1: [800.0, 1_200.0], 2: [600.0], 4: []})
    assert rates == {1: 1_000.0, 2: 600.0, 3: 800.0, 4: 800.0}
    assert tier_day_rates({}) == {}


def test_value_versus_investment_quadrants():
    assert quadrant(10, 1, 5) == QUICK_WIN
    assert quadrant(10, 9, 5) == BIG_BET
    assert quadrant(0, 1, 5) == FILL_IN
    assert quadrant(-1, 9, 5) == MONEY_PIT
    scores = scored()
    assert scores[1].quadrant == QUICK_WIN  # positive NPV, small investment
    assert scores[2].quadrant == MONEY_PIT  # pays the dataset alone and loses


def test_a_negative_npv_idea_is_never_a_big_bet_or_a_quick_win():
    # Every idea loses money: the old line (the median NPV) made the best loser a big bet.
    cat = catalogue()
    losers = [
        Idea(
            id=i,
            benefit=Estimate.exact(1_000 * i),
            probability=0.5,
            title=f"loser {i}",
            needs=(Need("n", (F, 1), Estimate.exact(50_000 * i)),),
        )
        for i in (1, 2, 3)
    ]
    problem = portfolio_problem(losers, cat, 0.10, 3)
    scores = score(problem, losers, cat, {}, RATES)
    assert all(s.npv < 0 for s in scores)
    assert {s.quadrant for s in scores} <= {FILL_IN, MONEY_PIT}
    assert investment_line([s.one_off_investment for s in scores]) == pytest.approx(100_000)


def test_stored_rows_are_read_with_todays_lines_and_old_scores_are_not_scored():
    old = [
        {
            "idea_id": 1,
            "title": "b",
            "npv": -5.0,
            "one_off_investment": 10.0,
            "rice": 3.0,
            "ice": 100.0,
            "wsjf": 2.0,
            "quadrant": BIG_BET,
        },
        {
            "idea_id": 2,
            "title": "a",
            "npv": 5.0,
            "one_off_investment": 1.0,
            "rice": 1.0,
            "ice": 10.0,
            "wsjf": 1.0,
            "quadrant": FILL_IN,
        },
    ]
    rows = stored_rows(old)
    assert [r["quadrant"] for r in rows] == [MONEY_PIT, QUICK_WIN]
    assert all(r["wsjf"] is None and r["rice"] is None and r["effort"] is None for r in rows)
    assert [r["title"] for r in ranked(rows)] == ["a", "b"]


def test_ranked_puts_the_highest_wsjf_first_and_unscored_last():
    rows = [{"title": "x", "wsjf": 1.0}, {"title": "y", "wsjf": None}, {"title": "z", "wsjf": 3.0}]
    assert [r["title"] for r in ranked(rows)] == ["z", "x", "y"]


def test_score_scales_refuse_values_off_the_scale():
    assert impact_problem(0.5) is None and impact_problem(None) is None
    assert "0.25 (minimal)" in (impact_problem(0.7) or "")
    assert wsjf_problem(13) is None and wsjf_problem(None) is None
    assert "1, 2, 3, 5, 8, 13, 20" in (wsjf_problem(4) or "")


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
    (scores,) = score(problem, [idea], cat, {}, RATES)
    # p = 0.8: the essential need's data is there; k = 1/2 + 1/2 x 0.5 = 0.75
    assert scores.probability == pytest.approx(0.8)
    assert scores.expected_annual_benefit == pytest.approx(0.8 * 0.75 * 50_000)
    # effort: 20 days of engineering + 10 (feature 2) + 100 (the curated dataset at 2,000)
    assert scores.person_days == pytest.approx(130.0)
