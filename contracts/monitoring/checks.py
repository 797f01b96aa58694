"""Scheduled SLA checks (celery beat): each active contract's freshness, lateness, missing
values and dead-letter rate over its SLA window, whether or not a consumer runs.

A breached condition opens one breach, which stays open (updated, never repeated) while the
condition holds and resolves itself when the data recovers; opening and resolving each tell
the producer, the consumer teams and the subscribers (in-app alerts, email, webhooks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contracts.enforcement import breaches as alerts
from contracts.enforcement import judging
from contracts.models import (
    ContractVersion,
    DataContract,
    DeadLetter,
    SlaBreach,
    ValidRecord,
)
from contracts.monitoring import rules
from contracts.notifications import services as notifications

KEY_PREFIX = "monitor:"
# Payloads read per check for lateness and missing values: the newest of the window.
MAX_CHECKED_RECORDS = 5000


def _option(name: str, default: float) -> float:
    return float(settings.VALUECHAIN.get(name, default))


@dataclass
class CheckResult:
    contract_id: int
    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)


def _latest(contract: DataContract) -> ContractVersion | None:
    return (
        ContractVersion.objects.filter(contract=contract, published_at__isnull=False)
        .order_by("major", "minor", "patch")
        .last()
    )


def read_window(contract: DataContract, seconds: float, now: datetime) -> rules.Window:
    start = now - timedelta(seconds=seconds)
    valid = ValidRecord.objects.filter(contract=contract)
    dead = DeadLetter.objects.filter(contract=contract)
    last = [qs.aggregate(last=Max("received_at"))["last"] for qs in (valid, dead)]
    in_window = {"received_at__gt": start, "received_at__lte": now}
    rows = list(
        valid.filter(**in_window)
        .order_by("-id")
        .values_list("payload", "received_at")[:MAX_CHECKED_RECORDS]
    ) + list(
        dead.filter(**in_window)
        .order_by("-id")
        .values_list("payload", "received_at")[:MAX_CHECKED_RECORDS]
    )
    dead_count = dead.filter(**in_window).count()
    return rules.Window(
        start=start,
        end=now,
        records=[payload for payload, _ in rows],
        arrivals=[arrival for _, arrival in rows],
        dead_letters=dead_count,
        received=valid.filter(**in_window).count() + dead_count,
        last_arrival=max((t for t in last if t is not None), default=None),
    )


def check_contract(contract_id: int, now: datetime | None = None) -> CheckResult:
    """Judge one contract now; open, update or resolve its scheduled breaches."""
    now = now or timezone.now()
    result = CheckResult(contract_id)
    with transaction.atomic():
        # one check of a contract at a time: a second one waits, then sees the first's breaches
        contract = (
            DataContract.objects.select_for_update(of=("self",)).select_related("owner").filter(
                pk=contract_id, status=DataContract.Status.ACTIVE
            ).first()
        )  # fmt: skip
        version = _latest(contract) if contract is not None else None
        if contract is None or version is None:
            return result
        terms = judging.SlaTerms.from_version(
            version.json_schema, version.sla, version.missing_thresholds
        )
        window = read_window(contract, rules.window_seconds(terms), now)
        findings = rules.judge_window(
            terms,
            window,
            max_dead_letter_rate=_option("MAX_DEAD_LETTER_RATE", 0.05),
            min_records=int(_option("MONITOR_MIN_RECORDS", 10)),
        )
        open_rows = {
            (b.kind, b.field): b
            for b in SlaBreach.objects.filter(
                contract=contract, key__startswith=KEY_PREFIX, resolved_at__isnull=True
            )
        }
        for finding in findings:
            row = open_rows.get(finding.key)
            if finding.breach is not None and row is None:
                result.opened.append(_open(contract, version, finding, now).pk)
            elif finding.breach is not None and row is not None:
                _refresh(row, finding.breach)
                result.still_open.append(row.pk)
            elif row is not None:
                row.resolved_at = now
                row.save(update_fields=["resolved_at"])
                notifications.breach_resolved(row)
                result.resolved.append(row.pk)
    return result


def _open(
    contract: DataContract, version: ContractVersion, finding: rules.Finding, now: datetime
) -> SlaBreach:
    seen = finding.breach
    assert seen is not None
    row = SlaBreach.objects.create(
        contract=contract,
        version=version,
        run=None,
        kind=finding.kind,
        field=finding.field[:1000],
        observed=seen.observed,
        limit=seen.limit,
        unit=seen.unit,
        window_start=seen.window_start,
        window_end=seen.window_end,
        records=seen.records,
        detail=seen.detail,
        key=f"{KEY_PREFIX}{finding.kind}:{finding.field}:{now.isoformat()}"[:1200],
        detected_at=now,
    )
    row.alerted = alerts.alert(row, now)
    row.save(update_fields=["alerted"])
    notifications.breach_opened(row)
    return row


def _refresh(row: SlaBreach, seen: rules.Measured) -> None:
    """The same breach, still open: what is seen now, without telling anyone again."""
    row.observed, row.limit, row.records, row.detail = (
        seen.observed, seen.limit, seen.records, seen.detail,
    )  # fmt: skip
    row.window_end = seen.window_end
    row.save(update_fields=["observed", "limit", "records", "detail", "window_end"])


def active_contract_ids() -> list[int]:
    return list(
        DataContract.objects.filter(status=DataContract.Status.ACTIVE)
        .order_by("id")
        .values_list("id", flat=True)
    )
