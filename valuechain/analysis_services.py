"""Writes for analysis runs: starting them, claiming them, storing progress and results.

A run is created pending and its task queued only once the transaction commits. A worker
claims it by a conditional UPDATE (pending, or running with an expired lease): exactly one
worker wins, so a task delivered twice (a worker crashed, the broker redelivered) neither
loses the run nor computes it twice. Every later write names the attempt it belongs to, so
a worker that lost its lease cannot overwrite the run.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import portfolio
from valuechain.platform import leases

MIN_DRAWS = 100
MAX_DRAWS = 200_000
MAX_SEED = 2**63 - 1
MAX_LISTED_IDEAS = 10_000

RunModel = type[m.SimulationRun] | type[m.PortfolioRun]
User = AbstractBaseUser | AnonymousUser | None


def _user(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


# --- starting runs ---------------------------------------------------------------------------


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
    _enqueue("valuechain.tasks.run_simulation", run.pk)
    return run


@dataclass(frozen=True, slots=True)
class PortfolioParams:
    budget: float | None
    must_include: tuple[int, ...]
    must_exclude: tuple[int, ...]
    discount_rate: float
    horizon_years: int
    seed: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "must_include": list(self.must_include),
            "must_exclude": list(self.must_exclude),
            "discount_rate": self.discount_rate,
            "horizon_years": self.horizon_years,
            "seed": self.seed,
        }


def candidate_ideas() -> Any:
    """Every idea that is not rejected is a candidate for the portfolio."""
    return m.Idea.objects.exclude(status=m.Idea.Status.REJECTED)


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
    user: User = None,
) -> m.PortfolioRun:
    """A pending portfolio run over every idea not rejected; bad choices are refused here,
    naming the field, before anything is written."""
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
        candidate_ideas().filter(pk__in=[*include, *exclude]).values_list("pk", flat=True)
    )
    for field, ids in (("must_include", include), ("must_exclude", exclude)):
        unknown = [i for i in ids if i not in candidates]
        if unknown and field not in errors:
            errors[field] = [f"Not candidate ideas (unknown or rejected): {unknown}."]
    both = sorted(set(include) & set(exclude))
    if both:
        errors.setdefault("must_exclude", []).append(
            f"Ideas cannot be both included and excluded: {both}."
        )
    if not errors and budget is not None and include:
        needed = _one_off_of(include, rate, horizon)
        if needed > budget * (1 + 1e-9):
            errors["budget"] = [
                f"The must-include ideas alone need {needed:,.0f} of one-off investment."
            ]
    if errors:
        raise ValidationError(errors)
    if seed is None:
        seed = secrets.randbelow(2**31)
    params = PortfolioParams(budget, include, exclude, float(rate), int(horizon), seed)
    run = m.PortfolioRun.objects.create(params=params.as_dict(), created_by=_user(user))
    _enqueue("valuechain.tasks.run_portfolio", run.pk)
    return run


def _one_off_of(idea_ids: Sequence[int], rate: float, horizon: int) -> float:
    from valuechain import selectors

    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    ideas = mappers.ideas_to_engine(selectors.ideas().filter(pk__in=idea_ids), rates)
    problem = portfolio.portfolio_problem(ideas, catalogue, rate, horizon)
    return problem.one_off(range(len(problem.ideas)))


def _enqueue(task_name: str, run_id: int) -> None:
    """Queue the task after commit: a worker never looks for a run that is not there yet."""
    from valuechain.tasks import run_portfolio, run_simulation

    task = {"run_simulation": run_simulation, "run_portfolio": run_portfolio}[
        task_name.rsplit(".", 1)[1]
    ]
    transaction.on_commit(lambda: task.delay(run_id))


# --- claiming and recording ------------------------------------------------------------------


def claim_run(model: RunModel, run_id: int) -> leases.ClaimResult:
    """Take the run for this worker by conditional update; one caller wins."""
    return leases.claim(
        model,
        run_id,
        pending=m.RunStatus.PENDING,
        running=m.RunStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
    )


def stalled_runs(model: RunModel) -> list[int]:
    return leases.stalled(model, pending=m.RunStatus.PENDING, running=m.RunStatus.RUNNING)


def _mine(model: RunModel, run_id: int, attempt: int) -> Any:
    return model.objects.filter(pk=run_id, status=m.RunStatus.RUNNING, attempts=attempt)


def record_progress(model: RunModel, run_id: int, attempt: int, fraction: float) -> bool:
    """Store progress (0..99 while running) and renew the lease; False if the run was lost."""
    percent = max(0, min(99, int(fraction * 100)))
    return bool(_mine(model, run_id, attempt).update(progress=percent, heartbeat_at=timezone.now()))


def record_success(model: RunModel, run_id: int, attempt: int, result: Mapping[str, Any]) -> bool:
    now = timezone.now()
    return bool(
        _mine(model, run_id, attempt).update(
            status=m.RunStatus.SUCCEEDED,
            progress=100,
            result=dict(result),
            error="",
            finished_at=now,
            heartbeat_at=now,
        )
    )


def record_failure(model: RunModel, run_id: int, attempt: int, error: str) -> bool:
    now = timezone.now()
    return bool(
        _mine(model, run_id, attempt).update(
            status=m.RunStatus.FAILED, error=error[:2000], finished_at=now, heartbeat_at=now
        )
    )


# --- computing (reads and the engine; the task stores what these return) -----------------

PORTFOLIO_DRAWS = 5_000
SIMULATION_STEPS = 20


def simulation_result(run: m.SimulationRun, progress: portfolio.Progress) -> dict[str, Any]:
    """Monte Carlo of the run's idea, as JSON for the run's result."""
    from valuechain import selectors
    from valuechain.engine import finance, uncertainty

    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    idea = mappers.idea_to_engine(selectors.ideas().get(pk=run.idea_id), rates)
    outcome = uncertainty.simulate(
        [idea],
        catalogue,
        draws=run.draws,
        seed=run.seed,
        progress=progress,
        steps=SIMULATION_STEPS,
    )
    return {
        "idea_id": idea.id,
        "draws": run.draws,
        "seed": run.seed,
        "expected_npv": finance.roi_report(idea, catalogue).npv,
        "distribution": outcome.ideas[0].as_dict(),
    }


def portfolio_result(params: Mapping[str, Any], progress: portfolio.Progress) -> dict[str, Any]:
    """Selection, frontier, cost views, scores and the selection's NPV distribution."""
    from valuechain import selectors
    from valuechain.engine import scoring, uncertainty

    rate, horizon = float(params["discount_rate"]), int(params["horizon_years"])
    budget = params.get("budget")
    include = [int(i) for i in params.get("must_include", [])]
    # An idea deleted or rejected since the run started is no longer a candidate.
    rows = list(selectors.ideas().exclude(status=m.Idea.Status.REJECTED).order_by("id"))
    present = {row.pk for row in rows}
    include = [i for i in include if i in present]
    exclude = [int(i) for i in params.get("must_exclude", []) if int(i) in present]
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    ideas = mappers.ideas_to_engine(rows, rates)
    problem = portfolio.portfolio_problem(ideas, catalogue, rate, horizon)
    progress(0.02)

    chosen = portfolio.select(problem, budget, include, exclude)
    progress(0.10)
    points = portfolio.frontier(
        problem,
        include,
        exclude,
        progress=lambda f: progress(0.10 + 0.70 * f),
    )
    selected_ideas = [idea for idea in ideas if idea.id in set(chosen.selected)]
    distribution = None
    if selected_ideas:
        outcome = uncertainty.simulate(
            selected_ideas,
            catalogue,
            draws=PORTFOLIO_DRAWS,
            seed=int(params["seed"]),
            discount_rate=rate,
            horizon_years=horizon,
            progress=lambda f: progress(0.80 + 0.15 * f),
            steps=5,
        )
        assert outcome.portfolio is not None  # one rate and horizon for all
        distribution = outcome.portfolio.as_dict()
    views = portfolio.cost_views(problem, chosen.selected)
    scores = scoring.score(problem, ideas, catalogue)
    users: dict[int, list[int]] = {}
    for idea in problem.ideas:
        for a in idea.charged:
            users.setdefault(a, []).append(idea.id)
    selected = set(chosen.selected)
    shared_assets = [
        {
            "asset_type": problem.assets[a].key[0].value,
            "asset_id": problem.assets[a].key[1],
            "name": problem.assets[a].name,
            "build": problem.assets[a].build,
            "annual_run": problem.assets[a].run,
            "used_by": ids,
            "used_by_selected": [i for i in ids if i in selected],
        }
        for a, ids in sorted(users.items())
        if len(ids) > 1
    ]
    return {
        "selected": list(chosen.selected),
        "total_npv": chosen.total_npv,
        "one_off_investment": chosen.one_off_investment,
        "annual_run_cost": chosen.annual_run_cost,
        "gap": chosen.gap,
        "optimal": chosen.optimal,
        "solve_seconds": chosen.solve_seconds,
        "budget": budget,
        "discount_rate": rate,
        "horizon_years": horizon,
        "candidates": len(problem.ideas),
        "frontier": [
            {
                "budget": p.budget,
                "npv": p.npv,
                "one_off_investment": p.one_off_investment,
                "selected": list(p.selected),
            }
            for p in points
        ],
        "cost_views": [{name: getattr(view, name) for name in view.__slots__} for view in views],
        "scores": [s.as_dict() for s in scores],
        "shared_assets": shared_assets,
        "distribution": distribution,
    }
