"""The executive dashboard and the CSV export of every idea's ROI report.

Both read everything in a fixed number of queries (whatever the number of ideas), let the
engine compute the reports, and hand plain data to valuechain.dashboard for the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contracts.models import DataContract
from valuechain import dashboard, mappers, selectors
from valuechain import dashboard_charts as charts
from valuechain import models as m
from valuechain.engine import chain
from valuechain.engine.finance import RoiReport

# --- reads -------------------------------------------------------------------------------------


def _statuses(request: HttpRequest) -> list[str]:
    """`?status=approved&status=proposed`; unknown values are ignored (all ideas then)."""
    return dashboard.chosen_statuses(request.GET.getlist("status"), m.Idea.Status.values)


def _idea_rows(statuses: list[str]) -> QuerySet[m.Idea]:
    ideas = selectors.ideas().order_by("id")
    return ideas.filter(status__in=statuses) if statuses else ideas


def _facts(idea: m.Idea) -> dashboard.IdeaFacts:
    return dashboard.IdeaFacts(
        id=idea.pk,
        title=idea.title,
        status=idea.status,
        status_label=idea.get_status_display(),
        owner=idea.owner.get_username() if idea.owner else "",
    )


@dataclass
class Loaded:
    ideas: list[m.Idea]
    reports: dict[int, RoiReport]
    rows: list[dashboard.IdeaRow]
    catalogue: dict[chain.AssetKey, chain.Asset]
    rates: dict[int, float]


def _load(statuses: list[str]) -> Loaded:
    ideas = list(_idea_rows(statuses))
    with mappers.read_snapshot():
        rates = mappers.day_rates()
        catalogue = mappers.load_catalogue(rates)
        reports = selectors.roi_reports(ideas)
    rows = dashboard.rows([_facts(idea) for idea in ideas], reports)
    return Loaded(ideas, reports, rows, catalogue, rates)


def _risk_inputs(loaded: Loaded, statuses: list[str]) -> dict[str, Any]:
    profiles = list(m.TierProfile.objects.prefetch_related("default_roles"))
    assignments: dict[int, list[tuple[int, int]]] = {}
    wanted = m.StakeholderAssignment.objects.all()
    if statuses:
        wanted = wanted.filter(idea__status__in=statuses)
    for idea_id, tier, role_id in wanted.values_list("idea_id", "tier", "role_id"):
        assignments.setdefault(idea_id, []).append((tier, role_id))
    closures = {
        idea.pk: [
            (str(kind), pk)
            for kind, pk in chain.idea_closure(
                mappers.idea_to_engine(idea, loaded.rates), loaded.catalogue
            )
        ]
        for idea in loaded.ideas
    }
    contracts = [
        ((asset_type, asset_id) if asset_type and asset_id else None, status)
        for asset_type, asset_id, status in DataContract.objects.values_list(
            "asset_type", "asset_id", "status"
        )
    ]
    return {
        "default_roles": {p.tier: [r.pk for r in p.default_roles.all()] for p in profiles},
        "role_names": {r.pk: r.name for p in profiles for r in p.default_roles.all()},
        "assignments": assignments,
        "closures": closures,
        "contracts": contracts,
    }


def _latest_portfolio() -> dashboard.PortfolioSummary | None:
    run = (
        m.PortfolioRun.objects.filter(status=m.RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None or not isinstance(run.result, dict):
        return None
    selected = [i for i in run.result.get("selected") or [] if isinstance(i, int)]
    titles = dict(m.Idea.objects.filter(pk__in=selected).values_list("pk", "title"))
    finished = (
        timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M") if (run.finished_at) else ""
    )
    return dashboard.portfolio_summary(run.pk, run.result, titles, finished)


# --- pages -------------------------------------------------------------------------------------


def _currency() -> str:
    return str(settings.VALUECHAIN["CURRENCY"])


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    statuses = _statuses(request)
    loaded = _load(statuses)
    currency = _currency()
    counts = dict(m.Idea.objects.values_list("status").annotate(n=Count("id")).order_by())
    kpis = dashboard.kpis(loaded.rows)
    totals = dashboard.tier_totals(loaded.rows)
    negative_from = dashboard.negative_from_counts(loaded.rows)
    risks = dashboard.risk_signals(loaded.rows, **_risk_inputs(loaded, statuses))
    query = "&".join(f"status={s}" for s in statuses)
    context = {
        "currency": currency,
        "statuses": statuses,
        "status_query": query,
        "status_counts": dashboard.status_counts(counts, m.Idea.Status.choices),
        "all_count": sum(counts.values()),
        "kpis": kpis,
        "upstream_percent": _percent(kpis.upstream_negative_share),
        "tier_totals": totals,
        "negative_from": negative_from,
        "top": dashboard.top_by_npv(loaded.rows),
        "downside": dashboard.largest_downside(loaded.rows),
        "risks": risks,
        "risk_rows": [row for row in risks.ideas if row.has_risk],
        "portfolio": _latest_portfolio(),
        "tier_chart": charts.figure_json(charts.tier_figure(totals, currency)),
        "scatter_chart": charts.figure_json(charts.value_investment_figure(loaded.rows, currency)),
        "negative_chart": charts.figure_json(charts.negative_from_figure(negative_from)),
    }
    return render(request, "valuechain/dashboard.html", context)


@login_required
@require_GET
def ideas_export_csv(request: HttpRequest) -> HttpResponse:
    """Every idea's ROI report (the shown statuses only, when filtered) as CSV."""
    loaded = _load(_statuses(request))
    frame = dashboard.export_frame(loaded.rows)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ideas-roi-{stamp}.csv"'
    response.write(frame.to_csv(index=False, float_format="%.6f", lineterminator="\n"))
    return response
