"""The executive dashboard and the CSV export of every idea's ROI report.

Both read through the dashboard's selectors, let valuechain.dashboard.summary compute every
figure, and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from valuechain import models as m
from valuechain.charts import dashboard as charts
from valuechain.charts.theme import figure_script
from valuechain.dashboard import selectors, summary
from valuechain.platform.display import currency, percent

RISK_ROWS = 25


def _statuses(request: HttpRequest) -> list[str]:
    """`?status=approved&status=proposed`; unknown values are ignored (all ideas then)."""
    return summary.chosen_statuses(request.GET.getlist("status"), m.Idea.Status.values)


def _figures_part(loaded: selectors.Loaded, money: str) -> dict[str, Any]:
    """What the page shows from the ideas' stored figures alone (not contracts or people)."""
    kpis = summary.kpis(loaded.rows)
    totals = summary.tier_totals(loaded.rows)
    negative_from = summary.negative_from_counts(loaded.rows)
    return {
        "kpis": kpis,
        "upstream_percent": percent(kpis.upstream_negative_share),
        "tier_totals": totals,
        "negative_from": negative_from,
        "top": summary.top_by_npv(loaded.rows),
        "downside": summary.largest_downside(loaded.rows),
        "refreshing": loaded.refreshing,
        "tier_chart": figure_script(charts.tier_figure(totals, money), "tier-chart-data"),
        "scatter_chart": figure_script(
            charts.value_investment_figure(loaded.rows, money), "scatter-chart-data"
        ),
        "negative_chart": figure_script(
            charts.negative_from_figure(negative_from, summary.NEVER, summary.DO_NOT_BUILD),
            "negative-chart-data",
        ),
    }


@login_required
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    statuses = _statuses(request)
    loaded = selectors.load(statuses)
    money = currency()
    counts = selectors.status_counts()
    query = "&".join(f"status={s}" for s in statuses)
    figures = selectors.cached_by_epoch(
        # "scripts": the charts are kept as their script elements' text
        loaded,
        f"scripts:{query}:{money}",
        lambda: _figures_part(loaded, money),
    )
    risks = summary.risk_signals(loaded.rows, **selectors.risk_inputs(loaded, statuses))
    at_risk = [row for row in risks.ideas if row.has_risk]
    context = {
        **figures,
        "currency": money,
        "statuses": statuses,
        "status_query": query,
        "status_counts": summary.status_counts(counts, m.Idea.Status.choices),
        "all_count": sum(counts.values()),
        "risks": risks,
        # most severe first; the page stays small whatever the number of ideas at risk
        "risk_rows": at_risk[:RISK_ROWS],
        "risk_count": len(at_risk),
        "portfolio": selectors.latest_portfolio(),
    }
    return render(request, "valuechain/dashboard/dashboard.html", context)


@login_required
@require_GET
def ideas_export_csv(request: HttpRequest) -> HttpResponse:
    """Every idea's ROI report (the shown statuses only, when filtered) as CSV."""
    loaded = selectors.load(_statuses(request), complete=True)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ideas-roi-{stamp}.csv"'
    response.write(summary.export_csv(loaded.rows))
    return response
