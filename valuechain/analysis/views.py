"""Pages for analysis: an idea's uncertainty (tornado, NPV distribution) and the portfolio.

Runs are started here and polled with htmx until they finish; a progress bar shows how far
they got. Results are rendered from what the run stored, so a page never recomputes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from valuechain import mappers
from valuechain import models as m
from valuechain.analysis import selectors, services
from valuechain.analysis.forms import PortfolioRunForm, SimulationForm
from valuechain.charts import analysis as charts
from valuechain.charts.theme import figure_json
from valuechain.engine import scoring, tornado
from valuechain.ideas import selectors as ideas
from valuechain.platform.display import currency, is_htmx
from valuechain.platform.roles import can_run_analysis

RECENT_RUNS = 10
FINISHED = (m.RunStatus.SUCCEEDED, m.RunStatus.FAILED)


# --- an idea's uncertainty -------------------------------------------------------------------


def _simulation_context(idea: m.Idea, run: m.SimulationRun | None) -> dict[str, Any]:
    context: dict[str, Any] = {"idea": idea, "run": run, "currency": currency()}
    if run is not None and run.status == m.RunStatus.SUCCEEDED and run.result:
        distribution = run.result["distribution"]
        context["distribution"] = distribution
        context["loss_percent"] = distribution["probability_of_loss"] * 100
        context["histogram"] = figure_json(charts.npv_histogram(distribution, currency()))
        context["histogram_id"] = f"histogram-chart-data-{run.pk}"
    context["polling"] = run is not None and run.status not in FINISHED
    return context


@login_required
@require_GET
def idea_uncertainty(request: HttpRequest, pk: int) -> HttpResponse:
    """The tornado (computed now, it is cheap) and the latest Monte Carlo run."""
    idea = get_object_or_404(ideas.ideas(), pk=pk)
    rates = mappers.day_rates()
    engine_idea = mappers.idea_to_engine(idea, rates)
    swings = tornado.tornado(engine_idea, mappers.ideas_catalogue([engine_idea], rates))
    run = selectors.latest_simulation(idea.pk)
    context = _simulation_context(idea, run)
    context.update(
        tornado=swings,
        tornado_chart=figure_json(charts.tornado_figure(swings, currency())),
        form=SimulationForm(initial={"draws": run.draws if run else 10_000}),
        can_run=can_run_analysis(request.user),
    )
    return render(request, "valuechain/analysis/_uncertainty.html", context)


@login_required
@require_POST
def idea_simulation_start(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(ideas.plain_ideas(), pk=pk)
    if not can_run_analysis(request.user):
        raise PermissionDenied
    form = SimulationForm(request.POST)
    if form.is_valid():
        run = services.start_simulation(
            idea=idea,
            draws=form.cleaned_data["draws"],
            seed=form.cleaned_data["seed"],
            user=request.user,
        )
        run.refresh_from_db()
        if not is_htmx(request):
            return redirect(reverse("idea-detail", args=[idea.pk]) + "#uncertainty")
        context = _simulation_context(idea, run)
        context.update(form=SimulationForm(initial={"draws": run.draws}), can_run=True)
        return render(request, "valuechain/analysis/_simulation.html", context)
    latest = selectors.latest_simulation(idea.pk)
    context = _simulation_context(idea, latest)
    context.update(form=form, can_run=True)
    return render(request, "valuechain/analysis/_simulation.html", context, status=400)


@login_required
@require_GET
def idea_simulation_status(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.simulation_runs_with_idea(), pk=run_pk, idea_id=pk)
    context = _simulation_context(run.idea, run)
    context.update(
        form=SimulationForm(initial={"draws": run.draws}),
        can_run=can_run_analysis(request.user),
    )
    return render(request, "valuechain/analysis/_simulation.html", context)


# --- the portfolio ---------------------------------------------------------------------------


# What stopping below a tier leaves out, in words.
SKIPPED_TIER_WORDS = {
    1: "the features",
    2: "the curated data",
    3: "the raw data",
    4: "the acquisition",
}


def stop_words(detail: dict[str, Any] | None) -> str:
    """ "Fund to tier 2: skip the acquisition" or "Fund the whole idea (tier 3)"; a run
    stored before stop tiers funded whole ideas."""
    if not detail:
        return "Fund the whole idea"
    tier, own = detail["tier"], detail.get("idea_tier", detail["tier"])
    if tier >= own:
        return f"Fund the whole idea (tier {tier})"
    skipped = sorted({need["tier"] for need in detail.get("skipped_needs", [])}) or [own]
    words = [SKIPPED_TIER_WORDS.get(t, f"tier {t}") for t in skipped]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"Fund to tier {tier}: skip {listed}"


def _selected_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each selected idea with its cost view, its stop tier and what stopping skips."""
    views = {v["idea_id"]: v for v in result["cost_views"]}
    details = {d["idea"]: d for d in result.get("stop_details", [])}
    tiers = {s["idea"]: s["tier"] for s in result.get("stops", [])}
    rows = []
    for idea_id in result["selected"]:
        view = views.get(idea_id)
        if view is None:
            continue
        detail = details.get(idea_id)
        if detail is None and idea_id in tiers:
            detail = {"idea": idea_id, "tier": tiers[idea_id], "idea_tier": view.get("idea_tier")}
            detail["idea_tier"] = detail["idea_tier"] or detail["tier"]
        rows.append(
            {
                "view": view,
                "stop_tier": detail["tier"] if detail else None,
                "stopped": bool(detail and detail["tier"] < detail["idea_tier"]),
                "words": stop_words(detail),
                "skipped_needs": [n["name"] for n in (detail or {}).get("skipped_needs", [])],
            }
        )
    return rows


def _portfolio_context(run: m.PortfolioRun | None) -> dict[str, Any]:
    context: dict[str, Any] = {"run": run, "currency": currency()}
    context["polling"] = run is not None and run.status not in FINISHED
    if run is None or run.status != m.RunStatus.SUCCEEDED or not run.result:
        return context
    result = run.result
    selected = set(result["selected"])
    views = result["cost_views"]
    scores = scoring.stored_rows(result["scores"])
    context.update(
        result=result,
        gap_percent=result["gap"] * 100,
        selected_views=[v for v in views if v["idea_id"] in selected],
        selected_rows=_selected_rows(result),
        # runs stored before funded shares have none to add up
        funded_share_total=(
            sum(v["funded_share_one_off"] for v in views if v["idea_id"] in selected)
            if all("funded_share_one_off" in v for v in views)
            else None
        ),
        cost_views=sorted(views, key=lambda v: (not v["selected"], v["title"])),
        scores=scoring.ranked(scores),
        investment_line=scoring.investment_line([s["one_off_investment"] for s in scores]),
        frontier_chart=figure_json(charts.frontier_figure(result["frontier"], result, currency())),
        matrix_chart=figure_json(
            charts.value_investment_figure(scores, result["selected"], currency())
        ),
        frontier_id=f"frontier-data-{run.pk}",
        matrix_id=f"matrix-data-{run.pk}",
        distribution=result.get("distribution"),
        loss_percent=(
            result["distribution"]["probability_of_loss"] * 100
            if result.get("distribution")
            else None
        ),
    )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def portfolio(request: HttpRequest) -> HttpResponse:
    can_run = can_run_analysis(request.user)
    status = 200
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        form = PortfolioRunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                started = services.start_portfolio_run(
                    budget=data["budget"],
                    must_include=[idea.pk for idea in data["must_include"]],
                    must_exclude=[idea.pk for idea in data["must_exclude"]],
                    discount_rate=data["discount_rate"],
                    horizon_years=data["horizon_years"],
                    stop_tiers=data["stop_tiers"],
                    user=request.user,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect(f"{reverse('portfolio')}?run={started.pk}")
        status = 400
    recent = list(selectors.portfolio_runs()[:RECENT_RUNS])
    run: m.PortfolioRun | None = None
    wanted = request.GET.get("run", "")
    if wanted.isdigit() and len(wanted) <= 18:
        run = next((r for r in recent if r.pk == int(wanted)), None) or (
            selectors.portfolio_run(int(wanted))
        )
    elif recent:
        run = recent[0]
    if request.method != "POST":
        # Start from the choices of the run on show, to adjust them.
        initial = {
            key: run.params.get(key)
            for key in (
                "budget",
                "must_include",
                "must_exclude",
                "discount_rate",
                "horizon_years",
                "stop_tiers",
            )
            if run is not None and run.params.get(key) is not None
        }
        form = PortfolioRunForm(initial=initial)
    context = _portfolio_context(run)
    context.update(form=form, recent=recent, can_run=can_run)
    return render(request, "valuechain/analysis/portfolio.html", context, status=status)


@login_required
@require_GET
def portfolio_run_status(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.portfolio_runs(), pk=run_pk)
    return render(request, "valuechain/analysis/_portfolio_run.html", _portfolio_context(run))
