"""Portfolio selection agrees with brute force; cost views add up the way finance expects."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from valuechain.engine.chain import Asset, AssetKind, Estimate, Idea, Need
from valuechain.engine.cost_views import cost_views
from valuechain.engine.finance import annuity_factor, roi_report
from valuechain.engine.portfolio import (
    InfeasiblePortfolio,
    PortfolioAsset,
    PortfolioIdea,
    PortfolioProblem,
    frontier,
    greedy,
    portfolio_problem,
    select,
)
from valuechain.engine.uncertainty import simulate

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


# --- stop tiers: an idea funded up to any ladder step that earns something -------------------

R = AssetKind.RAW_SOURCE
A = AssetKind.ACQUISITION_OPTION


def layered_instance(rng: np.random.Generator, n_ideas: int):
    """A small value chain (features on curated data on raw data on acquisitions) with ideas
    whose needs sit at several tiers, some optional: ideas with several options sharing
    assets."""
    catalogue = {}

    def add(kind, j, available, upstream, scale):
        build = float(rng.integers(1, 40)) * scale
        catalogue[(kind, j)] = Asset(
            kind=kind,
            id=j,
            available=available,
            build=Estimate(build * 0.8, build, build * 1.4),
            run=Estimate.exact(float(rng.integers(0, 6)) * scale / 10),
            feasibility=float(rng.choice([1.0, rng.uniform(0.4, 1.0)])),
            upstream=upstream,
            name=f"{kind.value} {j}",
        )

    for j in range(2):
        add(A, j, False, (), 2_000)
    for j in range(3):
        arrives = bool(rng.random() < 0.5)
        add(R, j, arrives, () if arrives else ((A, int(rng.integers(2))),), 1_000)
    for j in range(3):
        ups = tuple((R, int(r)) for r in rng.choice(3, size=int(rng.integers(1, 3)), replace=False))
        add(C, j, bool(rng.random() < 0.6), ups, 1_000)
    for j in range(5):
        add(F, j, bool(rng.random() < 0.3), ((C, int(rng.integers(3))),), 500)
    keys = list(catalogue)
    weights = np.array([4.0 if key[0] == F else 1.0 for key in keys])
    ideas = []
    for i in range(n_ideas):
        picks = rng.choice(
            len(keys), size=int(rng.integers(2, 5)), replace=False, p=weights / weights.sum()
        )
        needs = tuple(
            Need(
                f"n{i}-{j}",
                keys[int(j)],
                engineering=Estimate.exact(float(rng.integers(0, 10)) * 1_000),
                weight=float(rng.uniform(0.5, 3)),
                essential=bool(rng.random() < 0.3),
            )
            for j in picks
        )
        ideas.append(
            Idea(
                id=200 + i,
                benefit=Estimate.exact(float(rng.integers(5, 60)) * 1_000),
                probability=float(rng.uniform(0.5, 1.0)),
                needs=needs,
                title=f"idea {i}",
            )
        )
    return ideas, catalogue


def brute_force_stops(problem, budget=None, include=(), exclude=(), stop_tiers=True):
    """Every combination of (idea funded up to one of its options, or not at all)."""
    inc = set(problem.positions(include))
    exc = set(problem.positions(exclude))
    choices = []
    for i, idea in enumerate(problem.ideas):
        options = list(idea.options if stop_tiers else idea.options[-1:])
        if i in exc:
            options = []
        choices.append(options if i in inc else [None, *options])
    best, best_options = -math.inf, None
    for combination in itertools.product(*choices):
        chosen = [o for o in combination if o is not None]
        if budget is not None and problem.option_one_off(chosen) > budget + 1e-6:
            continue
        value = problem.option_npv(chosen)
        if value > best:
            best, best_options = value, chosen
    return best, best_options


@pytest.mark.parametrize("seed", range(10))
def test_stop_tier_selection_equals_brute_force_over_every_idea_and_tier(seed):
    rng = np.random.default_rng(300 + seed)
    ideas, catalogue = layered_instance(rng, int(rng.integers(3, 6)))
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    all_in = problem.one_off(range(len(ideas)))
    budget = None if seed % 3 == 0 else float(rng.uniform(0.15, 0.6)) * all_in
    ids = [idea.id for idea in ideas]
    include = [ids[0]] if seed % 4 == 1 else []
    exclude = [ids[-1]] if seed % 4 == 2 else []
    if include and budget is not None:
        budget = max(budget, 1.5 * problem.option_one_off([problem.ideas[0].options[0]]))

    best, _ = brute_force_stops(problem, budget, include, exclude)
    chosen = select(problem, budget, include, exclude, gap=0.0)
    assert chosen.optimal
    assert chosen.total_npv == pytest.approx(best, rel=1e-7, abs=1e-3)
    # The reported stops are the options whose figures the selection reports.
    options = problem.stop_options(chosen.stops)
    assert problem.option_npv(options) == pytest.approx(chosen.total_npv)
    assert problem.option_one_off(options) == pytest.approx(chosen.one_off_investment)
    assert [idea for idea, _ in chosen.stops] == list(chosen.selected)
    if budget is not None:
        assert chosen.one_off_investment <= budget + 1e-6
    assert set(include) <= set(chosen.selected)
    assert not set(exclude) & set(chosen.selected)
    # Whole ideas only is the same search over fewer options, and never does better.
    whole_best, _ = brute_force_stops(problem, budget, include, exclude, stop_tiers=False)
    if include and budget is not None and problem.one_off(problem.positions(include)) > budget:
        with pytest.raises(InfeasiblePortfolio):
            select(problem, budget, include, exclude, gap=0.0, stop_tiers=False)
        return
    whole = select(problem, budget, include, exclude, gap=0.0, stop_tiers=False)
    assert whole.total_npv == pytest.approx(whole_best, rel=1e-7, abs=1e-3)
    assert whole.total_npv <= chosen.total_npv + 1e-6
    assert all(tier == problem.ideas[problem.index[i]].tier for i, tier in whole.stops)


def test_random_layered_instances_have_ideas_with_several_options_and_early_stops():
    """Guard on the generator: the equality above is tested where stop tiers matter."""
    early = several = 0
    for seed in range(10):
        rng = np.random.default_rng(300 + seed)
        ideas, catalogue = layered_instance(rng, int(rng.integers(3, 6)))
        problem = portfolio_problem(ideas, catalogue, 0.10, 3)
        several += sum(len(idea.options) > 1 for idea in problem.ideas)
        chosen = select(problem, gap=0.0)
        early += sum(tier < problem.ideas[problem.index[i]].tier for i, tier in chosen.stops)
    assert several >= 15
    assert early >= 5


def forecast_pair():
    """A forecast worth doing on sales history alone, whose optional competitor prices need an
    expensive acquisition; and stock alerts sharing the sales history feature."""
    catalogue = {
        (C, 1): Asset(kind=C, id=1, available=True, name="sales"),
        (F, 1): Asset(
            kind=F,
            id=1,
            available=False,
            upstream=((C, 1),),
            build=Estimate.exact(20_000),
            name="sales history",
        ),
        (A, 1): Asset(
            kind=A, id=1, available=False, build=Estimate.exact(150_000), feasibility=0.5
        ),
        (R, 1): Asset(
            kind=R,
            id=1,
            available=False,
            upstream=((A, 1),),
            build=Estimate.exact(10_000),
            name="competitor prices",
        ),
    }
    ideas = [
        Idea(
            id=1,
            benefit=Estimate.exact(100_000),
            probability=0.9,
            title="demand forecast",
            needs=(
                Need("sales history", (F, 1), Estimate.exact(10_000), weight=3),
                Need("competitor prices", (R, 1), Estimate.exact(5_000), essential=False),
            ),
        ),
        Idea(
            id=2,
            benefit=Estimate.exact(30_000),
            probability=1.0,
            title="stock alerts",
            needs=(Need("sales history", (F, 1), Estimate.exact(5_000)),),
        ),
    ]
    return ideas, catalogue


def test_stopping_early_beats_whole_ideas_under_the_same_budget():
    ideas, catalogue = forecast_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    af = annuity_factor(0.10, 3)
    forecast = problem.ideas[0]
    assert [problem.options[o].tier for o in forecast.options] == [2, 4]
    # Forecast at tier 2: C0 = 10,000 + 20,000 (sales history) = 30,000
    #   k = 3/4; value = AF x 0.9 x 0.75 x 100,000 - 10,000 = 157,862.52
    # Whole (tier 4): C0 = 15,000 + 20,000 + 10,000 + 150,000 = 195,000
    #   k = 3/4 + 1/4 x 0.5 = 0.875; NPV = AF x 78,750 - 195,000 = 839.60
    # Stock alerts (tier 2): C0 = 5,000 + 20,000; value = AF x 30,000 - 5,000 = 69,605.56
    assert problem.options[forecast.options[0]].value == pytest.approx(af * 67_500 - 10_000)
    assert problem.npv([0]) == pytest.approx(af * 78_750 - 195_000)

    budget = 40_000.0
    whole = select(problem, budget, stop_tiers=False)
    # The whole forecast does not fit: stock alerts alone, 69,605.56 - 20,000 = 49,605.56
    assert whole.selected == (2,)
    assert whole.total_npv == pytest.approx(af * 30_000 - 25_000)
    stops = select(problem, budget)
    # Forecast stopped at tier 2 plus stock alerts, sales history paid once: 35,000 spent
    # NPV = 157,862.52 + 69,605.56 - 20,000 = 207,468.08
    assert stops.selected == (1, 2)
    assert stops.stops == ((1, 2), (2, 2))
    assert stops.one_off_investment == pytest.approx(35_000)
    assert stops.total_npv == pytest.approx(af * 97_500 - 35_000)
    assert stops.total_npv > whole.total_npv
    # Even without a budget, acquiring competitor prices is not worth it: stop at tier 2.
    assert select(problem).stops == ((1, 2), (2, 2))
    assert select(problem, stop_tiers=False).stops == ((1, 4), (2, 2))


def test_must_include_takes_some_option_and_the_budget_floor_is_its_lowest():
    ideas, catalogue = forecast_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    # 30,000 buys the forecast at tier 2; whole it would need 195,000.
    chosen = select(problem, budget=30_000, must_include=[1], must_exclude=[2])
    assert chosen.stops == ((1, 2),)
    with pytest.raises(InfeasiblePortfolio, match="195,000"):
        select(problem, budget=30_000, must_include=[1], stop_tiers=False)
    with pytest.raises(InfeasiblePortfolio, match="30,000"):
        select(problem, budget=29_000, must_include=[1])
    # Forced whole (no stop tiers) it still counts as included.
    assert select(problem, must_include=[1], stop_tiers=False).stops[0] == (1, 4)


def test_cost_views_follow_the_funded_stop_tiers():
    ideas, catalogue = forecast_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    chosen = select(problem, budget=40_000)
    views = {v.idea_id: v for v in cost_views(problem, chosen.selected, chosen.stops)}
    assert (views[1].tier, views[2].tier) == (2, 2)
    # Funded at tier 2 the forecast costs 30,000 alone; with stock alerts funded it adds its
    # engineering only; the shared feature splits in halves.
    assert views[1].standalone_one_off == pytest.approx(30_000)
    assert views[1].marginal_one_off == pytest.approx(10_000)
    assert views[1].funded_share_one_off == pytest.approx(20_000)
    assert views[2].funded_share_one_off == pytest.approx(15_000)
    total = views[1].funded_share_one_off + views[2].funded_share_one_off
    assert total == pytest.approx(chosen.one_off_investment)
    # Without stops the selected ideas are taken whole.
    whole = {v.idea_id: v for v in cost_views(problem, chosen.selected)}
    assert whole[1].tier == 4
    assert whole[1].standalone_one_off == pytest.approx(195_000)


def test_the_frontier_by_stop_tier_lies_above_the_whole_ideas_frontier():
    ideas, catalogue = forecast_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    by_stop = frontier(problem, points=6)
    whole = frontier(problem, points=6, stop_tiers=False)
    assert by_stop[-1].stops == ((1, 2), (2, 2))
    assert [p.npv for p in by_stop] == sorted(p.npv for p in by_stop)
    for point in whole:
        best = select(problem, point.budget)
        assert best.total_npv >= point.npv - 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_greedy_on_options_is_feasible_and_never_beats_the_exact_selection(seed):
    rng = np.random.default_rng(500 + seed)
    ideas, catalogue = layered_instance(rng, 12)
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    budget = 0.3 * problem.one_off(range(12))
    heuristic = greedy(problem, budget)
    exact = select(problem, budget, gap=0.0)
    assert heuristic.one_off_investment <= budget + 1e-6
    assert exact.total_npv >= heuristic.total_npv - 1e-6
    assert len(heuristic.stops) == len(heuristic.selected)


def test_the_selections_stops_simulate_to_the_selections_npv():
    ideas, catalogue = forecast_pair()
    problem = portfolio_problem(ideas, catalogue, 0.10, 3)
    chosen = select(problem, budget=40_000)
    draws = 200_000
    result = simulate(
        ideas,
        catalogue,
        draws,
        seed=12,
        discount_rate=0.10,
        horizon_years=3,
        stops=dict(chosen.stops),
    )
    assert result.portfolio_npv is not None and result.portfolio is not None
    se = result.portfolio_npv.std() / np.sqrt(draws)
    assert abs(result.portfolio.mean - chosen.total_npv) < 4 * se


def test_a_problem_made_of_whole_ideas_only_still_selects():
    # Made by hand, without options: each idea is its own single option.
    problem = PortfolioProblem(
        ideas=(
            PortfolioIdea(1, "a", 50.0, 10.0, 0.0, (0,)),
            PortfolioIdea(2, "b", 40.0, 10.0, 0.0, (0,)),
        ),
        assets=(PortfolioAsset((C, 1), "shared", 60.0, 0.0, 60.0),),
        discount_rate=0.10,
        horizon_years=3,
    )
    chosen = select(problem)
    # 50 + 40 - 60 = 30 together; alone each loses
    assert chosen.selected == (1, 2)
    assert chosen.total_npv == pytest.approx(30.0)
    assert chosen.stops == ((1, 1), (2, 1))
