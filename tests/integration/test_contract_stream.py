"""The real-time path against a real Redis: every message ends up exactly once, valid (in the
store and on the valid stream) or dead-lettered, even when a consumer dies mid-batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contracts.enforcement import streams
from contracts.models import (
    Alert,
    DeadLetter,
    MissingWindow,
    SlaBreach,
    ValidationRun,
    ValidRecord,
)
from tests.contracts.factories import ConsumerFactory, ContractVersionFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

GOOD = {"order_id": "A1", "amount": 3}


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


@pytest.fixture
def names(client: redis.Redis) -> Iterator[tuple[str, str]]:
    """A records stream and a valid stream of this test's own, removed afterwards."""
    tag = uuid.uuid4().hex[:10]
    pair = (f"test:{tag}:records", f"test:{tag}:valid")
    yield pair
    client.delete(*pair)


@pytest.fixture
def version() -> Any:
    return ContractVersionFactory()


def _consumer(client: redis.Redis, version: Any, names: tuple[str, str], name: str, **kw: Any):
    return streams.ContractStreamConsumer(
        client=client, contract=version.contract, stream=names[0], output=names[1],
        consumer=name, **kw,
    )  # fmt: skip


def _publish(client: redis.Redis, stream: str, count: int) -> dict[str, Any]:
    """``count`` messages, every third one breaking the contract; message id -> record."""
    sent = {}
    for i in range(count):
        record = {"order_id": f"O{i}", "amount": -1 if i % 3 == 0 else i}
        message_id = client.xadd(stream, {"record": json.dumps(record)})
        sent[message_id.decode()] = record
    return sent


def _outcome(client: redis.Redis, version: Any, names: tuple[str, str]) -> dict[str, Counter]:
    entries: Any = client.xrange(names[1])
    forwarded = Counter(fields[b"source_id"].decode() for _, fields in entries)
    scope = {"contract": version.contract, "stream": names[0]}
    return {
        "valid": Counter(ValidRecord.objects.filter(**scope).values_list("message_id", flat=True)),
        "dead": Counter(DeadLetter.objects.filter(**scope).values_list("message_id", flat=True)),
        "forwarded": forwarded,
    }


def _assert_exactly_once(
    client: redis.Redis, version: Any, names: tuple[str, str], sent: dict[str, Any]
) -> None:
    out = _outcome(client, version, names)
    valid_ids = {i for i, r in sent.items() if r["amount"] >= 0}
    assert out["valid"] == Counter(valid_ids)
    assert out["dead"] == Counter(set(sent) - valid_ids)
    assert out["forwarded"] == Counter(valid_ids)
    pending = client.xpending(names[0], streams.DEFAULT_GROUP)
    assert pending["pending"] == 0


def test_a_consumer_routes_valid_records_on_and_the_rest_to_dead_letters(
    client: redis.Redis, version: Any, names: tuple[str, str]
) -> None:
    sent = _publish(client, names[0], 12)
    bad_json = client.xadd(names[0], {"record": "{not json"}).decode()
    flat = client.xadd(names[0], {"order_id": "F1", "amount": "7"}).decode()
    flat_bad = client.xadd(names[0], {"order_id": "F2", "amount": "seven"}).decode()
    consumer = _consumer(client, version, names, "solo", batch_size=5)
    stats = consumer.consume(block_ms=50, until_empty=True)
    assert stats.read == 15
    assert stats.batches == [5, 5, 5]
    out = _outcome(client, version, names)
    assert set(out["dead"]) == {
        *(i for i, r in sent.items() if r["amount"] < 0),
        bad_json,
        flat_bad,
    }
    letter = DeadLetter.objects.get(message_id=bad_json)
    assert "not JSON" in letter.errors[0]["message"]
    # flat fields take the schema's types where they can
    assert DeadLetter.objects.get(message_id=flat_bad).errors[0]["pointer"] == "/amount"
    assert ValidRecord.objects.get(message_id=flat).payload == {"order_id": "F1", "amount": 7}
    forwarded: Any = client.xrange(names[1])
    assert [json.loads(f[b"record"]) for _, f in forwarded] == [
        *(r for r in sent.values() if r["amount"] >= 0),
        {"order_id": "F1", "amount": 7},
    ]
    run = ValidationRun.objects.get(pk=consumer.run.pk)
    assert (run.source, run.status) == ("stream", "succeeded")
    assert (run.received_count, run.valid_count, run.dead_letter_count) == (15, 9, 6)
    assert client.xpending(names[0], streams.DEFAULT_GROUP)["pending"] == 0


def test_a_consumer_judges_a_backtracking_pattern_and_a_remote_reference_without_hanging(
    client: redis.Redis, names: tuple[str, str], tmp_path: Any
) -> None:
    """Versions stored before such schemas were refused: the evil record is dead-lettered with
    its pattern error, and a reference to a file is never read."""
    secret = tmp_path / "schema.json"
    secret.write_text('{"type": "string"}')
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^(a+)+$"},
            "ref": {"$ref": secret.as_uri()},
        },
        "required": ["code"],
    }
    version = ContractVersionFactory(json_schema=schema)
    evil = client.xadd(names[0], {"code": "a" * 27 + "!"}).decode()
    fine = client.xadd(names[0], {"code": "aaaa"}).decode()
    referring = client.xadd(names[0], {"record": json.dumps({"code": "a", "ref": "x"})}).decode()
    consumer = _consumer(client, version, names, "solo")
    assert consumer.consume(block_ms=50, until_empty=True).read == 3
    assert DeadLetter.objects.get(message_id=evil).errors[0]["schema_pointer"] == (
        "/properties/code/pattern"
    )
    assert ValidRecord.objects.filter(message_id=fine).exists()
    message = DeadLetter.objects.get(message_id=referring).errors[0]["message"]
    assert "does not resolve inside the schema" in message


def test_a_consumer_killed_before_storing_loses_nothing(
    client: redis.Redis, version: Any, names: tuple[str, str]
) -> None:
    sent = _publish(client, names[0], 20)
    doomed = _consumer(client, version, names, "doomed", batch_size=8)
    doomed.start()
    taken = doomed.read(block_ms=50)  # handed 8 messages, then killed: nothing acked
    assert len(taken) == 8
    assert client.xpending(names[0], streams.DEFAULT_GROUP)["pending"] == 8

    time.sleep(0.05)
    survivor = _consumer(client, version, names, "survivor", batch_size=8, claim_idle_ms=20)
    stats = survivor.consume(block_ms=50, until_empty=True)
    assert stats.reclaimed == 8
    assert stats.read == 20
    _assert_exactly_once(client, version, names, sent)


def test_a_consumer_killed_between_commit_and_ack_duplicates_nothing(
    client: redis.Redis, version: Any, names: tuple[str, str]
) -> None:
    sent = _publish(client, names[0], 9)
    doomed = _consumer(client, version, names, "doomed", batch_size=6)
    doomed.start()
    doomed.store(doomed.read(block_ms=50))  # stored and committed, killed before the ack
    assert ValidRecord.objects.count() + DeadLetter.objects.count() == 6

    time.sleep(0.05)
    survivor = _consumer(client, version, names, "survivor", claim_idle_ms=20)
    stats = survivor.consume(block_ms=50, until_empty=True)
    assert stats.reclaimed == 6
    assert stats.stored_valid + stats.stored_dead == 3  # only the messages never stored
    _assert_exactly_once(client, version, names, sent)
    survivor_run = ValidationRun.objects.get(pk=survivor.run.pk)
    assert survivor_run.received_count == 3


def test_a_consumer_whose_database_write_fails_leaves_its_messages_for_the_next(
    client: redis.Redis, version: Any, names: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _publish(client, names[0], 5)
    failing = _consumer(client, version, names, "failing")

    def refuse(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(streams.services, "store_stream_batch", refuse)
        with pytest.raises(RuntimeError):
            failing.consume(block_ms=50, until_empty=True)
    run = ValidationRun.objects.get(pk=failing.run.pk)
    assert (run.status, run.error) == ("failed", "RuntimeError: the database went away")
    assert client.xpending(names[0], streams.DEFAULT_GROUP)["pending"] == 5
    time.sleep(0.05)
    _consumer(client, version, names, "next", claim_idle_ms=20).consume(
        block_ms=50, until_empty=True
    )
    _assert_exactly_once(client, version, names, sent)


def test_a_second_group_reading_the_same_stream_stores_nothing_twice(
    client: redis.Redis, version: Any, names: tuple[str, str]
) -> None:
    """Messages new to a group are inserted without looking for their rows; when another
    group stored them already, the batch is stored again skipping them, not refused."""
    sent = _publish(client, names[0], 9)
    first = _consumer(client, version, names, "first")
    first.consume(block_ms=50, until_empty=True)
    audit_output = f"{names[1]}:audit"
    try:
        second = streams.ContractStreamConsumer(
            client=client, contract=version.contract, stream=names[0], output=audit_output,
            group="audit", consumer="second",
        )  # fmt: skip
        stats = second.consume(block_ms=50, until_empty=True)
        assert (stats.read, stats.stored_valid, stats.stored_dead) == (9, 0, 0)
        assert client.xlen(audit_output) == 6  # the audit group's own copy of the valid ones
    finally:
        client.delete(audit_output)
    _assert_exactly_once(client, version, names, sent)
    runs = {r.consumer_name: r for r in ValidationRun.objects.filter(stream=names[0])}
    assert (runs["first"].valid_count, runs["first"].dead_letter_count) == (6, 3)
    assert (runs["second"].valid_count, runs["second"].dead_letter_count) == (0, 0)


def test_a_slow_consumer_that_wakes_after_a_takeover_forwards_nothing_twice(
    client: redis.Redis, version: Any, names: tuple[str, str]
) -> None:
    sent = _publish(client, names[0], 6)
    slow = _consumer(client, version, names, "slow")
    slow.start()
    messages = slow.read(block_ms=50)
    stored = slow.store(messages)
    time.sleep(0.05)
    _consumer(client, version, names, "other", claim_idle_ms=20).consume(
        block_ms=50, until_empty=True
    )
    assert slow.acknowledge(messages, stored) == 0  # the other consumer already did
    _assert_exactly_once(client, version, names, sent)


def test_late_records_on_the_stream_alert_producer_and_consumers(
    client: redis.Redis, names: tuple[str, str]
) -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}},
    }
    version = ContractVersionFactory(
        json_schema=schema, sla={"max_lateness": {"value": 1, "unit": "h"}}
    )
    ConsumerFactory(contract=version.contract, name="fraud model")
    old = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    client.xadd(names[0], {"record": json.dumps({"id": "a", "at": old})})
    client.xadd(names[0], {"record": json.dumps({"id": "b", "at": old})})
    _consumer(client, version, names, "solo").consume(block_ms=50, until_empty=True)
    # a second consumer session on the same hour does not repeat the breach
    client.xadd(names[0], {"record": json.dumps({"id": "c", "at": old})})
    _consumer(client, version, names, "again").consume(block_ms=50, until_empty=True)
    breach = SlaBreach.objects.get()
    assert breach.kind == "lateness" and breach.field == "/properties/at"
    assert breach.observed > 3 * 3600 - 60 and breach.limit == 3600
    assert set(Alert.objects.values_list("role", "recipient_name")) == {
        ("producer", version.contract.owner.username),
        ("consumer", "fraud model"),
    }


def test_missing_values_are_judged_per_closed_window_across_batches(
    client: redis.Redis, names: tuple[str, str]
) -> None:
    """One record per batch: the window's count, not each batch, meets the threshold."""
    schema = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "note": {"type": ["string", "null"]},
        },
    }
    version = ContractVersionFactory(
        json_schema=schema,
        missing_thresholds=[{"field": "/properties/note", "metric": "nullValues",
                             "max_ratio": 0.5, "window": "1h"}],
    )  # fmt: skip
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    two_ago, one_ago, now = hour - timedelta(hours=2), hour - timedelta(hours=1), hour

    def send(start: datetime, notes: list[str | None]) -> None:
        for i, note in enumerate(notes):
            at = (start + timedelta(minutes=i)).isoformat()
            client.xadd(names[0], {"record": json.dumps({"at": at, "note": note})})

    send(two_ago, [None, "a", "b"])  # 1 of 3 null: kept
    send(one_ago, [None, None, "c"])  # 2 of 3 null: breached
    send(now, [None, None, None])  # the current hour: still open
    _consumer(client, version, names, "solo", batch_size=1).consume(block_ms=50, until_empty=True)
    breach = SlaBreach.objects.get()
    assert (breach.kind, breach.field) == ("missing_ratio", "/properties/note")
    assert breach.window_start == one_ago
    assert (breach.records, breach.observed) == (3, pytest.approx(2 / 3))
    assert "2 of 3 records" in breach.detail
    (still_open,) = MissingWindow.objects.filter(judged_at__isnull=True)
    assert (still_open.window_start, still_open.records, still_open.missing) == (now, 3, 3)


def test_the_management_command_is_bounded(
    client: redis.Redis,
    version: Any,
    names: tuple[str, str],
    redis_url: str,
    settings: Any,
) -> None:
    settings.REDIS_URL = redis_url
    sent = _publish(client, names[0], 7)
    out = StringIO()
    args = ["--contract", str(version.contract_id), "--stream", names[0], "--output", names[1]]
    call_command("consume_contract_stream", *args, "--max-messages", "5", "--block-ms", "50",
                 stdout=out)  # fmt: skip
    assert "Read 5 messages" in out.getvalue()
    call_command("consume_contract_stream", *args, "--until-empty", "--block-ms", "50",
                 stdout=out)  # fmt: skip
    assert "Read 2 messages" in out.getvalue()
    _assert_exactly_once(client, version, names, sent)
    with pytest.raises(CommandError, match="No contract"):
        call_command("consume_contract_stream", "--contract", "999999")
    with pytest.raises(CommandError, match="must be positive"):
        call_command("consume_contract_stream", *args, "--batch-size", "0")


def _postgres_url(db: dict[str, Any]) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


# Serialized rollback restores the seeded tiers, roles and groups for the tests after this one.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_consumer_process_killed_mid_stream_loses_and_duplicates_nothing(
    postgres: None, redis_url: str, client: redis.Redis, names: tuple[str, str], settings: Any
) -> None:
    """A real consumer process is SIGKILLed while it works through the stream; a second
    consumer takes over its pending messages. Every message ends up exactly once."""
    version = ContractVersionFactory()
    sent = _publish(client, names[0], 3000)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "valuechain.settings",
        "DATABASE_URL": _postgres_url(connection.settings_dict),
        "REDIS_URL": redis_url,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "consume_contract_stream",
         "--contract", str(version.contract_id), "--stream", names[0], "--output", names[1],
         "--consumer", "doomed", "--batch-size", "50", "--block-ms", "100"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while ValidRecord.objects.count() + DeadLetter.objects.count() < 200:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the consumer exited ({process.returncode}):\n{output[-3000:]}")
            assert time.monotonic() < deadline, "the consumer stored nothing within a minute"
            time.sleep(0.02)
    finally:
        process.kill()  # SIGKILL: no chance to finish the batch in hand
        process.wait()
    stored_before = ValidRecord.objects.count() + DeadLetter.objects.count()
    assert stored_before < len(sent), "the consumer finished before it could be killed"
    pending_at_kill = client.xpending(names[0], streams.DEFAULT_GROUP)["pending"]
    assert pending_at_kill > 0, "killed between two batches: nothing was left in hand"

    settings.REDIS_URL = redis_url
    time.sleep(0.3)
    out = StringIO()
    call_command(
        "consume_contract_stream", "--contract", str(version.contract_id), "--stream",
        names[0], "--output", names[1], "--consumer", "survivor", "--claim-idle-ms", "200",
        "--block-ms", "100", "--until-empty", stdout=out,
    )  # fmt: skip
    assert f"({pending_at_kill} taken over)" in out.getvalue()
    _assert_exactly_once(client, version, names, sent)
    doomed_run = ValidationRun.objects.get(consumer_name="doomed")
    assert doomed_run.status == "running"  # it never finished
    survivor_run = ValidationRun.objects.get(consumer_name="survivor")
    assert doomed_run.received_count + survivor_run.received_count == len(sent)
