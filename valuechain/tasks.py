"""Background analysis: Monte Carlo simulations and portfolio runs.

Tasks take ids, are queued after commit, acknowledge late and are requeued when their worker
dies; the conditional claim in analysis_services makes a second delivery harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task

from valuechain import analysis_services as services
from valuechain import models as m
from valuechain.platform.leases import Claim

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.25  # seconds between progress writes


def _progress_writer(
    model: services.RunModel, run_id: int, attempt: int
) -> Callable[[float], None]:
    """Store progress at most every PROGRESS_INTERVAL seconds (each write renews the lease)."""
    last = [0.0]

    def write(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            services.record_progress(model, run_id, attempt, fraction)

    return write


def _run(
    task: Task,
    model: services.RunModel,
    run_id: int,
    compute: Callable[[Any, Callable[[float], None]], dict[str, Any]],
) -> str:
    claim = services.claim_run(model, run_id)
    if claim.state is Claim.BUSY:
        # Another worker holds a live lease (or held it and died, as when this delivery
        # follows a crash): look again just after it would expire.
        raise task.retry(countdown=int(claim.lease_left) + 1, max_retries=5)
    if claim.state is not Claim.CLAIMED:
        return claim.state.value
    run = model.objects.get(pk=run_id)
    try:
        result = compute(run, _progress_writer(model, run_id, claim.attempt))
    except Exception as exc:  # the run records why; the worker stays healthy
        logger.exception("%s %s failed", model.__name__, run_id)
        services.record_failure(model, run_id, claim.attempt, f"{type(exc).__name__}: {exc}")
        return "failed"
    if not services.record_success(model, run_id, claim.attempt, result):
        logger.warning("%s %s was taken over before it finished", model.__name__, run_id)
        return "lost"
    return "succeeded"


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_simulation(self: Task, run_id: int) -> str:
    return _run(self, m.SimulationRun, run_id, services.simulation_result)


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_portfolio(self: Task, run_id: int) -> str:
    return _run(
        self,
        m.PortfolioRun,
        run_id,
        lambda run, progress: services.portfolio_result(run.params, progress),
    )


@shared_task(ignore_result=True)
def requeue_stalled_runs() -> int:
    """Queue again the runs whose task was lost or whose worker died (celery beat runs this);
    the conditional claim makes a run queued twice harmless."""
    queued = 0
    for model, task in ((m.SimulationRun, run_simulation), (m.PortfolioRun, run_portfolio)):
        for run_id in services.stalled_runs(model):
            task.delay(run_id)
            queued += 1
    if queued:
        logger.info("queued %d stalled analysis runs again", queued)
    return queued
