"""Pages: an idea's deployment plan, with the recommendation and the four types compared."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deployments import recommend, selectors, services
from deployments.forms import DeploymentPlanForm, RequirementsForm
from deployments.models import DeploymentPlan
from valuechain import models as m
from valuechain.platform.roles import can_edit_idea


def _idea_or_404(idea_id: int) -> m.Idea:
    try:
        return selectors.idea(idea_id)
    except m.Idea.DoesNotExist:
        raise Http404("No idea with this id.") from None


@login_required
@require_GET
def deployments_home(request: HttpRequest) -> HttpResponse:
    """The four deployment types, every idea's plan and its costs, and a recommendation tool."""
    context = {"overview": selectors.overview(), "requirements_form": RequirementsForm()}
    return render(request, "deployments/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = _idea_or_404(idea_id)
    can_edit = can_edit_idea(request.user, idea.owner_id)
    # Computed from what is saved, before the form touches any instance.
    result = selectors.idea_deployment(idea)
    # A copy (or idea_id alone), so an invalid form never alters the idea's cached plan.
    instance = copy.copy(result.plan) if result.plan else DeploymentPlan(idea_id=idea.pk)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only the idea's owner or staff can change its deployment plan.")
        form = DeploymentPlanForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                services.save_deployment_plan(
                    idea=idea,
                    deployment_type=form.cleaned_data["deployment_type"],
                    values=form.plan_values(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Deployment plan saved; the ROI now includes its costs.")
                return redirect("deployment-plan", idea_id=idea.pk)
        status = 400
    else:
        form = DeploymentPlanForm(instance=instance)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "idea": idea,
        "form": form,
        "can_edit": can_edit,
        "result": result,
        "recommendation": result.recommendation,
    }
    return render(request, "deployments/plan.html", context, status=status)


@login_required
@require_POST
def recommend_partial(request: HttpRequest) -> HttpResponse:
    """The recommendation for the requirements typed so far (htmx swaps it in)."""
    form = RequirementsForm(request.POST)
    requirements = form.requirements()
    recommendation = recommend.recommend(requirements) if requirements is not None else None
    return render(
        request,
        "deployments/_recommendation.html",
        {"recommendation": recommendation, "requirement_errors": form.errors},
    )
