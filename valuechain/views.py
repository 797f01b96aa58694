"""Server-rendered pages: catalogue, ideas with their needs and ROI ladder, stakeholders.

Views stay thin: they check who may do what, read through selectors and the mappers,
let the engine compute, and render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from valuechain import charts, estimates, mappers, selectors, services
from valuechain import models as m
from valuechain.engine import chain, finance
from valuechain.engine.stakeholders import stakeholder_gaps
from valuechain.forms import (
    AssetSearchForm,
    IdeaForm,
    NeedFormSet,
    StakeholderAssignmentForm,
    role_choices,
)
from valuechain.platform.roles import can_edit_idea, is_data_lead, is_product_manager

SEARCH_LIMIT = 25


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


# --- catalogue -----------------------------------------------------------------------------


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


def _lineage(asset: m.Asset) -> tuple[list[LineageLink], list[LineageLink]]:
    """(upstream inputs, downstream users) among catalogue assets."""
    if isinstance(asset, m.Feature):
        return _links(asset.curated_datasets.all()), []
    if isinstance(asset, m.CuratedDataset):
        return _links(asset.raw_sources.all()), _links(asset.features.all())
    if isinstance(asset, m.RawSource):
        upstream = [asset.acquisition_option] if asset.acquisition_option else []
        return _links(upstream), _links(asset.curated_datasets.all())
    if isinstance(asset, m.AcquisitionOption):
        return [], _links(asset.raw_sources.all())
    return [], []


def _catalogue_row(
    asset: m.Asset, rates: Mapping[int, float], default_feasibility: Mapping[int, float]
) -> CatalogueRow:
    upstream, downstream = _lineage(asset)
    ideas: dict[int, m.Idea] = {}
    for need in asset.needs.all():  # type: ignore[attr-defined]
        ideas.setdefault(need.idea_id, need.idea)
    feasibility = asset.feasibility
    return CatalogueRow(
        asset=asset,
        build_mean=estimates.estimate_of(asset, "build", rates).mean,
        run_mean=estimates.estimate_of(asset, "run", rates).mean,
        feasibility=(
            feasibility if feasibility is not None else default_feasibility.get(asset.tier, 1.0)
        ),
        feasibility_is_default=feasibility is None,
        upstream=upstream,
        downstream=downstream,
        ideas=list(ideas.values()),
    )


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    # NUL characters cannot reach PostgreSQL; nothing searchable contains them.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    rates = mappers.day_rates()
    profiles = list(m.TierProfile.objects.prefetch_related("default_roles"))
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
    return render(
        request,
        "valuechain/catalogue.html",
        {
            "sections": sections,
            "query": query,
            # The catalogue is edited in the admin, which only staff can open.
            "can_edit_catalogue": request.user.is_staff,
            # Data leads and staff edit assets on the catalogue editing pages.
            "can_edit_assets": is_data_lead(request.user),
        },
    )


@login_required
@require_GET
def catalogue_search(request: HttpRequest) -> HttpResponse:
    """Matching assets of one tier, for picking a need's data (an htmx partial)."""
    form = AssetSearchForm(request.GET or {"tier": 1})
    if not form.is_valid():
        return render(request, "partials/asset_search_results.html", {"form": form}, status=400)
    tier: int = form.cleaned_data["tier"]
    query: str = form.cleaned_data["q"]
    model = next(model for model in m.ASSET_MODELS.values() if tier == model.TIER)
    assets = model._default_manager.select_related("owner").order_by("name")
    if query:
        assets = assets.filter(Q(name__icontains=query) | Q(description__icontains=query))
    rates = mappers.day_rates()
    found = list(assets[: SEARCH_LIMIT + 1])
    results = [
        {"asset": asset, "build_mean": estimates.estimate_of(asset, "build", rates).mean}
        for asset in found[:SEARCH_LIMIT]
    ]
    return render(
        request,
        "partials/asset_search_results.html",
        {
            "form": form,
            "tier": tier,
            "tier_label": m.Tier(tier).label,
            "query": query,
            "results": results,
            "truncated": len(found) > SEARCH_LIMIT,
            "next_tier": tier + 1 if tier < 4 else None,
        },
    )


# --- ideas -----------------------------------------------------------------------------------

SORTS = ("npv", "roi", "tier", "title")
DEFAULT_SORT = "-npv"


@dataclass
class IdeaRow:
    idea: m.Idea
    report: finance.RoiReport

    @property
    def roi_percent(self) -> float | None:
        return _percent(self.report.roi)


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
    }[key]
    # Ideas without a value (an ROI with nothing spent) go last either way.
    known = [row for row in rows if values(row) is not None]
    unknown = [row for row in rows if values(row) is None]
    known.sort(key=lambda row: (values(row), row.idea.title.lower()), reverse=descending)
    return known + sorted(unknown, key=lambda row: row.idea.title.lower())


IDEAS_PER_PAGE = 100


@login_required
@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.lstrip("-") not in SORTS or sort.count("-") > 1:
        sort = DEFAULT_SORT
    status = request.GET.get("status", "")
    if status not in m.Idea.Status.values:
        status = ""
    ideas = selectors.ideas()
    if status:
        ideas = ideas.filter(status=status)
    idea_rows = list(ideas)
    reports = selectors.roi_reports(idea_rows)
    rows = _sort_rows([IdeaRow(idea, reports[idea.pk]) for idea in idea_rows], sort)
    # Sorting by NPV or ROI needs every report, so paging happens after the engine ran.
    page = Paginator(rows, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "valuechain/idea_list.html",
        {
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "sort": sort,
            "status": status,
            "statuses": m.Idea.Status.choices,
            "sort_links": {key: f"-{key}" if sort != f"-{key}" else key for key in SORTS},
            "can_create": is_product_manager(request.user),
        },
    )


def _idea_form_page(request: HttpRequest, idea: m.Idea) -> HttpResponse:
    creating = idea.pk is None
    need_form_kwargs = {"role_choices": role_choices()}
    if request.method == "POST":
        form = IdeaForm(request.POST, instance=idea)
        formset = NeedFormSet(
            request.POST, instance=idea, prefix="needs", form_kwargs=need_form_kwargs
        )
        if form.is_valid() and formset.is_valid():
            try:
                saved = _save_idea_and_needs(idea, form, formset)
            except ValidationError:
                pass  # the errors now sit on the forms; nothing was written
            else:
                messages.success(
                    request, f"Idea “{saved.title}” {'created' if creating else 'saved'}."
                )
                return redirect("idea-detail", pk=saved.pk)
    else:
        form = IdeaForm(instance=idea)
        formset = NeedFormSet(instance=idea, prefix="needs", form_kwargs=need_form_kwargs)
    return render(
        request,
        "valuechain/idea_form.html",
        {
            "idea": idea,
            "creating": creating,
            "form": form,
            "formset": formset,
            "search_form": AssetSearchForm(),
        },
    )


def _estimate(cleaned: Mapping[str, Any], prefix: str) -> services.EstimateInput:
    role = cleaned.get(f"{prefix}_days_role")
    return services.EstimateInput(
        low=cleaned[f"{prefix}_low"],
        likely=cleaned[f"{prefix}_likely"],
        high=cleaned[f"{prefix}_high"],
        days_role_id=role.pk if role is not None else None,
    )


def _attach(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's refusal on the form field it names, or on the form."""
    for name, problems in error.message_dict.items():
        for problem in problems:
            if name in form.fields:
                form.add_error(name, problem)
            else:
                form.add_error(None, f"{name}: {problem}" if name != NON_FIELD_ERRORS else problem)


def _save_idea_and_needs(idea: m.Idea, form: IdeaForm, formset: Any) -> m.Idea:
    """The idea and all its needs in one transaction, through the services."""
    data = form.cleaned_data
    changes: services.IdeaChanges = {
        "title": data["title"],
        "description": data["description"],
        "status": data["status"],
        "benefit": _estimate(data, "benefit"),
        "probability_of_success": data["probability_of_success"],
        "horizon_years": data["horizon_years"],
        "discount_rate": data["discount_rate"],
    }
    deleted = set(formset.deleted_forms)
    with transaction.atomic():
        try:
            if idea.pk is None:
                saved = services.create_idea(owner=idea.owner, changes=changes)
            else:
                saved = services.update_idea(idea=idea, changes=changes)
        except ValidationError as error:
            _attach(form, error)
            raise
        for need_form in formset.forms:
            need: m.Need = need_form.instance
            if need_form in deleted:
                if need.pk is not None:
                    services.delete_need(need=need)
                continue
            if need.pk is None and not need_form.has_changed():
                continue  # an untouched blank need
            cleaned = need_form.cleaned_data
            need_changes: services.NeedChanges = {
                "name": cleaned["name"],
                "asset_type": cleaned["asset_type"],
                "asset_id": cleaned["asset_id"],
                "engineering": _estimate(cleaned, "engineering"),
                "weight": cleaned["weight"],
                "essential": cleaned["essential"],
            }
            try:
                if need.pk is None:
                    services.create_need(idea=saved, changes=need_changes)
                else:
                    services.update_need(need=need, changes=need_changes)
            except ValidationError as error:
                _attach(need_form, error)
                raise
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest) -> HttpResponse:
    if not is_product_manager(request.user):
        raise PermissionDenied("Only product managers create ideas.")
    return _idea_form_page(request, m.Idea(owner=request.user))  # type: ignore[misc]


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(m.Idea, pk=pk)
    if not can_edit_idea(request.user, idea.owner_id):
        raise PermissionDenied("Only the idea's owner or staff edit it.")
    return _idea_form_page(request, idea)


@dataclass
class NeedRow:
    need: m.Need
    tier: int
    engineering_mean: float
    charged: list[chain.Asset]


@login_required
@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(
        # The needs again, with their assets, to name them on the page.
        selectors.ideas()
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "needs",
                queryset=m.Need.objects.order_by("id").select_related(
                    "feature", "curated_dataset", "raw_source", "acquisition_option"
                ),
            )
        ),
        pk=pk,
    )
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
    currency = str(settings.VALUECHAIN["CURRENCY"])
    ladder = [
        {
            "step": step,
            "roi_percent": _percent(step.roi),
            "negative": step.roi is not None and step.roi < 0,
            "best": step.tier == report.best_stop_tier,
        }
        for step in report.ladder
    ]
    return render(
        request,
        "valuechain/idea_detail.html",
        {
            "idea": idea,
            "report": report,
            "roi_percent": _percent(report.roi),
            "need_rows": need_rows,
            "ladder": ladder,
            # Below this tier an essential need is unmet: those steps cost and earn nothing.
            "benefit_from_tier": next(
                (step.tier for step in report.ladder if step.benefit_coverage > 0), None
            ),
            "chart": charts.figure_data(charts.ladder_figure(report, currency)),
            "can_edit": can_edit_idea(request.user, idea.owner_id),
        },
    )


# --- stakeholders --------------------------------------------------------------------------


@dataclass
class RoleSlot:
    role: m.Role
    default: bool
    assignments: list[m.StakeholderAssignment]
    gap: bool


def _stakeholder_tiers(
    idea_tier: int, assignments: list[m.StakeholderAssignment]
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    profiles = {
        profile.tier: profile
        for profile in m.TierProfile.objects.prefetch_related("default_roles").filter(
            tier__lte=idea_tier
        )
    }
    default_roles = {
        tier: [role.pk for role in profile.default_roles.all()]
        for tier, profile in profiles.items()
    }
    gaps = stakeholder_gaps(idea_tier, default_roles, [(a.tier, a.role_id) for a in assignments])
    gap_set = set(gaps)
    tiers = []
    for tier in range(1, idea_tier + 1):
        profile = profiles.get(tier)
        roles: dict[int, RoleSlot] = {}
        for role in profile.default_roles.all() if profile else []:
            roles[role.pk] = RoleSlot(role, True, [], (tier, role.pk) in gap_set)
        for assignment in assignments:
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
    return tiers, gaps


@login_required
@require_http_methods(["GET", "POST"])
def idea_stakeholders(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(selectors.ideas(), pk=pk)
    report = selectors.roi_report(idea)
    reached = list(range(1, report.tier + 1))
    can_assign = is_data_lead(request.user)
    form = None
    if can_assign:
        form = StakeholderAssignmentForm(idea=idea, reached_tiers=reached)
    if request.method == "POST":
        if not can_assign:
            raise PermissionDenied("Only data leads assign stakeholders.")
        if "remove" in request.POST:
            try:
                assignment_id = int(request.POST["remove"])
            except ValueError:
                return HttpResponseBadRequest("remove: not an assignment id")
            assignment = get_object_or_404(idea.stakeholders, pk=assignment_id)
            services.unassign_stakeholder(assignment=assignment)
            messages.success(request, f"Removed {assignment.person} from tier {assignment.tier}.")
            return redirect("idea-stakeholders", pk=idea.pk)
        form = StakeholderAssignmentForm(request.POST, idea=idea, reached_tiers=reached)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.assign_stakeholder(
                    changes={
                        "idea": idea,
                        "tier": data["tier"],
                        "role": data["role"],
                        "person": data["person"],
                        "note": data["note"],
                    }
                )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(
                    request, f"Assigned {saved.person} as {saved.role} on tier {saved.tier}."
                )
                return redirect("idea-stakeholders", pk=idea.pk)
    assignments = list(idea.stakeholders.select_related("role", "person"))
    tiers, gaps = _stakeholder_tiers(report.tier, assignments)
    beyond = [a for a in assignments if a.tier > report.tier]
    return render(
        request,
        "valuechain/idea_stakeholders.html",
        {
            "idea": idea,
            "report": report,
            "tiers": tiers,
            "gap_count": len(gaps),
            "beyond": beyond,
            "form": form,
            "can_assign": can_assign,
        },
    )
