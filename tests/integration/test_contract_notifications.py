"""Notifications and scheduled checks with the real Redis, a real Celery worker and beat:
a local receiver gets signed webhook deliveries, a failing one is retried with backoff and
then marked failed; a quiet stream opens a freshness breach from beat alone and the breach
resolves itself when data arrives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from contracts.models import SlaBreach, ValidRecord, Webhook, WebhookDelivery
from contracts.notifications import signing
from tests.contracts.factories import GOOD, ContractVersionFactory, ValidationRunFactory
from tests.contracts.notifications.receiver import receiver
from tests.factories import UserFactory
from tests.integration.test_celery_worker import _postgres_url, client_app

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMEOUT = 60.0


@pytest.fixture
def celery_processes(redis_url: str, postgres: None) -> Iterator[Callable[..., Any]]:
    """Start a worker (and, asked, beat) on a queue of the test's own, sharing the test's
    PostgreSQL database; both stop at the end and the queue leaves no trace in Redis."""
    queue = f"valuechain-test-{uuid.uuid4().hex[:8]}"
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "valuechain.settings",
        "DATABASE_URL": _postgres_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "VALUECHAIN_WEBHOOK_BACKOFF_SECONDS": "1",
        "VALUECHAIN_WEBHOOK_MAX_ATTEMPTS": "3",
        "VALUECHAIN_WEBHOOK_TIMEOUT_SECONDS": "3",
        "VALUECHAIN_WEBHOOK_ALLOW_PRIVATE": "1",  # the receivers listen on 127.0.0.1
    }

    def start(*, beat: bool = False) -> str:
        command = [
            sys.executable, "-m", "celery", "-A", "valuechain", "worker", "-Q", queue,
            "--concurrency=1", "--pool=prefork", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=INFO", "-n", f"{queue}@%h",
        ]  # fmt: skip
        started.append(_spawn(command, env))
        if beat:
            started.append(
                _spawn(
                    [sys.executable, "-m", "celery", "-A", "valuechain", "beat",
                     "--loglevel=INFO", "--max-interval=1",
                     "--scheduler=django_celery_beat.schedulers:DatabaseScheduler"],
                    env,
                )
            )  # fmt: skip
        return queue

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(read: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + TIMEOUT
    state = None
    while time.monotonic() < deadline:
        state = read()
        if done(state):
            return state
        time.sleep(0.3)
    pytest.fail(f"timed out waiting; last state {state}")


def _send(redis_url: str, queue: str, task: str, *args: Any) -> None:
    client_app(redis_url).send_task(task, args=list(args), queue=queue)


def test_a_worker_delivers_signed_webhooks_and_retries_a_failing_receiver_until_failed(
    celery_processes, redis_url
):
    owner = UserFactory()
    with receiver(200) as good, receiver(500) as bad:
        hooks = {
            name: Webhook.objects.create(
                owner=owner, name=name, url=server.url, secret=signing.new_secret()
            )
            for name, server in (("good", good), ("bad", bad))
        }
        rows = {
            name: WebhookDelivery.objects.create(
                webhook=hook, event="test", key=f"test:{name}", payload={"event": "test"}
            )
            for name, hook in hooks.items()
        }
        queue = celery_processes()
        for row in rows.values():
            _send(redis_url, queue, "contracts.notifications.tasks.deliver_webhook", row.pk)

        def read(name: str) -> WebhookDelivery:
            return WebhookDelivery.objects.get(pk=rows[name].pk)

        ok = wait_for(lambda: read("good"), lambda r: r.status == "succeeded")
        failed = wait_for(lambda: read("bad"), lambda r: r.status == "failed")
        stamps = [time.time()]  # when the receivers are read

    assert (ok.attempts, ok.response_code) == (1, 200)
    got = good.received[0]
    assert signing.verify(
        hooks["good"].secret, got.headers[signing.SIGNATURE_HEADER], got.body, stamps[0]
    )
    assert json.loads(got.body) == {"event": "test"}
    # three attempts, the last one a failure; each retry waited for its backoff (1 s, 2 s)
    assert (failed.attempts, failed.response_code) == (3, 500)
    assert len(bad.received) == 3
    times = [int(r.headers[signing.SIGNATURE_HEADER].split(",")[0][2:]) for r in bad.received]
    assert times[1] - times[0] >= 1 and times[2] - times[1] >= 1
    for r in bad.received:  # every attempt is signed, each with its own time
        assert signing.verify(
            hooks["bad"].secret, r.headers[signing.SIGNATURE_HEADER], r.body, stamps[0], 120
        )


def test_a_quiet_stream_breaches_freshness_from_beat_alone_and_recovers_when_data_arrives(
    celery_processes,
):
    version = ContractVersionFactory(sla={"freshness": {"value": 2, "unit": "s"}})
    long_ago = timezone.now() - timedelta(minutes=5)
    run = ValidationRunFactory(contract=version.contract, version=version, received_at=long_ago)
    ValidRecord.objects.create(
        contract=version.contract, run=run, record_index=0, payload=GOOD, received_at=long_ago
    )
    # beat's database schedule, as the migration seeded it, checking every second for the test
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.filter(name="contract-sla-checks").update(interval=every_second)
    celery_processes(beat=True)

    def breaches() -> list[SlaBreach]:
        return list(SlaBreach.objects.filter(contract=version.contract).order_by("id"))

    opened = wait_for(breaches, lambda rows: len(rows) == 1)[0]
    assert opened.kind == "freshness" and opened.resolved_at is None
    assert "Nothing has arrived for 0:05" in opened.detail
    time.sleep(3)  # beat checks every second meanwhile: the open breach is not repeated
    assert [b.pk for b in breaches()] == [opened.pk]

    # data arrives (the records' arrival time is now): the next check resolves the breach
    fresh = ValidationRunFactory(contract=version.contract, version=version)
    ValidRecord.objects.create(
        contract=version.contract, run=fresh, record_index=0, payload=GOOD,
        received_at=timezone.now(),
    )  # fmt: skip
    resolved = wait_for(
        lambda: SlaBreach.objects.get(pk=opened.pk), lambda b: b.resolved_at is not None
    )
    assert resolved.resolved_at > opened.detected_at
