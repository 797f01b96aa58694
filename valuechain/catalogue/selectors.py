"""Reads of the catalogue, shaped for its pages: the tiers with lineage, the need picker's
search, the editing list, and what still uses an asset. Each in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import DenseRank

from valuechain import mappers
from valuechain import models as m
from valuechain.catalogue import rules
from valuechain.engine import chain
from valuechain.estimates import estimate_of
from valuechain.platform.paging import CountedPaginator

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
    if asset_type == rules.CURATED_DATASET:
        queryset = queryset.prefetch_related(
            Prefetch("upstream_curated_datasets", queryset=assets_of(asset_type).only("id"))
        )
    return queryset


def curated_inputs_for(curated_id: int | None) -> QuerySet[m.CuratedDataset]:
    """The curated datasets one may be built from: any but itself, by name."""
    rows = m.CuratedDataset.objects.order_by("name")
    return rows.exclude(pk=curated_id) if curated_id else rows


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
    href: str = ""  # the page sets it: where the asset is in the catalogue

    @property
    def anchor(self) -> str:
        return f"asset-{self.asset_type}-{self.pk}"


@dataclass
class IdeaLink:
    pk: int
    title: str
    href: str = ""  # the page sets it


@dataclass
class CatalogueRow:
    asset: m.Asset
    build_mean: float
    run_mean: float
    feasibility: float
    feasibility_is_default: bool
    upstream: list[LineageLink] = field(default_factory=list)
    downstream: list[LineageLink] = field(default_factory=list)
    ideas: list[IdeaLink] = field(default_factory=list)
    idea_count: int = 0

    @property
    def more_ideas(self) -> int:
        return self.idea_count - len(self.ideas)

    @property
    def anchor(self) -> str:
        return f"asset-{self.asset.asset_type}-{self.asset.pk}"


def _links(rows: Iterable[m.Asset]) -> list[LineageLink]:
    return [LineageLink(row.asset_type, row.pk, row.name) for row in rows]


# The catalogue shows one tier at a time, a page of rows at a time: its cost follows the page.
PAGE_SIZE = 50
# Each row names a few of the ideas that need the asset, and counts the rest.
IDEAS_SHOWN = 3
AVAILABILITY = {"available": True, "to_build": False}
USE = ("used", "unused")
SORTS = {"name": ("name", "id"), "-name": ("-name", "-id")}


@dataclass(frozen=True)
class CatalogueFilters:
    """What the catalogue page shows of a tier; empty values filter nothing."""

    query: str = ""
    availability: str = ""  # "", or a key of AVAILABILITY
    owner_id: int | None = None
    use: str = ""  # "", or one of USE
    sort: str = "name"


def _filtered(asset_type: str, filters: CatalogueFilters) -> QuerySet[Any]:
    queryset = assets_of(asset_type)
    query = filters.query
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(description__icontains=query))
    if filters.availability in AVAILABILITY:
        queryset = queryset.filter(available=AVAILABILITY[filters.availability])
    if filters.owner_id is not None:
        queryset = queryset.filter(owner_id=filters.owner_id)
    if filters.use in USE:
        used = Exists(m.Need.objects.filter(**{str(asset_type): OuterRef("pk")}))
        queryset = queryset.filter(used if filters.use == "used" else ~used)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["name"]))


def _tier_type(tier: int) -> str:
    return next(model for model in m.ASSET_MODELS.values() if tier == model.TIER).ASSET_TYPE


def tier_counts(filters: CatalogueFilters) -> dict[int, int]:
    """How many assets of each tier match: one COUNT per tier."""
    return {
        int(model.TIER): _filtered(asset_type, filters).count()
        for asset_type, model in m.ASSET_MODELS.items()
    }


def _with_lineage(asset_type: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Owner and lineage both ways, prefetched (names only) for the rows of one page."""
    queryset = queryset.select_related("owner")
    lineage = rules.LINEAGE.get(asset_type)
    if lineage is not None and lineage.many:
        upstream = assets_of(lineage.upstream).only("id", "name").order_by("name")
        queryset = queryset.prefetch_related(Prefetch(lineage.field, queryset=upstream))
    elif lineage is not None:
        queryset = queryset.select_related(lineage.field)
    used_by = rules.USED_BY.get(asset_type)
    if used_by is not None:
        # Names only (a reverse foreign key also needs its column to attach the rows).
        columns = ("id", "name") if used_by.many else ("id", "name", used_by.field)
        downstream = assets_of(used_by.kind).only(*columns).order_by("name")
        queryset = queryset.prefetch_related(Prefetch(used_by.users, queryset=downstream))
    return queryset


def _ideas_of(
    asset_type: str, ids: list[int]
) -> tuple[dict[int, list[tuple[int, str]]], dict[int, int]]:
    """For each asset, the first IDEAS_SHOWN ideas needing it (by title) and how many ideas
    need it: two queries, bounded by the page whatever the number of ideas."""
    column = f"{m.AssetType(asset_type).value}_id"
    needs = m.Need.objects.filter(**{f"{column}__in": ids})
    ranked = (
        needs.annotate(
            rank=Window(
                DenseRank(),
                partition_by=F(column),
                order_by=[F("idea__title").asc(), F("idea_id").asc()],
            )
        )
        .filter(rank__lte=IDEAS_SHOWN)
        .values_list(column, "idea_id", "idea__title", "rank")
    )
    shown: dict[int, dict[int, tuple[int, str]]] = {}
    for asset_id, idea_id, title, rank in ranked:
        shown.setdefault(asset_id, {})[idea_id] = (rank, title)
    counts = dict(
        needs.values_list(column)
        .annotate(ideas=Count("idea", distinct=True))
        .values_list(column, "ideas")
    )
    ideas = {
        asset_id: [
            (idea_id, title)
            for idea_id, (_, title) in sorted(by_idea.items(), key=lambda item: item[1])
        ]
        for asset_id, by_idea in shown.items()
    }
    return ideas, counts


def _catalogue_row(
    asset: m.Asset,
    rates: Mapping[int, float],
    default_feasibility: Mapping[int, float],
    ideas: list[tuple[int, str]],
    idea_count: int,
) -> CatalogueRow:
    return CatalogueRow(
        asset=asset,
        build_mean=estimate_of(asset, "build", rates).mean,
        run_mean=estimate_of(asset, "run", rates).mean,
        feasibility=chain.feasibility_of(asset.feasibility, asset.tier, default_feasibility),
        feasibility_is_default=asset.feasibility is None,
        upstream=_links(upstream_of(asset)),
        downstream=_links(downstream_of(asset)),
        ideas=[IdeaLink(pk, title) for pk, title in ideas],
        idea_count=idea_count,
    )


def _page_rows(
    asset_type: str, queryset: QuerySet[Any], page_number: Any, count: int | None
) -> tuple[Page, list[Any]]:
    """The page of `queryset` asked for (the last one past the end, the first one when the
    number is not one) and its assets: ids are paged, then only those rows are loaded."""
    ids_query = queryset.values_list("pk", flat=True)
    paginator = (
        Paginator(ids_query, PAGE_SIZE)
        if count is None
        else CountedPaginator(ids_query, PAGE_SIZE, count)
    )
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    by_id = {
        asset.pk: asset
        for asset in _with_lineage(asset_type, assets_of(asset_type).filter(pk__in=ids))
    }
    return page, [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class CatalogueTier:
    tier: int
    label: str
    asset_type: str
    profile: m.TierProfile | None
    page: Page
    rows: list[CatalogueRow]

    @property
    def pages_label(self) -> str:
        return f"Pages of tier {self.tier}"


def catalogue_tier(
    tier: int, filters: CatalogueFilters, page_number: Any, count: int | None = None
) -> CatalogueTier:
    """One tier of the catalogue: its profile and one page of its assets matching `filters`,
    with lineage and the ideas using them. A constant number of queries, rows read in
    proportion to the page. `count`: how many match, when already counted."""
    asset_type = _tier_type(tier)
    rates = mappers.day_rates()
    profiles = list(tier_profiles())
    default_feasibility = {profile.tier: profile.default_feasibility for profile in profiles}
    page, assets = _page_rows(asset_type, _filtered(asset_type, filters), page_number, count)
    ideas, idea_counts = _ideas_of(asset_type, [asset.pk for asset in assets])
    rows = [
        _catalogue_row(
            asset, rates, default_feasibility, ideas.get(asset.pk, []), idea_counts.get(asset.pk, 0)
        )
        for asset in assets
    ]
    return CatalogueTier(
        tier=tier,
        label=m.Tier(tier).label,
        asset_type=asset_type,
        profile=next((profile for profile in profiles if profile.tier == tier), None),
        page=page,
        rows=rows,
    )


def catalogue_position(asset_type: str, pk: int) -> tuple[int, int] | None:
    """The tier and page (unfiltered, by name) an asset is on; None when it does not exist.
    Counted by the database, so its collation orders it as the page does."""
    asset = assets_of(asset_type).filter(pk=pk).values("name").first()
    if asset is None:
        return None
    before = (
        assets_of(asset_type)
        .filter(Q(name__lt=asset["name"]) | Q(name=asset["name"], pk__lt=pk))
        .count()
    )
    return int(m.ASSET_MODELS[asset_type].TIER), before // PAGE_SIZE + 1


def search_assets(tier: int, query: str) -> tuple[list[dict[str, Any]], bool]:
    """Assets of one tier matching `query` for the need picker, and whether more than
    SEARCH_LIMIT matched. Each result says what choosing it brings, computed by the engine over
    its closure (for the page of results only): the tier it really reaches, the cumulative
    one-off and yearly cost of the charged assets in it (PERT means, day rates applied), and the
    charged assets upstream of it that it pulls in. A constant number of queries."""
    model = next(model for model in m.ASSET_MODELS.values() if tier == model.TIER)
    # a retired asset (gone from its source system) is offered to no new need
    assets = (
        model._default_manager.filter(retired_at__isnull=True)
        .select_related("owner")
        .order_by("name")
    )
    if query:
        assets = assets.filter(Q(name__icontains=query) | Q(description__icontains=query))
    found = list(assets[: SEARCH_LIMIT + 1])
    rates = mappers.day_rates()
    keys = [(chain.AssetKind(asset.asset_type), asset.pk) for asset in found[:SEARCH_LIMIT]]
    # Only the lineage the results reach: the cost follows the results, not the catalogue.
    catalogue_assets = mappers.load_closure(keys, rates)
    closures = chain.ClosureCache(catalogue_assets)
    results = []
    for asset, key in zip(found[:SEARCH_LIMIT], keys, strict=True):
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


def _list_queryset(asset_type: str, ids: list[int]) -> QuerySet[Any]:
    """The assets `ids` of one kind with their upstream names and use counts in a constant
    number of queries."""
    queryset = (
        assets_of(asset_type)
        .filter(pk__in=ids)
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
    return queryset


def asset_list_rows(
    asset_type: str, query: str, page_number: Any
) -> tuple[Page, list[AssetListRow]]:
    """One page of the assets of one kind matching `query`, by name, for editing: the page
    is chosen over ids, and only its rows are counted and priced."""
    rates = mappers.day_rates()
    page = Paginator(
        _filtered(asset_type, CatalogueFilters(query=query)).values_list("pk", flat=True),
        PAGE_SIZE,
    ).get_page(page_number)
    ids = list(page.object_list)
    by_id = {asset.pk: asset for asset in _list_queryset(asset_type, ids)}
    return page, [
        AssetListRow(
            asset=asset,
            build_mean=estimate_of(asset, "build", rates).mean,
            run_mean=estimate_of(asset, "run", rates).mean,
            upstream=[upstream.name for upstream in upstream_of(asset)],
            need_count=asset.need_count,
            downstream_count=getattr(asset, "downstream_count", 0),
        )
        for asset in (by_id[pk] for pk in ids if pk in by_id)
    ]
