"""Reads of ideas: querysets shaped for pages and the API, ROI reports computed over them, the
idea list sorted by computed figures, the idea's report page, and its stakeholders with gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import batch, chain, finance
from valuechain.engine.stakeholders import stakeholder_gaps
from valuechain.ideas import decision as decide
from valuechain.platform.display import percent

# From this many ideas on the vectorised engine is faster (same figures to 1e-9 relative);
# below it, its fixed set-up costs more than it saves (bench/bench_roi.py, engine tests).
BATCH_FROM = 32


def plain_ideas() -> QuerySet[m.Idea]:
    """Ideas as stored, without what the engine needs (to edit one, or to start a run)."""
    return m.Idea.objects.all()


def ideas() -> QuerySet[m.Idea]:
    """Ideas with everything the engine needs, fetched in a constant number of queries."""
    return m.Idea.objects.select_related(
        "owner", "deployment_plan__deployment_type"
    ).prefetch_related(Prefetch("needs", queryset=m.Need.objects.order_by("id")))


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
    """ROI reports keyed by idea id; idea rows should come from `ideas()`."""
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    engine_ideas = mappers.ideas_to_engine(idea_rows, rates)
    compute = batch.roi_reports if len(engine_ideas) >= BATCH_FROM else finance.roi_reports
    return {report.idea_id: report for report in compute(engine_ideas, catalogue)}


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


@dataclass(frozen=True)
class ExplainedReport:
    """An idea's ROI report with p and k taken apart and whether its deployment is planned."""

    report: finance.RoiReport
    factors: finance.SuccessFactors
    deployment_planned: bool


def explained_report(idea: m.Idea) -> ExplainedReport:
    """The ROI report of an idea from `ideas()`, with the factors of its p and k."""
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    engine_idea = mappers.idea_to_engine(idea, rates)
    closures = chain.ClosureCache(catalogue)
    return ExplainedReport(
        report=finance.roi_report(engine_idea, catalogue, closures),
        factors=finance.success_factors(engine_idea, catalogue, closures),
        deployment_planned=deployment_planned(idea),
    )


def preview_report(idea: m.Idea, needs: Sequence[m.Need]) -> finance.RoiReport:
    """The ROI report an idea would have with these needs, both as edited and not saved (a new
    idea has no deployment plan yet; an existing one keeps its own). Reads only."""
    rates = mappers.day_rates()
    catalogue_assets = mappers.load_catalogue(rates)
    engine_idea = mappers.idea_to_engine(idea, rates, needs=needs)
    return finance.roi_report(engine_idea, catalogue_assets)


def roi_reports_of(idea_ids: Iterable[int]) -> dict[int, finance.RoiReport]:
    """ROI reports of the ideas as stored now (read afresh, e.g. just after a write)."""
    return roi_reports(ideas().filter(pk__in=list(idea_ids)))


def idea_closure(idea: m.Idea) -> frozenset[chain.AssetKey]:
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    return chain.idea_closure(mappers.idea_to_engine(idea, rates), catalogue)


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
    report: finance.RoiReport

    @property
    def roi_percent(self) -> float | None:
        return percent(self.report.roi)

    @property
    def verdict_label(self) -> str:
        return decide.verdict_label(self.report)

    @property
    def loss(self) -> decide.LossMarker | None:
        return decide.loss_marker(self.report)


def _sort_rows(rows: list[IdeaRow], sort: str) -> list[IdeaRow]:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "title":
        return sorted(
            rows, key=lambda row: (row.idea.title.lower(), row.idea.pk), reverse=descending
        )
    values = {
        "npv": lambda row: row.report.npv,
        "roi": lambda row: row.report.roi,
        "tier": lambda row: row.report.tier,
        # build, then stop early, then do not build (descending); NPV inside each
        "verdict": lambda row: (decide.verdict_rank(row.report), row.report.npv),
    }[key]
    # Ideas without a value (an ROI with nothing spent) go last either way.
    known = [row for row in rows if values(row) is not None]
    unknown = [row for row in rows if values(row) is None]
    known.sort(key=lambda row: (values(row), row.idea.title.lower()), reverse=descending)
    return known + sorted(unknown, key=lambda row: row.idea.title.lower())


def idea_rows(status: str, sort: str) -> list[IdeaRow]:
    """Every idea (of one status, when given) with its ROI report, sorted by `sort` (a key of
    SORTS, "-" first for descending): sorting by computed figures needs every report."""
    queryset = ideas()
    if status:
        queryset = queryset.filter(status=status)
    rows = list(queryset)
    reports = roi_reports(rows)
    return _sort_rows([IdeaRow(idea, reports[idea.pk]) for idea in rows], sort)


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
    catalogue_assets = mappers.load_catalogue(rates)
    engine_idea = mappers.idea_to_engine(idea, rates)
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
    catalogue = mappers.load_catalogue(rates)
    closure = chain.idea_closure(mappers.idea_to_engine(idea, rates), catalogue)
    found = [
        BuiltAsset(str(kind), pk, catalogue[(kind, pk)].name, kind.tier)
        for kind, pk in chain.charged(catalogue, closure)
        if kind in BUILT_KINDS and not catalogue[(kind, pk)].available
    ]
    return sorted(found, key=lambda a: (a.tier, a.name.lower(), a.id))
