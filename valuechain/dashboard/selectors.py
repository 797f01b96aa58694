"""Reads for the executive dashboard and the ROI export: everything in a fixed number of
queries whatever the number of ideas, handed on as plain data to valuechain.dashboard.summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from contracts.registry import selectors as contracts
from valuechain import mappers
from valuechain import models as m
from valuechain.analysis import selectors as analysis
from valuechain.dashboard import summary
from valuechain.engine import chain
from valuechain.engine.finance import RoiReport
from valuechain.ideas import selectors as ideas


def _facts(idea: m.Idea) -> summary.IdeaFacts:
    return summary.IdeaFacts(
        id=idea.pk,
        title=idea.title,
        status=idea.status,
        status_label=idea.get_status_display(),
        owner=idea.owner.get_username() if idea.owner else "",
    )


@dataclass
class Loaded:
    ideas: list[m.Idea]
    reports: dict[int, RoiReport]
    rows: list[summary.IdeaRow]
    catalogue: dict[chain.AssetKey, chain.Asset]
    rates: dict[int, float]


def load(statuses: Sequence[str]) -> Loaded:
    """The ideas of the given statuses (all when none) with their ROI reports."""
    queryset = ideas.ideas().order_by("id")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    rows = list(queryset)
    with mappers.read_snapshot():
        rates = mappers.day_rates()
        catalogue = mappers.load_catalogue(rates)
        reports = ideas.roi_reports(rows)
    return Loaded(rows, reports, summary.rows([_facts(i) for i in rows], reports), catalogue, rates)


def status_counts() -> dict[str, int]:
    """How many ideas have each status (over every idea, whatever is shown)."""
    return dict(m.Idea.objects.values_list("status").annotate(n=Count("id")).order_by())


def risk_inputs(loaded: Loaded, statuses: Sequence[str]) -> dict[str, Any]:
    """What summary.risk_signals needs: stakeholder gaps' inputs, each idea's contract health
    (the same reading as the idea page's) and the registry's contracts by status."""
    gaps = ideas.stakeholder_gap_inputs(statuses=statuses)
    health = contracts.ideas_contract_health(loaded.ideas, loaded.catalogue)
    return {
        "default_roles": gaps.default_roles,
        "role_names": gaps.role_names,
        "assignments": gaps.assigned,
        "contract_health": {pk: found.state for pk, found in health.items()},
        "contract_statuses": contracts.status_counts(),
    }


def latest_portfolio() -> summary.PortfolioSummary | None:
    """The selection of the portfolio run that succeeded last."""
    run = analysis.latest_finished_portfolio()
    if run is None or not isinstance(run.result, dict):
        return None
    selected = [i for i in run.result.get("selected") or [] if isinstance(i, int)]
    titles = analysis.idea_titles(selected)
    finished = (
        timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M") if run.finished_at else ""
    )
    return summary.portfolio_summary(run.pk, run.result, titles, finished)
