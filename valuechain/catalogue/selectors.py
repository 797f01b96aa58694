"""Reads of the catalogue, shaped for its pages: the tiers with lineage, the need picker's
search, the editing list, and what still uses an asset. Each in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from valuechain import mappers
from valuechain import models as m
from valuechain.catalogue import rules
from valuechain.engine import chain
from valuechain.estimates import estimate_of

SEARCH_LIMIT = 25


def assets_of(asset_type: str) -> QuerySet[Any]:
    """Every asset of one kind (`asset_type` as the API names it)."""
    return m.ASSET_MODELS[asset_type]._default_manager.all()


def assets_with_lineage_ids(asset_type: str) -> QuerySet[Any]:
    """Assets of one kind with the ids of their inputs prefetched (as the API lists them)."""
    queryset = assets_of(asset_type)
    lineage = rules.LINEAGE.get(asset_type)
    if lineage is not None and lineage.many:
        upstream = assets_of(lineage.upstream).only("id")
        queryset = queryset.prefetch_related(Prefetch(lineage.field, queryset=upstream))
    return queryset


def tier_profiles() -> QuerySet[m.TierProfile]:
    return m.TierProfile.objects.prefetch_related("default_roles")


def tier_profiles_with_role_ids() -> QuerySet[m.TierProfile]:
    return m.TierProfile.objects.prefetch_related(
        Prefetch("default_roles", queryset=m.Role.objects.only("id"))
    )


def default_feasibility(asset_type: str) -> float | None:
    """The default feasibility of the kind's tier (None without a tier profile)."""
    tier = int(m.ASSET_MODELS[asset_type].TIER)
    return (
        m.TierProfile.objects.filter(tier=tier)
        .values_list("default_feasibility", flat=True)
        .first()
    )


def roles() -> QuerySet[m.Role]:
    return m.Role.objects.all()


def role_choices() -> list[tuple[Any, str]]:
    """Units for an estimate given in person-days: one choice per role, in one query."""
    return [(role.pk, f"person-days of {role.name}") for role in roles()]


def name_taken(asset: m.Asset, name: str) -> bool:
    """Whether another asset of the same kind already has this name."""
    model = type(asset)
    return model._default_manager.filter(name=name).exclude(pk=asset.pk).exists()


def find_asset(asset_type: str, asset_id: int) -> m.Asset | None:
    return assets_of(asset_type).filter(pk=asset_id).first()


# --- lineage --------------------------------------------------------------------------------


def upstream_of(asset: m.Asset) -> list[m.Asset]:
    """The assets it is made from (prefetch or select its lineage field to stay constant)."""
    lineage = rules.LINEAGE.get(asset.asset_type)
    if lineage is None:
        return []
    if lineage.many:
        return list(getattr(asset, lineage.field).all())
    single = getattr(asset, lineage.field)
    return [single] if single is not None else []


def downstream_of(asset: m.Asset) -> list[m.Asset]:
    """The assets made from it (prefetch the reverse lineage to stay constant)."""
    lineage = rules.USED_BY.get(asset.asset_type)
    return list(getattr(asset, lineage.users).all()) if lineage is not None else []


def downstream_label(asset_type: str) -> str:
    """What is made from an asset of this kind, in words ("" when nothing can be)."""
    lineage = rules.USED_BY.get(asset_type)
    return m.AssetType(lineage.kind).label.lower() if lineage is not None else ""


def asset_users(asset: m.Asset) -> tuple[list[m.Need], list[m.Asset]]:
    """The needs pointing at the asset and the assets downstream that use it as input."""
    needs = list(asset.needs.select_related("idea").order_by("idea__title", "name"))  # type: ignore[attr-defined]
    downstream: list[m.Asset] = []
    lineage = rules.USED_BY.get(asset.asset_type)
    if lineage is not None:
        downstream = list(getattr(asset, lineage.users).order_by("name"))
    return needs, downstream


# --- the catalogue by tier ------------------------------------------------------------------


@dataclass
class LineageLink:
    asset_type: str
    pk: int
    name: str

    @property
    def anchor(self) -> str:
        return f"asset-{self.asset_type}-{self.pk}"


@dataclass
class CatalogueRow:
    asset: m.Asset
    build_mean: float
    run_mean: float
    feasibility: float
    feasibility_is_default: bool
    upstream: list[LineageLink] = field(default_factory=list)
    downstream: list[LineageLink] = field(default_factory=list)
    ideas: list[m.Idea] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"asset-{self.asset.asset_type}-{self.asset.pk}"


def _links(rows: Iterable[m.Asset]) -> list[LineageLink]:
    return [LineageLink(row.asset_type, row.pk, row.name) for row in rows]


def _needs_prefetch() -> Prefetch:
    return Prefetch("needs", queryset=m.Need.objects.select_related("idea"))


def _catalogue_querysets(query: str) -> dict[int, QuerySet[Any]]:
    """One queryset per tier, every relation prefetched: a constant number of queries."""
    search = Q(name__icontains=query) | Q(description__icontains=query) if query else Q()
    return {
        1: m.Feature.objects.filter(search)
        .select_related("owner")
        .prefetch_related("curated_datasets", _needs_prefetch()),
        2: m.CuratedDataset.objects.filter(search)
        .select_related("owner")
        .prefetch_related("raw_sources", "features", _needs_prefetch()),
        3: m.RawSource.objects.filter(search)
        .select_related("owner", "acquisition_option")
        .prefetch_related("curated_datasets", _needs_prefetch()),
        4: m.AcquisitionOption.objects.filter(search)
        .select_related("owner")
        .prefetch_related("raw_sources", _needs_prefetch()),
    }


def _catalogue_row(
    asset: m.Asset, rates: Mapping[int, float], default_feasibility: Mapping[int, float]
) -> CatalogueRow:
    ideas: dict[int, m.Idea] = {}
    for need in asset.needs.all():  # type: ignore[attr-defined]
        ideas.setdefault(need.idea_id, need.idea)
    return CatalogueRow(
        asset=asset,
        build_mean=estimate_of(asset, "build", rates).mean,
        run_mean=estimate_of(asset, "run", rates).mean,
        feasibility=chain.feasibility_of(asset.feasibility, asset.tier, default_feasibility),
        feasibility_is_default=asset.feasibility is None,
        upstream=_links(upstream_of(asset)),
        downstream=_links(downstream_of(asset)),
        ideas=list(ideas.values()),
    )


def catalogue_sections(query: str) -> list[dict[str, Any]]:
    """The four tiers, each with its profile and its assets matching `query` (all when empty)."""
    rates = mappers.day_rates()
    profiles = list(tier_profiles())
    default_feasibility = {profile.tier: profile.default_feasibility for profile in profiles}
    profile_by_tier = {profile.tier: profile for profile in profiles}
    sections = []
    for tier, queryset in _catalogue_querysets(query).items():
        rows = [_catalogue_row(asset, rates, default_feasibility) for asset in queryset]
        sections.append(
            {
                "tier": tier,
                "label": m.Tier(tier).label,
                "profile": profile_by_tier.get(tier),
                "asset_type": queryset.model.ASSET_TYPE,
                "rows": rows,
            }
        )
    return sections


def search_assets(tier: int, query: str) -> tuple[list[dict[str, Any]], bool]:
    """Assets of one tier matching `query` for the need picker, and whether more than
    SEARCH_LIMIT matched. Each result says what choosing it brings, computed by the engine over
    its closure (for the page of results only): the tier it really reaches, the cumulative
    one-off and yearly cost of the charged assets in it (PERT means, day rates applied), and the
    charged assets upstream of it that it pulls in. A constant number of queries."""
    model = next(model for model in m.ASSET_MODELS.values() if tier == model.TIER)
    assets = model._default_manager.select_related("owner").order_by("name")
    if query:
        assets = assets.filter(Q(name__icontains=query) | Q(description__icontains=query))
    found = list(assets[: SEARCH_LIMIT + 1])
    rates = mappers.day_rates()
    catalogue_assets = mappers.load_catalogue(rates)
    closures = chain.ClosureCache(catalogue_assets)
    results = []
    for asset in found[:SEARCH_LIMIT]:
        key = (chain.AssetKind(asset.asset_type), asset.pk)
        cost = chain.closure_cost(catalogue_assets, key, closures)
        results.append(
            {
                "asset": asset,
                "build_mean": estimate_of(asset, "build", rates).mean,
                "reach_tier": cost.tier,
                "one_off": cost.one_off,
                "yearly": cost.yearly,
                "pulls_in": [catalogue_assets[k] for k in cost.charged if k != key],
            }
        )
    return results, len(found) > SEARCH_LIMIT


# --- the editing list -----------------------------------------------------------------------


@dataclass
class AssetListRow:
    asset: m.Asset
    build_mean: float
    run_mean: float
    upstream: list[str]
    need_count: int
    downstream_count: int

    @property
    def in_use(self) -> bool:
        return bool(self.need_count or self.downstream_count)


def _list_queryset(asset_type: str) -> QuerySet[Any]:
    """Assets of one kind with their upstream names and use counts in a constant number
    of queries."""
    queryset = (
        assets_of(asset_type)
        .select_related("owner")
        .annotate(need_count=Count("needs", distinct=True))
    )
    used_by = rules.USED_BY.get(asset_type)
    if used_by is not None:
        queryset = queryset.annotate(downstream_count=Count(used_by.users, distinct=True))
    lineage = rules.LINEAGE.get(asset_type)
    if lineage is not None and lineage.many:
        queryset = queryset.prefetch_related(lineage.field)
    elif lineage is not None:
        queryset = queryset.select_related(lineage.field)
    return queryset.order_by("name", "id")


def asset_list_rows(asset_type: str) -> list[AssetListRow]:
    rates = mappers.day_rates()
    return [
        AssetListRow(
            asset=asset,
            build_mean=estimate_of(asset, "build", rates).mean,
            run_mean=estimate_of(asset, "run", rates).mean,
            upstream=[upstream.name for upstream in upstream_of(asset)],
            need_count=asset.need_count,
            downstream_count=getattr(asset, "downstream_count", 0),
        )
        for asset in _list_queryset(asset_type)
    ]
