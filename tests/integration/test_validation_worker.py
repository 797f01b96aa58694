"""A real Celery worker validates an uploaded batch; its pool process is killed halfway and
the redelivered task finishes the run with every record stored exactly once."""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from contracts.enforcement import services
from contracts.models import DeadLetter, ValidationRun, ValidRecord
from tests.contracts.factories import ContractVersionFactory
from tests.integration.test_celery_worker import (
    _pool_children,
    _postgres_url,
    client_app,
    wait_for,
)
from tests.integration.test_celery_worker import worker as worker  # the fixture

# Serialized rollback restores the seeded tiers, roles and groups for the tests after these.
pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORDS = 60_000


def test_a_batch_whose_worker_dies_is_finished_once_by_the_redelivered_task(
    postgres: None, redis_url: str, worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the worker's pool process")
    version = ContractVersionFactory()
    records = [
        {"order_id": f"O{i}", "amount": -1 if i % 10 == 0 else i, "note": "x" * 40}
        for i in range(RECORDS)
    ]
    # A batch far above a request's bound, so the worker is caught halfway through it.
    monkeypatch.setattr(services, "MAX_BATCH_RECORDS", RECORDS)
    run = services.start_validation(
        contract=version.contract, records=records, source="upload", queue=False
    )
    monkeypatch.setenv("VALUECHAIN_VALIDATION_CHUNK", "200")  # many commits: caught halfway
    monkeypatch.setenv("VALUECHAIN_KEEP_VALID_RECORDS", str(RECORDS))  # keep them all to count
    queue = f"valuechain-test-{uuid.uuid4().hex[:8]}"
    process = worker(_postgres_url(connection.settings_dict), queue)
    client_app(redis_url).send_task("contracts.tasks.validate_batch", args=[run.pk], queue=queue)

    def read() -> dict[str, Any]:
        row = ValidationRun.objects.filter(pk=run.pk).values(
            "status", "processed", "attempts", "error", "valid_count", "dead_letter_count"
        )
        return dict(row.first() or {})

    wait_for(read, lambda s: s.get("status") == "running" and 0 < s["processed"] < RECORDS / 2,
             process)  # fmt: skip
    children = _pool_children(process.pid)
    assert children, "the worker has no pool process to kill"
    for child in children:
        os.kill(child, signal.SIGKILL)  # the pool process dies mid-run

    done = wait_for(read, lambda s: s.get("status") in ("succeeded", "failed"), process)
    assert done["status"] == "succeeded", done["error"]
    assert done["attempts"] == 2
    assert (done["valid_count"], done["dead_letter_count"]) == (RECORDS * 9 // 10, RECORDS // 10)
    indices: list[Any] = [
        *ValidRecord.objects.filter(run_id=run.pk).values_list("record_index", flat=True),
        *DeadLetter.objects.filter(run_id=run.pk).values_list("record_index", flat=True),
    ]
    assert sorted(indices) == list(range(RECORDS))
