"""Portfolio selection agrees with brute force; cost views add up the way finance expects."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need
from valuechain.engine.finance import annuity_factor, roi_report
from valuechain.engine.portfolio import (
    InfeasiblePortfolio,
    cost_views,
    frontier,
    greedy,
    portfolio_problem,
    select,
)

F = AssetKind.FEATURE
C = AssetKind.CURATED_DATASET


def random_instance(rng: np.random.Generator, n_ideas: int, n_assets: int):
    """Features built on shared curated datasets, ideas needing a few features each."""
    catalogue = {}
    for j in range(n_assets):
        build = float(rng.integers(1, 60)) * 1_000
        catalogue[(C, j)] = Asset(
            kind=C,
            id=j,
            available=False,
            build=Estimate(build * 0.8, build, build * 1.5),
            run=Estimate.exact(float(rng.integers(0, 10)) * 500),
            feasibility=float(rng.uniform(0.7, 1.0)),
            name=f"curated {j}",
        )
    ideas = []
    for i in range(n_ideas):
        picks = rng.choice(n_assets, size=int(rng.integers(1, min(4, n_assets) + 1)), replace=False)
        needs = tuple(
            Need(
                f"n{i}-{j}",
                (C, int(j)),
                engineering=Estimate.exact(float(rng.integers(0, 20)) * 1_000),
            )
            for j in picks
        )
        benefit = float(rng.integers(5, 80)) * 1_000
        ideas.append(
            Idea(
                id=100 + i,
                benefit=Estimate(benefit * 0.5, benefit, benefit * 1.2),
                probability=float(rng.uniform(0.4, 1.0)),
                needs=needs,
                title=f"idea {i}",
            )
        )
    return ideas, catalogue


def brute_force(problem, budget=None, include=(), exclude=()):
    n = len(problem.ideas)
    inc = set(problem.positions(include))
    exc = set(problem.positions(exclude))
    best, best_set = -math.inf, None
    for mask in range(1 << n):
        chosen = [i for i in range(n) if mask >> i & 1]
        if not inc <= set(chosen) or exc & set(chosen):
            continue
        if budget is not None and problem.one_off(chosen) > budget + 1e-6:
            continue
        value = problem.npv(chosen)
        if value > best:
            best, best_set = value, chosen
    return best, best_set


@pytest.mark.parametrize("seed", range(12))
def test_selection_equals_brute_force_over_all_subsets(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 13))
    ideas, catalogue = random_instance(rng, n, int(rng.integers(2, 7)))
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    all_in = problem.one_off(range(n))
    budget = None if seed % 3 == 0 else float(rng.uniform(0.2, 0.7)) * all_in
    ids = [idea.id for idea in ideas]
    include = [ids[0]] if seed % 4 == 1 else []
    exclude = [ids[-1]] if seed % 4 == 2 else []
    if include and budget is not None and problem.one_off(problem.positions(include)) > budget:
        budget = problem.one_off(problem.positions(include)) * 1.5

    best, _ = brute_force(problem, budget, include, exclude)
    chosen = select(problem, budget, include, exclude, gap=0.0)

    assert chosen.total_npv == pytest.approx(best, rel=1e-7, abs=1e-3)
    assert chosen.optimal
    if budget is not None:
        assert chosen.one_off_investment <= budget + 1e-6
    assert set(include) <= set(chosen.selected)
    assert not set(exclude) & set(chosen.selected)


def shared_pair():
    """Two ideas that each lose money alone but pay off together, sharing one dataset."""
    catalogue = {
        (C, 1): Asset(
            kind=C, id=1, available=False, build=Estimate.exact(100_000), name="customer 360"
        ),
        (F, 1): Asset(
            kind=F,
            id=1,
            available=False,
            upstream=((C, 1),),
            build=Estimate.exact(10_000),
            name="churn score",
        ),
        (F, 2): Asset(
            kind=F,
            id=2,
            available=False,
            upstream=((C, 1),),
            build=Estimate.exact(20_000),
            name="upsell score",
        ),
    }
    a_factor = annuity_factor(0.10, 3)
    ideas = [
        Idea(
            id=1,
            benefit=Estimate.exact(80_000 / a_factor),
            probability=1.0,
            needs=(Need("churn", (F, 1)),),
            title="churn",
        ),
        Idea(
            id=2,
            benefit=Estimate.exact(90_000 / a_factor),
            probability=1.0,
            needs=(Need("upsell", (F, 2)),),
            title="upsell",
        ),
    ]
    return ideas, catalogue


def test_ideas_losing_alone_are_chosen_together_when_they_share_the_expensive_asset():
    ideas, catalogue = shared_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    # Alone: 80k - 110k and 90k - 120k, both negative; together 170k - 130k = 40k.
    assert problem.npv([0]) == pytest.approx(-30_000)
    assert problem.npv([1]) == pytest.approx(-30_000)
    chosen = select(problem)
    assert chosen.selected == (1, 2)
    assert chosen.total_npv == pytest.approx(40_000)
    assert chosen.one_off_investment == pytest.approx(130_000)
    # Standalone NPV of the portfolio engine is the ROI report's NPV at the same rate.
    assert problem.npv([0]) == pytest.approx(roi_report(ideas[0], catalogue).npv)


def test_cost_views_standalone_marginal_and_fair_share():
    ideas, catalogue = shared_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    views = {v.idea_id: v for v in cost_views(problem, [1, 2])}
    assert views[1].standalone_one_off == pytest.approx(110_000)
    # Given upsell is funded, churn adds only its own feature.
    assert views[1].marginal_one_off == pytest.approx(10_000)
    assert views[1].fair_share_one_off == pytest.approx(60_000)
    assert views[2].fair_share_one_off == pytest.approx(70_000)
    total = select(problem).one_off_investment
    assert views[1].fair_share_one_off + views[2].fair_share_one_off == pytest.approx(total)

    alone = {v.idea_id: v for v in cost_views(problem, [2])}
    assert alone[1].selected is False
    assert alone[1].marginal_one_off == pytest.approx(10_000)
    assert alone[1].fair_share_one_off == pytest.approx(60_000)


def test_budget_below_the_shared_asset_funds_nothing_and_frontier_rises():
    ideas, catalogue = shared_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    assert select(problem, budget=125_000).selected == ()
    points = frontier(problem, points=5)
    assert points[0].budget == pytest.approx(0)
    assert points[-1].npv == pytest.approx(40_000)
    assert [p.npv for p in points] == sorted(p.npv for p in points)
    assert all(p.one_off_investment <= p.budget + 1e-6 for p in points)


def test_must_include_over_budget_and_overlapping_choices_are_refused():
    ideas, catalogue = shared_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    with pytest.raises(InfeasiblePortfolio, match="budget"):
        select(problem, budget=50_000, must_include=[1])
    with pytest.raises(InfeasiblePortfolio, match="both"):
        select(problem, must_include=[1], must_exclude=[1])
    with pytest.raises(KeyError):
        select(problem, must_include=[99])


def test_must_include_funds_a_losing_idea_and_exclude_removes_a_winner():
    ideas, catalogue = shared_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    forced = select(problem, must_exclude=[2])
    assert forced.selected == ()
    kept = select(problem, must_include=[1], must_exclude=[2])
    assert kept.selected == (1,)
    assert kept.total_npv == pytest.approx(-30_000)


@pytest.mark.parametrize("seed", range(6))
def test_greedy_is_feasible_and_never_beats_the_exact_selection(seed):
    rng = np.random.default_rng(100 + seed)
    ideas, catalogue = random_instance(rng, 40, 15)
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    budget = 0.3 * problem.one_off(range(40))
    heuristic = greedy(problem, budget)
    exact = select(problem, budget, gap=0.0)
    assert heuristic.one_off_investment <= budget + 1e-6
    assert exact.total_npv >= heuristic.total_npv - 1e-6


def test_an_empty_portfolio_selects_nothing():
    problem = portfolio_problem([], {}, 0.10, 3)
    chosen = select(problem, budget=1_000)
    assert chosen.selected == () and chosen.total_npv == 0


def test_one_rate_and_horizon_value_every_idea():
    ideas, catalogue = shared_pair()
    slow = portfolio_problem(ideas, catalogue, 0.20, 5)
    fast = portfolio_problem(ideas, catalogue, 0.10, 3)
    benefit = ideas[0].benefit.mean
    assert slow.ideas[0].value == pytest.approx(annuity_factor(0.20, 5) * benefit)
    assert fast.ideas[0].value == pytest.approx(annuity_factor(0.10, 3) * benefit)
    assert slow.assets[0].cost == fast.assets[0].cost  # no run cost: build only


def test_brute_force_helper_sees_every_subset():
    # Guard the oracle itself: with no constraints its optimum is the best of 2^n values.
    rng = np.random.default_rng(1)
    ideas, catalogue = random_instance(rng, 5, 3)
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    values = [problem.npv(c) for r in range(6) for c in itertools.combinations(range(5), r)]
    assert brute_force(problem)[0] == pytest.approx(max(values))


def test_fair_share_splits_a_shared_asset_among_every_idea_that_needs_it():
    ideas, catalogue = shared_pair()
    catalogue[(F, 3)] = Asset(
        kind=F,
        id=3,
        available=False,
        upstream=((C, 1),),
        build=Estimate.exact(5_000),
        name="reorder score",
    )
    ideas.append(
        Idea(
            id=3,
            benefit=Estimate.exact(1_000),
            probability=1.0,
            needs=(Need("reorder", (F, 3)),),
            title="reorder",
        )
    )
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    views = {v.idea_id: v for v in cost_views(problem, [1, 2])}
    assert views[3].selected is False
    # Three ideas need customer 360 (100k): a fair share is a third of it each.
    assert views[1].fair_share_one_off == pytest.approx(10_000 + 100_000 / 3)
    assert views[3].fair_share_one_off == pytest.approx(5_000 + 100_000 / 3)
    # Among the two funded ideas it is split in halves, and those shares add up to the total.
    assert views[1].funded_share_one_off == pytest.approx(60_000)
    assert views[2].funded_share_one_off == pytest.approx(70_000)
    assert views[1].funded_share_one_off + views[2].funded_share_one_off == pytest.approx(130_000)
    # The unfunded idea, were it to join, would pay a third.
    assert views[3].funded_share_one_off == pytest.approx(5_000 + 100_000 / 3)
