"""The quarterly roadmap: capacity, lineage, each asset once, its NPV, and optimality."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import pytest

from valuechain.engine import roadmap as rm
from valuechain.engine import roadmap_baseline as baseline

DS, DE = 1, 2  # data scientist, data engineer
RAW = ("raw_source", 1)
ACQ = ("acquisition_option", 1)
CUR = ("curated_dataset", 1)
CUR2 = ("curated_dataset", 2)


def small_problem(quarters: int = 3, capacity: float = 40.0) -> rm.RoadmapProblem:
    assets = (
        rm.WorkAsset(ACQ, {DE: 30}, 30_000, 2_000, (), 4),
        rm.WorkAsset(RAW, {DE: 20}, 20_000, 4_000, (ACQ,), 3),
        rm.WorkAsset(CUR, {DE: 15}, 15_000, 1_000, (RAW,), 2),
        rm.WorkAsset(CUR2, {DE: 10}, 10_000, 1_000, (), 2),
    )
    ideas = (
        rm.WorkIdea(1, {DS: 20}, 20_000, 120_000, 5_000, (CUR, RAW, ACQ), 2),
        rm.WorkIdea(2, {DS: 30}, 30_000, 80_000, 5_000, (CUR2,), 2),
        rm.WorkIdea(3, {DS: 15, DE: 5}, 20_000, 45_000, 2_000, (CUR, CUR2, RAW, ACQ), 2),
    )
    days = {(role, q): capacity for role in (DS, DE) for q in range(quarters)}
    return rm.RoadmapProblem(ideas, assets, quarters, days, (DS, DE), 0.10, 3)


def recomputed_npv(problem: rm.RoadmapProblem, plan: rm.Roadmap) -> float:
    """The plan's NPV from its work items and dates alone, written out again here."""
    flows: dict[int, float] = defaultdict(float)
    for item in plan.items:
        flows[item.quarter] -= item.money
    runs = {a.key: a.annual_run for a in problem.assets}
    for key, q in plan.built.items():
        for t in range(q + 1, q + 1 + 12):
            flows[t] -= runs[key] / 4
    for idea in problem.ideas:
        if idea.id in plan.done:
            q = plan.done[idea.id]
            for t in range(q + 1, q + 1 + 12):
                flows[t] += (idea.annual_benefit - idea.annual_run) / 4
    return sum(v / 1.1 ** ((t + 1) / 4) for t, v in flows.items())


def check_plan(problem: rm.RoadmapProblem, plan: rm.Roadmap) -> None:
    used: dict[tuple[int, int], float] = defaultdict(float)
    for item in plan.items:
        used[(item.role, item.quarter)] += item.person_days
    for (role, q), days in used.items():
        assert days <= problem.cap(role, q) + 1e-6, f"role {role} overloaded in {q}"
    assets = {a.key: a for a in problem.assets}
    for key, q in plan.built.items():
        for up in assets[key].upstream:
            assert up in plan.built and plan.built[up] <= q, f"{key} before its upstream {up}"
    for idea in problem.ideas:
        if idea.id in plan.done:
            for key in idea.assets:
                assert key in plan.built and plan.built[key] <= plan.done[idea.id]
    # Each asset's work is one item per role per quarter, and none twice.
    seen = [(i.kind, i.asset, i.idea, i.role, i.quarter) for i in plan.items]
    assert len(seen) == len(set(seen))
    # An asset's items come before those of what it feeds.
    position: dict = {}
    for n, item in enumerate(plan.items):
        name = item.asset if item.kind == "asset" else ("idea", item.idea)
        position.setdefault(name, []).append(n)
    for key, asset in assets.items():
        for up in asset.upstream:
            if key in position and up in position:
                assert max(position[up]) < min(position[key])


def test_the_plan_respects_capacity_lineage_and_builds_each_asset_once() -> None:
    problem = small_problem()
    plan = rm.schedule(problem)
    check_plan(problem, plan)
    assert plan.done, "something is worth doing"
    # The shared raw source is built once although two ideas need it.
    raw_items = [i for i in plan.items if i.asset == RAW]
    assert sum(i.person_days for i in raw_items) == pytest.approx(20)
    assert plan.gap <= 1e-3


def test_the_npv_matches_the_cash_flow_table_recomputed() -> None:
    problem = small_problem()
    plan = rm.schedule(problem)
    assert plan.npv == pytest.approx(recomputed_npv(problem, plan), rel=1e-9)
    assert plan.npv == pytest.approx(sum(row.discounted for row in plan.cash), rel=1e-9)
    assert plan.cash[-1].cumulative == pytest.approx(sum(row.net for row in plan.cash))


def test_benefits_start_the_quarter_after_the_last_work() -> None:
    problem = small_problem()
    plan = rm.schedule(problem)
    for idea_id, q in plan.done.items():
        assert plan.value_from(idea_id) == q + 1
        idea = next(i for i in problem.ideas if i.id == idea_id)
        assert plan.cash[q + 1].benefit >= idea.annual_benefit / 4 - 1e-6


def _order_holds(problem: rm.RoadmapProblem, at: dict) -> bool:
    """Upstream no later; an asset only for something scheduled that needs it."""
    for a in problem.assets:
        q = at[("asset", a.key)]
        if q is None:
            continue
        if any(at[("asset", u)] is None or at[("asset", u)] > q for u in a.upstream):
            return False
        users = [("idea", i.id) for i in problem.ideas if a.key in i.assets]
        users += [("asset", d.key) for d in problem.assets if a.key in d.upstream]
        if all(at[u] is None for u in users):
            return False
    for i in problem.ideas:
        q = at[("idea", i.id)]
        if q is not None and any(
            at[("asset", k)] is None or at[("asset", k)] > q for k in i.assets
        ):
            return False
    return True


def _fits(problem: rm.RoadmapProblem, at: dict, efforts: dict) -> bool:
    load: dict[tuple[int, int], float] = defaultdict(float)
    for name, effort in efforts.items():
        if at[name] is not None:
            for role, days in effort.items():
                load[(role, at[name])] += days
    return all(d <= problem.cap(r, q) + 1e-9 for (r, q), d in load.items())


def _value(problem: rm.RoadmapProblem, at: dict, money: dict) -> float:
    flows: dict[int, float] = defaultdict(float)
    for name, cost in money.items():
        if at[name] is not None:
            flows[at[name]] -= cost
    for a in problem.assets:
        q = at[("asset", a.key)]
        for t in range(q + 1, q + 13) if q is not None else ():
            flows[t] -= a.annual_run / 4
    for i in problem.ideas:
        q = at[("idea", i.id)]
        for t in range(q + 1, q + 13) if q is not None else ():
            flows[t] += (i.annual_benefit - i.annual_run) / 4
    return sum(v / 1.1 ** ((t + 1) / 4) for t, v in flows.items())


def exhaustive_best(problem: rm.RoadmapProblem) -> float:
    """Every assignment of every item to a quarter or to nothing; the best valid NPV."""
    efforts = {("asset", a.key): a.effort for a in problem.assets}
    efforts |= {("idea", i.id): i.effort for i in problem.ideas}
    money = {("asset", a.key): a.build for a in problem.assets}
    money |= {("idea", i.id): i.one_off for i in problem.ideas}
    names = list(efforts)
    best = -math.inf
    for combo in itertools.product([None, *range(problem.quarters)], repeat=len(names)):
        at = dict(zip(names, combo, strict=True))
        if _order_holds(problem, at) and _fits(problem, at, efforts):
            best = max(best, _value(problem, at, money))
    return best


@pytest.mark.parametrize("capacity", [30.0, 40.0, 55.0, 70.0])
def test_on_a_small_case_the_plan_is_the_best_of_all_schedules(capacity: float) -> None:
    problem = small_problem(quarters=3, capacity=capacity)
    plan = rm.schedule(problem, gap=0.0)
    check_plan(problem, plan)
    assert plan.npv == pytest.approx(exhaustive_best(problem), rel=1e-7, abs=1e-3)


def test_the_solver_beats_or_equals_the_greedy_baseline() -> None:
    problem = small_problem(capacity=25.0)
    assert rm.schedule(problem).npv >= baseline.greedy(problem).npv - 1e-6
    check_plan(problem, baseline.greedy(problem))


def test_large_items_are_cut_into_consecutive_quarters() -> None:
    base = small_problem(quarters=4, capacity=40.0)
    big = rm.WorkAsset(("curated_dataset", 9), {DE: 70}, 70_000, 0, (), 2)
    idea = rm.WorkIdea(9, {DS: 5}, 1_000, 900_000, 0, (big.key,), 2)
    problem = rm.RoadmapProblem((idea,), (big,), 4, base.capacity, (DS, DE), 0.1, 3)
    plan = rm.schedule(problem)
    quarters = sorted(i.quarter for i in plan.items if i.asset == big.key)
    assert len(quarters) == 2 and quarters[1] > quarters[0]
    assert plan.done[9] >= quarters[1]
    check_plan(problem, plan)


def test_not_before_and_must_start_are_kept() -> None:
    base = small_problem(quarters=4)
    ideas = tuple(
        rm.WorkIdea(
            i.id, i.effort, i.one_off, i.annual_benefit, i.annual_run, i.assets, i.stop_tier,
            not_before=2 if i.id == 1 else 0,
            must_start=1 if i.id == 3 else None,
        )
        for i in base.ideas
    )  # fmt: skip
    problem = rm.RoadmapProblem(ideas, base.assets, 4, base.capacity, (DS, DE), 0.1, 3)
    plan = rm.schedule(problem)
    assert plan.done.get(1, 2) >= 2
    assert 3 in plan.done
    assert min(i.quarter for i in plan.items if i.idea == 3) <= 1


def test_an_impossible_must_start_is_refused() -> None:
    base = small_problem(quarters=2, capacity=10.0)
    ideas = tuple(
        rm.WorkIdea(i.id, i.effort, i.one_off, i.annual_benefit, i.annual_run, i.assets,
                    must_start=0)
        for i in base.ideas
    )  # fmt: skip
    with pytest.raises(rm.RoadmapError):
        rm.schedule(rm.RoadmapProblem(ideas, base.assets, 2, base.capacity, (DS, DE), 0.1, 3))


def test_quarters_and_effort() -> None:
    assert rm.quarter_label("2027Q3", 2) == "2028Q1"
    assert rm.quarter_offset("2027Q1", "2027Q4") == 3
    with pytest.raises(ValueError):
        rm.parse_quarter("2027-1")
    # Money into days of the tier's roles: priced back, they make the money.
    effort = rm.effort_of(10_000, 0, None, [DS, DE], {DS: 600, DE: 400})
    assert sum(d * {DS: 600, DE: 400}[r] for r, d in effort.items()) == pytest.approx(10_000)
    assert rm.effort_of(0, 12, DE, [DS], {DS: 600}) == {DE: 12}


def test_nothing_selected_is_an_empty_plan() -> None:
    plan = rm.schedule(rm.RoadmapProblem((), (), 4, {}, (DS,), 0.1, 3))
    assert plan.items == () and plan.npv == 0 and plan.done == {}
