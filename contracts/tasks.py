"""Background validation of uploaded batches.

The task takes a run id, is queued after commit, acknowledges late and is requeued when its
worker dies; the conditional claim makes a second delivery harmless and the run's resume point
lets it carry on where the dead worker stopped.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.contrib.auth.models import User

from contracts.enforcement import batches, recovery, retention
from contracts.models import ContractVersion, DataContract
from valuechain.platform.leases import Claim

logger = logging.getLogger(__name__)


# The run row holds status and counts: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def validate_batch(self: Task, run_id: int) -> str:
    claim = batches.claim_run(run_id)
    if claim.state is Claim.BUSY:
        # another worker holds a live lease (or held it and died): look again once it expires
        raise self.retry(countdown=int(claim.lease_left) + 1, max_retries=5)
    if claim.state is not Claim.CLAIMED:
        return claim.state.value
    try:
        return batches.process_run(run_id, claim.attempt)
    except batches.LostRunError:
        logger.warning("validation run %s was taken over before it finished", run_id)
        return "lost"
    except Exception as exc:  # the run records why; the worker stays healthy
        logger.exception("validation run %s failed", run_id)
        batches.record_failure(run_id, claim.attempt, f"{type(exc).__name__}: {exc}")
        return "failed"


@shared_task(ignore_result=True)
def requeue_stalled_validations() -> int:
    """Queue again the validation runs whose task was lost or whose worker died (celery beat
    runs this); a run resumes from its last stored chunk."""
    stalled = batches.stalled_runs()
    for run_id in stalled:
        validate_batch.delay(run_id)
    if stalled:
        logger.info("queued %d stalled validation runs again", len(stalled))
    return len(stalled)


@shared_task(ignore_result=True)
def prune_contract_records() -> dict[str, int]:
    """Keep each contract's newest dead letters and valid records only (celery beat, hourly);
    idempotent: a second run right after deletes nothing."""
    pruned = retention.enforce_retention()
    if pruned.dead_letters or pruned.valid_records:
        logger.info(
            "pruned %d dead letters and %d valid records over %d contracts",
            pruned.dead_letters,
            pruned.valid_records,
            pruned.contracts,
        )
    return {"dead_letters": pruned.dead_letters, "valid_records": pruned.valid_records}


# Replays dead letters chunk by chunk, each chunk claimed by a conditional update and committed
# with its valid records; the forward to the streams happens once per letter (a marker key).
# A worker killed midway loses nothing (acks late: redelivered) and duplicates nothing.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def replay_dead_letters(
    self: Task,
    contract_id: int,
    version_id: int,
    ids: list[int] | None = None,
    user_id: int | None = None,
) -> dict[str, int]:
    contract = DataContract.objects.get(pk=contract_id)
    version = ContractVersion.objects.get(pk=version_id, contract_id=contract_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    result = recovery.replay(contract=contract, ids=ids, version=version, user=user)
    logger.info("replayed dead letters of contract %s: %s", contract_id, result.as_dict())
    return result.as_dict()
