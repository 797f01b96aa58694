"""`{% load deployment_tags %}{% idea_deployment_panel idea %}` for the idea page."""

from __future__ import annotations

from typing import Any

from django import template

from deployments import selectors
from valuechain import models as m
from valuechain.platform.roles import can_edit_idea

register = template.Library()


@register.inclusion_tag("deployments/_panel.html", takes_context=True)
def idea_deployment_panel(context: template.Context, idea: m.Idea) -> dict[str, Any]:
    """The idea's plan, its deployment costs, the recommendation and the four types compared.

    Pass an idea from `valuechain.ideas.selectors.ideas()` to keep the query count constant.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    result = selectors.idea_deployment(idea)
    return {
        "idea": idea,
        "result": result,
        "recommendation": result.recommendation,
        "can_edit": user is not None and can_edit_idea(user, idea.owner_id),
        "currency": context.get("currency", ""),
    }


@register.filter
def percent(value: float | None) -> str:
    """A ratio as a whole percentage; an en dash when there is none (nothing spent)."""
    if value is None:
        return "\u2013"  # en dash
    return f"{value * 100:,.0f}\u00a0%"


@register.filter
def money(value: float | None) -> str:
    if value is None:
        return "\u2013"  # en dash
    return f"{value:,.0f}"


# The largest unit a duration reaches, from milliseconds up to days.
DURATION_UNITS = (
    (86_400_000.0, "day", "days"),
    (3_600_000.0, "h", "h"),
    (60_000.0, "min", "min"),
    (1_000.0, "s", "s"),
)


@register.filter
def latency(milliseconds: float | None) -> str:
    """A duration in milliseconds in the unit a reader would use: 250 ms, 1.5 s, 2 min, 1 h."""
    if milliseconds is None:
        return "\u2013"  # en dash
    value = float(milliseconds)
    for size, one, many in DURATION_UNITS:
        if value >= size:
            amount = round(value / size, 1)
            text = f"{amount:,.1f}".removesuffix(".0")
            return f"{text}\u00a0{one if amount == 1 else many}"
    return f"{value:,.1f}".removesuffix(".0") + "\u00a0ms"
