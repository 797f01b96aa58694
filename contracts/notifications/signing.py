"""How a webhook delivery is signed, and how a receiver checks it. Pure Python.

The header ``X-ValueChain-Signature: t=<unix seconds>,v1=<hex>`` carries the time of sending
and HMAC-SHA256 under the webhook's secret of ``"<t>.<body>"``. Signing the time with the body
lets a receiver refuse a replayed delivery: one whose ``t`` is older than its tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-ValueChain-Signature"
EVENT_HEADER = "X-ValueChain-Event"
DELIVERY_HEADER = "X-ValueChain-Delivery"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    value: str,
    body: bytes,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when ``value`` (the signature header) signs ``body`` under ``secret`` and was made
    within ``tolerance`` seconds of ``now``."""
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))
