"""Sensitivity across a scenario's portfolio.

- Break-even benefit of each selected idea: the yearly benefit B* at which the idea, at its
  stop tier, just pays for itself within the selection: its own one-off and run costs plus
  the charged assets no other selected idea uses. Below B* the portfolio does better without it.
- The portfolio tornado: for the charged assets the selection builds (the costliest first),
  the total NPV of the best selection when the asset's build and run sit at their low and at
  their high estimates, and when its feasibility is lower or higher by FEASIBILITY_STEP; the
  selection is solved again each time, so ideas may drop in or out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from valuechain.engine import chain, portfolio
from valuechain.engine.finance import annuity_factor
from valuechain.scenarios.evaluate import Evaluation

FEASIBILITY_STEP = 0.2
TORNADO_ASSETS = 8


def break_even(evaluation: Evaluation) -> list[dict[str, Any]]:
    problem = evaluation.problem
    chosen = evaluation.chosen
    annuity = annuity_factor(problem.discount_rate, problem.horizon_years)
    benefit = {idea.id: idea.benefit.mean for idea in evaluation.ideas}
    found = []
    for o in chosen:
        option = problem.options[o]
        others = problem.option_assets(c for c in chosen if c != o)
        only_mine = [a for a in option.charged if a not in others]
        idea_id = problem.ideas[option.idea].id
        expected = (option.value + option.own_one_off) / annuity + option.own_run  # p k B
        b = benefit[idea_id]
        share = expected / b if b > 0 else 0.0  # p x k
        costs = option.own_one_off + annuity * option.own_run
        costs += sum(problem.assets[a].cost for a in only_mine)
        needed = costs / (annuity * share) if share > 0 else None
        found.append(
            {
                "idea": idea_id,
                "title": evaluation.titles.get(idea_id, ""),
                "stop_tier": option.tier,
                "benefit": b,
                "break_even_benefit": needed,
                "margin": (1 - needed / b) if needed is not None and b > 0 else None,
            }
        )
    return sorted(found, key=lambda row: (row["margin"] is None, row["margin"] or 0.0))


def _npv(evaluation: Evaluation, catalogue: dict[chain.AssetKey, chain.Asset]) -> float | None:
    params = evaluation.params
    problem = portfolio.portfolio_problem(
        evaluation.ideas, catalogue, params.discount_rate, params.horizon_years
    )
    present = set(problem.index)
    try:
        chosen = portfolio.select(
            problem,
            params.budget,
            [i for i in params.force_include if i in present],
            [i for i in params.force_exclude if i in present],
        )
    except portfolio.InfeasiblePortfolio:
        return None
    return chosen.total_npv


def tornado(evaluation: Evaluation, limit: int = TORNADO_ASSETS) -> list[dict[str, Any]]:
    if evaluation.selection is None:
        return []
    problem = evaluation.problem
    used = sorted(problem.option_assets(evaluation.chosen), key=lambda a: -problem.assets[a].cost)[
        :limit
    ]
    base = evaluation.selection.total_npv
    rows = []
    for a in used:
        key = problem.assets[a].key
        asset = evaluation.catalogue[key]
        variants = {
            "cost_low": replace(
                asset,
                build=chain.Estimate.exact(asset.build.low),
                run=chain.Estimate.exact(asset.run.low),
            ),
            "cost_high": replace(
                asset,
                build=chain.Estimate.exact(asset.build.high),
                run=chain.Estimate.exact(asset.run.high),
            ),
            "feasibility_low": replace(
                asset, feasibility=max(0.0, asset.feasibility - FEASIBILITY_STEP)
            ),
            "feasibility_high": replace(
                asset, feasibility=min(1.0, asset.feasibility + FEASIBILITY_STEP)
            ),
        }
        row: dict[str, Any] = {
            "asset_type": key[0].value,
            "asset_id": key[1],
            "name": asset.name,
            "feasibility": asset.feasibility,
        }
        for name, changed in variants.items():
            row[f"{name}_npv"] = _npv(evaluation, {**evaluation.catalogue, key: changed})
        values = [v for k, v in row.items() if k.endswith("_npv") and v is not None]
        row["swing"] = (max(values) - min(values)) if values else 0.0
        row["cost_swing"] = _swing(row["cost_low_npv"], row["cost_high_npv"])
        row["feasibility_swing"] = _swing(row["feasibility_low_npv"], row["feasibility_high_npv"])
        row["base_npv"] = base
        rows.append(row)
    return sorted(rows, key=lambda r: -r["swing"])


def _swing(low: float | None, high: float | None) -> float:
    return abs(high - low) if low is not None and high is not None else 0.0
