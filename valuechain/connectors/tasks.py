"""Large imports, applied by a Celery worker with progress (the run/lease pattern of
valuechain.analysis.runs: a claim by conditional update, so a redelivered task is harmless)."""

from __future__ import annotations

from celery import Task, shared_task

from valuechain import models as m
from valuechain.analysis import runs
from valuechain.connectors import sync


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_connector_import(self: Task, run_id: int) -> str:
    outcome = runs.execute(m.ConnectorRun, run_id, sync.apply_run)  # type: ignore[arg-type]
    if outcome.status == "busy":
        raise self.retry(countdown=outcome.retry_in, max_retries=5)
    return outcome.status


@shared_task(ignore_result=True)
def requeue_stalled_imports() -> int:
    """Queue again the imports whose worker died (celery beat may run this)."""
    stalled = runs.stalled_runs(m.ConnectorRun)  # type: ignore[arg-type]
    for run_id in stalled:
        run_connector_import.delay(run_id)
    return len(stalled)
