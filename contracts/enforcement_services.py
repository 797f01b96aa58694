"""Writes of contract enforcement: validation runs, dead letters, valid records, breaches, alerts.

A run is created pending with its records and validated by a task queued on commit (or at
once, for a small batch sent inline). A worker claims the run by a conditional update and
stores its results chunk by chunk, each chunk in one transaction with the run's resume point,
so a worker that dies mid-run leaves a run that the next delivery resumes where it stopped:
no record lost, none stored twice (the unique constraints on the run and record index say so
too). Breaches are keyed by what they are about, so judging the same records again never
repeats a breach or its alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts import enforcement as enf
from contracts.models import (
    Alert,
    ContractVersion,
    DataContract,
    DeadLetter,
    MissingWindow,
    SlaBreach,
    ValidationRun,
    ValidRecord,
)
from valuechain.platform import leases

MAX_BATCH_RECORDS = 100_000
MAX_BATCH_BYTES = 20 * 1024 * 1024
INLINE_MAX_RECORDS = 1_000  # validated within the request; larger batches go to a worker
CHUNK = settings.VALUECHAIN["VALIDATION_CHUNK"]  # records a transaction
# the valid-record store keeps this many of the newest records of each contract
KEEP_VALID_RECORDS = settings.VALUECHAIN["KEEP_VALID_RECORDS"]
# A stream's missing values are judged per window; a threshold without a duration (none, or
# an ODCS cron schedule, most often daily) is judged over a day's records.
STREAM_DEFAULT_WINDOW = 86_400.0

AnyUser = User | AnonymousUser | None
logger = logging.getLogger(__name__)


class NoPublishedVersionError(Exception):
    """Records can only be held to a published version."""


def enforced_version(contract: DataContract) -> ContractVersion:
    """The version records are held to: the latest published one."""
    version = (
        ContractVersion.objects.filter(contract=contract, published_at__isnull=False)
        .order_by("major", "minor", "patch")
        .last()
    )
    if version is None:
        raise NoPublishedVersionError(
            "This contract has no published version to validate records against."
        )
    return version


# --- starting a batch run ----------------------------------------------------------------------


@transaction.atomic
def start_validation(
    *,
    contract: DataContract,
    records: Sequence[Any],
    source: str,
    filename: str = "",
    user: AnyUser = None,
    queue: bool = True,
) -> ValidationRun:
    """A pending run holding the records; its task is queued once the transaction commits
    (``queue=False``: the caller validates it at once with ``process_run``)."""
    if not records:
        raise ValidationError({"records": ["Send at least one record."]})
    if len(records) > MAX_BATCH_RECORDS:
        raise ValidationError({"records": [f"A batch holds at most {MAX_BATCH_RECORDS} records."]})
    if source not in ValidationRun.Source.values:
        raise ValidationError({"source": [f"Unknown source {source!r}."]})
    version = enforced_version(contract)
    run = ValidationRun.objects.create(
        contract=contract,
        version=version,
        source=source,
        filename=filename[:255],
        records=list(records),
        received_at=timezone.now(),
        received_count=len(records),
        created_by=user if isinstance(user, User) else None,
    )
    if queue:
        from contracts.tasks import validate_batch

        run_id = run.pk
        transaction.on_commit(lambda: validate_batch.delay(run_id))
    return run


def validate_batch_now_or_later(
    *,
    contract: DataContract,
    records: Sequence[Any],
    source: str,
    filename: str = "",
    user: AnyUser = None,
) -> tuple[ValidationRun, bool]:
    """Start a run: a small batch is validated before returning (True), a larger one is
    queued for a worker (False)."""
    inline = len(records) <= INLINE_MAX_RECORDS
    run = start_validation(
        contract=contract, records=records, source=source, filename=filename, user=user,
        queue=not inline,
    )  # fmt: skip
    if inline:
        claim = claim_run(run.pk)
        if claim.state is leases.Claim.CLAIMED:
            try:
                process_run(run.pk, claim.attempt)
            except LostRunError:
                pass  # taken over meanwhile: the new owner finishes it
            except Exception as exc:  # the run records why; the caller shows it
                logger.exception("validation run %s failed", run.pk)
                record_failure(run.pk, claim.attempt, f"{type(exc).__name__}: {exc}")
    run.refresh_from_db()
    return run, inline


# --- claiming and processing a batch run -------------------------------------------------------


def claim_run(run_id: int) -> leases.ClaimResult:
    """Take the run by conditional update: pending, or running with an expired lease."""
    return leases.claim(
        ValidationRun,
        run_id,
        pending=ValidationRun.Status.PENDING,
        running=ValidationRun.Status.RUNNING,
        started_at=Coalesce(F("started_at"), timezone.now()),
    )


def stalled_runs() -> list[int]:
    return leases.stalled(
        ValidationRun,
        pending=ValidationRun.Status.PENDING,
        running=ValidationRun.Status.RUNNING,
    )


class LostRunError(Exception):
    """Another worker took the run over (this one's lease expired)."""


def _mine(run_id: int, attempt: int) -> Any:
    return ValidationRun.objects.filter(
        pk=run_id, status=ValidationRun.Status.RUNNING, attempts=attempt
    )


@transaction.atomic
def _store_chunk(
    run: ValidationRun,
    attempt: int,
    start: int,
    records: Sequence[Any],
    validator: enf.RecordValidator,
) -> None:
    """Validate records[start:start+len] and store them with the run's new resume point."""
    dead, valid = [], []
    for offset, record in enumerate(records):
        index = start + offset
        errors = validator.errors(record)
        common = {"run": run, "contract_id": run.contract_id, "record_index": index}
        if errors:
            dead.append(
                DeadLetter(
                    **common,
                    payload=record,
                    errors=[e.as_dict() for e in errors],
                    received_at=run.received_at,
                )
            )
        else:
            valid.append(ValidRecord(**common, payload=record, received_at=run.received_at))
    DeadLetter.objects.bulk_create(dead, ignore_conflicts=True)
    ValidRecord.objects.bulk_create(valid, ignore_conflicts=True)
    moved = _mine(run.pk, attempt).update(
        processed=start + len(records),
        valid_count=F("valid_count") + len(valid),
        dead_letter_count=F("dead_letter_count") + len(dead),
        heartbeat_at=timezone.now(),
    )
    if not moved:
        raise LostRunError(run.pk)  # roll the chunk back: the new owner stores it


def process_run(run_id: int, attempt: int) -> str:
    """Validate a claimed run from its resume point; judge its SLA; finish it."""
    run = ValidationRun.objects.select_related("version", "contract").get(pk=run_id)
    records = list(run.records or [])
    validator = enf.RecordValidator(run.version.json_schema)
    for start in range(run.processed, len(records), CHUNK):
        _store_chunk(run, attempt, start, records[start : start + CHUNK], validator)
    finish_run(run, attempt, records)
    return "succeeded"


@transaction.atomic
def finish_run(run: ValidationRun, attempt: int, records: Sequence[Any]) -> None:
    now = timezone.now()
    terms = enf.SlaTerms.from_version(
        run.version.json_schema, run.version.sla, run.version.missing_thresholds
    )
    breaches = enf.judge(terms, records, [run.received_at] * len(records), now)
    # the counts, from what is stored: right even after a resumed run
    valid = ValidRecord.objects.filter(run_id=run.pk).count()
    dead = DeadLetter.objects.filter(run_id=run.pk).count()
    done = _mine(run.pk, attempt).update(
        status=ValidationRun.Status.SUCCEEDED,
        valid_count=valid,
        dead_letter_count=dead,
        records=None,
        finished_at=now,
        heartbeat_at=now,
        error="",
    )
    if not done:
        raise LostRunError(run.pk)
    record_breaches(
        contract=run.contract,
        version=run.version,
        run=run,
        breaches=breaches,
        key_prefix=f"run:{run.pk}",
        now=now,
    )
    prune_valid_records(run.contract_id)


def record_failure(run_id: int, attempt: int, error: str) -> bool:
    now = timezone.now()
    return bool(
        _mine(run_id, attempt).update(
            status=ValidationRun.Status.FAILED, error=error[:2000], finished_at=now,
            heartbeat_at=now,
        )
    )  # fmt: skip


def prune_valid_records(contract_id: int, keep: int = KEEP_VALID_RECORDS) -> int:
    """Keep the newest ``keep`` valid records of a contract: the store is bounded."""
    cutoff = (
        ValidRecord.objects.filter(contract_id=contract_id)
        .order_by("-id")
        .values_list("id", flat=True)[keep : keep + 1]
    )
    ids = list(cutoff)
    if not ids:
        return 0
    deleted, _ = ValidRecord.objects.filter(contract_id=contract_id, id__lte=ids[0]).delete()
    return deleted


# --- breaches and alerts -----------------------------------------------------------------------


def _window_key(breach: enf.Breach, fallback: str) -> str:
    return breach.window_start.isoformat() if breach.window_start else fallback


def record_breaches(
    *,
    contract: DataContract,
    version: ContractVersion,
    run: ValidationRun | None,
    breaches: Iterable[enf.Breach],
    key_prefix: str,
    now: datetime,
    bucket: str = "batch",
) -> list[SlaBreach]:
    """Store each breach once (by contract and key) and alert the producer and every consumer.
    Returns the breaches that are new."""
    created: list[SlaBreach] = []
    for b in breaches:
        # windowed breaches are the same one again in the same window; others per bucket
        window = _window_key(b, bucket) if b.kind is enf.BreachKind.MISSING_RATIO else bucket
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
                created.append(row)
    return created


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


@transaction.atomic
def mark_alerts_read(*, user: User, alert_ids: Sequence[int] | None = None) -> int:
    rows = Alert.objects.filter(recipient=user, read_at__isnull=True)
    if alert_ids is not None:
        rows = rows.filter(pk__in=alert_ids)
    return rows.update(read_at=timezone.now())


# --- the stream path ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamEntry:
    message_id: str
    record: Any
    arrival: datetime
    problem: str | None = None  # the message could not be read as a record


@dataclass(frozen=True, slots=True)
class StoredBatch:
    valid: dict[str, Any]  # message id -> record, to forward downstream
    new_valid: int
    new_dead: int


def start_stream_run(*, contract: DataContract, stream: str, consumer_name: str) -> ValidationRun:
    now = timezone.now()
    return ValidationRun.objects.create(
        contract=contract,
        version=enforced_version(contract),
        source=ValidationRun.Source.STREAM,
        status=ValidationRun.Status.RUNNING,
        stream=stream[:200],
        consumer_name=consumer_name[:200],
        received_at=now,
        started_at=now,
        heartbeat_at=now,
        attempts=1,
    )


@transaction.atomic
def store_stream_batch(
    *,
    run: ValidationRun,
    entries: Sequence[StreamEntry],
    validator: enf.RecordValidator,
    terms: enf.SlaTerms,
) -> StoredBatch:
    """Store a batch of stream messages: each message once per contract and stream, whoever
    stores it first (a redelivered message finds its row and is not stored again)."""
    ids = [e.message_id for e in entries]
    scope = {"contract_id": run.contract_id, "stream": run.stream}
    seen = set(
        DeadLetter.objects.filter(**scope, message_id__in=ids).values_list("message_id", flat=True)
    ) | set(
        ValidRecord.objects.filter(**scope, message_id__in=ids).values_list("message_id", flat=True)
    )
    dead, valid_rows = [], []
    valid: dict[str, Any] = {}
    fresh: list[StreamEntry] = []
    for entry in entries:
        errors = (
            [{"pointer": "", "schema_pointer": "", "keyword": "message", "message": entry.problem}]
            if entry.problem
            else [e.as_dict() for e in validator.errors(entry.record)]
        )
        if not errors:
            valid[entry.message_id] = entry.record
        if entry.message_id in seen:
            continue
        fresh.append(entry)
        common = {"run": run, **scope, "message_id": entry.message_id}
        if errors:
            dead.append(
                DeadLetter(**common, payload=entry.record, errors=errors, received_at=entry.arrival)
            )
        else:
            valid_rows.append(
                ValidRecord(**common, payload=entry.record, received_at=entry.arrival)
            )
    DeadLetter.objects.bulk_create(dead, ignore_conflicts=True)
    ValidRecord.objects.bulk_create(valid_rows, ignore_conflicts=True)
    # count what this run stored (a concurrent consumer may have won a race for a message)
    fresh_ids = [e.message_id for e in fresh]
    new_dead = DeadLetter.objects.filter(run=run, message_id__in=fresh_ids).count()
    new_valid = ValidRecord.objects.filter(run=run, message_id__in=fresh_ids).count()
    now = timezone.now()
    ValidationRun.objects.filter(pk=run.pk).update(
        received_count=F("received_count") + new_dead + new_valid,
        valid_count=F("valid_count") + new_valid,
        dead_letter_count=F("dead_letter_count") + new_dead,
        processed=F("processed") + len(entries),
        heartbeat_at=now,
    )
    readable = [e for e in fresh if e.problem is None]
    records, arrivals = [e.record for e in readable], [e.arrival for e in readable]
    if readable:
        record_breaches(
            contract=run.contract,
            version=run.version,
            run=run,
            breaches=enf.judge(terms, records, arrivals, now, missing=False),
            key_prefix=f"stream:{run.stream}",
            now=now,
            bucket=now.strftime("%Y-%m-%dT%H"),  # at most one per kind and field an hour
        )
        _count_missing(run, terms, records, arrivals)
    judge_closed_windows(run=run, terms=terms, now=now)
    return StoredBatch(valid=valid, new_valid=new_valid, new_dead=new_dead)


def _count_missing(
    run: ValidationRun, terms: enf.SlaTerms, records: Sequence[Any], arrivals: Sequence[datetime]
) -> None:
    """Add the records' missing values to their windows' counts (records stored for the first
    time only, so a redelivered message is not counted twice)."""
    for m in enf.measure_missing(terms, records, arrivals, STREAM_DEFAULT_WINDOW):
        assert m.window_start is not None and m.window_end is not None
        row, _ = MissingWindow.objects.get_or_create(
            contract_id=run.contract_id,
            stream=run.stream,
            field=m.threshold.field[:1000],
            metric=m.threshold.metric.value,
            window_start=m.window_start,
            defaults={"window_end": m.window_end, "version": run.version},
        )
        MissingWindow.objects.filter(pk=row.pk).update(
            records=F("records") + m.records, missing=F("missing") + m.missing
        )


@transaction.atomic
def judge_closed_windows(
    *, run: ValidationRun, terms: enf.SlaTerms, now: datetime, idle: bool = False
) -> list[SlaBreach]:
    """Judge, once, each window of the stream that has closed. While records flow, a window
    closes when records have reached a later window (by event time, plus the lateness the
    contract allows): a backfill of old records is judged window by window, not record by
    record. When the stream is quiet (``idle``), every window that ended is closed."""
    grace = timedelta(seconds=terms.max_lateness_seconds or 0)
    scope = MissingWindow.objects.filter(
        contract_id=run.contract_id, stream=run.stream, judged_at__isnull=True
    )
    if idle:
        closing = Q(window_end__lte=now - grace)
    else:
        closing = Q(pk__in=[])
        latest = (
            MissingWindow.objects.filter(contract_id=run.contract_id, stream=run.stream)
            .values("field", "metric")
            .annotate(latest=Max("window_start"))
        )
        for row in latest:
            closing |= Q(
                field=row["field"], metric=row["metric"], window_end__lte=row["latest"] - grace
            )
    closed = list(scope.select_for_update(skip_locked=True).filter(closing))
    by_field = {(t.field[:1000], t.metric.value): t for t in terms.thresholds}
    breaches = []
    for window in closed:
        threshold = by_field.get((window.field, window.metric))
        if threshold is None:
            continue  # the version this consumer holds to no longer limits this field
        measure = enf.MissingMeasure(
            threshold, window.window_start, window.window_end, window.records, window.missing
        )
        found = enf.judge_missing(measure)
        if found is not None:
            breaches.append(found)
    MissingWindow.objects.filter(pk__in=[w.pk for w in closed]).update(judged_at=now)
    return record_breaches(
        contract=run.contract,
        version=run.version,
        run=run,
        breaches=breaches,
        key_prefix=f"stream:{run.stream}",
        now=now,
    )


def finish_stream_run(run: ValidationRun, error: str = "") -> None:
    now = timezone.now()
    ValidationRun.objects.filter(pk=run.pk).update(
        status=ValidationRun.Status.FAILED if error else ValidationRun.Status.SUCCEEDED,
        error=error[:2000],
        finished_at=now,
        heartbeat_at=now,
    )
    prune_valid_records(run.contract_id)
