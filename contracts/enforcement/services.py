"""Writes of contract enforcement: validation runs, the stream path, alerts read.

A run is created pending with its records and validated by a task queued on commit (or at
once, for a small batch sent inline); batches.py runs it. The stream path stores each message
once per contract and stream and judges its SLA per window (breaches.py stores the breaches).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from contracts.enforcement import batches, judging, recovery, routing
from contracts.enforcement.breaches import record_breaches
from contracts.enforcement.selectors import enforced_version
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
from contracts.tasks import replay_dead_letters, validate_batch
from valuechain.platform import leases

MAX_BATCH_RECORDS = settings.VALUECHAIN["MAX_BATCH_RECORDS"]
MAX_BATCH_BYTES = 20 * 1024 * 1024
INLINE_MAX_RECORDS = 1_000  # validated within the request; larger batches go to a worker
# A stream's missing values are judged per window; a threshold without a duration (none, or
# an ODCS cron schedule, most often daily) is judged over a day's records.
STREAM_DEFAULT_WINDOW = 86_400.0

AnyUser = User | AnonymousUser | None
logger = logging.getLogger(__name__)


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
    (``queue=False``: the caller validates it at once with ``batches.process_run``)."""
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
        validate_batch.delay_on_commit(run.pk)
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
        claim = batches.claim_run(run.pk)
        if claim.state is leases.Claim.CLAIMED:
            try:
                batches.process_run(run.pk, claim.attempt)
            except batches.LostRunError:
                pass  # taken over meanwhile: the new owner finishes it
            except Exception as exc:  # the run records why; the caller shows it
                logger.exception("validation run %s failed", run.pk)
                batches.record_failure(run.pk, claim.attempt, f"{type(exc).__name__}: {exc}")
    run.refresh_from_db()
    return run, inline


# --- alerts ------------------------------------------------------------------------------------


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
    text: str | None = None  # the record's JSON as it came, stored and forwarded as is

    def json(self) -> str:
        return self.text if self.text is not None else json.dumps(self.record, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class StoredBatch:
    valid: dict[str, Any]  # message id -> record the latest version accepts, to forward
    new_valid: int
    new_dead: int
    dead: dict[str, dict[str, Any]] = field(default_factory=dict)  # message id -> dead letter
    majors: dict[str, list[int]] = field(default_factory=dict)  # message id -> majors accepting
    records: dict[str, str] = field(default_factory=dict)  # message id -> record's JSON


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
    plan: routing.Plan,
    terms: judging.SlaTerms,
    redelivered: bool = True,
    judged: Sequence[routing.Verdict] | None = None,
) -> StoredBatch:
    """Store a batch of stream messages, each judged for every reader (routing.py): each
    message once per contract and stream, whoever stores it first (a redelivered message finds
    its row and is not stored again, but is routed again: its acknowledgement decides whether
    it is forwarded). Messages read for the first time (``redelivered=False``: XREADGROUP's
    ">") cannot have been stored before, so their rows are not looked for; the unique
    constraints still hold if they were. ``judged``: the verdicts of the entries that carry a
    record, in order, when the caller judged them by ``plan`` already."""
    ids = [e.message_id for e in entries]
    scope = {"contract_id": run.contract_id, "stream": run.stream}
    seen: set[str] = set()
    if redelivered:
        seen = set(
            DeadLetter.objects.filter(**scope, message_id__in=ids).values_list(
                "message_id", flat=True
            )
        ) | set(
            ValidRecord.objects.filter(**scope, message_id__in=ids).values_list(
                "message_id", flat=True
            )
        )
    dead: list[tuple[Any, ...]] = []
    valid_rows: list[tuple[Any, ...]] = []
    out = StoredBatch(valid={}, new_valid=0, new_dead=0)
    fresh: list[StreamEntry] = []
    verdicts = []
    stamp = _stamper()
    if judged is None:
        judged = routing.judge_records(plan, [e.record for e in entries if not e.problem])
    in_order = iter(judged)
    for entry in entries:
        mid = entry.message_id
        verdict = routing.problem_verdict(plan, entry.problem) if entry.problem else next(in_order)
        text = entry.json()
        out.records[mid] = text
        out.majors[mid] = verdict.accepting_majors
        if verdict.valid_for_latest:
            out.valid[mid] = entry.record
        errors = [e.as_dict() for e in verdict.errors] if verdict.dead else None
        if errors is not None:
            out.dead[mid] = {
                "record": entry.record,
                "errors": errors,
                "rejected_by": verdict.rejected_by,
                "version": plan.latest.ref.version,
            }
        if mid in seen:
            continue
        fresh.append(entry)
        if errors is not None:
            verdicts.append(verdict)
            dead.append((mid, text, stamp(entry.arrival), *_dead_columns(verdict, plan, errors)))
        if verdict.valid_for_latest:
            valid_rows.append((mid, text, stamp(entry.arrival)))
    stored_dead, stored_valid = _insert_stream_rows(run, dead, valid_rows, fresh=not redelivered)
    # count what this run stored (a concurrent consumer may have won a race for a message)
    fresh_ids = [e.message_id for e in fresh]
    if stored_dead == len(dead):  # the usual case: every fresh dead letter is ours
        dead_ids = {row[0] for row in dead}
    else:
        dead_ids = set(
            DeadLetter.objects.filter(run=run, message_id__in=[r[0] for r in dead]).values_list(
                "message_id", flat=True
            )
        )
    if stored_valid == len(valid_rows):  # the usual case: every fresh valid record is ours
        valid_ids = {row[0] for row in valid_rows}
    else:
        valid_ids = set(
            ValidRecord.objects.filter(run=run, message_id__in=fresh_ids).values_list(
                "message_id", flat=True
            )
        )
    new_dead, new_valid = len(dead_ids), len(valid_ids)
    now = timezone.now()
    changes: dict[str, Any] = {}
    if verdicts or not run.consumer_rejections:
        run.consumer_rejections = batches.count_rejections(
            run.consumer_rejections or {}, plan, verdicts
        )
        changes["consumer_rejections"] = run.consumer_rejections
    ValidationRun.objects.filter(pk=run.pk).update(
        received_count=F("received_count") + len(dead_ids | valid_ids),
        valid_count=F("valid_count") + new_valid,
        dead_letter_count=F("dead_letter_count") + new_dead,
        processed=F("processed") + len(entries),
        heartbeat_at=now,
        **changes,
    )
    readable = [e for e in fresh if e.problem is None]
    records, arrivals = [e.record for e in readable], [e.arrival for e in readable]
    if readable:
        record_breaches(
            contract=run.contract,
            version=run.version,
            run=run,
            breaches=judging.judge(terms, records, arrivals, now, missing=False),
            key_prefix=f"stream:{run.stream}",
            now=now,
            bucket=now.strftime("%Y-%m-%dT%H"),  # at most one per kind and field an hour
        )
        _count_missing(run, terms, records, arrivals)
    judge_closed_windows(run=run, terms=terms, now=now)
    return StoredBatch(
        valid=out.valid, new_valid=new_valid, new_dead=new_dead, dead=out.dead,
        majors=out.majors, records=out.records,
    )  # fmt: skip


def _stamper() -> Callable[[datetime], Any]:
    """Arrival times as a batch's rows hold them (ISO text on PostgreSQL, where the rows
    travel as JSON). A batch's messages share a few milliseconds: each is converted once."""
    convert: Callable[[datetime], Any] = (
        datetime.isoformat
        if connection.vendor == "postgresql"
        else connection.ops.adapt_datetimefield_value
    )
    done: dict[datetime, Any] = {}

    def stamp(moment: datetime) -> Any:
        found = done.get(moment)
        if found is None:
            found = done[moment] = convert(moment)
        return found

    return stamp


def _dead_columns(
    verdict: routing.Verdict, plan: routing.Plan, errors: list[dict[str, str]]
) -> tuple[Any, ...]:
    """version, errors, rejected_by, accepted_by, rejections of a stream dead letter."""
    return (
        plan.latest.ref.pk,
        json.dumps(errors),
        json.dumps(verdict.rejected_by),
        json.dumps(verdict.accepted_by),
        json.dumps(verdict.rejections),
    )


def _insert_stream_rows(
    run: ValidationRun,
    dead: Sequence[tuple[Any, ...]],
    valid: Sequence[tuple[Any, ...]],
    *,
    fresh: bool,
) -> tuple[int, int]:
    """Insert the batch's dead letters and valid records; how many of each were inserted.
    Messages read for the first time have no rows yet, so they are inserted plainly (a
    conflict check per row costs the database as much again); should one have a row after
    all (another group storing the same stream), the batch is inserted again skipping it."""
    if fresh:
        try:
            with transaction.atomic():
                return (
                    _insert_dead_letters(run, dead, skip_stored=False),
                    _insert_valid_records(run, valid, skip_stored=False),
                )
        except IntegrityError:
            pass
    return _insert_dead_letters(run, dead), _insert_valid_records(run, valid)


def _insert_dead_letters(
    run: ValidationRun, rows: Sequence[tuple[Any, ...]], *, skip_stored: bool = True
) -> int:
    """Insert (message id, record JSON, arrival, version, errors, rejected_by, accepted_by,
    rejections) rows as the run's open dead letters, skipping those stored before; how many
    were inserted (as for valid records: no model instance per row)."""
    if not rows:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    status = DeadLetter.Status.OPEN.value
    return _insert_rows(
        DeadLetter._meta.db_table,
        ("message_id", "payload", "received_at", "version_id", "errors", "rejected_by",
         "accepted_by", "rejections"),
        ("text", "text", "timestamptz", "bigint", "jsonb", "jsonb", "jsonb", "jsonb"),
        rows,
        {"run_id": run.pk, "contract_id": run.contract_id, "stream": run.stream,
         "status": status, "discard_reason": "", "created_at": now},
        skip_stored=skip_stored,
    )  # fmt: skip


def _insert_valid_records(
    run: ValidationRun, rows: Sequence[tuple[Any, ...]], *, skip_stored: bool = True
) -> int:
    """Insert (message id, record JSON, arrival) rows as the run's valid records, skipping
    those stored before (the unique message constraint); how many were inserted. The stream
    path stores thousands of records a second, more than building a model instance (or
    sending a statement) for each allows."""
    if not rows:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return _insert_rows(
        ValidRecord._meta.db_table,
        ("message_id", "payload", "received_at"),
        ("text", "text", "timestamptz"),
        rows,
        {"run_id": run.pk, "contract_id": run.contract_id, "stream": run.stream,
         "created_at": now},
        skip_stored=skip_stored,
    )  # fmt: skip


def _insert_rows(
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    same: dict[str, Any],
    *,
    skip_stored: bool = True,
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING (``skip_stored``, else a plain INSERT) of ``rows``
    (one value per column) with the ``same`` values in every row; how many were inserted.
    PostgreSQL gets one statement for the whole batch, its rows one JSON array of arrays (one
    parameter, encoded in C: a JSON payload quoted as a text array element, or as a literal
    of its own, costs more than the insert); other databases one multi-row statement per
    chunk their limit on parameters allows."""
    names = [*same, *columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}, record_index)"
    tail = " ON CONFLICT DO NOTHING" if skip_stored else ""
    if connection.vendor == "postgresql":
        picks = ", ".join(
            f"r->>{i}" if t == "text" else f"(r->>{i})::{t}" for i, t in enumerate(types)
        )
        sql = (
            f"{head} SELECT {', '.join(['%s'] * len(same))}, {picks}, NULL "
            f"FROM json_array_elements(%s::json) AS r{tail}"
        )
        batch = json.dumps(rows, ensure_ascii=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*same.values(), batch])
            return max(int(cursor.rowcount), 0)
    values = "(" + ", ".join(["%s"] * len(names)) + ", NULL)"
    per_chunk = max(1, (connection.features.max_query_params or 999) // len(names))
    inserted = 0
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_chunk):
            chunk = rows[first : first + per_chunk]
            cursor.execute(
                f"{head} VALUES {', '.join([values] * len(chunk))}{tail}",
                [v for row in chunk for v in (*same.values(), *row)],
            )
            inserted += max(int(cursor.rowcount), 0)
    return inserted


def _count_missing(
    run: ValidationRun,
    terms: judging.SlaTerms,
    records: Sequence[Any],
    arrivals: Sequence[datetime],
) -> None:
    """Add the records' missing values to their windows' counts (records stored for the first
    time only, so a redelivered message is not counted twice)."""
    for m in judging.measure_missing(terms, records, arrivals, STREAM_DEFAULT_WINDOW):
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
    *, run: ValidationRun, terms: judging.SlaTerms, now: datetime, idle: bool = False
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
        measure = judging.MissingMeasure(
            threshold, window.window_start, window.window_end, window.records, window.missing
        )
        found = judging.judge_missing(measure)
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
    batches.prune_valid_records(run.contract_id)


# --- recovery: replaying dead letters ----------------------------------------------------------


def replay_now_or_later(
    *,
    contract: DataContract,
    ids: Sequence[int] | None,
    version: ContractVersion,
    user: AnyUser = None,
) -> tuple[recovery.ReplayResult, int]:
    """Replay dead letters: a few at once (the result, 0), many by a worker (the letters
    already replayed, and how many were queued). The task is queued once the request commits."""
    open_ids, already = recovery.replay_targets(contract, ids)
    if len(open_ids) <= recovery.INLINE_REPLAY:
        return recovery.replay(contract=contract, ids=ids, version=version, user=user), 0
    transaction.on_commit(
        lambda: replay_dead_letters.delay(
            contract.pk, version.pk, list(ids) if ids is not None else None,
            user.pk if isinstance(user, User) else None,
        )
    )  # fmt: skip
    return recovery.ReplayResult(already_replayed=already), len(open_ids)
