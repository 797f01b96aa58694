"""Two to four scenarios side by side: totals, ideas and their stop tiers, what changed."""

from __future__ import annotations

from typing import Any

from valuechain.scenarios.evaluate import Evaluation

MAX_COMPARED = 4
TOTALS = ("total_npv", "one_off_investment", "annual_run_cost", "budget")


def compare(evaluations: list[Evaluation]) -> dict[str, Any]:
    """The first is the reference: every other column says how it differs from it."""
    docs = [e.as_dict() for e in evaluations]
    columns = []
    for evaluation, doc in zip(evaluations, docs, strict=True):
        columns.append(
            {
                "id": evaluation.params.id,
                "name": doc["name"],
                "budget": doc["budget"],
                "discount_rate": doc["discount_rate"],
                "horizon_years": doc["horizon_years"],
                "total_npv": doc["total_npv"],
                "one_off_investment": doc["one_off_investment"],
                "annual_run_cost": doc["annual_run_cost"],
                "ideas_selected": len(doc["selected"]),
                "overrides": [o.as_dict() for o in evaluation.params.overrides],
                "error": doc["error"],
            }
        )
    reference = columns[0]
    for column in columns:
        column["differences"] = {
            name: _difference(reference[name], column[name])
            for name in (*TOTALS, "ideas_selected", "discount_rate", "horizon_years")
        }
    titles: dict[int, str] = {}
    for e in evaluations:
        titles.update(e.titles)
    tiers = [{row["idea"]: row["stop_tier"] for row in doc["ideas"]} for doc in docs]
    ideas = sorted(set().union(*tiers), key=lambda i: (titles.get(i, ""), i))
    rows = []
    for idea in ideas:
        values = [t.get(idea) for t in tiers]
        rows.append(
            {
                "idea": idea,
                "title": titles.get(idea, ""),
                "stop_tiers": values,  # null: not selected in that scenario
                "changed": [v != values[0] for v in values],
                "differs": len(set(values)) > 1,
                "cells": [{"tier": v, "changed": v != values[0]} for v in values],
            }
        )
    return {"scenarios": columns, "ideas": rows}


def _difference(reference: Any, value: Any) -> dict[str, Any] | None:
    """Change against the reference column; None when both are equal or not numbers."""
    if reference == value:
        return None
    if isinstance(reference, int | float) and isinstance(value, int | float):
        change = value - reference
        return {"change": change, "ratio": (change / abs(reference)) if reference else None}
    return {"change": None, "ratio": None}
