"""{% load enforcement_tags %}{% contract_enforcement contract %}: runs, dead letters and
breaches of a contract, with the batch upload form for those who may send one."""

from __future__ import annotations

from typing import Any

from django import template

from contracts import enforcement_selectors as selectors
from contracts import enforcement_services as services

register = template.Library()


@register.inclusion_tag("contracts/enforcement/partials/enforcement.html", takes_context=True)
def contract_enforcement(context: dict[str, Any], contract: Any) -> dict[str, Any]:
    from contracts.api.enforcement_views import may_validate
    from contracts.enforcement_pages import BatchUploadForm

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
