"""Reads for the executive dashboard and the ROI export: everything in a fixed number of
queries whatever the number of ideas, handed on as plain data to valuechain.dashboard.summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Count, QuerySet
from django.utils import timezone

from contracts.registry import selectors as contracts
from valuechain import models as m
from valuechain.analysis import selectors as analysis
from valuechain.dashboard import summary
from valuechain.engine.finance import RoiReport
from valuechain.figures import store
from valuechain.ideas import selectors as ideas

STATUS_LABELS = dict(m.Idea.Status.choices)
T = TypeVar("T")


def _facts(queryset: QuerySet[m.Idea]) -> list[summary.IdeaFacts]:
    """What the dashboard says of each idea, read as values: no model instance per idea."""
    return [
        summary.IdeaFacts(
            id=pk,
            title=title,
            status=status,
            status_label=STATUS_LABELS.get(status, status),
            owner=owner or "",
        )
        for pk, title, status, owner in queryset.values_list(
            "pk", "title", "status", "owner__username"
        )
    ]


@dataclass
class Loaded:
    # names this state of every idea and its figures (read before them): a cache key
    epoch: str
    query: QuerySet[m.Idea]  # the ideas of the chosen statuses
    idea_ids: list[int]
    reports: dict[int, RoiReport]
    rows: list[summary.IdeaRow]
    refreshing: int = 0  # ideas left out while their figures are being refreshed


def load(statuses: Sequence[str], *, complete: bool = False) -> Loaded:
    """The ideas of the given statuses (all when none) with their stored ROI reports. Stale
    figures of a few ideas are computed now; when more wait for the background refresh, those
    ideas are left out and counted in `refreshing`, unless `complete` (an export) asks for
    every one to be computed now. Read once per epoch in this process (not for an export):
    every write to an idea or its stored figures raises the epoch."""
    epoch = store.epoch_key()
    queryset = ideas.plain_ideas().order_by("id")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if complete:
        ids, reports, rows, refreshing = _read(queryset, complete=True)
    else:
        ids, reports, rows, refreshing = store.kept_for_epoch(
            epoch, "dashboard:load:" + ",".join(statuses), lambda: _read(queryset)
        )
    return Loaded(epoch, queryset, ids, reports, rows, refreshing)


def _read(
    queryset: QuerySet[m.Idea], *, complete: bool = False
) -> tuple[list[int], dict[int, RoiReport], list[summary.IdeaRow], int]:
    facts = _facts(queryset)
    limit = len(facts) if complete else ideas.COMPUTE_IN_REQUEST
    figures = store.figures_for(queryset, compute_up_to=limit)
    shown = [idea for idea in facts if idea.id in figures.reports]
    return (
        [idea.id for idea in shown],
        figures.reports,
        summary.rows(shown, figures.reports),
        len(figures.refreshing),
    )


def cached_by_epoch(loaded: Loaded, name: str, build: Callable[[], T]) -> T:
    """What `build` derives from the loaded ideas and figures alone, computed once per state
    of them (the figures' epoch, read before they were)."""
    return store.cached(f"{loaded.epoch}:dashboard:{name}", build)


def status_counts() -> dict[str, int]:
    """How many ideas have each status (over every idea, whatever is shown)."""
    return dict(m.Idea.objects.values_list("status").annotate(n=Count("id")).order_by())


def risk_inputs(loaded: Loaded, statuses: Sequence[str]) -> dict[str, Any]:
    """What summary.risk_signals needs: stakeholder gaps' inputs, each idea's contract health
    (the same reading as the idea page's) and the registry's contracts by status."""
    # assignments and default roles raise the epoch too (they change no figure)
    gaps = cached_by_epoch(
        loaded,
        "gaps:" + ",".join(statuses),
        lambda: ideas.stakeholder_gap_inputs(statuses=statuses),
    )
    # the dashboard reads each idea's level and reasons, not its per-asset lineage
    catalogue = store.catalogue_key()  # read before the lineage
    lineage = store.cached_for_catalogue(
        "lineage", lambda: contracts.lineage_inputs(store.cached_catalogue())
    )
    # needs change only with their idea's figures' inputs: the epoch names them too
    roots = cached_by_epoch(
        loaded,
        "roots:" + ",".join(statuses),
        lambda: contracts.needs_roots(loaded.idea_ids, loaded.query),
    )
    # Each idea's standing (its lineage against the registry's contracts and their statuses)
    # is kept per state of the ideas, the catalogue and the registry; the window's breaches
    # and dead letters, which every validated batch moves, are read on every view and added
    # to the standings again only when they moved.
    health = contracts.contract_health_by_id(
        loaded.idea_ids,
        lineage=lineage,
        detail=False,
        idea_query=loaded.query,
        given_roots=roots,
        keep=lambda registry, build: store.kept_for_epoch(
            loaded.epoch, f"dashboard:health:{','.join(statuses)}:{catalogue}:{registry}", build
        ),
    )
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
