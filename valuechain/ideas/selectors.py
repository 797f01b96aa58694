"""Reads of ideas: querysets shaped for pages and the API, ROI reports computed over them, the
idea list sorted by computed figures, the idea's report page, and its stakeholders with gaps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils.safestring import SafeString

from valuechain import mappers
from valuechain import models as m
from valuechain.charts.ideas import ladder_figure
from valuechain.charts.theme import figure_script
from valuechain.engine import chain, finance
from valuechain.engine.stakeholders import stakeholder_gaps
from valuechain.figures import explained, store
from valuechain.figures.explained import ExplainedReport
from valuechain.ideas import decision as decide
from valuechain.platform.display import percent

# The idea list computes at most this many stale ideas' figures in the request; beyond, it
# says they are being refreshed (the write that made them stale queued the refresh).
COMPUTE_IN_REQUEST = 200
T = TypeVar("T")


def plain_ideas() -> QuerySet[m.Idea]:
    """Ideas as stored, without what the engine needs (to edit one, or to start a run)."""
    return m.Idea.objects.all()


def ideas() -> QuerySet[m.Idea]:
    """Ideas with everything the engine needs, fetched in a constant number of queries."""
    return mappers.engine_ideas()


def ideas_with_named_needs() -> QuerySet[m.Idea]:
    """As `ideas()`, the needs with their assets, to name them on a page."""
    return (
        ideas()
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "needs",
                queryset=m.Need.objects.order_by("id").select_related(*m.Need.ASSET_FIELDS),
            )
        )
    )


def roi_reports(idea_rows: Iterable[m.Idea]) -> dict[int, finance.RoiReport]:
    """ROI reports keyed by idea id, from the stored figures; those not fresh are computed
    now and stored, so every idea has its report and none is older than its inputs."""
    ids = [idea.pk for idea in idea_rows]
    return store.figures_of(ids, compute_up_to=len(ids)).reports


def roi_report(idea: m.Idea) -> finance.RoiReport:
    return roi_reports([idea])[idea.pk]


def deployment_planned(idea: m.Idea) -> bool:
    """Whether the idea has a deployment plan, so that its costs are in the figures (an idea
    from `ideas()` has it selected: no query)."""
    try:
        idea.deployment_plan  # type: ignore[attr-defined]  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


def explained_report(idea: m.Idea) -> ExplainedReport:
    """The ROI report of an idea, with the factors of its p and k: computed once per version
    of its inputs (the stored figures' key), then read from the cache."""
    return store.cached_for_idea(
        idea.pk, explained.NAME, lambda: _explained(ideas().get(pk=idea.pk)), explained.SECONDS
    )


def ladder_chart(idea_id: int, report: finance.RoiReport, money: str) -> SafeString:
    """The ladder chart of the idea's report as the page's JSON script element, drawn once per
    version of its inputs (later views read the text back)."""
    return store.cached_for_idea(
        idea_id,
        f"ladder-script:{money}",  # not ladder-chart: entries of that name hold figures
        lambda: figure_script(ladder_figure(report, money), "ladder-chart-data"),
    )


def _explained(idea: m.Idea) -> ExplainedReport:
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    catalogue = mappers.ideas_catalogue([engine_idea], rates)
    return explained.explain(engine_idea, catalogue, planned=deployment_planned(idea))


def preview_report(idea: m.Idea, needs: Sequence[m.Need]) -> finance.RoiReport:
    """The ROI report an idea would have with these needs, both as edited and not saved (a new
    idea has no deployment plan yet; an existing one keeps its own). Reads only."""
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates, needs=needs)
    return finance.roi_report(engine_idea, mappers.ideas_catalogue([engine_idea], rates))


def roi_reports_of(idea_ids: Iterable[int]) -> dict[int, finance.RoiReport]:
    """ROI reports of the ideas as stored now (read afresh, e.g. just after a write)."""
    return roi_reports(ideas().filter(pk__in=list(idea_ids)))


def idea_closure(idea: m.Idea) -> frozenset[chain.AssetKey]:
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    return chain.idea_closure(engine_idea, mappers.ideas_catalogue([engine_idea], rates))


def idea_owners() -> QuerySet[m.Idea]:
    """Ideas with just what deciding who may change them needs."""
    return m.Idea.objects.only("id", "owner_id")


def needs_of(idea: m.Idea) -> QuerySet[m.Need]:
    return m.Need.objects.filter(idea=idea).select_related(*m.Need.ASSET_FIELDS)


def needs_with_assets() -> QuerySet[m.Need]:
    """Needs with the assets they point at, to name them on the idea form."""
    return m.Need.objects.select_related(*m.Need.ASSET_FIELDS)


def assignments() -> QuerySet[m.StakeholderAssignment]:
    return m.StakeholderAssignment.objects.select_related("role", "person")


def assignments_of(idea: m.Idea) -> QuerySet[m.StakeholderAssignment]:
    return assignments().filter(idea=idea)


def assignment_taken(idea: m.Idea, tier: int, role: m.Role, person: Any) -> bool:
    return m.StakeholderAssignment.objects.filter(
        idea=idea, tier=tier, role=role, person=person
    ).exists()


# --- the idea list ----------------------------------------------------------------------------

SORTS = ("npv", "roi", "tier", "verdict", "title")
DEFAULT_SORT = "-npv"


@dataclass
class IdeaRow:
    idea: m.Idea
    report: finance.RoiReport | None  # None while its figures are being refreshed

    @property
    def roi_percent(self) -> float | None:
        return percent(self.report.roi) if self.report is not None else None

    @property
    def verdict_label(self) -> str:
        return decide.verdict_label(self.report) if self.report is not None else ""

    @property
    def loss(self) -> decide.LossMarker | None:
        return decide.loss_marker(self.report) if self.report is not None else None


# Sort keys -> stored figure columns; ties by title, in the same direction.
_SORT_COLUMNS = {
    "npv": ("figures__npv",),
    "roi": ("figures__roi",),
    "tier": ("figures__tier",),
    "verdict": ("figures__verdict_rank", "figures__npv"),
}


def _ordering(sort: str) -> list[Any]:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    title = Lower("title").desc() if descending else Lower("title").asc()
    if key == "title":
        return [title, "-pk" if descending else "pk"]
    # Figures being refreshed go last, then ideas without a value (an ROI with nothing spent).
    fresh = Case(
        When(figures__computed_version=F("figures__inputs_version"), then=Value(0)),
        default=Value(1),
    )
    columns = [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in _SORT_COLUMNS[key]
    ]
    return [fresh.asc(), *columns, title, "pk"]


@dataclass
class IdeaList:
    rows: QuerySet[m.Idea]  # sorted, to be paged; each page becomes IdeaRows by `idea_rows`
    refreshing: int  # ideas of the list whose figures are being refreshed


@dataclass(frozen=True)
class IdeaFilters:
    """What the idea list is narrowed to; empty values filter nothing."""

    status: str = ""
    query: str = ""
    owner: int | None = None
    tier: int | None = None
    verdict: str = ""


def idea_list(
    status: str, sort: str, query: str = "", filters: IdeaFilters | None = None
) -> IdeaList:
    """Ideas (of one status, matching `query` in title or description, of one owner, when
    given) sorted by `sort` (a key of SORTS, "-" first for descending) on their stored figures.
    Stale figures of a few ideas are computed first; more than COMPUTE_IN_REQUEST wait for the
    background refresh and are listed last, marked as refreshing. A tier or verdict filter
    reads the stored figures, so an idea being refreshed is left out of it until then."""
    queryset = ideas_with_owner()
    if status:
        queryset = queryset.filter(status=status)
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if filters is not None and filters.owner is not None:
        queryset = queryset.filter(owner_id=filters.owner)
    stale = store.stale_count(queryset)
    if 0 < stale <= COMPUTE_IN_REQUEST:
        store.refresh(queryset.values_list("pk", flat=True))
        stale = store.stale_count(queryset)
    if filters is not None and filters.tier is not None:
        queryset = queryset.filter(figures__tier=filters.tier)
    if filters is not None and filters.verdict:
        queryset = queryset.filter(figures__verdict=filters.verdict)
    return IdeaList(queryset.order_by(*_ordering(sort)), stale)


def people_owning_ideas() -> QuerySet[Any]:
    """The people who own at least one idea, by name: the idea list's owner filter."""
    users = get_user_model().objects
    return users.filter(pk__in=m.Idea.objects.values("owner_id")).order_by(
        "first_name", "last_name", "username"
    )


def with_fresh_figures(queryset: QuerySet[m.Idea]) -> QuerySet[m.Idea]:
    """The same ideas, every one's stored figures made fresh (computed now where they are not):
    for the API, which sorts and filters on them and never answers with part of a list."""
    if store.stale_count(queryset):
        store.refresh(queryset.values_list("pk", flat=True))
    return queryset


def by_figures(
    queryset: QuerySet[m.Idea], *, tier: int | None, ordering: Sequence[str]
) -> QuerySet[m.Idea]:
    """The ideas with fresh figures, of one tier when given, in the API's order ("-npv",
    "title", ...; ties by title), to be paged by the database."""
    queryset = with_fresh_figures(queryset)
    if tier is not None:
        queryset = queryset.filter(figures__tier=tier)
    return queryset.order_by(*figure_ordering(ordering), "title", "pk")


def figure_ordering(terms: Sequence[str]) -> list[Any]:
    """Order terms of the API ("-npv", "title") as database orderings, computed figures read
    from the stored figures; ideas without a value (an ROI with nothing spent) last either way."""
    ordering: list[Any] = []
    for term in terms:
        name, descending = term.lstrip("-"), term.startswith("-")
        column = F(f"figures__{name}") if name in ("npv", "roi", "tier") else F(name)
        ordering.append(column.desc(nulls_last=True) if descending else column.asc(nulls_last=True))
    return ordering


def ideas_with_owner() -> QuerySet[m.Idea]:
    return m.Idea.objects.select_related("owner")


def idea_rows(page: Iterable[m.Idea]) -> list[IdeaRow]:
    """A page of the idea list with the stored reports (None where being refreshed)."""
    ideas_on_page = list(page)
    reports = store.figures_of([i.pk for i in ideas_on_page], compute_up_to=0).reports
    return [IdeaRow(idea, reports.get(idea.pk)) for idea in ideas_on_page]


# --- the idea's report page -------------------------------------------------------------------


@dataclass
class NeedRow:
    need: m.Need
    tier: int
    engineering_mean: float
    charged: list[chain.Asset]


@dataclass
class IdeaReport:
    report: finance.RoiReport
    need_rows: list[NeedRow]
    ladder: list[decide.StepRow]
    # Below this tier an essential need is unmet: those steps cost and earn nothing.
    benefit_from_tier: int | None
    decision: decide.Decision
    explanation: decide.Explanation
    deployment_planned: bool


def idea_report(idea: m.Idea) -> IdeaReport:
    """The ROI report of an idea from `ideas_with_named_needs()`, each need with its tier and
    the assets it is charged for, the ladder marked where it earns nothing yet, loses and is
    best, the verdict, and p and k taken apart."""
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    catalogue_assets = mappers.ideas_catalogue(
        [engine_idea], rates, stored=lambda read: _closure_of(idea.pk, read)
    )
    closures = chain.ClosureCache(catalogue_assets)
    report = finance.roi_report(engine_idea, catalogue_assets, closures)
    charged = set(report.charged_assets)
    need_rows = []
    for need, engine_need in zip(idea.needs.all(), engine_idea.needs, strict=True):
        reach = closures(engine_need.asset)
        need_rows.append(
            NeedRow(
                need=need,
                tier=chain.tier_of(reach),
                engineering_mean=engine_need.engineering.mean,
                charged=sorted(
                    (catalogue_assets[key] for key in reach & charged),
                    key=lambda asset: (asset.tier, asset.name),
                ),
            )
        )
    factors = finance.success_factors(engine_idea, catalogue_assets, closures)
    return IdeaReport(
        report=report,
        need_rows=need_rows,
        ladder=decide.ladder_rows(report),
        benefit_from_tier=decide.benefit_from_tier(report.ladder),
        decision=decide.decision(report, [(row.need.name, row.tier) for row in need_rows]),
        explanation=decide.explanation(factors),
        deployment_planned=deployment_planned(idea),
    )


def _closure_of(idea_id: int, read: Callable[[], mappers.Catalogue]) -> mappers.Catalogue:
    """The idea's lineage closure, read once per version of its figures' inputs: every write
    to an asset it reaches (a name included), to its lineage or to prices raises that version.
    """
    return store.cached_for_idea(idea_id, store.CLOSURE, read)


# --- stakeholders -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StakeholderGapInputs:
    """What valuechain.engine.stakeholders.stakeholder_gaps needs, read once for many ideas."""

    default_roles: dict[int, list[int]]  # tier -> its default role ids
    role_names: dict[int, str]  # default role id -> name
    assigned: dict[int, list[tuple[int, int]]]  # idea id -> (tier, role id) of its assignments

    def gaps(self, idea_id: int, idea_tier: int) -> list[tuple[int, int]]:
        """(tier, role id) of the default roles of tiers 1..idea_tier that nobody fills."""
        return stakeholder_gaps(idea_tier, self.default_roles, self.assigned.get(idea_id, ()))


def stakeholder_gap_inputs(
    *, idea_id: int | None = None, statuses: Sequence[str] = ()
) -> StakeholderGapInputs:
    """Default roles per tier and the assignments of one idea, or of every idea (of the given
    statuses), in three queries."""
    profiles = list(m.TierProfile.objects.prefetch_related("default_roles"))
    wanted = m.StakeholderAssignment.objects.all()
    if idea_id is not None:
        wanted = wanted.filter(idea_id=idea_id)
    if statuses:
        wanted = wanted.filter(idea__status__in=statuses)
    assigned: dict[int, list[tuple[int, int]]] = {}
    for assigned_idea, tier, role_id in wanted.values_list("idea_id", "tier", "role_id"):
        assigned.setdefault(assigned_idea, []).append((tier, role_id))
    return StakeholderGapInputs(
        default_roles={p.tier: [r.pk for r in p.default_roles.all()] for p in profiles},
        role_names={r.pk: r.name for p in profiles for r in p.default_roles.all()},
        assigned=assigned,
    )


@dataclass
class RoleSlot:
    role: m.Role
    default: bool
    assignments: list[m.StakeholderAssignment]
    gap: bool


@dataclass
class Stakeholders:
    tiers: list[dict[str, Any]]  # per tier the idea reaches: its roles, people and gaps
    gap_count: int
    beyond: list[m.StakeholderAssignment]  # assigned on tiers the idea does not reach


def stakeholders(idea: m.Idea, idea_tier: int) -> Stakeholders:
    """Who is assigned per tier the idea reaches, its default roles first, gaps marked."""
    people = list(assignments_of(idea))
    gaps = set(stakeholder_gap_inputs(idea_id=idea.pk).gaps(idea.pk, idea_tier))
    profiles = {
        profile.tier: profile
        for profile in m.TierProfile.objects.prefetch_related("default_roles").filter(
            tier__lte=idea_tier
        )
    }
    tiers = []
    for tier in range(1, idea_tier + 1):
        profile = profiles.get(tier)
        roles: dict[int, RoleSlot] = {}
        for role in profile.default_roles.all() if profile else []:
            roles[role.pk] = RoleSlot(role, True, [], (tier, role.pk) in gaps)
        for assignment in people:
            if assignment.tier == tier:
                slot = roles.setdefault(
                    assignment.role_id, RoleSlot(assignment.role, False, [], False)
                )
                slot.assignments.append(assignment)
        tiers.append(
            {
                "tier": tier,
                "label": m.Tier(tier).label,
                "profile": profile,
                "slots": sorted(roles.values(), key=lambda s: (not s.default, s.role.name)),
                "gap_count": sum(1 for slot in roles.values() if slot.gap),
            }
        )
    beyond = [a for a in people if a.tier > idea_tier]
    return Stakeholders(tiers, len(gaps), beyond)


# --- what a shipped idea built ---------------------------------------------------------------

# The assets a shipped idea can have built and left ready for use: raw data is curated
# anew for every use and an acquisition option is never available.
BUILT_KINDS = (chain.AssetKind.FEATURE, chain.AssetKind.CURATED_DATASET)


@dataclass(frozen=True, slots=True)
class BuiltAsset:
    asset_type: str  # "feature" or "curated_dataset"
    id: int
    name: str
    tier: int

    @property
    def key(self) -> str:
        """The checkbox value: "feature:12"."""
        return f"{self.asset_type}:{self.id}"


def built_assets(idea: m.Idea) -> list[BuiltAsset]:
    """The features and curated datasets in the idea's closure that it charges (not yet
    available): what building the idea built. Read in a constant number of queries."""
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    catalogue = mappers.ideas_catalogue([engine_idea], rates)
    closure = chain.idea_closure(engine_idea, catalogue)
    found = [
        BuiltAsset(str(kind), pk, catalogue[(kind, pk)].name, kind.tier)
        for kind, pk in chain.charged(catalogue, closure)
        if kind in BUILT_KINDS and not catalogue[(kind, pk)].available
    ]
    return sorted(found, key=lambda a: (a.tier, a.name.lower(), a.id))
