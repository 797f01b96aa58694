"""Background analysis: Monte Carlo simulations and portfolio runs.

Tasks take ids, are queued after commit, acknowledge late and are requeued when their worker
dies; the conditional claim in valuechain.analysis.runs makes a second delivery harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task

from valuechain import models as m
from valuechain.analysis import runs

logger = logging.getLogger(__name__)


def _execute(
    task: Task,
    model: runs.RunModel,
    run_id: int,
    compute: Callable[[Any, Callable[[float], None]], dict[str, Any]],
) -> str:
    outcome = runs.execute(model, run_id, compute)
    if outcome.status == "busy":
        # Another worker holds a live lease (or held it and died, as when this delivery
        # follows a crash): look again just after it would expire.
        raise task.retry(countdown=outcome.retry_in, max_retries=5)
    return outcome.status


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_simulation(self: Task, run_id: int) -> str:
    return _execute(self, m.SimulationRun, run_id, runs.simulation_result)


# The run row holds status and result: nothing to keep in the result backend.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_portfolio(self: Task, run_id: int) -> str:
    return _execute(
        self,
        m.PortfolioRun,
        run_id,
        lambda run, progress: runs.portfolio_result(run.params, progress),
    )


@shared_task(ignore_result=True)
def requeue_stalled_runs() -> int:
    """Queue again the runs whose task was lost or whose worker died (celery beat runs this);
    the conditional claim makes a run queued twice harmless."""
    queued = 0
    for model, task in ((m.SimulationRun, run_simulation), (m.PortfolioRun, run_portfolio)):
        for run_id in runs.stalled_runs(model):
            task.delay(run_id)
            queued += 1
    if queued:
        logger.info("queued %d stalled analysis runs again", queued)
    return queued
