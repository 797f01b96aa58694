"""{% load monitoring_tags %}: the contract page's health over time (chart and the same numbers
as a table), its open scheduled breaches, and where to subscribe to them."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from contracts.monitoring import charts, history
from valuechain.charts.theme import figure_json

register = template.Library()


@register.inclusion_tag("contracts/monitoring/partials/health_history.html")
def contract_health_history(contract: Any) -> dict[str, Any]:
    days = history.daily_health(contract)
    max_rate = float(settings.VALUECHAIN["MAX_DEAD_LETTER_RATE"])
    return {
        "contract": contract,
        "days": days,
        "days_count": len(days),
        "max_rate": max_rate,
        "chart": figure_json(charts.health_figure(days, max_rate)),
        "quiet": not any(d.records or d.breaches_opened or d.breaches_resolved for d in days),
    }
