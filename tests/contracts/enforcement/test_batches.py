"""Running a validation run: resumed after a dead worker, refused to a worker that lost its
lease, breaches stored once, stalled runs swept up again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from contracts.enforcement import batches, breaches, selectors, services
from contracts.enforcement import judging as enf
from contracts.models import Alert, DeadLetter, SlaBreach, ValidationRun, ValidRecord
from contracts.tasks import validate_batch
from tests.contracts.factories import GOOD, NEGATIVE, NO_AMOUNT
from valuechain.platform import leases

pytestmark = pytest.mark.django_db


def test_a_run_resumes_after_a_worker_died_mid_run(
    version: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first worker stored one chunk and died; the redelivered task finishes the run with
    every record stored exactly once."""
    monkeypatch.setattr(batches, "CHUNK", 4)
    records = [GOOD if i % 2 else NEGATIVE for i in range(10)]
    run = services.start_validation(
        contract=version.contract, records=records, source="api", queue=False
    )
    claim = batches.claim_run(run.pk)
    batches._store_chunk(
        run, claim.attempt, 0, records[:4], selectors.judging_plan(version.contract)
    )
    with pytest.raises(Retry):  # the dead worker's lease is still alive: look again later
        validate_batch.apply(args=[run.pk]).get()
    ValidationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - leases.LEASE - timedelta(seconds=1)
    )
    assert validate_batch.apply(args=[run.pk]).get() == "succeeded"
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 2)
    stored: list[Any] = [
        *DeadLetter.objects.values_list("record_index", flat=True),
        *ValidRecord.objects.values_list("record_index", flat=True),
    ]
    indices = sorted(stored)
    assert indices == list(range(10))
    assert (run.valid_count, run.dead_letter_count) == (5, 5)
    # a third delivery of the same task changes nothing
    assert validate_batch.apply(args=[run.pk]).get() == "done"
    assert DeadLetter.objects.count() + ValidRecord.objects.count() == 10


def test_a_worker_that_lost_its_lease_cannot_store(version: Any) -> None:
    run = services.start_validation(
        contract=version.contract, records=[GOOD, NEGATIVE], source="api", queue=False
    )
    stale = batches.claim_run(run.pk).attempt
    ValidationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - leases.LEASE - timedelta(seconds=1)
    )
    assert batches.claim_run(run.pk).state is leases.Claim.CLAIMED  # taken over
    with pytest.raises(batches.LostRunError):
        batches._store_chunk(run, stale, 0, [GOOD], selectors.judging_plan(version.contract))
    assert not ValidRecord.objects.exists()


def test_judging_the_same_run_again_repeats_no_breach(version: Any) -> None:
    run = services.start_validation(
        contract=version.contract, records=[NO_AMOUNT], source="api", queue=False
    )
    breach = enf.Breach(
        enf.BreachKind.LATENESS, "/properties/at", 90, 60, "seconds", None, None, 1, "late"
    )
    now = timezone.now()
    for _ in range(2):
        breaches.record_breaches(
            contract=version.contract, version=version, run=run, breaches=[breach],
            key_prefix=f"run:{run.pk}", now=now,
        )  # fmt: skip
    assert SlaBreach.objects.count() == 1
    assert Alert.objects.count() == 1  # the owner, once


def test_the_sweeper_resumes_a_validation_whose_worker_died(version: Any) -> None:
    from contracts.tasks import requeue_stalled_validations

    records = [GOOD if i % 2 else NEGATIVE for i in range(6)]
    run = services.start_validation(
        contract=version.contract, records=records, source="api", queue=False
    )
    assert batches.stalled_runs() == []  # just queued: its own task will come
    batches.claim_run(run.pk)  # a worker took it and died before storing anything
    ValidationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - leases.LEASE - timedelta(seconds=1)
    )
    assert batches.stalled_runs() == [run.pk]
    assert requeue_stalled_validations.apply().get() == 1
    run.refresh_from_db()
    assert (run.status, run.valid_count, run.dead_letter_count) == ("succeeded", 3, 3)
    assert batches.stalled_runs() == []
