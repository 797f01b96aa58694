"""What a worker does with a roadmap run: evaluate the scenario, schedule it, store the plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from valuechain import models as m
from valuechain.engine import roadmap as rm
from valuechain.scenarios import plan, selectors
from valuechain.scenarios.evaluate import Params, evaluate


def roadmap_result(run: m.RoadmapRun, progress: Callable[[float], None]) -> dict[str, Any]:
    params = run.params
    scenario = m.Scenario.objects.get(pk=run.scenario_id)
    evaluation = evaluate(Params.of(scenario))
    progress(0.2)
    roles = selectors.roles()
    role_ids = [r for r, _, _ in roles]
    quarters, start = int(params["quarters"]), str(params["start"])
    capacity = plan.capacity_of(quarters, role_ids, params.get("capacity", []), start)
    dates = {
        int(row["idea"]): (
            max(rm.quarter_offset(start, row["not_before"]), 0) if row.get("not_before") else 0,
            rm.quarter_offset(start, row["must_start"]) if row.get("must_start") else None,
        )
        for row in params.get("dates", [])
    }
    tier_roles, asset_days = selectors.effort_rules()
    problem = plan.problem_of(
        evaluation,
        quarters=quarters,
        capacity=capacity,
        roles=role_ids,
        tier_roles=tier_roles,
        asset_days=asset_days,
        need_days=selectors.need_days([i.id for i in evaluation.ideas]),
        dates={i: d for i, d in dates.items() if i in set(evaluation.problem.index)},
    )
    progress(0.3)
    schedule = rm.schedule(problem)
    result = plan.as_dict(problem, schedule, start, {r: name for r, name, _ in roles})
    result["selection_error"] = evaluation.error
    return result
