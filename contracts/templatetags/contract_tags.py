"""{% load contract_tags %}{% idea_contract_health idea %}: an idea's contracts and risks."""

from __future__ import annotations

from typing import Any

from django import template

from contracts.registry import selectors

register = template.Library()


@register.inclusion_tag("contracts/registry/partials/idea_contract_health.html")
def idea_contract_health(idea: Any) -> dict[str, Any]:
    return {"idea": idea, "health": selectors.idea_contract_health(idea)}
