"""Per-consumer versions and recovery against a real Redis and a real Celery worker.

* A consumer pinned to v1 and one pinned to v2 read the same records stream: each version's
  stream carries what that version accepts, the dead-letter stream the rest, naming who
  rejects it; a version published while the stream consumer runs is used from its next batch.
* A bulk replay after a fixing version moves every dead letter it now accepts to the valid
  streams exactly once, even when the worker running it is killed in the middle.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from django.utils import timezone

from contracts.enforcement import streams, topics
from contracts.models import DeadLetter, DeadLetterAction, ValidationRun, ValidRecord
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
)
from tests.integration.test_celery_worker import (
    _pool_children,
    _postgres_url,
    client_app,
    wait_for,
)
from tests.integration.test_celery_worker import worker as worker  # the fixture

pytestmark = [pytest.mark.redis]

# v2: ids up to 20 characters (v1: 12) and a required currency; 2.1.0 makes currency optional.
V2_SCHEMA: dict[str, Any] = {
    **ORDER_SCHEMA,
    "properties": {
        **ORDER_SCHEMA["properties"],
        "order_id": {"type": "string", "maxLength": 20},
        "currency": {"type": "string"},
    },
    "required": ["order_id", "amount", "currency"],
}
V21_SCHEMA: dict[str, Any] = {**V2_SCHEMA, "required": ["order_id", "amount"]}

V1_ONLY = {"order_id": "A1", "amount": 1}  # no currency
V2_ONLY = {"order_id": "HM-2026-000001", "amount": 2, "currency": "EUR"}  # a long id
BOTH = {"order_id": "A3", "amount": 3, "currency": "EUR"}
NEITHER = {"order_id": "A4", "amount": -4, "currency": "EUR"}


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def _forget(client: redis.Redis, contract_id: int) -> None:
    keys = list(client.scan_iter(match=f"contracts:{contract_id}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def contract(client: redis.Redis) -> Iterator[Any]:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0")
    ContractVersionFactory(contract=contract, version="2.0.0", json_schema=V2_SCHEMA)
    ConsumerFactory(contract=contract, name="Finance monthly close", pinned_major=1)
    ConsumerFactory(contract=contract, name="Fraud model", pinned_major=2)
    _forget(client, contract.pk)  # ids repeat across test databases; Redis does not reset
    yield contract
    _forget(client, contract.pk)


def _records(client: redis.Redis, stream: str) -> list[Any]:
    entries: Any = client.xrange(stream)
    return [json.loads(fields[b"record"]) for _, fields in entries]


@pytest.mark.django_db
def test_a_v1_and_a_v2_consumer_each_get_what_their_version_accepts(
    client: redis.Redis, contract: Any
) -> None:
    cid = contract.pk
    for record in (V1_ONLY, V2_ONLY, BOTH, NEITHER):
        client.xadd(topics.records_stream(cid), {"record": json.dumps(record)})
    consumer = streams.ContractStreamConsumer(
        client=client, contract=contract, consumer="one", batch_size=10, plan_check_seconds=0
    )
    consumer.start()
    consumer.process(consumer.read(block_ms=50))

    assert _records(client, topics.major_stream(cid, 1)) == [V1_ONLY, BOTH]
    assert _records(client, topics.major_stream(cid, 2)) == [V2_ONLY, BOTH]
    assert _records(client, topics.valid_stream(cid)) == [V2_ONLY, BOTH]  # the latest, 2.0.0
    dead: Any = client.xrange(topics.dead_stream(cid))
    letters = [json.loads(fields[b"dead_letter"]) for _, fields in dead]
    assert [(d["record"], d["rejected_by"]) for d in letters] == [
        (V1_ONLY, ["Fraud model"]),
        (V2_ONLY, ["Finance monthly close"]),
        (NEITHER, ["Finance monthly close", "Fraud model"]),
    ]
    assert "'currency' is a required property" in letters[0]["errors"][0]["message"]
    stored = DeadLetter.objects.get(contract=contract, payload=V1_ONLY)
    assert stored.accepted_by == ["Finance monthly close"] and stored.version.version == "2.0.0"
    run = ValidationRun.objects.get(pk=consumer.run.pk)
    assert run.consumer_rejections["Fraud model"] == {"version": "2.0.0", "rejected": 2}

    # 2.1.0 is published while the consumer runs: its next batch is judged by it
    ContractVersionFactory(contract=contract, version="2.1.0", json_schema=V21_SCHEMA)
    later = {"order_id": "A5", "amount": 5}
    client.xadd(topics.records_stream(cid), {"record": json.dumps(later)})
    consumer.process(consumer.read(block_ms=50))
    assert _records(client, topics.major_stream(cid, 2))[-1] == later
    assert _records(client, topics.major_stream(cid, 1))[-1] == later
    assert not DeadLetter.objects.filter(contract=contract, payload=later).exists()
    assert client.xpending(topics.records_stream(cid), streams.DEFAULT_GROUP)["pending"] == 0


LETTERS = 2_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_replay_whose_worker_dies_moves_each_letter_exactly_once(
    postgres: None,
    redis_url: str,
    client: redis.Redis,
    contract: Any,
    worker: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs /proc to find the worker's pool process")
    v2 = contract.versions.get(version="2.0.0")
    run = ValidationRun.objects.create(
        contract=contract, version=v2, source="api", status="succeeded",
        received_at=timezone.now(), received_count=LETTERS, dead_letter_count=LETTERS,
    )  # fmt: skip
    DeadLetter.objects.bulk_create(
        DeadLetter(
            run=run,
            contract=contract,
            record_index=i,
            version=v2,
            payload={"order_id": f"O{i}", "amount": i},
            errors=[{"message": "no currency"}],
            rejected_by=["Fraud model"],
            received_at=run.received_at,
        )
        for i in range(LETTERS)
    )
    fix = ContractVersionFactory(contract=contract, version="2.1.0", json_schema=V21_SCHEMA)
    monkeypatch.setenv("VALUECHAIN_REPLAY_CHUNK", "20")  # many commits: caught halfway
    queue = f"valuechain-test-{uuid.uuid4().hex[:8]}"
    process = worker(_postgres_url(connection.settings_dict), queue)
    client_app(redis_url).send_task(
        "contracts.tasks.replay_dead_letters", args=[contract.pk, fix.pk, None, None], queue=queue
    )

    def read() -> dict[str, Any]:
        rows = DeadLetter.objects.filter(contract=contract)
        return {
            "replayed": rows.filter(status="replayed").count(),
            "forwarded": rows.filter(forwarded_at__isnull=False).count(),
        }

    wait_for(read, lambda s: 0 < s["replayed"] < LETTERS / 2, process)
    children = _pool_children(process.pid)
    assert children, "the worker has no pool process to kill"
    for child in children:
        os.kill(child, signal.SIGKILL)  # killed mid-replay

    wait_for(read, lambda s: s["forwarded"] == LETTERS, process)
    assert ValidRecord.objects.filter(contract=contract).count() == LETTERS
    assert DeadLetterAction.objects.filter(contract=contract, action="replay").count() == LETTERS
    for stream in (topics.valid_stream(contract.pk), topics.major_stream(contract.pk, 2)):
        entries: Any = client.xrange(stream)
        sources = Counter(fields[b"source_id"].decode() for _, fields in entries)
        assert len(sources) == LETTERS and set(sources.values()) == {1}, stream
    assert not client.xrange(topics.major_stream(contract.pk, 1))  # 2.1.0 is no v1 version
