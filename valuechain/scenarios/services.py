"""Writes for scenarios: creating one (its overrides checked, the live data untouched) and
starting a roadmap run of it (queued after commit)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from valuechain import models as m
from valuechain.engine import roadmap as rm
from valuechain.engine.chain import MAX_MONEY
from valuechain.scenarios import overrides as ov
from valuechain.scenarios import plan, selectors
from valuechain.scenarios.evaluate import Params, evaluate
from valuechain.scenarios.tasks import run_roadmap

User = AbstractBaseUser | AnonymousUser | None
MAX_LISTED_IDEAS = 10_000
MAX_DATES = 10_000
MIN_CHANGE, MAX_CHANGE = -100.0, 1000.0


def _user(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


def _check_overrides(raw: Any, errors: dict[str, list[str]]) -> list[ov.Override]:
    found, problems = ov.parse(raw)
    if problems:
        errors["overrides"] = problems
        return []
    missing = []
    ideas = selectors.existing_ids(m.Idea, [o.id for o in found if o.target == "idea"])
    roles = selectors.existing_ids(m.Role, [o.id for o in found if o.target == "role"])
    assets = selectors.existing_assets(
        (o.asset_type or "", o.id) for o in found if o.target == "asset"
    )
    for position, o in enumerate(found, start=1):
        known = (
            o.id in ideas
            if o.target == "idea"
            else o.id in roles
            if o.target == "role"
            else (o.asset_type, o.id) in assets
        )
        if not known:
            missing.append(f"Override {position}: no {o.asset_type or o.target} with id {o.id}.")
    if missing:
        errors["overrides"] = missing
    return found


def _ideas(field: str, values: Sequence[int], errors: dict[str, list[str]]) -> list[int]:
    if len(values) > MAX_LISTED_IDEAS:
        errors[field] = [f"List at most {MAX_LISTED_IDEAS} ideas."]
        return []
    ids = list(dict.fromkeys(int(v) for v in values))
    unknown = sorted(set(ids) - selectors.candidate_ids(ids))
    if unknown:
        errors[field] = [f"Not candidate ideas (unknown, shipped or rejected): {unknown}."]
    return ids


def live_investment() -> float:
    """What the live plan invests once (its unconstrained best selection)."""
    return evaluate(Params.live()).as_dict()["one_off_investment"]


@transaction.atomic
def create_scenario(
    *,
    name: str,
    description: str = "",
    budget: float | None = None,
    budget_change: float | None = None,
    discount_rate: float | None = None,
    horizon_years: int | None = None,
    force_include: Sequence[int] = (),
    force_exclude: Sequence[int] = (),
    overrides: Any = (),
    user: User = None,
) -> m.Scenario:
    """A scenario, every field checked before anything is written. `budget_change` (a
    percentage) sets the budget from the live plan's one-off investment: -30 is 70 % of it."""
    errors: dict[str, list[str]] = {}
    live = Params.live()
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = ["A name of 1 to 200 characters."]
    if budget is not None and budget_change is not None:
        errors["budget_change"] = ["Give a budget or a change of the live plan's, not both."]
    if budget is not None and not (math.isfinite(budget) and 0 <= budget <= MAX_MONEY):
        errors["budget"] = ["A budget is a number from 0 to 1e15, or null for no budget."]
    if budget_change is not None and not (
        math.isfinite(budget_change) and MIN_CHANGE <= budget_change <= MAX_CHANGE
    ):
        errors["budget_change"] = [f"A change from {MIN_CHANGE:g} to {MAX_CHANGE:g} %."]
    rate = live.discount_rate if discount_rate is None else discount_rate
    horizon = live.horizon_years if horizon_years is None else horizon_years
    if not (math.isfinite(rate) and 0 <= rate <= 1):
        errors["discount_rate"] = ["A discount rate lies between 0 and 1."]
    if not 1 <= horizon <= 30:
        errors["horizon_years"] = ["A horizon lies between 1 and 30 years."]
    include = _ideas("force_include", force_include, errors)
    exclude = _ideas("force_exclude", force_exclude, errors)
    both = sorted(set(include) & set(exclude))
    if both:
        errors.setdefault("force_exclude", []).append(
            f"Ideas cannot be both forced in and out: {both}."
        )
    found = _check_overrides(list(overrides), errors)
    if errors:
        raise ValidationError(errors)
    if budget_change is not None:
        budget = live_investment() * (1 + budget_change / 100)
    return m.Scenario.objects.create(
        name=name,
        description=description[:5000],
        budget=budget,
        discount_rate=float(rate),
        horizon_years=int(horizon),
        force_include=include,
        force_exclude=exclude,
        overrides=[o.as_dict() for o in found],
        created_by=_user(user),
    )


def _capacity(
    rows: Sequence[Mapping[str, Any]], start: str, quarters: int, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    roles = {r for r, _, _ in selectors.roles()}
    found, problems = [], []
    for position, row in enumerate(rows, start=1):
        try:
            q = rm.quarter_offset(start, str(row["quarter"]))
        except ValueError as exc:
            problems.append(f"Row {position}: {exc}")
            continue
        days = float(row["person_days"])
        if int(row["role"]) not in roles:
            problems.append(f"Row {position}: no role with id {row['role']}.")
        elif not 0 <= q < quarters:
            problems.append(f"Row {position}: {row['quarter']} is outside the roadmap.")
        elif not (math.isfinite(days) and 0 <= days <= plan.MAX_CAPACITY_DAYS):
            problems.append(f"Row {position}: person_days from 0 to {plan.MAX_CAPACITY_DAYS:g}.")
        else:
            found.append(
                {
                    "role": int(row["role"]),
                    "quarter": str(row["quarter"]).upper(),
                    "person_days": days,
                }
            )
    if problems:
        errors["capacity"] = problems
    return found


def _dates(rows: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    found, problems = [], []
    for position, row in enumerate(rows[:MAX_DATES], start=1):
        entry: dict[str, Any] = {"idea": int(row["idea"])}
        for key in ("not_before", "must_start"):
            if row.get(key):
                try:
                    rm.parse_quarter(str(row[key]))
                except ValueError as exc:
                    problems.append(f"Row {position}: {exc}")
                entry[key] = str(row[key]).upper()
        found.append(entry)
    if problems:
        errors["dates"] = problems
    return found


@transaction.atomic
def start_roadmap(
    *,
    scenario: m.Scenario,
    quarters: int,
    start: str,
    capacity: Sequence[Mapping[str, Any]] = (),
    dates: Sequence[Mapping[str, Any]] = (),
    user: User = None,
) -> m.RoadmapRun:
    """A pending roadmap run of the scenario; bad choices refused, naming the field."""
    errors: dict[str, list[str]] = {}
    if not 1 <= quarters <= rm.MAX_QUARTERS:
        errors["quarters"] = [f"From 1 to {rm.MAX_QUARTERS} quarters."]
    try:
        start = "{}Q{}".format(*rm.parse_quarter(start))
    except ValueError as exc:
        errors["start"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    rows = _capacity(capacity, start, quarters, errors)
    date_rows = _dates(dates, errors)
    if errors:
        raise ValidationError(errors)
    run = m.RoadmapRun.objects.create(
        scenario=scenario,
        params={"quarters": quarters, "start": start, "capacity": rows, "dates": date_rows},
        created_by=_user(user),
    )
    run_roadmap.delay_on_commit(run.pk)
    return run
