"""An idea's ROI report with the factors of its p and k taken apart: what the ROI answer and
the idea page show. Cached per version of the idea's inputs (store.fresh_key), and made
ready by the background refresh, so that the first view of a report after a change is a
read, not a walk of its lineage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import chain, finance
from valuechain.figures import store

NAME = "explained"
SECONDS = 86_400


@dataclass(frozen=True)
class ExplainedReport:
    """An idea's ROI report with p and k taken apart and whether its deployment is planned."""

    report: finance.RoiReport
    factors: finance.SuccessFactors
    deployment_planned: bool


def explain(
    idea: chain.Idea, catalogue: Mapping[chain.AssetKey, chain.Asset], *, planned: bool
) -> ExplainedReport:
    closures = chain.ClosureCache(catalogue)
    return ExplainedReport(
        report=finance.roi_report(idea, catalogue, closures),
        factors=finance.success_factors(idea, catalogue, closures),
        deployment_planned=planned,
    )


def prepare(idea_ids: Iterable[int] | None = None) -> int:
    """Cache the explained reports and lineage closures of the ideas (of these ids) whose
    figures are fresh; how many ideas. Versions are read before the inputs: an entry
    computed from inputs newer than its version is keyed by a version that is already
    stale, so it is never read."""
    versions = store.fresh_versions(idea_ids)
    pending = sorted(versions)
    rates = mappers.day_rates()
    whole = len(pending) >= store.WHOLE_CATALOGUE_FROM
    prepared = 0
    for start in range(0, len(pending), store.REFRESH_CHUNK):
        chosen = m.Idea.objects.filter(pk__in=pending[start : start + store.REFRESH_CHUNK])
        ideas = mappers.engine_ideas_of(chosen, rates)
        planned = mappers.planned_idea_ids(chosen)
        catalogue = store.cached_catalogue() if whole else mappers.ideas_catalogue(ideas, rates)
        entries: dict[str, object] = {}
        for idea in ideas:
            version = versions[idea.id]
            entries[store.idea_key(idea.id, *version, NAME)] = explain(
                idea, catalogue, planned=idea.id in planned
            )
            roots = (need.asset for need in idea.needs)
            entries[store.idea_key(idea.id, *version, store.CLOSURE)] = mappers.closure_within(
                roots, catalogue
            )
        cache.set_many(entries, SECONDS)
        prepared += len(ideas)
    return prepared
