"""Storing SLA breaches and alerting: each breach is keyed by what it is about, so judging the
same records again never repeats a breach or its alerts; a new one alerts the producer and
every consumer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from contracts.enforcement import judging
from contracts.models import Alert, ContractVersion, DataContract, SlaBreach, ValidationRun
from contracts.notifications import services as notifications


def _window_key(breach: judging.Breach, fallback: str) -> str:
    return breach.window_start.isoformat() if breach.window_start else fallback


def record_breaches(
    *,
    contract: DataContract,
    version: ContractVersion,
    run: ValidationRun | None,
    breaches: Iterable[judging.Breach],
    key_prefix: str,
    now: datetime,
    bucket: str = "batch",
) -> list[SlaBreach]:
    """Store each breach once (by contract and key) and alert the producer and every consumer.
    Returns the breaches that are new."""
    created: list[SlaBreach] = []
    for b in breaches:
        # windowed breaches are the same one again in the same window; others per bucket
        window = _window_key(b, bucket) if b.kind is judging.BreachKind.MISSING_RATIO else bucket
        key = f"{key_prefix}:{b.kind.value}:{b.field}:{window}"
        with transaction.atomic():
            row, was_created = SlaBreach.objects.get_or_create(
                contract=contract,
                key=key[:1200],
                defaults={
                    "version": version,
                    "run": run,
                    "kind": b.kind.value,
                    "field": b.field[:1000],
                    "observed": b.observed,
                    "limit": b.limit,
                    "unit": b.unit,
                    "window_start": b.window_start,
                    "window_end": b.window_end,
                    "records": b.records,
                    "detail": b.detail,
                    "detected_at": now,
                },
            )
            if was_created:
                row.alerted = _alert(row, contract, version, now)
                row.save(update_fields=["alerted"])
                notifications.breach_opened(row)  # email and webhooks, after commit
                created.append(row)
    return created


def alert(breach: SlaBreach, now: datetime) -> list[dict[str, Any]]:
    """In-app alerts of a breach to the producer and every consumer (scheduled checks too)."""
    return _alert(breach, breach.contract, breach.version, now)


def _alert(
    breach: SlaBreach, contract: DataContract, version: ContractVersion, now: datetime
) -> list[dict[str, Any]]:
    message = (
        f"{contract.name} v{version.version}: {breach.get_kind_display().lower()} "
        f"breach. {breach.detail}"
    )
    alerts: list[Alert] = []
    if contract.owner_id is not None:
        owner = contract.owner
        assert owner is not None
        alerts.append(
            Alert(
                breach=breach, role=Alert.Role.PRODUCER, recipient=owner,
                recipient_name=owner.get_username(), message=message, created_at=now,
            )
        )  # fmt: skip
    elif contract.producer_team:
        alerts.append(
            Alert(
                breach=breach, role=Alert.Role.PRODUCER, recipient=None,
                recipient_name=contract.producer_team, message=message, created_at=now,
            )
        )  # fmt: skip
    for consumer in contract.consumers.select_related("user"):
        alerts.append(
            Alert(
                breach=breach, role=Alert.Role.CONSUMER, recipient=consumer.user,
                consumer=consumer, recipient_name=consumer.name, message=message,
                created_at=now,
            )
        )  # fmt: skip
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return [{"role": a.role, "name": a.recipient_name, "user": a.recipient_id} for a in alerts]
