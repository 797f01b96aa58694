"""Running a claimed validation run: what the Celery task calls (contracts.tasks).

A worker claims the run by a conditional update and stores its results chunk by chunk, each
chunk in one transaction with the run's resume point, so a worker that dies mid-run leaves a run
that the next delivery resumes where it stopped: no record lost, none stored twice (the unique
constraints on the run and record index say so too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.enforcement import judging, routing, selectors
from contracts.enforcement.breaches import record_breaches
from contracts.models import DeadLetter, ValidationRun, ValidRecord
from valuechain.platform import leases

CHUNK = settings.VALUECHAIN["VALIDATION_CHUNK"]  # records a transaction
# the valid-record store keeps this many of the newest records of each contract
KEEP_VALID_RECORDS = settings.VALUECHAIN["KEEP_VALID_RECORDS"]


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


def dead_letter_of(
    verdict: routing.Verdict, plan: routing.Plan, record: Any, **common: Any
) -> DeadLetter:
    """The dead letter of a record some reader's version rejects."""
    return DeadLetter(
        **common,
        version_id=plan.latest.ref.pk,
        payload=record,
        errors=[e.as_dict() for e in verdict.errors],
        rejected_by=verdict.rejected_by,
        accepted_by=verdict.accepted_by,
        rejections=verdict.rejections,
    )


def count_rejections(
    counts: dict[str, Any], plan: routing.Plan, verdicts: Sequence[routing.Verdict]
) -> dict[str, Any]:
    """Add each consumer's rejections to a run's {consumer: {version, rejected}}."""
    out = dict(counts)
    for target in plan.targets:
        for name in target.consumers:
            row = dict(out.get(name) or {"version": target.ref.version, "rejected": 0})
            row["version"] = target.ref.version
            out[name] = row
    for verdict in verdicts:
        for name in verdict.rejected_by:
            out[name]["rejected"] = int(out[name].get("rejected", 0)) + 1
    return out


@transaction.atomic
def _store_chunk(
    run: ValidationRun,
    attempt: int,
    start: int,
    records: Sequence[Any],
    plan: routing.Plan,
) -> None:
    """Judge records[start:start+len] for every reader and store them with the run's new resume
    point: a record the latest version accepts is a valid record, one any reader's version
    rejects is a dead letter (a record can be both: valid for the producer, rejected by a
    consumer still pinned to an older major)."""
    dead, valid = [], []
    verdicts = []
    for offset, (record, verdict) in enumerate(
        zip(records, routing.judge_records(plan, records), strict=True)
    ):
        index = start + offset
        common = {"run": run, "contract_id": run.contract_id, "record_index": index}
        if verdict.dead:
            verdicts.append(verdict)
            dead.append(
                dead_letter_of(verdict, plan, record, **common, received_at=run.received_at)
            )
        if verdict.valid_for_latest:
            valid.append(ValidRecord(**common, payload=record, received_at=run.received_at))
    DeadLetter.objects.bulk_create(dead, ignore_conflicts=True)
    ValidRecord.objects.bulk_create(valid, ignore_conflicts=True)
    rejections = ValidationRun.objects.values_list("consumer_rejections", flat=True).get(pk=run.pk)
    moved = _mine(run.pk, attempt).update(
        processed=start + len(records),
        valid_count=F("valid_count") + len(valid),
        dead_letter_count=F("dead_letter_count") + len(dead),
        consumer_rejections=count_rejections(rejections or {}, plan, verdicts),
        heartbeat_at=timezone.now(),
    )
    if not moved:
        raise LostRunError(run.pk)  # roll the chunk back: the new owner stores it


def process_run(run_id: int, attempt: int) -> str:
    """Validate a claimed run from its resume point; judge its SLA; finish it."""
    run = ValidationRun.objects.select_related("version", "contract").get(pk=run_id)
    records = list(run.records or [])
    plan = selectors.judging_plan(run.contract_id)
    for start in range(run.processed, len(records), CHUNK):
        _store_chunk(run, attempt, start, records[start : start + CHUNK], plan)
    finish_run(run, attempt, records)
    return "succeeded"


@transaction.atomic
def finish_run(run: ValidationRun, attempt: int, records: Sequence[Any]) -> None:
    now = timezone.now()
    terms = judging.SlaTerms.from_version(
        run.version.json_schema, run.version.sla, run.version.missing_thresholds
    )
    breaches = judging.judge(terms, records, [run.received_at] * len(records), now)
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
