"""Pages for analysis: an idea's uncertainty (tornado, NPV distribution) and the portfolio.

Runs are started here and polled with htmx until they finish; a progress bar shows how far
they got. Results are rendered from what the run stored, so a page never recomputes them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from valuechain import analysis_charts as charts
from valuechain import analysis_services as services
from valuechain import mappers, selectors
from valuechain import models as m
from valuechain.engine import uncertainty
from valuechain.platform.roles import is_data_lead, is_executive, is_product_manager

RECENT_RUNS = 10
FINISHED = (m.RunStatus.SUCCEEDED, m.RunStatus.FAILED)


def _currency() -> str:
    return str(settings.VALUECHAIN["CURRENCY"])


def can_run_analysis(user: Any) -> bool:
    return bool(is_product_manager(user) or is_data_lead(user) or is_executive(user))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- an idea's uncertainty -------------------------------------------------------------------


class SimulationForm(forms.Form):
    draws = forms.IntegerField(
        min_value=services.MIN_DRAWS, max_value=services.MAX_DRAWS, initial=10_000
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=services.MAX_SEED,
        required=False,
        help_text="Leave empty for a new random seed; the seed is stored with the run.",
    )


def _simulation_context(idea: m.Idea, run: m.SimulationRun | None) -> dict[str, Any]:
    context: dict[str, Any] = {"idea": idea, "run": run, "currency": _currency()}
    if run is not None and run.status == m.RunStatus.SUCCEEDED and run.result:
        distribution = run.result["distribution"]
        context["distribution"] = distribution
        context["loss_percent"] = distribution["probability_of_loss"] * 100
        context["histogram"] = charts.figure_json(charts.npv_histogram(distribution, _currency()))
        context["histogram_id"] = f"histogram-chart-data-{run.pk}"
    context["polling"] = run is not None and run.status not in FINISHED
    return context


@login_required
@require_GET
def idea_uncertainty(request: HttpRequest, pk: int) -> HttpResponse:
    """The tornado (computed now, it is cheap) and the latest Monte Carlo run."""
    idea = get_object_or_404(selectors.ideas(), pk=pk)
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    tornado = uncertainty.tornado(mappers.idea_to_engine(idea, rates), catalogue)
    run = m.SimulationRun.objects.filter(idea=idea).order_by("-created_at", "-id").first()
    context = _simulation_context(idea, run)
    context.update(
        tornado=tornado,
        tornado_chart=charts.figure_json(charts.tornado_figure(tornado, _currency())),
        form=SimulationForm(initial={"draws": run.draws if run else 10_000}),
        can_run=can_run_analysis(request.user),
    )
    return render(request, "valuechain/analysis/_uncertainty.html", context)


@login_required
@require_POST
def idea_simulation_start(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(m.Idea, pk=pk)
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
        if not _is_htmx(request):
            return redirect(reverse("idea-detail", args=[idea.pk]) + "#uncertainty")
        context = _simulation_context(idea, run)
        context.update(form=SimulationForm(initial={"draws": run.draws}), can_run=True)
        return render(request, "valuechain/analysis/_simulation.html", context)
    latest = m.SimulationRun.objects.filter(idea=idea).order_by("-created_at", "-id").first()
    context = _simulation_context(idea, latest)
    context.update(form=form, can_run=True)
    return render(request, "valuechain/analysis/_simulation.html", context, status=400)


@login_required
@require_GET
def idea_simulation_status(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run = get_object_or_404(m.SimulationRun.objects.select_related("idea"), pk=run_pk, idea_id=pk)
    context = _simulation_context(run.idea, run)
    context.update(
        form=SimulationForm(initial={"draws": run.draws}),
        can_run=can_run_analysis(request.user),
    )
    return render(request, "valuechain/analysis/_simulation.html", context)


# --- the portfolio ---------------------------------------------------------------------------


class PortfolioRunForm(forms.Form):
    budget = forms.FloatField(
        required=False,
        min_value=0,
        help_text="On one-off investment; empty for no budget.",
    )
    must_include = forms.ModelMultipleChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    must_exclude = forms.ModelMultipleChoiceField(
        queryset=m.Idea.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    discount_rate = forms.FloatField(required=False, min_value=0, max_value=1)
    horizon_years = forms.IntegerField(required=False, min_value=1, max_value=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = services.candidate_ideas().order_by("title", "id").only("id", "title")
        for name in ("must_include", "must_exclude"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = candidates
        defaults = settings.VALUECHAIN
        self.fields["discount_rate"].initial = defaults["DEFAULT_DISCOUNT_RATE"]
        self.fields["horizon_years"].initial = defaults["DEFAULT_HORIZON_YEARS"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("must_include") or []) & set(data.get("must_exclude") or [])
        if both:
            names = ", ".join(sorted(idea.title for idea in both))
            self.add_error("must_exclude", f"Also in must include: {names}.")
        return data


def _portfolio_context(run: m.PortfolioRun | None) -> dict[str, Any]:
    context: dict[str, Any] = {"run": run, "currency": _currency()}
    context["polling"] = run is not None and run.status not in FINISHED
    if run is None or run.status != m.RunStatus.SUCCEEDED or not run.result:
        return context
    result = run.result
    selected = set(result["selected"])
    views = result["cost_views"]
    context.update(
        result=result,
        gap_percent=result["gap"] * 100,
        selected_views=[v for v in views if v["idea_id"] in selected],
        cost_views=sorted(views, key=lambda v: (not v["selected"], v["title"])),
        scores=sorted(result["scores"], key=lambda s: -s["wsjf"]),
        frontier_chart=charts.figure_json(
            charts.frontier_figure(result["frontier"], result, _currency())
        ),
        matrix_chart=charts.figure_json(
            charts.value_investment_figure(result["scores"], result["selected"], _currency())
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
                    user=request.user,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect(f"{reverse('portfolio')}?run={started.pk}")
        status = 400
    recent = list(m.PortfolioRun.objects.order_by("-created_at", "-id")[:RECENT_RUNS])
    run: m.PortfolioRun | None = None
    wanted = request.GET.get("run", "")
    if wanted.isdigit() and len(wanted) <= 18:
        run = next((r for r in recent if r.pk == int(wanted)), None) or (
            m.PortfolioRun.objects.filter(pk=int(wanted)).first()
        )
    elif recent:
        run = recent[0]
    if request.method != "POST":
        # Start from the choices of the run on show, to adjust them.
        initial = {
            key: run.params.get(key)
            for key in ("budget", "must_include", "must_exclude", "discount_rate", "horizon_years")
            if run is not None and run.params.get(key) is not None
        }
        form = PortfolioRunForm(initial=initial)
    context = _portfolio_context(run)
    context.update(form=form, recent=recent, can_run=can_run)
    return render(request, "valuechain/analysis/portfolio.html", context, status=status)


@login_required
@require_GET
def portfolio_run_status(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = get_object_or_404(m.PortfolioRun, pk=run_pk)
    return render(request, "valuechain/analysis/_portfolio_run.html", _portfolio_context(run))
