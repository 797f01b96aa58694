"""What a worker does with an analysis run: claim it, compute it, record how it went.

A worker claims a run by a conditional UPDATE (pending, or running with an expired lease):
exactly one worker wins, so a task delivered twice (a worker crashed, the broker redelivered)
neither loses the run nor computes it twice. Every later write names the attempt it belongs
to, so a worker that lost its lease cannot overwrite the run. valuechain.tasks runs this on
the Celery workers; valuechain.analysis.services creates the runs and queues them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from valuechain import mappers
from valuechain import models as m
from valuechain.analysis import selectors as analysis_selectors
from valuechain.engine import chain, cost_views, finance, portfolio, scoring, uncertainty
from valuechain.figures import store
from valuechain.ideas import selectors as idea_selectors
from valuechain.platform import leases

logger = logging.getLogger(__name__)

RunModel = type[m.SimulationRun] | type[m.PortfolioRun] | type[m.RoadmapRun]
PROGRESS_INTERVAL = 0.25  # seconds between progress writes


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
    rates = mappers.day_rates()
    idea = mappers.idea_to_engine(idea_selectors.ideas().get(pk=run.idea_id), rates)
    catalogue = mappers.ideas_catalogue([idea], rates)
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


def stop_details(
    ideas: Sequence[chain.Idea], catalogue: chain.Catalogue, stops: portfolio.Stops
) -> list[dict[str, Any]]:
    """For each selected idea: the tier it is funded to, its own tier and the needs it
    leaves out (those above the stop tier), to say in words what stopping skips."""
    by_id = {idea.id: idea for idea in ideas}
    closures = chain.ClosureCache(catalogue)
    details = []
    for idea_id, tier in stops:
        needs = [(need.name, chain.tier_of(closures(need.asset))) for need in by_id[idea_id].needs]
        details.append(
            {
                "idea": idea_id,
                "tier": tier,
                "idea_tier": max((t for _, t in needs), default=1),
                "skipped_needs": [{"name": name, "tier": t} for name, t in needs if t > tier],
            }
        )
    return details


def portfolio_result(params: Mapping[str, Any], progress: portfolio.Progress) -> dict[str, Any]:
    """Selection, frontier, cost views, scores and the selection's NPV distribution."""
    rate, horizon = float(params["discount_rate"]), int(params["horizon_years"])
    budget = params.get("budget")
    include = [int(i) for i in params.get("must_include", [])]
    # An idea deleted, shipped or rejected since the run started is no longer a candidate.
    rows = list(analysis_selectors.candidates(idea_selectors.ideas()).order_by("id"))
    present = {row.pk for row in rows}
    include = [i for i in include if i in present]
    exclude = [int(i) for i in params.get("must_exclude", []) if int(i) in present]
    rates = mappers.day_rates()
    catalogue = store.cached_catalogue()
    ideas = mappers.ideas_to_engine(rows, rates)
    problem = portfolio.portfolio_problem(ideas, catalogue, rate, horizon)
    # Old runs were stored without the choice: they funded whole ideas only.
    stop_tiers = bool(params.get("stop_tiers", False))
    progress(0.02)

    chosen = portfolio.select(problem, budget, include, exclude, stop_tiers=stop_tiers)
    progress(0.10)
    points = portfolio.frontier(
        problem,
        include,
        exclude,
        progress=lambda f: progress(0.10 + 0.70 * f),
        stop_tiers=stop_tiers,
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
            stops=dict(chosen.stops),
        )
        assert outcome.portfolio is not None  # one rate and horizon for all
        distribution = outcome.portfolio.as_dict()
    views = cost_views.cost_views(problem, chosen.selected, chosen.stops)
    scores = scoring.score(
        problem, ideas, catalogue, mappers.score_inputs(rows), mappers.tier_day_rates()
    )
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
        "stops": [{"idea": idea_id, "tier": tier} for idea_id, tier in chosen.stops],
        "stop_tiers": stop_tiers,
        "stop_details": stop_details(ideas, catalogue, chosen.stops),
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
                "stops": [{"idea": idea_id, "tier": tier} for idea_id, tier in p.stops],
            }
            for p in points
        ],
        "cost_views": [
            {
                **{name: getattr(view, name) for name in view.__slots__},
                "idea_tier": problem.ideas[problem.index[view.idea_id]].tier,
            }
            for view in views
        ],
        "scores": [s.as_dict() for s in scores],
        "shared_assets": shared_assets,
        "distribution": distribution,
    }


# --- executing a run --------------------------------------------------------------------------


def _progress_writer(model: RunModel, run_id: int, attempt: int) -> Callable[[float], None]:
    """Store progress at most every PROGRESS_INTERVAL seconds (each write renews the lease)."""
    last = [0.0]

    def write(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            record_progress(model, run_id, attempt, fraction)

    return write


@dataclass(frozen=True, slots=True)
class Outcome:
    """How executing a run went: succeeded, failed, lost (taken over before it finished),
    done or missing (nothing to do), or busy (another worker holds a live lease)."""

    status: str
    retry_in: int = 0  # seconds until the other worker's lease would expire, when busy


def execute(
    model: RunModel,
    run_id: int,
    compute: Callable[[Any, Callable[[float], None]], dict[str, Any]],
) -> Outcome:
    """Claim the run, compute its result and record it; a failure is recorded on the run."""
    claim = claim_run(model, run_id)
    if claim.state is leases.Claim.BUSY:
        return Outcome(claim.state.value, retry_in=int(claim.lease_left) + 1)
    if claim.state is not leases.Claim.CLAIMED:
        return Outcome(claim.state.value)
    run = model.objects.get(pk=run_id)
    try:
        result = compute(run, _progress_writer(model, run_id, claim.attempt))
    except Exception as exc:  # the run records why; the worker stays healthy
        logger.exception("%s %s failed", model.__name__, run_id)
        record_failure(model, run_id, claim.attempt, f"{type(exc).__name__}: {exc}")
        return Outcome("failed")
    if not record_success(model, run_id, claim.attempt, result):
        logger.warning("%s %s was taken over before it finished", model.__name__, run_id)
        return Outcome("lost")
    return Outcome("succeeded")
