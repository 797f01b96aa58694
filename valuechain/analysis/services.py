"""Writes for analysis runs: creating them pending and queueing their task.

A run is created pending and its task queued only once the transaction commits
(`delay_on_commit`), so a worker never looks for a run that is not there yet. What the
worker then does with it is valuechain.analysis.runs.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction

from valuechain import models as m
from valuechain.analysis import selectors
from valuechain.tasks import run_portfolio, run_simulation

MIN_DRAWS = 100
MAX_DRAWS = 200_000
MAX_SEED = 2**63 - 1
MAX_LISTED_IDEAS = 10_000

User = AbstractBaseUser | AnonymousUser | None


def _user(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def start_simulation(
    *, idea: m.Idea, draws: int, seed: int | None = None, user: User = None
) -> m.SimulationRun:
    """A pending Monte Carlo run of one idea; the seed is drawn when not given and stored."""
    if not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise ValidationError({"draws": [f"Choose between {MIN_DRAWS} and {MAX_DRAWS} draws."]})
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": [f"A seed lies between 0 and {MAX_SEED}."]})
    run = m.SimulationRun.objects.create(
        idea=idea,
        draws=draws,
        seed=seed,
        params={"draws": draws, "seed": seed},
        created_by=_user(user),
    )
    run_simulation.delay_on_commit(run.pk)
    return run


@dataclass(frozen=True, slots=True)
class PortfolioParams:
    budget: float | None
    must_include: tuple[int, ...]
    must_exclude: tuple[int, ...]
    discount_rate: float
    horizon_years: int
    seed: int
    stop_tiers: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "must_include": list(self.must_include),
            "must_exclude": list(self.must_exclude),
            "discount_rate": self.discount_rate,
            "horizon_years": self.horizon_years,
            "seed": self.seed,
            "stop_tiers": self.stop_tiers,
        }


def _id_list(field: str, values: Sequence[int], errors: dict[str, list[str]]) -> tuple[int, ...]:
    if len(values) > MAX_LISTED_IDEAS:
        errors[field] = [f"List at most {MAX_LISTED_IDEAS} ideas."]
        return ()
    return tuple(dict.fromkeys(values))


@transaction.atomic
def start_portfolio_run(
    *,
    budget: float | None = None,
    must_include: Sequence[int] = (),
    must_exclude: Sequence[int] = (),
    discount_rate: float | None = None,
    horizon_years: int | None = None,
    seed: int | None = None,
    stop_tiers: bool = True,
    user: User = None,
) -> m.PortfolioRun:
    """A pending portfolio run over every idea neither shipped nor rejected, each funded up
    to its best tier (`stop_tiers`) or whole; bad choices are refused here, naming the field,
    before anything is written."""
    defaults = settings.VALUECHAIN
    errors: dict[str, list[str]] = {}
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        errors["budget"] = ["A budget is a number of at least 0, or null for no budget."]
    include = _id_list("must_include", must_include, errors)
    exclude = _id_list("must_exclude", must_exclude, errors)
    rate = defaults["DEFAULT_DISCOUNT_RATE"] if discount_rate is None else discount_rate
    horizon = defaults["DEFAULT_HORIZON_YEARS"] if horizon_years is None else horizon_years
    if not (math.isfinite(rate) and 0 <= rate <= 1):
        errors["discount_rate"] = ["A discount rate lies between 0 and 1."]
    if not 1 <= horizon <= 30:
        errors["horizon_years"] = ["A horizon lies between 1 and 30 years."]
    candidates = set(
        selectors.candidate_ideas().filter(pk__in=[*include, *exclude]).values_list("pk", flat=True)
    )
    for field, ids in (("must_include", include), ("must_exclude", exclude)):
        unknown = [i for i in ids if i not in candidates]
        if unknown and field not in errors:
            errors[field] = [f"Not candidate ideas (unknown, shipped or rejected): {unknown}."]
    both = sorted(set(include) & set(exclude))
    if both:
        errors.setdefault("must_exclude", []).append(
            f"Ideas cannot be both included and excluded: {both}."
        )
    if not errors and budget is not None and include:
        needed = selectors.one_off_investment(include, rate, horizon, stop_tiers)
        if needed > budget * (1 + 1e-9):
            errors["budget"] = [
                f"The must-include ideas alone need {needed:,.0f} of one-off investment."
            ]
    if errors:
        raise ValidationError(errors)
    if seed is None:
        seed = secrets.randbelow(2**31)
    params = PortfolioParams(
        budget, include, exclude, float(rate), int(horizon), seed, bool(stop_tiers)
    )
    run = m.PortfolioRun.objects.create(params=params.as_dict(), created_by=_user(user))
    run_portfolio.delay_on_commit(run.pk)
    return run
