"""Reads: deployment types, plans, and the four types compared for one idea."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from deployments import recommend
from deployments.mappers import to_engine_deployment, type_deployment
from deployments.models import DeploymentPlan, DeploymentType, Kind
from valuechain import mappers
from valuechain import models as m
from valuechain.engine import chain, finance
from valuechain.figures import store
from valuechain.ideas import selectors as core_selectors

ROLE_RELATIONS = ("setup_days_role", "run_days_role")


def deployment_types() -> QuerySet[DeploymentType]:
    return DeploymentType.objects.select_related(*ROLE_RELATIONS).order_by("id")


def plans() -> QuerySet[DeploymentPlan]:
    return DeploymentPlan.objects.select_related(
        "idea",
        "deployment_type",
        *ROLE_RELATIONS,
        *(f"deployment_type__{relation}" for relation in ROLE_RELATIONS),
    )


def idea(idea_id: int) -> m.Idea:
    """The idea with its needs and plan, as the engine needs them. Raises Idea.DoesNotExist."""
    return core_selectors.ideas().get(pk=idea_id)


def plan_of(idea: m.Idea) -> DeploymentPlan | None:
    try:
        plan: DeploymentPlan = idea.deployment_plan  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return plan


@dataclass(frozen=True)
class PlanRow:
    plan: DeploymentPlan
    setup_cost: float
    run_cost: float
    fits: bool


PLANLESS_SHOWN = 50


@dataclass(frozen=True)
class Overview:
    """The deployments home: the type profiles, every plan with its costs, ideas without one."""

    types: list[DeploymentType]
    plans: list[PlanRow]
    ideas_without_plan: list[m.Idea]
    ideas_without_plan_count: int


def overview() -> Overview:
    """Constant queries whatever the number of plans and ideas."""
    planned = list(core_selectors.ideas().filter(deployment_plan__isnull=False))
    reports = core_selectors.roi_reports(planned)
    rows = []
    for planned_idea in sorted(planned, key=lambda i: i.title.lower()):
        plan: DeploymentPlan = planned_idea.deployment_plan  # type: ignore[attr-defined]
        report = reports[planned_idea.pk]
        problems = recommend.check_plan(
            plan.requirements(),
            plan.deployment_type.kind,
            loads_realtime_storage=plan.loads_realtime_storage,
        )
        rows.append(
            PlanRow(
                plan=plan,
                setup_cost=report.deployment_setup_cost,
                run_cost=report.deployment_run_cost,
                fits=not problems,
            )
        )
    without = m.Idea.objects.filter(deployment_plan__isnull=True).order_by("title", "id")
    return Overview(
        types=list(deployment_types()),
        plans=rows,
        ideas_without_plan=list(without[:PLANLESS_SHOWN]),
        ideas_without_plan_count=without.count(),
    )


@dataclass(frozen=True)
class TypeComparison:
    """One deployment type applied to an idea: its costs, latency and the idea's value."""

    deployment_type: DeploymentType
    realtime_storage: bool
    is_plan: bool
    setup_cost: float
    run_cost: float
    one_off_investment: float
    annual_run_cost: float
    npv: float
    roi: float | None
    recommendation: recommend.Option | None

    @property
    def label(self) -> str:
        name = self.deployment_type.name
        return f"{name} + real-time storage" if self.realtime_storage else name

    @property
    def typical_latency(self) -> str:
        if self.realtime_storage:
            return "Milliseconds: a lookup of precomputed predictions in real-time storage."
        return self.deployment_type.typical_latency


@dataclass(frozen=True)
class IdeaDeployment:
    """Everything the idea page shows about deploying it."""

    idea: m.Idea
    plan: DeploymentPlan | None
    report: finance.RoiReport
    recommendation: recommend.Recommendation | None
    plan_problems: tuple[str, ...]
    comparison: tuple[TypeComparison, ...]


def _batch_serves_realtime(plan: DeploymentPlan | None) -> bool:
    """Whether batch, in a comparison, would need its predictions in real-time storage."""
    if plan is None:
        return False
    return plan.latency_ms < recommend.INTERACTIVE_LATENCY_MS


@dataclass(frozen=True)
class _Figures:
    """What the comparison computes: the idea's report with its plan, and per type (in the
    types' order) whether batch would need real-time storage, whether it is the plan's type,
    and the idea's report under it."""

    report: finance.RoiReport
    rows: tuple[tuple[bool, bool, finance.RoiReport], ...]


def _figures(idea: m.Idea, plan: DeploymentPlan | None, types: list[DeploymentType]) -> _Figures:
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    catalogue = mappers.ideas_catalogue([engine_idea], rates)
    closures = chain.ClosureCache(catalogue)
    rows = []
    for deployment_type in types:
        is_plan = plan is not None and plan.deployment_type_id == deployment_type.pk
        if is_plan:
            assert plan is not None
            realtime = plan.loads_realtime_storage and deployment_type.kind == Kind.BATCH
            deployment = to_engine_deployment(plan, rates)
        else:
            realtime = deployment_type.kind == Kind.BATCH and _batch_serves_realtime(plan)
            deployment = type_deployment(deployment_type, realtime_storage=realtime, rates=rates)
        variant = replace(engine_idea, deployment=deployment)
        rows.append((realtime, is_plan, finance.roi_report(variant, catalogue, closures)))
    return _Figures(finance.roi_report(engine_idea, catalogue, closures), tuple(rows))


def _types_state(types: list[DeploymentType]) -> str:
    """Names every field of every type: a type's edit changes what its comparison shows."""
    return store.name_of(
        [tuple(getattr(t, f.attname) for f in t._meta.concrete_fields) for t in types]
    )


def idea_deployment(idea: m.Idea, types: list[DeploymentType] | None = None) -> IdeaDeployment:
    """The idea's ROI with its plan, and under each of the four types (idea from `idea()`).
    Computed once per version of the idea's inputs (its plan and day rates among them) and
    state of the types."""
    types = list(deployment_types()) if types is None else types
    plan = plan_of(idea)
    recommendation = recommend.recommend(plan.requirements()) if plan is not None else None
    figures = store.cached_for_idea(
        idea.pk, f"deployment-comparison:{_types_state(types)}", lambda: _figures(idea, plan, types)
    )
    comparison = [
        TypeComparison(
            deployment_type=deployment_type,
            realtime_storage=realtime,
            is_plan=is_plan,
            setup_cost=report.deployment_setup_cost,
            run_cost=report.deployment_run_cost,
            one_off_investment=report.one_off_investment,
            annual_run_cost=report.annual_run_cost,
            npv=report.npv,
            roi=report.roi,
            recommendation=(
                recommendation.option(deployment_type.kind) if recommendation else None
            ),
        )
        for deployment_type, (realtime, is_plan, report) in zip(types, figures.rows, strict=True)
    ]

    problems: tuple[str, ...] = ()
    if plan is not None:
        problems = recommend.check_plan(
            plan.requirements(),
            plan.deployment_type.kind,
            loads_realtime_storage=plan.loads_realtime_storage,
        )
    return IdeaDeployment(
        idea=idea,
        plan=plan,
        report=figures.report,
        recommendation=recommendation,
        plan_problems=problems,
        comparison=tuple(comparison),
    )
