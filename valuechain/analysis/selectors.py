"""Reads for analysis: the candidate ideas of a portfolio, the runs newest first, and the
figures a run's choices are checked against."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import portfolio
from valuechain.ideas import selectors as ideas

NEWEST_FIRST = ("-created_at", "-id")


# Shipped work is sunk and rejected ideas are not on the table: neither is a candidate.
NOT_CANDIDATES = (m.Idea.Status.SHIPPED, m.Idea.Status.REJECTED)


def candidates(queryset: QuerySet[m.Idea]) -> QuerySet[m.Idea]:
    """The ideas of `queryset` a portfolio may fund: neither shipped nor rejected."""
    return queryset.exclude(status__in=NOT_CANDIDATES)


def candidate_ideas() -> QuerySet[m.Idea]:
    """Every idea neither shipped nor rejected is a candidate for the portfolio."""
    return candidates(m.Idea.objects.all())


def simulation_runs(idea_id: int) -> QuerySet[m.SimulationRun]:
    """The Monte Carlo runs of one idea, the latest first."""
    return m.SimulationRun.objects.filter(idea_id=idea_id).order_by(*NEWEST_FIRST)


def latest_simulation(idea_id: int) -> m.SimulationRun | None:
    return simulation_runs(idea_id).first()


def simulation_runs_with_idea() -> QuerySet[m.SimulationRun]:
    return m.SimulationRun.objects.select_related("idea")


def portfolio_runs() -> QuerySet[m.PortfolioRun]:
    """Every portfolio run, the latest first."""
    return m.PortfolioRun.objects.order_by(*NEWEST_FIRST)


def portfolio_run(run_id: int) -> m.PortfolioRun | None:
    return portfolio_runs().filter(pk=run_id).first()


def latest_finished_portfolio() -> m.PortfolioRun | None:
    """The portfolio run that succeeded last."""
    return (
        m.PortfolioRun.objects.filter(status=m.RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )


def idea_titles(idea_ids: Sequence[int]) -> dict[int, str]:
    return dict(m.Idea.objects.filter(pk__in=idea_ids).values_list("pk", "title"))


def one_off_investment(
    idea_ids: Sequence[int], rate: float, horizon: int, stop_tiers: bool = False
) -> float:
    """What building these ideas together costs once, shared upstream work paid once: whole,
    or each only up to its lowest step that earns something (`stop_tiers`)."""
    rates = mappers.day_rates()
    engine_ideas = mappers.ideas_to_engine(ideas.ideas().filter(pk__in=idea_ids), rates)
    catalogue = mappers.ideas_catalogue(engine_ideas, rates)
    problem = portfolio.portfolio_problem(engine_ideas, catalogue, rate, horizon)
    if stop_tiers:
        return problem.option_one_off(idea.options[0] for idea in problem.ideas)
    return problem.one_off(range(len(problem.ideas)))
