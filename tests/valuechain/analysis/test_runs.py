"""Claiming runs: a redelivered task neither loses nor duplicates a run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from valuechain import models as m
from valuechain import tasks
from valuechain.analysis import runs, services
from valuechain.platform import leases

pytestmark = pytest.mark.django_db


def pending_run(idea: m.Idea) -> m.SimulationRun:
    return m.SimulationRun.objects.create(idea=idea, draws=500, seed=3)


def test_only_one_claim_of_a_pending_run_wins(shared_pair):
    run = pending_run(shared_pair.churn)
    first = runs.claim_run(m.SimulationRun, run.pk)
    second = runs.claim_run(m.SimulationRun, run.pk)
    assert first == leases.ClaimResult(leases.Claim.CLAIMED, 1)
    assert second.state is leases.Claim.BUSY
    run.refresh_from_db()
    assert run.status == m.RunStatus.RUNNING and run.started_at is not None


def test_a_run_whose_worker_died_is_claimed_again_and_the_dead_attempt_cannot_write(
    shared_pair,
):
    run = pending_run(shared_pair.churn)
    dead = runs.claim_run(m.SimulationRun, run.pk)
    # The worker died: its heartbeat stops and the lease runs out.
    m.SimulationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - leases.LEASE - timedelta(seconds=1)
    )
    alive = runs.claim_run(m.SimulationRun, run.pk)
    assert alive.state is leases.Claim.CLAIMED and alive.attempt == dead.attempt + 1

    assert not runs.record_progress(m.SimulationRun, run.pk, dead.attempt, 0.5)
    assert not runs.record_success(m.SimulationRun, run.pk, dead.attempt, {"x": 1})
    assert runs.record_success(m.SimulationRun, run.pk, alive.attempt, {"x": 2})
    run.refresh_from_db()
    assert run.result == {"x": 2} and run.status == m.RunStatus.SUCCEEDED
    assert run.progress == 100


def test_the_task_completes_a_pending_run_and_a_second_delivery_changes_nothing(shared_pair):
    run = pending_run(shared_pair.churn)
    assert tasks.run_simulation.apply(args=[run.pk]).get() == "succeeded"
    run.refresh_from_db()
    finished, result = run.finished_at, run.result
    assert run.status == m.RunStatus.SUCCEEDED and run.attempts == 1

    assert tasks.run_simulation.apply(args=[run.pk]).get() == "done"
    run.refresh_from_db()
    assert run.finished_at == finished and run.result == result and run.attempts == 1


def test_a_redelivered_task_after_a_crash_finishes_the_run_once(shared_pair):
    run = pending_run(shared_pair.churn)
    runs.claim_run(m.SimulationRun, run.pk)  # the crashed worker's claim
    m.SimulationRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - leases.LEASE - timedelta(minutes=1)
    )
    assert tasks.run_simulation.apply(args=[run.pk]).get() == "succeeded"
    run.refresh_from_db()
    assert run.status == m.RunStatus.SUCCEEDED and run.attempts == 2
    assert (run.result or {})["distribution"]["mean"] == pytest.approx(-30_000)


def test_a_task_for_a_deleted_run_does_nothing(shared_pair):
    assert tasks.run_portfolio.apply(args=[424242]).get() == "missing"


def test_a_failing_computation_marks_the_run_failed_with_the_reason(shared_pair, monkeypatch):
    run = m.PortfolioRun.objects.create(
        params={
            "discount_rate": 0.1,
            "horizon_years": 3,
            "seed": 1,
            "must_include": [],
            "must_exclude": [],
            "budget": None,
        }
    )

    def broken(params, progress):
        raise RuntimeError("solver unavailable")

    monkeypatch.setattr(runs, "portfolio_result", broken)
    assert tasks.run_portfolio.apply(args=[run.pk]).get() == "failed"
    run.refresh_from_db()
    assert run.status == m.RunStatus.FAILED
    assert "solver unavailable" in run.error
    assert run.finished_at is not None


def test_progress_is_stored_while_running_and_capped_below_done(shared_pair):
    run = pending_run(shared_pair.churn)
    claim = runs.claim_run(m.SimulationRun, run.pk)
    assert runs.record_progress(m.SimulationRun, run.pk, claim.attempt, 0.42)
    assert runs.record_progress(m.SimulationRun, run.pk, claim.attempt, 1.0)
    run.refresh_from_db()
    assert run.progress == 99 and run.status == m.RunStatus.RUNNING


def test_starting_a_run_queues_its_task_only_after_commit(
    shared_pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.start_simulation(idea=shared_pair.churn, draws=100, seed=1)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == m.RunStatus.PENDING  # nothing ran before commit
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == m.RunStatus.SUCCEEDED


def test_the_sweeper_requeues_lost_and_abandoned_runs_and_each_finishes_once(shared_pair):
    long_ago = timezone.now() - leases.LEASE - timedelta(seconds=5)
    lost = pending_run(shared_pair.churn)  # its task message never reached a worker
    m.SimulationRun.objects.filter(pk=lost.pk).update(created_at=long_ago)
    abandoned = pending_run(shared_pair.upsell)
    runs.claim_run(m.SimulationRun, abandoned.pk)  # a worker took it, then died
    m.SimulationRun.objects.filter(pk=abandoned.pk).update(heartbeat_at=long_ago)
    fresh = pending_run(shared_pair.churn)  # queued just now: left to its own task
    done = pending_run(shared_pair.churn)
    m.SimulationRun.objects.filter(pk=done.pk).update(
        status=m.RunStatus.SUCCEEDED, created_at=long_ago
    )

    assert runs.stalled_runs(m.SimulationRun) == [lost.pk, abandoned.pk]
    assert tasks.requeue_stalled_runs.delay().get() == 2  # tasks run inline in tests

    statuses = dict(m.SimulationRun.objects.values_list("pk", "status"))
    assert statuses[lost.pk] == statuses[abandoned.pk] == m.RunStatus.SUCCEEDED
    assert statuses[fresh.pk] == m.RunStatus.PENDING
    assert m.SimulationRun.objects.get(pk=abandoned.pk).attempts == 2
    assert runs.stalled_runs(m.SimulationRun) == []
