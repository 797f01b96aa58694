"""A scenario's selection as a quarterly roadmap: the work items and their effort, the
capacity, and the plan as JSON (the shape of GET /api/scenarios/{id}/roadmap/).

Effort in person-days comes from the estimates: person-day estimates stay in their role;
money is turned into days of the tier's default roles (an asset's tier; tier 1, features and
models, for an idea's need engineering and deployment setup).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from valuechain.engine import chain
from valuechain.engine import roadmap as rm
from valuechain.engine.finance import annuity_factor, ladder_needs
from valuechain.scenarios.evaluate import Evaluation

DEFAULT_CAPACITY_DAYS = 120.0  # per role per quarter: two people, 60 working days each
MAX_CAPACITY_DAYS = 100_000.0
IDEA_TIER = 1


def _asset_upstream(
    catalogue: Mapping[chain.AssetKey, chain.Asset],
    key: chain.AssetKey,
    charged: set[chain.AssetKey],
) -> tuple[tuple[str, int], ...]:
    """The charged assets this one is built from: its inputs, or past inputs that need no
    work (available), the charged ones beyond them."""
    found: list[tuple[str, int]] = []
    for up in catalogue[key].upstream:
        if up in charged:
            found.append((up[0].value, up[1]))
    return tuple(sorted(found))


def problem_of(
    evaluation: Evaluation,
    *,
    quarters: int,
    capacity: Mapping[tuple[int, int], float],
    roles: Sequence[int],
    tier_roles: Mapping[int, Sequence[int]],
    asset_days: Mapping[chain.AssetKey, tuple[int, float]],
    need_days: Mapping[int, Sequence[tuple[int | None, float]]],
    dates: Mapping[int, tuple[int, int | None]] | None = None,
) -> rm.RoadmapProblem:
    """The roadmap of the scenario's selected ideas at their stop tiers."""
    problem = evaluation.problem
    rates = evaluation.rates
    dates = dates or {}
    annuity = annuity_factor(problem.discount_rate, problem.horizon_years)
    chosen = evaluation.chosen
    charged = {problem.assets[a].key for a in problem.option_assets(chosen)}
    assets = []
    for key in sorted(charged, key=lambda k: (-k[0].tier, k[0].value, k[1])):
        asset = evaluation.catalogue[key]
        role, days = asset_days.get(key, (None, 0.0))
        build_days = rm.effort_of(
            asset.build.mean, days, role, tier_roles.get(key[0].tier, ()), rates
        )
        assets.append(
            rm.WorkAsset(
                (key[0].value, key[1]),
                build_days,
                asset.build.mean,
                asset.run.mean,
                _asset_upstream(evaluation.catalogue, key, charged),
                key[0].tier,
                asset.name,
            )
        )
    by_id = {idea.id: idea for idea in evaluation.ideas}
    closures = chain.ClosureCache(evaluation.catalogue)
    ideas = []
    for o in chosen:
        option = problem.options[o]
        idea = by_id[problem.ideas[option.idea].id]
        funded = dict(ladder_needs(idea, closures))[option.tier]
        days_of = list(need_days.get(idea.id, []))
        effort: dict[int, float] = defaultdict(float)
        money_in_days = 0.0
        for position, need in enumerate(idea.needs):
            if need not in funded or position >= len(days_of):
                continue
            role, days = days_of[position]
            if role is not None:
                effort[role] += days
                money_in_days += need.engineering.mean
        rest = max(option.own_one_off - money_in_days, 0.0)
        for role, days in rm.effort_of(
            rest, 0.0, None, tier_roles.get(IDEA_TIER, ()), rates
        ).items():
            effort[role] += days
        not_before, must_start = dates.get(idea.id, (0, None))
        ideas.append(
            rm.WorkIdea(
                idea.id,
                dict(effort),
                option.own_one_off,
                (option.value + option.own_one_off) / annuity + option.own_run,
                option.own_run,
                tuple(
                    sorted(
                        (k[0].value, k[1]) for k in (problem.assets[a].key for a in option.charged)
                    )
                ),
                option.tier,
                not_before,
                must_start,
                idea.title,
            )
        )
    return rm.RoadmapProblem(
        tuple(ideas),
        tuple(assets),
        quarters,
        dict(capacity),
        tuple(roles),
        problem.discount_rate,
        problem.horizon_years,
    )


def capacity_of(
    quarters: int, roles: Sequence[int], given: Sequence[Mapping[str, Any]], start: str
) -> dict[tuple[int, int], float]:
    """Person-days per (role, quarter): as given, else DEFAULT_CAPACITY_DAYS."""
    capacity = {(r, q): DEFAULT_CAPACITY_DAYS for r in roles for q in range(quarters)}
    for row in given:
        q = rm.quarter_offset(start, row["quarter"])
        if 0 <= q < quarters:
            capacity[(int(row["role"]), q)] = float(row["person_days"])
    return capacity


def as_dict(
    problem: rm.RoadmapProblem, plan: rm.Roadmap, start: str, role_names: Mapping[int, str]
) -> dict[str, Any]:
    """The plan in the API's shape, with what the pages show besides."""
    label = lambda q: rm.quarter_label(start, q)  # noqa: E731
    names = {a.key: a.name for a in problem.assets}
    used: dict[tuple[int, int], float] = defaultdict(float)
    for item in plan.items:
        used[(item.role, item.quarter)] += item.person_days
    return {
        "start": start,
        "quarters": [label(q) for q in range(problem.quarters)],
        "items": [
            {
                "kind": item.kind,
                "asset_type": item.asset[0] if item.asset else None,
                "asset_id": item.asset[1] if item.asset else None,
                "name": names.get(item.asset, "") if item.asset else "",
                "idea": item.idea,
                "role": item.role,
                "quarter": label(item.quarter),
                "person_days": item.person_days,
                "one_off": item.money,
            }
            for item in plan.items
        ],
        "ideas": [
            {
                "idea": idea.id,
                "title": idea.title,
                "stop_tier": idea.stop_tier,
                "value_from": label(plan.done[idea.id] + 1) if idea.id in plan.done else None,
                "done": label(plan.done[idea.id]) if idea.id in plan.done else None,
                "too_large": idea.id in plan.too_large,
            }
            for idea in problem.ideas
        ],
        "assets": [
            {
                "asset_type": a.key[0],
                "asset_id": a.key[1],
                "name": a.name,
                "built": label(plan.built[a.key]) if a.key in plan.built else None,
            }
            for a in problem.assets
        ],
        "cash": [
            {
                "quarter": label(row.quarter),
                "one_off": row.one_off,
                "run": row.run,
                "benefit": row.benefit,
                "net": row.net,
                "cumulative": row.cumulative,
                "discounted": row.discounted,
                "cumulative_discounted": row.cumulative_discounted,
            }
            for row in plan.cash
        ],
        "people": [
            {
                "role": role,
                "role_name": role_names.get(role, str(role)),
                "quarter": label(q),
                "needed": used.get((role, q), 0.0),
                "capacity": problem.cap(role, q),
            }
            for role in problem.roles
            for q in range(problem.quarters)
        ],
        "npv": plan.npv,
        "gap": plan.gap,
        "bound": plan.bound,
        "optimal": plan.optimal,
        "solve_seconds": plan.solve_seconds,
        "unscheduled": list(plan.unscheduled),
        "discount_rate": problem.discount_rate,
        "horizon_years": problem.horizon_years,
    }
