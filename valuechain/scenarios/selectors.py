"""Reads for scenarios: the scenarios, their roadmap runs, and the live inputs a scenario is
evaluated on (each in a constant number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from valuechain import mappers
from valuechain import models as m
from valuechain.analysis import selectors as analysis
from valuechain.engine import chain
from valuechain.ideas import selectors as ideas

NEWEST_FIRST = ("-created_at", "-id")
ASSET_MODELS: dict[chain.AssetKind, type[m.Asset]] = {
    chain.AssetKind.FEATURE: m.Feature,
    chain.AssetKind.CURATED_DATASET: m.CuratedDataset,
    chain.AssetKind.RAW_SOURCE: m.RawSource,
    chain.AssetKind.ACQUISITION_OPTION: m.AcquisitionOption,
}


def scenarios() -> QuerySet[m.Scenario]:
    return m.Scenario.objects.select_related("created_by").order_by(*NEWEST_FIRST)


def scenario(pk: int) -> m.Scenario | None:
    return scenarios().filter(pk=pk).first()


def other_scenarios(pk: int, limit: int) -> list[m.Scenario]:
    return list(scenarios().exclude(pk=pk)[:limit])


def scenarios_by_id(ids: Sequence[int]) -> dict[int, m.Scenario]:
    return {s.pk: s for s in scenarios().filter(pk__in=ids)}


def roadmap_runs(scenario_id: int) -> QuerySet[m.RoadmapRun]:
    return m.RoadmapRun.objects.filter(scenario_id=scenario_id).order_by(*NEWEST_FIRST)


def latest_roadmap(scenario_id: int) -> m.RoadmapRun | None:
    return roadmap_runs(scenario_id).first()


def candidate_rows() -> list[m.Idea]:
    """The live candidates of a portfolio (neither shipped nor rejected), by id."""
    return list(analysis.candidates(ideas.ideas()).order_by("id"))


def existing_ids(model: type[m.models.Model], ids: Iterable[int]) -> set[int]:
    return set(model._default_manager.filter(pk__in=list(ids)).values_list("pk", flat=True))


def existing_assets(keys: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in keys:
        wanted[kind].add(pk)
    found = set()
    for kind, pks in wanted.items():
        model = ASSET_MODELS[chain.AssetKind(kind)]
        found |= {(kind, pk) for pk in existing_ids(model, pks)}
    return found


def candidate_ids(ids: Iterable[int]) -> set[int]:
    return set(analysis.candidate_ideas().filter(pk__in=list(ids)).values_list("pk", flat=True))


def roles() -> list[tuple[int, str, float]]:
    return list(m.Role.objects.order_by("name").values_list("pk", "name", "day_rate"))


def tier_roles() -> dict[int, list[int]]:
    """The default roles of each tier, by tier."""
    found: dict[int, list[int]] = defaultdict(list)
    through = m.TierProfile.default_roles.through.objects.order_by("role_id")
    for tier, role in through.values_list("tierprofile_id", "role_id"):
        found[tier].append(role)
    return dict(found)


def asset_days() -> dict[chain.AssetKey, tuple[int, float]]:
    """Assets whose build estimate is in person-days: the role and the PERT mean of days."""
    found: dict[chain.AssetKey, tuple[int, float]] = {}
    for kind, model in ASSET_MODELS.items():
        rows = model._default_manager.filter(build_days_role__isnull=False).values_list(
            "pk", "build_days_role_id", "build_low", "build_likely", "build_high"
        )
        for pk, role, low, likely, high in rows:
            found[(kind, pk)] = (role, (low + 4 * likely + high) / 6)
    return found


def need_days(idea_ids: Sequence[int]) -> dict[int, list[tuple[int | None, float]]]:
    """Each idea's needs in id order (the order the engine holds them): the role of an
    engineering estimate in person-days (None: money) and the PERT mean of its days."""
    found: dict[int, list[tuple[int | None, float]]] = defaultdict(list)
    rows = m.Need.objects.filter(idea_id__in=list(idea_ids)).order_by("idea_id", "id")
    for idea_id, role, low, likely, high in rows.values_list(
        "idea_id", "engineering_days_role_id", "engineering_low", "engineering_likely",
        "engineering_high",
    ):  # fmt: skip
        found[idea_id].append((role, (low + 4 * likely + high) / 6 if role else 0.0))
    return dict(found)


def live_rates() -> dict[int, float]:
    return dict(mappers.day_rates())


def effort_rules() -> tuple[dict[int, list[int]], dict[chain.AssetKey, tuple[int, float]]]:
    return tier_roles(), asset_days()
