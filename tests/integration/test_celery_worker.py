"""A real Celery worker process, fed through Redis, completes analysis runs.

The worker must see the test's data: on PostgreSQL it connects to the test database; on
SQLite (an in-memory test database) the data is copied to a file that the worker uses and
that the test then reads.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.factories import CuratedDatasetFactory, FeatureFactory, IdeaFactory, NeedFactory
from valuechain import models as m

# Serialized rollback restores the seeded tiers, roles and groups for the tests after these.
pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 90.0


@dataclass
class SharedDatabase:
    url: str
    read_run: Callable[[str, int], dict[str, Any]]


def _postgres_url(db: dict[str, Any]) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[Callable[[], SharedDatabase]]:
    """Call after creating the data: the worker's DATABASE_URL and a way to read runs."""

    def share() -> SharedDatabase:
        if connection.vendor == "postgresql":

            def read_orm(table: str, run_id: int) -> dict[str, Any]:
                model = m.SimulationRun if "simulation" in table else m.PortfolioRun
                row = (
                    model.objects.filter(pk=run_id)
                    .values("status", "progress", "attempts", "result", "error")
                    .first()
                )
                return dict(row or {})

            return SharedDatabase(_postgres_url(connection.settings_dict), read_orm)
        if connection.vendor != "sqlite":
            pytest.skip(f"no way to share a {connection.vendor} test database with a worker")
        path = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def read_file(table: str, run_id: int) -> dict[str, Any]:
            with sqlite3.connect(path, timeout=10) as db:
                db.row_factory = sqlite3.Row
                row = db.execute(
                    f"SELECT status, progress, attempts, result, error FROM {table} WHERE id = ?",
                    (run_id,),
                ).fetchone()
            if row is None:
                return {}
            found = dict(row)
            found["result"] = json.loads(found["result"]) if found["result"] else None
            return found

        return SharedDatabase(f"sqlite:///{path}", read_file)

    yield share


@pytest.fixture
def worker(redis_url: str) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """Start worker processes on their own queue; each is stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []
    queues: list[str] = []

    def start(database_url: str, queue: str) -> subprocess.Popen[bytes]:
        queues.append(queue)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "valuechain.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "VALUECHAIN_RUN_LEASE_SECONDS": "3",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "valuechain",
                "worker",
                "-Q",
                queue,
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                "-n",
                f"{queue}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    # Leave no trace of the test queues in a shared Redis.
    import redis

    client = redis.Redis.from_url(redis_url)
    for queue in queues:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_for(
    read: Callable[[], dict[str, Any]],
    done: Callable[[dict[str, Any]], bool],
    process: subprocess.Popen[bytes],
    timeout: float = TIMEOUT,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = read()
        if done(state):
            return state
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the worker exited ({process.returncode}):\n{output[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting; last state {state}")


def client_app(redis_url: str) -> Celery:
    """A producer of the worker's tasks. Not the current app: shared tasks called later in
    the session would bind to it and go to its broker instead of running inline."""
    return Celery("valuechain-test-client", broker=redis_url, backend=None, set_as_current=False)


def shared_pair() -> tuple[m.Idea, m.Idea]:
    dataset = CuratedDatasetFactory(
        available=False, feasibility=0.9, build_low=80_000, build_likely=100_000, build_high=150_000
    )
    ideas = []
    for build in (10_000, 20_000):
        feature = FeatureFactory(
            available=False,
            feasibility=1.0,
            curated_datasets=[dataset],
            build_low=build,
            build_likely=build,
            build_high=build,
        )
        idea = IdeaFactory(
            benefit_low=50_000,
            benefit_likely=70_000,
            benefit_high=90_000,
            probability_of_success=0.8,
        )
        NeedFactory(idea=idea, feature=feature)
        ideas.append(idea)
    return ideas[0], ideas[1]


def test_a_worker_process_completes_a_simulation_and_a_portfolio_run(
    redis_url, worker, shared_database
):
    first, _ = shared_pair()
    simulation = m.SimulationRun.objects.create(idea=first, draws=20_000, seed=8)
    run = m.PortfolioRun.objects.create(
        params={
            "budget": None,
            "must_include": [],
            "must_exclude": [],
            "discount_rate": 0.1,
            "horizon_years": 3,
            "seed": 4,
        }
    )
    db = shared_database()
    queue = f"valuechain-test-{uuid.uuid4().hex[:8]}"
    process = worker(db.url, queue)
    app = client_app(redis_url)
    app.send_task("valuechain.tasks.run_simulation", args=[simulation.pk], queue=queue)
    app.send_task("valuechain.tasks.run_portfolio", args=[run.pk], queue=queue)

    def finished(state: dict[str, Any]) -> bool:
        return state.get("status") in ("succeeded", "failed")

    sim = wait_for(
        lambda: db.read_run("valuechain_simulationrun", simulation.pk), finished, process
    )
    assert sim["status"] == "succeeded", sim["error"]
    assert sim["progress"] == 100 and sim["attempts"] == 1
    assert sim["result"]["seed"] == 8
    assert 0 < sim["result"]["distribution"]["probability_of_loss"] < 1

    folio = wait_for(lambda: db.read_run("valuechain_portfoliorun", run.pk), finished, process)
    assert folio["status"] == "succeeded", folio["error"]
    assert len(folio["result"]["frontier"]) >= 2
    assert folio["result"]["gap"] <= 1e-4


def _pool_children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        return []
    return [int(p) for p in path.read_text().split()]


def test_a_run_whose_worker_process_dies_is_finished_once_by_the_redelivered_task(
    redis_url, worker, shared_database
):
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the worker's pool process")
    first, _ = shared_pair()
    # Far more draws than the API allows, so that the run is caught halfway (several seconds).
    simulation = m.SimulationRun.objects.create(idea=first, draws=4_000_000, seed=2)
    db = shared_database()
    queue = f"valuechain-test-{uuid.uuid4().hex[:8]}"
    process = worker(db.url, queue)
    client_app(redis_url).send_task(
        "valuechain.tasks.run_simulation", args=[simulation.pk], queue=queue
    )

    def read() -> dict[str, Any]:
        return db.read_run("valuechain_simulationrun", simulation.pk)

    wait_for(
        read, lambda s: s.get("status") == "running" and 0 < s.get("progress", 0) < 60, process
    )
    children = _pool_children(process.pid)
    assert children, "the worker has no pool process to kill"
    for child in children:
        os.kill(child, signal.SIGKILL)  # the pool process dies mid-run

    # The task is rejected and requeued; the next delivery waits out the dead lease.
    done = wait_for(read, lambda s: s.get("status") in ("succeeded", "failed"), process)
    assert done["status"] == "succeeded", done["error"]
    assert done["attempts"] == 2
    assert done["result"]["draws"] == 4_000_000
