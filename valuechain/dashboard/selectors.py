"""Reads for the executive dashboard and the ROI export: everything in a fixed number of
queries whatever the number of ideas, handed on as plain data to valuechain.dashboard.summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from contracts.registry import selectors as contracts
from valuechain import models as m
from valuechain.analysis import selectors as analysis
from valuechain.dashboard import summary
from valuechain.engine import chain
from valuechain.engine.finance import RoiReport
from valuechain.figures import store
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
    catalogue: Mapping[chain.AssetKey, chain.Asset]
    refreshing: int = 0  # ideas left out while their figures are being refreshed


def load(statuses: Sequence[str], *, complete: bool = False) -> Loaded:
    """The ideas of the given statuses (all when none) with their stored ROI reports. Stale
    figures of a few ideas are computed now; when more wait for the background refresh, those
    ideas are left out and counted in `refreshing`, unless `complete` (an export) asks for
    every one to be computed now."""
    queryset = ideas.ideas_with_owner().order_by("id")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    rows = list(queryset)
    limit = len(rows) if complete else ideas.COMPUTE_IN_REQUEST
    figures = store.figures_of([idea.pk for idea in rows], compute_up_to=limit)
    shown = [idea for idea in rows if idea.pk in figures.reports]
    return Loaded(
        shown,
        figures.reports,
        summary.rows([_facts(i) for i in shown], figures.reports),
        store.cached_catalogue(),
        len(figures.refreshing),
    )


def status_counts() -> dict[str, int]:
    """How many ideas have each status (over every idea, whatever is shown)."""
    return dict(m.Idea.objects.values_list("status").annotate(n=Count("id")).order_by())


def risk_inputs(loaded: Loaded, statuses: Sequence[str]) -> dict[str, Any]:
    """What summary.risk_signals needs: stakeholder gaps' inputs, each idea's contract health
    (the same reading as the idea page's) and the registry's contracts by status."""
    gaps = ideas.stakeholder_gap_inputs(statuses=statuses)
    # the dashboard reads each idea's level and reasons, not its per-asset lineage
    health = contracts.ideas_contract_health(loaded.ideas, loaded.catalogue, detail=False)
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
