"""Reads: querysets shaped for pages and the API, and ROI reports computed over them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import batch, chain, finance

# From this many ideas on the vectorised engine is faster (same figures to 1e-9 relative);
# below it, its fixed set-up costs more than it saves (bench/bench_roi.py, engine tests).
BATCH_FROM = 32


def ideas() -> QuerySet[m.Idea]:
    """Ideas with everything the engine needs, fetched in a constant number of queries."""
    return m.Idea.objects.select_related(
        "owner", "deployment_plan__deployment_type"
    ).prefetch_related(Prefetch("needs", queryset=m.Need.objects.order_by("id")))


def roi_reports(idea_rows: Iterable[m.Idea]) -> dict[int, finance.RoiReport]:
    """ROI reports keyed by idea id; idea rows should come from `ideas()`."""
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    engine_ideas = mappers.ideas_to_engine(idea_rows, rates)
    compute = batch.roi_reports if len(engine_ideas) >= BATCH_FROM else finance.roi_reports
    return {report.idea_id: report for report in compute(engine_ideas, catalogue)}


def roi_report(idea: m.Idea) -> finance.RoiReport:
    return roi_reports([idea])[idea.pk]


def idea_closure(idea: m.Idea) -> frozenset[chain.AssetKey]:
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    return chain.idea_closure(mappers.idea_to_engine(idea, rates), catalogue)
