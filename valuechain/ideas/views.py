"""Idea pages: the list sorted by NPV, ROI or tier; the form for an idea with its needs; the ROI
report with its ladder; and the idea's stakeholders per tier with gaps.

Views stay thin: they check who may do what, read through the selectors, write through the
services, and render.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from valuechain import models as m
from valuechain.activity import panels as activity_panels
from valuechain.catalogue import selectors as catalogue
from valuechain.catalogue.forms import AssetSearchForm
from valuechain.estimates import EstimateInput
from valuechain.ideas import selectors, services
from valuechain.ideas.forms import IdeaForm, NeedFormSet, StakeholderAssignmentForm
from valuechain.lineage import graph as lineage_graph
from valuechain.lineage import panels as lineage_panels
from valuechain.platform import paging
from valuechain.platform.display import attach_errors, currency, is_htmx, percent
from valuechain.platform.roles import can_edit_idea, is_data_lead, is_product_manager

IDEAS_PER_PAGE = 50
# The idea list's verdict filter: the stored verdict and how the list names it.
VERDICTS = {"build": "Build", "stop_early": "Build to a lower tier", "do_not_build": "Do not build"}


@login_required
@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort.lstrip("-") not in selectors.SORTS or sort.count("-") > 1:
        sort = selectors.DEFAULT_SORT
    status = request.GET.get("status", "")
    if status not in m.Idea.Status.values:
        status = ""
    query = request.GET.get("q", "").strip()[:200]
    # A filter value the list does not know is ignored (shown unset), like an unknown status.
    owners = list(selectors.people_owning_ideas())
    owner = _choice(request.GET.get("owner", ""), {user.pk for user in owners})
    tier = _choice(request.GET.get("tier", ""), {t.value for t in m.Tier})
    verdict = request.GET.get("verdict", "")
    if verdict not in VERDICTS:
        verdict = ""
    filters = selectors.IdeaFilters(status, query, owner, tier, verdict)
    listed = selectors.idea_list(status, sort, query, filters)
    page = Paginator(listed.rows, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    # Everything but the sort and the page: the sort links keep the filters, saved in the URL.
    kept = {"status": status, "q": query, "owner": owner, "tier": tier, "verdict": verdict}
    filter_query = urlencode({key: value for key, value in kept.items() if value})
    return render(
        request,
        "valuechain/ideas/list.html",
        {
            "rows": selectors.idea_rows(page.object_list),
            "page": page,
            "pagination": paging.pagination(page, request.GET),
            "total": page.paginator.count,
            "refreshing": listed.refreshing,
            "query": query,
            "sort": sort,
            "status": status,
            "statuses": m.Idea.Status.choices,
            "owners": owners,
            "owner": owner,
            "tiers": m.Tier.choices,
            "tier": tier,
            "verdicts": list(VERDICTS.items()),
            "verdict": verdict,
            "filtered": any(kept.values()),
            "filter_query": filter_query,
            "sort_links": {key: f"-{key}" if sort != f"-{key}" else key for key in selectors.SORTS},
            "can_create": is_product_manager(request.user),
        },
    )


def _choice(raw: str, allowed: set[int]) -> int | None:
    text = raw.strip()
    if not text.isdecimal() or len(text) > 12:
        return None
    value = int(text)
    return value if value in allowed else None


# --- the idea form ----------------------------------------------------------------------------


def _estimate(cleaned: Mapping[str, Any], prefix: str) -> EstimateInput:
    role = cleaned.get(f"{prefix}_days_role")
    return EstimateInput(
        low=cleaned[f"{prefix}_low"],
        likely=cleaned[f"{prefix}_likely"],
        high=cleaned[f"{prefix}_high"],
        days_role_id=role.pk if role is not None else None,
    )


def _idea_changes(form: IdeaForm) -> services.IdeaChanges:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "status": data["status"],
        "benefit": _estimate(data, "benefit"),
        "probability_of_success": data["probability_of_success"],
        "horizon_years": data["horizon_years"],
        "discount_rate": data["discount_rate"],
        **{name: data[name] for name in services.SCORE_FIELDS},  # type: ignore[typeddict-item]
    }


def _need_edits(formset: Any) -> tuple[list[services.NeedEdit], list[Any]]:
    """What the need forms ask for, and the form of each edit (to show a refusal on it)."""
    deleted = set(formset.deleted_forms)
    edits: list[services.NeedEdit] = []
    edit_forms: list[Any] = []
    for need_form in formset.forms:
        need: m.Need = need_form.instance
        if need_form in deleted:
            if need.pk is not None:
                edits.append(services.NeedEdit(need=need))
                edit_forms.append(need_form)
            continue
        if need.pk is None and not need_form.has_changed():
            continue  # an untouched blank need
        cleaned = need_form.cleaned_data
        changes: services.NeedChanges = {
            "name": cleaned["name"],
            "asset_type": cleaned["asset_type"],
            "asset_id": cleaned["asset_id"],
            "engineering": _estimate(cleaned, "engineering"),
            "weight": cleaned["weight"],
            "essential": cleaned["essential"],
        }
        edits.append(services.NeedEdit(need=need if need.pk is not None else None, changes=changes))
        edit_forms.append(need_form)
    return edits, edit_forms


def _save(idea: m.Idea, form: IdeaForm, formset: Any) -> m.Idea | None:
    """The idea and all its needs, saved together by the service; a refusal goes onto the form
    that asked for it and nothing is written."""
    edits, edit_forms = _need_edits(formset)
    try:
        return services.save_idea_with_needs(idea=idea, changes=_idea_changes(form), needs=edits)
    except services.NeedRefused as refused:
        attach_errors(edit_forms[refused.index], refused.error)
    except ValidationError as error:
        attach_errors(form, error)
    return None


def _idea_form_page(request: HttpRequest, idea: m.Idea) -> HttpResponse:
    creating = idea.pk is None
    need_form_kwargs = {"role_choices": catalogue.role_choices()}
    if request.method == "POST":
        form = IdeaForm(request.POST, instance=idea)
        formset = NeedFormSet(
            request.POST, instance=idea, prefix="needs", form_kwargs=need_form_kwargs
        )
        if form.is_valid() and formset.is_valid():
            saved = _save(idea, form, formset)
            if saved is not None:
                messages.success(
                    request, f"Idea “{saved.title}” {'created' if creating else 'saved'}."
                )
                return redirect("idea-detail", pk=saved.pk)
    else:
        form = IdeaForm(instance=idea)
        formset = NeedFormSet(instance=idea, prefix="needs", form_kwargs=need_form_kwargs)
    return render(
        request,
        "valuechain/ideas/form.html",
        {
            "idea": idea,
            "creating": creating,
            "form": form,
            "formset": formset,
            "search_form": AssetSearchForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest) -> HttpResponse:
    if not is_product_manager(request.user):
        raise PermissionDenied("Only product managers create ideas.")
    return _idea_form_page(request, m.Idea(owner=request.user))  # type: ignore[misc]


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(selectors.plain_ideas(), pk=pk)
    if not can_edit_idea(request.user, idea.owner_id):
        raise PermissionDenied("Only the idea's owner or staff edit it.")
    return _idea_form_page(request, idea)


# --- the live ROI preview -------------------------------------------------------------------


def _kept_needs(formset: Any) -> list[m.Need]:
    """The needs the idea would have once saved: not removed, and not an untouched blank."""
    deleted = set(formset.deleted_forms)
    return [
        need_form.instance
        for need_form in formset.forms
        if need_form not in deleted
        and (need_form.instance.pk is not None or need_form.has_changed())
    ]


ESTIMATE_NAMES = {"benefit": "Yearly benefit", "engineering": "Engineering"}


def _field_name(form: Any, name: str) -> str:
    """A field as the form names it; an estimate's parts with the estimate they belong to."""
    prefix, _, part = name.rpartition("_")
    if prefix in ESTIMATE_NAMES and part in ("low", "likely", "high"):
        return f"{ESTIMATE_NAMES[prefix]} ({part})"
    if name in ("asset_type", "asset_id"):
        return "data"
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else "Idea"


def _form_problems(form: IdeaForm, formset: Any) -> list[str]:
    """Every error of the idea form and its need forms, each named by its field."""
    problems = [
        f"{_field_name(form, name)}: {' '.join(str(e) for e in errors)}"
        for name, errors in form.errors.items()
    ]
    problems += [str(error) for error in formset.non_form_errors()]
    for number, need_form in enumerate(formset.forms, start=1):
        for name, errors in need_form.errors.items():
            text = " ".join(str(e) for e in errors)
            problems.append(f"Need {number}, {_field_name(need_form, name)}: {text}")
    return problems


def _preview(request: HttpRequest, idea: m.Idea) -> HttpResponse:
    """What the ROI report would be with the form as it stands, saving nothing: the panel for
    htmx, or the whole form page with the preview for a browser without JavaScript."""
    form = IdeaForm(request.POST, instance=idea)
    formset = NeedFormSet(
        request.POST,
        instance=idea,
        prefix="needs",
        form_kwargs={"role_choices": catalogue.role_choices()},
    )
    context: dict[str, Any] = {"idea": idea, "report": None, "problems": []}
    if form.is_valid() and formset.is_valid():
        try:
            report = selectors.preview_report(idea, _kept_needs(formset))
        except (ValueError, KeyError) as problem:  # the catalogue changed under the form
            context["problems"] = [f"Cannot compute the report: {problem}"]
        else:
            context.update(report=report, roi_percent=percent(report.roi))
    else:
        context["problems"] = _form_problems(form, formset)
    if is_htmx(request):
        return render(request, "valuechain/ideas/_roi_preview.html", context)
    context.update(
        creating=idea.pk is None, form=form, formset=formset, search_form=AssetSearchForm()
    )
    return render(request, "valuechain/ideas/form.html", context)


@login_required
@require_POST
def idea_preview_new(request: HttpRequest) -> HttpResponse:
    if not is_product_manager(request.user):
        raise PermissionDenied("Only product managers create ideas.")
    return _preview(request, m.Idea(owner=request.user))  # type: ignore[misc]


@login_required
@require_POST
def idea_preview(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(selectors.plain_ideas(), pk=pk)
    if not can_edit_idea(request.user, idea.owner_id):
        raise PermissionDenied("Only the idea's owner or staff edit it.")
    return _preview(request, idea)


# --- the ROI report -----------------------------------------------------------------------------


@login_required
@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(selectors.ideas_with_named_needs(), pk=pk)
    shown = selectors.idea_report(idea)
    return render(
        request,
        "valuechain/ideas/detail.html",
        {
            "idea": idea,
            "report": shown.report,
            "roi_percent": percent(shown.report.roi),
            "discount_percent": percent(idea.discount_rate),
            "need_rows": shown.need_rows,
            "ladder": shown.ladder,
            "benefit_from_tier": shown.benefit_from_tier,
            "decision": shown.decision,
            "explanation": shown.explanation,
            "deployment_planned": shown.deployment_planned,
            "chart": selectors.ladder_chart(idea.pk, shown.report, currency()),
            "can_edit": can_edit_idea(request.user, idea.owner_id),
            "lineage": lineage_panels.panel(lineage_graph.idea_graph(idea)),
            **activity_panels.idea_panels(idea.pk, request.user, request.GET),
        },
    )


# --- stakeholders -------------------------------------------------------------------------------


def _unassign(request: HttpRequest, idea: m.Idea) -> HttpResponse:
    try:
        assignment_id = int(request.POST["remove"])
    except ValueError:
        return HttpResponseBadRequest("remove: not an assignment id")
    assignment = get_object_or_404(selectors.assignments_of(idea), pk=assignment_id)
    services.unassign_stakeholder(assignment=assignment)
    messages.success(request, f"Removed {assignment.person} from tier {assignment.tier}.")
    return redirect("idea-stakeholders", pk=idea.pk)


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
            return _unassign(request, idea)
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
                attach_errors(form, error)
            else:
                messages.success(
                    request, f"Assigned {saved.person} as {saved.role} on tier {saved.tier}."
                )
                return redirect("idea-stakeholders", pk=idea.pk)
    people = selectors.stakeholders(idea, report.tier)
    return render(
        request,
        "valuechain/ideas/stakeholders.html",
        {
            "idea": idea,
            "report": report,
            "tiers": people.tiers,
            "gap_count": people.gap_count,
            "beyond": people.beyond,
            "form": form,
            "can_assign": can_assign,
        },
    )


# --- what a shipped idea built -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def idea_built_assets(request: HttpRequest, pk: int) -> HttpResponse:
    """Once an idea is shipped, a data lead marks the features and curated datasets it built
    as available, so later ideas no longer pay for them."""
    idea = get_object_or_404(selectors.ideas(), pk=pk)
    can_mark = is_data_lead(request.user)
    status = 200
    if request.method == "POST":
        if not can_mark:
            raise PermissionDenied
        try:
            changed = services.mark_built_available(
                idea=idea, keys=request.POST.getlist("assets"), user=request.user
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("assets", exc.messages):
                messages.error(request, message)
            status = 400
        else:
            messages.success(request, f"Marked {changed} asset{'s' * (changed != 1)} available.")
            return redirect("idea-built-assets", pk=idea.pk)
    return render(
        request,
        "valuechain/ideas/built_assets.html",
        {
            "idea": idea,
            "shipped": idea.status == m.Idea.Status.SHIPPED,
            "assets": selectors.built_assets(idea),
            "can_mark": can_mark,
        },
        status=status,
    )
