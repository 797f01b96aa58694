"""The roadmap task: takes a run id, queued after commit, acknowledged late; the conditional
claim of valuechain.analysis.runs makes a second delivery harmless."""

from __future__ import annotations

from celery import Task, shared_task

from valuechain import models as m
from valuechain.analysis import runs as analysis_runs
from valuechain.scenarios import runs


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_roadmap(self: Task, run_id: int) -> str:
    outcome = analysis_runs.execute(m.RoadmapRun, run_id, runs.roadmap_result)
    if outcome.status == "busy":
        raise self.retry(countdown=outcome.retry_in, max_retries=5)
    return outcome.status


@shared_task(ignore_result=True)
def requeue_stalled_roadmaps() -> int:
    """Queue again the roadmap runs whose task was lost or whose worker died."""
    stalled = analysis_runs.stalled_runs(m.RoadmapRun)
    for run_id in stalled:
        run_roadmap.delay(run_id)
    return len(stalled)
