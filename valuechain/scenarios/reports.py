"""What pages and the API show of scenarios: a scenario's portfolio, the comparison of several
(the live data read once for all), and the sensitivity of a scenario's portfolio."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from valuechain import models as m
from valuechain.scenarios import compare
from valuechain.scenarios import sensitivity as swings
from valuechain.scenarios.evaluate import LIVE, Inputs, Params, evaluate, roi_reports

Compared = m.Scenario | str | int  # a scenario, or "live" for the live plan


def params_of(item: Compared) -> Params:
    return Params.of(item) if isinstance(item, m.Scenario) else Params.live()


def portfolio(scenario: m.Scenario | None) -> dict[str, Any]:
    """The scenario's portfolio (None: the live plan)."""
    params = Params.of(scenario) if scenario is not None else Params.live()
    evaluation = evaluate(params)
    return {**evaluation.as_dict(), "roi_reports": roi_reports(evaluation)}


def parse_with(text: str, least: int = 1, most: int = compare.MAX_COMPARED - 1) -> list[int | str]:
    """`with=ID,ID` (or `live`): 1 to 3 others by default, no repeats."""
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    if not least <= len(parts) <= most:
        raise ValueError(f"Name {least} to {most} scenarios (the live plan counts as one).")
    found: list[int | str] = []
    for part in parts:
        if part == LIVE:
            found.append(LIVE)
        elif part.isdigit() and len(part) <= 18:
            found.append(int(part))
        else:
            raise ValueError(f"{part[:20]!r} is neither a scenario id nor 'live'.")
    if len(set(found)) != len(found):
        raise ValueError("Each scenario once.")
    return found


def comparison(items: Sequence[Compared]) -> dict[str, Any]:
    inputs = Inputs.read()
    return compare.compare([evaluate(params_of(item), inputs) for item in items])


def sensitivity(scenario: m.Scenario) -> dict[str, Any]:
    evaluation = evaluate(Params.of(scenario))
    return {
        "total_npv": evaluation.selection.total_npv if evaluation.selection else None,
        "break_even": swings.break_even(evaluation),
        "tornado": swings.tornado(evaluation),
        "feasibility_step": swings.FEASIBILITY_STEP,
    }
