"""Background runs claimed by conditional update with a lease.

This is how background work survives a worker crash. A worker may claim a run only while it is
pending, or running with an expired lease (its worker died). The claim is one UPDATE, so
exactly one claimant wins however often the broker delivers the task; the winner renews the
lease with a heartbeat, and every later write names the attempt it claimed, so a worker that
was overtaken cannot overwrite the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

LEASE = timedelta(seconds=settings.VALUECHAIN["RUN_LEASE_SECONDS"])


class Claim(StrEnum):
    CLAIMED = "claimed"
    BUSY = "busy"  # another worker holds a live lease
    DONE = "done"  # already succeeded or failed: nothing to do
    MISSING = "missing"  # deleted meanwhile


@dataclass(frozen=True, slots=True)
class ClaimResult:
    state: Claim
    attempt: int = 0
    lease_left: float = 0.0  # seconds, when busy


def _claimable(pending: str, running: str, now: datetime) -> Q:
    return Q(status=pending) | Q(status=running, heartbeat_at__lt=now - LEASE)


def claim(
    model: type[models.Model], run_id: int, *, pending: str, running: str, **updates: Any
) -> ClaimResult:
    """Take the run for this worker; `updates` are set along with the claim."""
    now = timezone.now()
    manager = model._default_manager
    claimed = manager.filter(_claimable(pending, running, now), pk=run_id).update(
        status=running, attempts=F("attempts") + 1, heartbeat_at=now, **updates
    )
    row = manager.filter(pk=run_id).values("status", "attempts", "heartbeat_at").first()
    if row is None:
        return ClaimResult(Claim.MISSING)
    if claimed:
        return ClaimResult(Claim.CLAIMED, row["attempts"])
    if row["status"] == running:
        expires = (row["heartbeat_at"] or now) + LEASE
        return ClaimResult(Claim.BUSY, row["attempts"], max((expires - now).total_seconds(), 0))
    return ClaimResult(Claim.DONE, row["attempts"])


def stalled(
    model: type[models.Model], *, pending: str, running: str, limit: int = 500
) -> list[int]:
    """Runs to queue again: pending for longer than a lease (their task message may have
    been lost with the broker) or running with an expired lease (their worker died)."""
    now = timezone.now()
    waiting_too_long = Q(status=pending, created_at__lt=now - LEASE)
    abandoned = Q(status=running, heartbeat_at__lt=now - LEASE)
    rows = model._default_manager.filter(waiting_too_long | abandoned).order_by("pk")
    return list(rows.values_list("pk", flat=True)[:limit])
