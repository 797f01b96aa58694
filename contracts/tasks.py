"""Background validation of uploaded batches.

The task takes a run id, is queued after commit, acknowledges late and is requeued when its
worker dies; the conditional claim makes a second delivery harmless and the run's resume point
lets it carry on where the dead worker stopped.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from contracts.enforcement import batches, retention
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
