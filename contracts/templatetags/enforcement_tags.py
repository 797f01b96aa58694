"""{% load enforcement_tags %}{% contract_enforcement contract %}: runs, dead letters and
breaches of a contract, with the batch upload form for those who may send one."""

from __future__ import annotations

from typing import Any

from django import template

from contracts.enforcement import selectors, services
from contracts.enforcement.forms import BatchUploadForm
from contracts.permissions import may_validate

register = template.Library()


@register.inclusion_tag("contracts/enforcement/partials/enforcement.html", takes_context=True)
def contract_enforcement(context: dict[str, Any], contract: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "contract": contract,
        "summary": selectors.enforcement_summary(contract),
        "can_validate": user is not None and may_validate(user, contract),
        "form": BatchUploadForm(),
        "inline_max": services.INLINE_MAX_RECORDS,
        "csrf_token": context.get("csrf_token"),
    }
