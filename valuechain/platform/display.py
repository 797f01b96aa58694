"""What the pages and the API of every room show alike: the currency money is shown in, shares
as percentages; and, for pages, a service's refusal put on the form that asked for the write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest


def currency() -> str:
    return str(settings.VALUECHAIN["CURRENCY"])


def percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's refusal on the form field it names, or on the form."""
    for name, problems in error.message_dict.items():
        for problem in problems:
            if name in form.fields:
                form.add_error(name, problem)
            else:
                form.add_error(None, f"{name}: {problem}" if name != NON_FIELD_ERRORS else problem)
