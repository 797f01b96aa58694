"""What a locked-out client is told: when it may try again, as a page or as JSON for the API.

django-axes counts failed logins per username and per address (settings `AXES_*`); once a
count reaches the limit, the next login is refused until the cool-off after the last failure.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_OUT = 429


def client_address(request: HttpRequest) -> str | None:
    """The client's address: with `TRUSTED_PROXY_COUNT` proxies in front, the one the outermost
    proxy saw (n-th from the right of X-Forwarded-For; entries further left are whatever the
    client claimed and are not trusted); otherwise the connection's."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def unlocks_at(request: HttpRequest, credentials: dict[str, Any] | None = None) -> datetime:
    """When the cool-off of the latest failure counted against this username or address ends."""
    cool_off = get_cool_off(request) or timedelta(0)
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    match = Q(ip_address=address)
    if username:
        match |= Q(username=username)
    latest = (
        AccessAttempt.objects.filter(match, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (latest or timezone.now()) + cool_off


def describe_wait(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "1 minute"
    return f"{minutes} minutes"


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    until = unlocks_at(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    wait = describe_wait(seconds)
    limit = settings.AXES_FAILURE_LIMIT
    detail = (
        f"Too many failed logins ({limit}) for this account or from this address. "
        f"Try again in {wait}, after {until:%H:%M} UTC."
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": detail, "retry_after": seconds, "retry_at": until.isoformat()},
            status=LOCKED_OUT,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"failure_limit": limit, "wait": wait, "until": until},
            status=LOCKED_OUT,
        )
    response["Retry-After"] = str(seconds)
    return response
