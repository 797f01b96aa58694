"""Sending: one email, one digest, one webhook attempt. The tasks decide when to try again.

A webhook is posted with a short timeout and without following redirects (the URL is the
user's; where it points next is not). Its answer is judged by status only: 2xx delivered.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import send_mail

from contracts.notifications import signing

USER_AGENT = "ValueChain-Webhooks/1"


def _option(name: str, default: Any) -> Any:
    return settings.VALUECHAIN.get(name, default)


def timeout_seconds() -> float:
    return float(_option("WEBHOOK_TIMEOUT_SECONDS", 5))


def max_attempts() -> int:
    return max(1, int(_option("WEBHOOK_MAX_ATTEMPTS", 5)))


def backoff_seconds(attempt: int) -> int:
    """Wait before attempt ``attempt + 1``: the base doubled each time, at most an hour."""
    base = float(_option("WEBHOOK_BACKOFF_SECONDS", 30))
    return int(min(3600.0, base * 2 ** max(0, attempt - 1)))


def allow_private() -> bool:
    return bool(_option("WEBHOOK_ALLOW_PRIVATE", False))


def is_private(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address.split("%")[0])
    return not ip.is_global or ip.is_multicast


def private_address(url: str) -> str | None:
    """The first address of the URL's host inside the organisation's network (or the host
    itself, when it does not resolve); None when every address is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # the post itself reports that the host does not resolve
    for info in infos:
        address = str(info[4][0])
        if is_private(address):
            return address
    return None


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    response_code: int | None
    error: str
    final: bool = False  # no point trying again


def post_webhook(url: str, secret: str, event: str, delivery_key: str, payload: Any) -> Attempt:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.header(secret, int(time.time()), body),
        signing.EVENT_HEADER: event,
        signing.DELIVERY_HEADER: delivery_key,
    }
    if not allow_private():
        inside = private_address(url)
        if inside is not None:
            return Attempt(
                False, None,
                f"The URL's host resolves to {inside}, an internal address; deliveries to the "
                "internal network are off (VALUECHAIN_WEBHOOK_ALLOW_PRIVATE).", final=True,
            )  # fmt: skip
    limit = timeout_seconds()
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=(min(3.0, limit), limit),
            allow_redirects=False, stream=True,
        )  # fmt: skip
        response.close()  # the answer's body is not read: its status is the whole answer
    except requests.RequestException as exc:
        return Attempt(False, None, f"{type(exc).__name__}: {exc}"[:1000])
    if 200 <= response.status_code < 300:
        return Attempt(True, response.status_code, "")
    return Attempt(False, response.status_code, f"The receiver answered {response.status_code}.")


def send_email(address: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
