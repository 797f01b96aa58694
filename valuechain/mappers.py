"""ORM rows -> engine dataclasses: the only bridge between Django and valuechain.engine.

Estimates are priced by valuechain.estimates and deployment plans by deployments.mappers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from deployments.mappers import to_engine_deployment
from deployments.models import DeploymentPlan
from valuechain import estimates
from valuechain import models as m
from valuechain.engine import chain, scoring
from valuechain.engine.columns import IdeaColumns, IdeaRow, NeedRow
from valuechain.estimates import DayRates, estimate_of

# A page shows several panels (ROI, contracts, deployment, analysis) that each need the
# catalogue; inside a read snapshot it is loaded once and shared.
_snapshot: ContextVar[dict[Any, Any] | None] = ContextVar("catalogue_snapshot", default=None)
T = TypeVar("T")


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Within this block, day rates and the catalogue are read once. Use only where nothing
    is written (safe requests): later writes in the block would not be seen."""
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def memo(key: Hashable, build: Callable[[], T]) -> T:
    """`build()` read once per snapshot (once per safe request), afresh outside one."""
    snapshot = _snapshot.get()
    if snapshot is None:
        return build()
    if key not in snapshot:
        snapshot[key] = build()
    return cast(T, snapshot[key])


def day_rates() -> dict[int, float]:
    return memo("rates", lambda: dict(m.Role.objects.values_list("id", "day_rate")))


def default_feasibilities() -> dict[int, float]:
    return memo(
        "feasibility",
        lambda: dict(m.TierProfile.objects.values_list("tier", "default_feasibility")),
    )


def _asset(
    row: m.Asset,
    upstream: tuple[chain.AssetKey, ...],
    rates: DayRates,
    feasibility_by_tier: Mapping[int, float],
) -> chain.Asset:
    kind = chain.AssetKind(row.ASSET_TYPE)
    feasibility = chain.feasibility_of(row.feasibility, kind.tier, feasibility_by_tier)
    return chain.Asset(
        kind=kind,
        id=row.pk,
        available=row.available,
        build=estimate_of(row, "build", rates),
        run=estimate_of(row, "run", rates),
        feasibility=float(feasibility),
        upstream=upstream,
        name=row.name,
        online=bool(getattr(row, "online", False)),
    )


def _links(through: type[models.Model], source: str, target: str) -> dict[int, list[int]]:
    links: dict[int, list[int]] = defaultdict(list)
    for source_id, target_id in through._default_manager.values_list(source, target):
        links[source_id].append(target_id)
    return links


def load_catalogue(rates: DayRates | None = None) -> dict[chain.AssetKey, chain.Asset]:
    """The whole catalogue as engine assets, in a constant number of queries.

    Inside a read snapshot the same catalogue is returned to every caller pricing with the
    snapshot's day rates: treat it as read-only.
    """
    snapshot = _snapshot.get()
    shared = snapshot is not None and (rates is None or rates is snapshot.get("rates"))
    if shared and snapshot is not None and "catalogue" in snapshot:
        return snapshot["catalogue"]
    rates = day_rates() if rates is None else rates
    catalogue = _load_catalogue(rates)
    if shared and snapshot is not None:
        snapshot["catalogue"] = catalogue
    return catalogue


def _load_catalogue(rates: DayRates) -> dict[chain.AssetKey, chain.Asset]:
    feasibility = default_feasibilities()
    curated_of_feature = _links(
        m.Feature.curated_datasets.through, "feature_id", "curateddataset_id"
    )
    raw_of_curated = _links(
        m.CuratedDataset.raw_sources.through, "curateddataset_id", "rawsource_id"
    )
    curated_of_curated = curated_links()
    catalogue: dict[chain.AssetKey, chain.Asset] = {}

    def add(row: m.Asset, upstream: tuple[chain.AssetKey, ...]) -> None:
        asset = _asset(row, upstream, rates, feasibility)
        catalogue[asset.key] = asset

    for option in m.AcquisitionOption.objects.all():
        add(option, ())
    for raw in m.RawSource.objects.all():
        upstream = (
            ((chain.AssetKind.ACQUISITION_OPTION, raw.acquisition_option_id),)
            if raw.acquisition_option_id
            else ()
        )
        add(raw, upstream)
    for curated in m.CuratedDataset.objects.all():
        add(
            curated,
            (
                *((chain.AssetKind.CURATED_DATASET, i) for i in curated_of_curated[curated.pk]),
                *((chain.AssetKind.RAW_SOURCE, i) for i in raw_of_curated[curated.pk]),
            ),
        )
    for feature in m.Feature.objects.all():
        add(
            feature,
            tuple((chain.AssetKind.CURATED_DATASET, i) for i in curated_of_feature[feature.pk]),
        )
    return catalogue


Catalogue = dict[chain.AssetKey, chain.Asset]


def load_closure(
    roots: Iterable[chain.AssetKey],
    rates: DayRates | None = None,
    *,
    stored: Callable[[Callable[[], Catalogue]], Catalogue] | None = None,
) -> Catalogue:
    """The assets `roots` reach upstream through lineage, as engine assets: enough for every
    engine rule about ideas whose needs point at `roots`, and for their contracts' lineage.

    Walks tier by tier, downstream first, so it costs a constant number of queries (at most
    two per tier) and reads rows in proportion to the closure, never to the catalogue.
    `stored`, given the read, may answer from a cache instead (one keyed by the version of
    every input the closure holds).
    """
    snapshot = _snapshot.get()
    shared = snapshot is not None and (rates is None or rates is snapshot.get("rates"))
    rates = day_rates() if rates is None else rates
    wanted: dict[chain.AssetKind, set[int]] = defaultdict(set)
    for kind, pk in roots:
        wanted[kind].add(pk)
    # The panels of one page (ROI, contracts, deployment) each ask for the idea's closure.
    key = ("closure", frozenset((kind, frozenset(ids)) for kind, ids in wanted.items()))
    if shared and snapshot is not None and key in snapshot:
        return snapshot[key]
    read = lambda: _load_closure(wanted, rates)  # noqa: E731
    catalogue = read() if stored is None else stored(read)
    if shared and snapshot is not None:
        snapshot[key] = catalogue
    return catalogue


def _load_closure(
    wanted: dict[chain.AssetKind, set[int]], rates: DayRates
) -> dict[chain.AssetKey, chain.Asset]:
    feasibility = default_feasibilities()
    catalogue: dict[chain.AssetKey, chain.Asset] = {}

    def add(rows: Iterable[m.Asset], upstream: Mapping[int, list[chain.AssetKey]]) -> None:
        for row in rows:
            asset = _asset(row, tuple(upstream.get(row.pk, ())), rates, feasibility)
            catalogue[asset.key] = asset

    features = wanted[chain.AssetKind.FEATURE]
    curated_of = _links_of(
        m.Feature.curated_datasets.through, "feature_id", "curateddataset_id", features
    )
    add(
        m.Feature.objects.filter(pk__in=features),
        _keys(curated_of, chain.AssetKind.CURATED_DATASET),
    )
    # Curated datasets built from curated datasets (dbt model -> model): the links among
    # curated datasets are read in one query and walked here, so depth costs no query.
    curated_upstream = curated_links()
    curated = _reach(
        wanted[chain.AssetKind.CURATED_DATASET] | _targets(curated_of), curated_upstream
    )
    raw_of = _links_of(
        m.CuratedDataset.raw_sources.through, "curateddataset_id", "rawsource_id", curated
    )
    upstream_of_curated = _keys(raw_of, chain.AssetKind.RAW_SOURCE)
    for source in curated:
        inputs = [(chain.AssetKind.CURATED_DATASET, i) for i in curated_upstream.get(source, ())]
        if inputs:
            upstream_of_curated[source] = [*inputs, *upstream_of_curated.get(source, ())]
    add(m.CuratedDataset.objects.filter(pk__in=curated), upstream_of_curated)
    raw = list(
        m.RawSource.objects.filter(pk__in=wanted[chain.AssetKind.RAW_SOURCE] | _targets(raw_of))
    )
    options = {
        row.pk: [(chain.AssetKind.ACQUISITION_OPTION, row.acquisition_option_id)]
        for row in raw
        if row.acquisition_option_id
    }
    add(raw, options)
    acquisition = wanted[chain.AssetKind.ACQUISITION_OPTION] | {
        pk for keys in options.values() for _, pk in keys
    }
    add(m.AcquisitionOption.objects.filter(pk__in=acquisition), {})
    return catalogue


def closure_within(roots: Iterable[chain.AssetKey], catalogue: Catalogue) -> Catalogue:
    """What `load_closure(roots)` reads, taken from a catalogue that holds it (the whole
    catalogue, say): every asset the roots reach upstream, available or not."""
    found: Catalogue = {}
    stack = list(roots)
    while stack:
        key = stack.pop()
        if key in found or key not in catalogue:
            continue
        asset = found[key] = catalogue[key]
        stack.extend(asset.upstream)
    return found


def ideas_catalogue(
    ideas: Iterable[chain.Idea],
    rates: DayRates | None = None,
    *,
    stored: Callable[[Callable[[], Catalogue]], Catalogue] | None = None,
) -> Catalogue:
    """The assets these ideas' needs reach: all any engine rule about them reads."""
    roots = (need.asset for idea in ideas for need in idea.needs)
    return load_closure(roots, rates, stored=stored)


def _links_of(
    through: type[models.Model], source: str, target: str, sources: Iterable[int]
) -> dict[int, list[int]]:
    links: dict[int, list[int]] = defaultdict(list)
    query = through._default_manager.filter(**{f"{source}__in": list(sources)})
    for source_id, target_id in query.values_list(source, target):
        links[source_id].append(target_id)
    return links


def curated_links() -> dict[int, list[int]]:
    """Curated dataset -> the curated datasets it is built from, in one query."""
    return _links(
        m.CuratedDataset.upstream_curated_datasets.through,
        "from_curateddataset_id",
        "to_curateddataset_id",
    )


def _reach(start: Iterable[int], links: Mapping[int, list[int]]) -> set[int]:
    """`start` and everything reachable from it through `links` (cycles are harmless)."""
    seen = set(start)
    stack = list(seen)
    while stack:
        for target in links.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _targets(links: Mapping[int, list[int]]) -> set[int]:
    return {target for targets in links.values() for target in targets}


def _keys(links: Mapping[int, list[int]], kind: chain.AssetKind) -> dict[int, list[chain.AssetKey]]:
    return {source: [(kind, target) for target in targets] for source, targets in links.items()}


def need_to_engine(need: m.Need, rates: DayRates) -> chain.Need:
    asset_type, asset_id = need.asset_type, need.asset_id
    assert asset_type is not None and asset_id is not None  # enforced by a DB constraint
    return chain.Need(
        name=need.name,
        asset=(chain.AssetKind(asset_type), asset_id),
        engineering=estimate_of(need, "engineering", rates),
        weight=float(need.weight),
        essential=need.essential,
    )


def deployment_of(idea: m.Idea, rates: DayRates | None = None) -> chain.Deployment:
    try:
        plan = idea.deployment_plan  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return chain.Deployment()
    # Passing the day rates keeps the mapper from fetching each person-day role per idea.
    return to_engine_deployment(plan, rates)


def idea_to_engine(
    idea: m.Idea, rates: DayRates | None = None, needs: Iterable[m.Need] | None = None
) -> chain.Idea:
    """An idea with its needs (prefetch `needs` to keep query counts constant), or with the
    given needs instead (an idea as edited, not saved: its id is 0 until it is)."""
    rates = day_rates() if rates is None else rates
    needs = idea.needs.all() if needs is None else needs
    return chain.Idea(
        id=idea.pk or 0,
        title=idea.title,
        benefit=estimate_of(idea, "benefit", rates),
        probability=float(idea.probability_of_success),
        horizon_years=int(idea.horizon_years),
        discount_rate=float(idea.discount_rate),
        needs=tuple(need_to_engine(need, rates) for need in needs),
        deployment=deployment_of(idea, rates),
    )


def engine_ideas() -> models.QuerySet[m.Idea]:
    """Ideas with everything idea_to_engine reads, fetched in a constant number of queries."""
    return m.Idea.objects.select_related(
        "owner", "deployment_plan__deployment_type"
    ).prefetch_related(models.Prefetch("needs", queryset=m.Need.objects.order_by("id")))


_IDEA_VALUES = (
    "pk", "title", "benefit_low", "benefit_likely", "benefit_high",
    "probability_of_success", "horizon_years", "discount_rate",
)  # fmt: skip
_NEED_VALUES = (
    "idea_id", "name", "weight", "essential",
    "engineering_low", "engineering_likely", "engineering_high", "engineering_days_role_id",
    *(f"{field}_id" for field in m.Need.ASSET_FIELDS),
)  # fmt: skip


def _need_values(
    ideas: models.QuerySet[m.Idea], rates: DayRates
) -> Iterator[tuple[int, str, chain.AssetKey, float, bool, tuple[float, float, float]]]:
    """Each need of these ideas as values, in id order: idea id, name, asset, weight,
    essential, and its engineering estimate priced."""
    rows = m.Need.objects.filter(idea__in=ideas.values("pk")).order_by("id")
    for idea_id, name, weight, essential, low, likely, high, role, *pointers in rows.values_list(
        *_NEED_VALUES
    ):
        kind, pk = next(
            (field, pk) for field, pk in zip(m.Need.ASSET_FIELDS, pointers, strict=True) if pk
        )
        engineering = estimates.priced(low, likely, high, role, rates)
        yield idea_id, name, (chain.AssetKind(kind), pk), float(weight), essential, engineering


def _plans_of(ideas: models.QuerySet[m.Idea], rates: DayRates) -> dict[int, chain.Deployment]:
    plans = DeploymentPlan.objects.filter(idea__in=ideas.values("pk"))
    return {
        plan.idea_id: to_engine_deployment(plan, rates)
        for plan in plans.select_related("deployment_type")
    }


def planned_idea_ids(ideas: models.QuerySet[m.Idea]) -> set[int]:
    """The ids of those ideas that have a deployment plan (its costs are in their figures)."""
    plans = DeploymentPlan.objects.filter(idea__in=ideas.values("pk"))
    return set(plans.values_list("idea_id", flat=True))


def engine_ideas_of(ideas: models.QuerySet[m.Idea], rates: DayRates) -> list[chain.Idea]:
    """As ideas_to_engine(engine_ideas()...), for many ideas, read as values (no model
    instance per idea or need: what a refresh of thousands of ideas spends most on), in three
    queries. Same engine ideas, field for field."""
    needs: dict[int, list[chain.Need]] = defaultdict(list)
    for idea_id, name, asset, weight, essential, engineering in _need_values(ideas, rates):
        needs[idea_id].append(
            chain.Need(
                name=name,
                asset=asset,
                engineering=chain.Estimate(*engineering),
                weight=weight,
                essential=essential,
            )
        )
    plans = _plans_of(ideas, rates)
    return [
        chain.Idea(
            id=pk,
            title=title,
            benefit=chain.Estimate(*estimates.priced(low, likely, high, None, rates)),
            probability=float(probability),
            horizon_years=int(horizon),
            discount_rate=float(rate),
            needs=tuple(needs.get(pk, ())),
            deployment=plans.get(pk, chain.Deployment()),
        )
        for pk, title, low, likely, high, probability, horizon, rate in ideas.values_list(
            *_IDEA_VALUES
        )
    ]


def idea_columns_of(ideas: models.QuerySet[m.Idea], rates: DayRates) -> IdeaColumns:
    """What engine_ideas_of reads, in the same three queries, straight into the batch
    engine's columns: no chain.Idea or chain.Need per idea or need (only a chain.Deployment
    per deployment plan). The same floats, so the same reports, bit for bit."""
    need_rows: Iterator[NeedRow] = (
        (idea_id, asset, weight, essential, engineering)
        for idea_id, _, asset, weight, essential, engineering in _need_values(ideas, rates)
    )
    plans = _plans_of(ideas, rates)
    idea_rows: list[IdeaRow] = [
        (
            pk,
            float(probability),
            int(horizon),
            float(rate),
            estimates.priced(low, likely, high, None, rates),
            plans.get(pk),
        )
        for pk, _, low, likely, high, probability, horizon, rate in ideas.values_list(*_IDEA_VALUES)
    ]
    return IdeaColumns.from_rows(idea_rows, need_rows)


def ideas_to_engine(ideas: Iterable[m.Idea], rates: DayRates) -> list[chain.Idea]:
    return [idea_to_engine(idea, rates) for idea in ideas]


def score_inputs(ideas: Iterable[m.Idea]) -> dict[int, scoring.ScoreInputs]:
    """What each idea's product manager entered for RICE, ICE and WSJF, by idea id."""

    def number(value: float | None) -> float | None:
        return float(value) if value is not None else None

    return {
        idea.pk: scoring.ScoreInputs(
            reach=number(idea.reach),
            impact=number(idea.impact),
            confidence=number(idea.confidence),
            business_value=number(idea.business_value),
            time_criticality=number(idea.time_criticality),
            risk_reduction=number(idea.risk_reduction),
        )
        for idea in ideas
    }


def tier_day_rates() -> dict[int, float]:
    """The average day rate of each tier's default roles (scoring.tier_day_rates), one query."""
    rates: dict[int, list[float]] = defaultdict(list)
    for tier, day_rate in m.TierProfile.default_roles.through.objects.values_list(
        "tierprofile__tier", "role__day_rate"
    ):
        rates[tier].append(float(day_rate))
    return scoring.tier_day_rates(rates)
