"""A contract's health over time: records received, the dead-letter rate and SLA breaches per
day, for the contract page's chart. Three queries whatever the volume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from contracts.models import DataContract, SlaBreach, ValidationRun

DAYS = 14


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    valid: int
    dead_letters: int
    breaches_opened: int
    breaches_resolved: int

    @property
    def records(self) -> int:
        return self.valid + self.dead_letters

    @property
    def dead_letter_rate(self) -> float | None:
        return self.dead_letters / self.records if self.records else None


def daily_health(
    contract: DataContract, now: datetime | None = None, days: int = DAYS
) -> list[Day]:
    """One entry per day of the last ``days`` (UTC), oldest first, quiet days included.
    Records count on the day their run received them (a stream session: the day it began)."""
    today = (now or timezone.now()).date()
    first = today - timedelta(days=days - 1)
    runs = (
        ValidationRun.objects.filter(contract=contract, received_at__date__gte=first)
        .annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(valid=Sum("valid_count"), dead=Sum("dead_letter_count"))
    )
    breaches = SlaBreach.objects.filter(contract=contract)
    opened = (
        breaches.filter(detected_at__date__gte=first)
        .annotate(day=TruncDate("detected_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    resolved = (
        breaches.filter(resolved_at__date__gte=first)
        .annotate(day=TruncDate("resolved_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    by_run = {r["day"]: (r["valid"] or 0, r["dead"] or 0) for r in runs}
    by_open = {r["day"]: r["n"] for r in opened}
    by_resolved = {r["day"]: r["n"] for r in resolved}
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        valid, dead = by_run.get(day, (0, 0))
        out.append(Day(day, valid, dead, by_open.get(day, 0), by_resolved.get(day, 0)))
    return out
