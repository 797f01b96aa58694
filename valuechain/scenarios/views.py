"""Pages for scenarios: the list with a new-scenario form, a scenario with its portfolio,
sensitivity and roadmap (with charts), the comparison of 2 to 4, and the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from valuechain import models as m
from valuechain.charts import scenarios as charts
from valuechain.charts.theme import figure_json
from valuechain.platform.display import attach_errors, currency, is_htmx
from valuechain.platform.roles import can_run_analysis
from valuechain.scenarios import compare, exports, reports, selectors, services
from valuechain.scenarios.forms import RoadmapForm, ScenarioForm

FINISHED = (m.RunStatus.SUCCEEDED, m.RunStatus.FAILED)
LISTED = 100


def _scenario(pk: int) -> m.Scenario:
    found = selectors.scenario(pk)
    if found is None:
        raise Http404("No such scenario.")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def scenario_list(request: HttpRequest) -> HttpResponse:
    """Scenarios, and a form to make one (scenarios never change the live data, so product
    managers, data leads and executives alike may make them)."""
    can_create = can_run_analysis(request.user)
    form = ScenarioForm(request.POST or None)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                scenario = services.create_scenario(user=request.user, **form.service_arguments())
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                return redirect("scenario-detail", pk=scenario.pk)
    context = {
        "scenarios": list(selectors.scenarios()[:LISTED]),
        "form": form,
        "can_create": can_create,
        "currency": currency(),
    }
    return render(
        request, "valuechain/scenarios/list.html", context, status=400 if form.errors else 200
    )


def _roadmap_context(run: m.RoadmapRun | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "run": run,
        "polling": run is not None and run.status not in FINISHED,
    }
    if run is not None and run.status == m.RunStatus.SUCCEEDED and run.result:
        roadmap = run.result
        context.update(
            roadmap=roadmap,
            by_idea=figure_json(charts.timeline_by_idea(roadmap)),
            by_asset=figure_json(charts.timeline_by_asset(roadmap)),
            cash_chart=figure_json(charts.cash_flow(roadmap, currency())),
            capacity_chart=figure_json(charts.capacity_heatmap(roadmap)),
            overloads=[p for p in roadmap["people"] if p["needed"] > p["capacity"] + 1e-6],
            gap_percent=(roadmap["gap"] or 0) * 100,
        )
    return context


@login_required
@require_GET
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    context = {
        "scenario": scenario,
        "portfolio": reports.portfolio(scenario),
        "sensitivity": reports.sensitivity(scenario),
        "form": RoadmapForm(roles=selectors.roles()),
        "can_run": can_run_analysis(request.user),
        "currency": currency(),
        "others": selectors.other_scenarios(scenario.pk, LISTED),
        **_roadmap_context(selectors.latest_roadmap(scenario.pk)),
    }
    return render(request, "valuechain/scenarios/detail.html", context)


@login_required
@require_GET
def scenario_roadmap(request: HttpRequest, pk: int) -> HttpResponse:
    """The roadmap panel alone, polled while its run works."""
    return _roadmap_panel(request, _scenario(pk))


def _roadmap_panel(request: HttpRequest, scenario: m.Scenario) -> HttpResponse:
    context = {"scenario": scenario, "currency": currency()}
    context.update(_roadmap_context(selectors.latest_roadmap(scenario.pk)))
    return render(request, "valuechain/scenarios/_roadmap.html", context)


@login_required
@require_POST
def scenario_roadmap_start(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    if not can_run_analysis(request.user):
        raise PermissionDenied
    form = RoadmapForm(request.POST, roles=selectors.roles())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.start_roadmap(
                scenario=scenario,
                quarters=data["quarters"],
                start=data["start"],
                capacity=form.capacity(),
                user=request.user,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if is_htmx(request):
                return _roadmap_panel(request, scenario)
            return redirect("scenario-detail", pk=pk)
    return render(
        request,
        "valuechain/scenarios/_roadmap_form.html",
        {"scenario": scenario, "form": form},
        status=400,
    )


@login_required
@require_GET
def scenario_compare(request: HttpRequest) -> HttpResponse:
    """2 to 4 scenarios side by side: ?s=live&s=3&s=5 (the first is the reference)."""
    wanted = request.GET.getlist("s")
    context: dict[str, Any] = {"error": "", "scenarios": list(selectors.scenarios()[:LISTED])}
    chosen: list[int | str] = []
    try:
        chosen = reports.parse_with(",".join(wanted), 2, compare.MAX_COMPARED) if wanted else []
    except ValueError as exc:
        context["error"] = str(exc)
    ids = [i for i in chosen if isinstance(i, int)]
    found = selectors.scenarios_by_id(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        context["error"] = f"No scenarios with ids {missing}."
    elif chosen:
        items = [found[i] if isinstance(i, int) else i for i in chosen]
        context["comparison"] = reports.comparison(items)
    status = 400 if context["error"] and wanted else 200
    return render(request, "valuechain/scenarios/compare.html", context, status=status)


def _views(scenario: m.Scenario) -> dict[str, exports.Table]:
    run = selectors.latest_roadmap(scenario.pk)
    roadmap = run.result if run is not None and run.status == m.RunStatus.SUCCEEDED else None
    return exports.tables(reports.portfolio(scenario), roadmap, reports.sensitivity(scenario))


@login_required
@require_GET
def scenario_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    response = HttpResponse(
        exports.workbook(_views(scenario)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.xlsx"'
    return response


@login_required
@require_GET
def scenario_csv(request: HttpRequest, pk: int, view: str) -> HttpResponse:
    scenario = _scenario(pk)
    views = _views(scenario)
    if view not in views:
        raise Http404("No such view (the roadmap views need a finished roadmap).")
    response = HttpResponse(exports.csv_of(views[view]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}-{view}.csv"'
    return response
