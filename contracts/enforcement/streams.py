"""The real-time path: a Redis Streams consumer holding each record to its contract.

Producers XADD records to ``contracts:<id>:records`` (a field ``record`` holding the record as
JSON; without it the message's fields are the record, converted to the schema's types).
Consumers in one group share the work:

1. XREADGROUP hands a batch to this consumer; Redis keeps it pending until acknowledged.
2. The batch is validated and stored in one database transaction: valid records and dead
   letters, each unique per contract, stream and message id, so a message stored before is
   found and not stored again.
3. Only after the commit, one Lua script (one round trip for the whole batch) acknowledges
   each message and routes it (topics.py): to ``contracts:<id>:valid`` when the latest version
   accepts it, to ``contracts:<id>:valid:v<major>`` for each consumer major whose version
   accepts it, to ``contracts:<id>:dead`` when some reader's version rejects it; but only when
   its XACK acknowledged it (returned 1). The routing and the ack are one atomic step, so a
   message is forwarded exactly once even when two consumers race for it after a takeover.
4. On start (and between reads) the consumer XAUTOCLAIMs messages left pending longer than
   ``claim_idle_ms`` by a consumer that died; they go through steps 2 and 3 again.

Records are judged for every reader (routing.py): the producer's latest version and each
consumer's pinned one. The consumer looks again at the published versions and the consumers'
pins every ``plan_check_seconds`` (two small queries) and judges by a newly published version
from its next batch on, without a restart; its run records the version it started with.

A crash before the commit loses nothing (the message stays pending); a crash between the
commit and the ack stores nothing twice (step 2 finds the rows) and forwards nothing twice
(step 3 happens once).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from django.utils import timezone

from contracts.enforcement import judging, records, routing, selectors, services, topics
from contracts.models import DataContract, ValidationRun

logger = logging.getLogger(__name__)

DEFAULT_GROUP = "contract-enforcement"
MAX_MESSAGE_BYTES = 1024 * 1024
records_stream = topics.records_stream
valid_stream = topics.valid_stream


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def arrival_of(message_id: str) -> datetime:
    """A stream id starts with the milliseconds at which Redis added the entry."""
    return _arrival_at(message_id.partition("-")[0])


@functools.lru_cache(maxsize=1024)
def _arrival_at(millis: str) -> datetime:
    # the messages of a batch share a few milliseconds: each is turned into a datetime once
    return datetime.fromtimestamp(int(millis) / 1000, tz=UTC)


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder for every message (json.loads with options builds one per call). Each number
# with a fraction or an exponent is checked not to overflow to infinity: a JSON float is
# rarely more than a few per record, and the check is cheaper than looking for one.
_DECODER = json.JSONDecoder(parse_constant=_refuse, parse_float=records.finite_float)


def entry_of(message_id: str, fields: dict[Any, Any], schema: Any = None) -> services.StreamEntry:
    """The record a message carries, or the reason it carries none: the JSON of its
    ``record`` field, or else its fields, converted to the schema's types."""
    arrival = arrival_of(message_id)
    size = sum(len(k) + len(v) for k, v in fields.items() if isinstance(v, (bytes, str)))
    if size > MAX_MESSAGE_BYTES:
        return services.StreamEntry(
            message_id, None, arrival, f"The message is over {MAX_MESSAGE_BYTES} bytes."
        )
    raw = fields.get(b"record", fields.get("record"))
    if raw is None:
        decoded = {_text(k): _text(v) for k, v in fields.items()}
        return services.StreamEntry(message_id, records.coerce_fields(decoded, schema), arrival)
    text = _text(raw)
    try:
        record = _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        problem = f"The record field is not JSON: {exc}."[:300]
        return services.StreamEntry(message_id, {"record": text[:10_000]}, arrival, problem)
    return services.StreamEntry(message_id, record, arrival, text=text)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A batch's entries and the verdicts of those carrying a record, under ``plan``."""

    plan: routing.Plan
    entries: list[services.StreamEntry]
    judged: list[routing.Verdict]


@dataclass
class ConsumerStats:
    read: int = 0  # messages handed to this consumer (new or reclaimed)
    reclaimed: int = 0
    stored_valid: int = 0
    stored_dead: int = 0
    forwarded: int = 0
    acked: int = 0
    batches: list[int] = field(default_factory=list)


class ContractStreamConsumer:
    """One consumer of a contract's record stream, in a consumer group."""

    def __init__(
        self,
        *,
        client: redis.Redis,
        contract: DataContract,
        stream: str | None = None,
        output: str | None = None,
        dead_output: str | None = None,
        group: str = DEFAULT_GROUP,
        consumer: str | None = None,
        batch_size: int = 100,
        claim_idle_ms: int = 60_000,
        plan_check_seconds: float = 1.0,
    ) -> None:
        self.client = client
        self.contract = contract
        self.stream = stream or records_stream(contract.pk)
        self.output = output or valid_stream(contract.pk)
        self.dead_output = dead_output or topics.dead_stream(contract.pk)
        self.group = group
        self.consumer = consumer or default_consumer_name()
        self.batch_size = batch_size
        self.claim_idle_ms = claim_idle_ms
        self.stats = ConsumerStats()
        self._ack_and_route = client.register_script(topics.ACK_AND_ROUTE)
        self.plan_check_seconds = plan_check_seconds
        self.run: ValidationRun | None = None
        self.plan: routing.Plan | None = None
        self._plan_checked = 0.0
        self._terms: judging.SlaTerms | None = None
        self.last_arrival: datetime | None = None

    # --- setup

    def start(self) -> ValidationRun:
        """Join the group (creating stream and group when new) and open this session's run."""
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self.run = services.start_stream_run(
            contract=self.contract, stream=self.stream, consumer_name=self.consumer
        )
        self.refresh_plan(force=True)
        self.last_arrival = selectors.last_arrival(self.contract, self.stream)
        return self.run

    def refresh_plan(self, *, force: bool = False) -> bool:
        """Judge by the versions published and pinned now (True when they changed): a running
        consumer takes up a newly published version without a restart."""
        now = time.monotonic()
        if not force and now - self._plan_checked < self.plan_check_seconds:
            return False
        self._plan_checked = now
        plan = selectors.judging_plan(self.contract)
        if self.plan is not None and plan.key == self.plan.key:
            return False
        latest_changed = self.plan is None or plan.latest.ref.pk != self.plan.latest.ref.pk
        self.plan = plan
        if latest_changed:
            version = selectors.published_version(self.contract, plan.latest.ref.version)
            self._terms = judging.SlaTerms.from_version(
                version.json_schema, version.sla, version.missing_thresholds
            )
        return True

    # --- the steps

    def reclaim(self) -> int:
        """Take over messages another consumer left pending too long, and process them."""
        cursor = "0-0"
        total = 0
        while True:
            reply: Any = self.client.xautoclaim(
                self.stream, self.group, self.consumer, self.claim_idle_ms, cursor,
                count=self.batch_size,
            )  # fmt: skip
            cursor = _text(reply[0])
            messages = [(_text(i), f) for i, f in reply[1] if f is not None]
            gone = [_text(i) for i in (reply[2] if len(reply) > 2 else [])]
            if gone:  # trimmed from the stream while pending: nothing left to process
                self.client.xack(self.stream, self.group, *gone)
            if messages:
                self.stats.reclaimed += len(messages)
                total += len(messages)
                self.process(messages)
            if cursor == "0-0":
                return total

    def read(self, block_ms: int, count: int | None = None) -> list[tuple[str, dict[Any, Any]]]:
        reply: Any = self.client.xreadgroup(
            self.group, self.consumer, {self.stream: ">"},
            count=count or self.batch_size, block=block_ms,
        )  # fmt: skip
        if not reply:
            return []
        _, messages = reply[0]
        return [(_text(i), f) for i, f in messages]

    def prepare(self, messages: Sequence[tuple[str, dict[Any, Any]]]) -> Prepared:
        """The batch's entries, judged by the plan in force: no database, no acknowledgement,
        so it can run while the previous batch is being stored."""
        plan = self.plan
        assert plan is not None, "start() first"
        entries = [entry_of(i, f, plan.latest.ref.json_schema) for i, f in messages]
        judged = routing.judge_records(plan, [e.record for e in entries if not e.problem])
        return Prepared(plan, entries, judged)

    def store(
        self,
        messages: Sequence[tuple[str, dict[Any, Any]]],
        *,
        redelivered: bool = True,
        prepared: Prepared | None = None,
    ) -> services.StoredBatch:
        """Step 2: validate and store in one transaction. Nothing is acknowledged yet."""
        assert self.run is not None and self.plan and self._terms, "start() first"
        self.refresh_plan()
        if prepared is None or prepared.plan is not self.plan:
            prepared = self.prepare(messages)  # judged by a plan that has changed since
        entries = prepared.entries
        stored = services.store_stream_batch(
            run=self.run, entries=entries, plan=self.plan, terms=self._terms,
            redelivered=redelivered, judged=prepared.judged,
        )  # fmt: skip
        self.stats.stored_valid += stored.new_valid
        self.stats.stored_dead += stored.new_dead
        if entries:
            newest = max(e.arrival for e in entries)
            self.last_arrival = max(self.last_arrival or newest, newest)
        return stored

    def acknowledge(
        self, messages: Sequence[tuple[str, dict[Any, Any]]], stored: services.StoredBatch
    ) -> int:
        """Step 3, after the commit: ack each message and route it, atomically."""
        assert self.plan is not None
        majors = self.plan.consumer_majors
        cid = self.contract.pk
        keys = [self.stream, self.output, self.dead_output]
        keys += [topics.major_stream(cid, m) for m in majors]
        args: list[Any] = [self.group, topics.valid_maxlen(), topics.dead_maxlen()]
        for message_id, _ in messages:
            dead = stored.dead.get(message_id)
            accepting = set(stored.majors.get(message_id, ()))
            args += [
                message_id,
                stored.records.get(message_id, "null"),
                "1" if message_id in stored.valid else "0",
                json.dumps(dead, ensure_ascii=False) if dead else "",
                "".join("1" if m in accepting else "0" for m in majors),
            ]
        forwarded = int(self._ack_and_route(keys=keys, args=args))
        self.stats.forwarded += forwarded
        self.stats.acked += len(messages)
        return forwarded

    def process(
        self,
        messages: Sequence[tuple[str, dict[Any, Any]]],
        *,
        redelivered: bool = True,
        prepared: Prepared | None = None,
    ) -> None:
        """Steps 2 and 3 for a batch; ``redelivered=False`` for messages read for the first
        time (nothing of them can be stored yet)."""
        self.stats.read += len(messages)
        self.stats.batches.append(len(messages))
        stored = self.store(messages, redelivered=redelivered, prepared=prepared)
        self.acknowledge(messages, stored)

    def _read_ahead(self, block_ms: int, count: int) -> tuple[list[Any], Prepared | None]:
        messages = self.read(block_ms, count)
        return messages, self.prepare(messages) if messages else None

    def check_staleness(self) -> None:
        """On a quiet stream: judge the windows that closed meanwhile, and the freshness
        promise, breached once nothing arrived for too long."""
        assert self.run is not None and self._terms is not None
        now = timezone.now()
        services.judge_closed_windows(run=self.run, terms=self._terms, now=now, idle=True)
        breach = judging.judge_staleness(self._terms, self.last_arrival, now)
        if breach is not None:
            services.record_breaches(
                contract=self.contract, version=self.run.version, run=self.run,
                breaches=[breach], key_prefix=f"stream:{self.stream}:quiet", now=now,
                bucket=now.strftime("%Y-%m-%dT%H"),
            )  # fmt: skip

    # --- the loop

    def consume(
        self,
        *,
        max_messages: int | None = None,
        block_ms: int = 5_000,
        until_empty: bool = False,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> ConsumerStats:
        """Reclaim, then read and process until stopped, ``max_messages`` were handled, or
        (``until_empty``) a read finds nothing.

        The next batch is read, parsed and judged on a second thread while this one is being
        stored: the database does its part while Python does its own. A batch read ahead is
        pending in Redis like any other until it is stored and acknowledged, so a consumer
        that dies leaves both batches to the next; one that is stopped processes it first."""
        run = self.run or self.start()
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-reader")
        ahead: Future[tuple[list[Any], Prepared | None]] | None = None

        def wanted(after: int = 0) -> int:
            if max_messages is None:
                return self.batch_size
            return min(self.batch_size, max(max_messages - self.stats.read - after, 0))

        try:
            self.reclaim()
            while True:
                if ahead is None:
                    if should_stop() or not wanted():
                        break
                    ahead = reader.submit(self._read_ahead, block_ms, wanted())
                messages, prepared = ahead.result()
                ahead = None
                if messages:
                    if not should_stop() and wanted(len(messages)):
                        ahead = reader.submit(self._read_ahead, block_ms, wanted(len(messages)))
                    self.process(messages, redelivered=False, prepared=prepared)
                    continue
                self.check_staleness()
                if until_empty:
                    break
                self.reclaim()
        except BaseException as exc:
            # pending messages stay pending: the next consumer takes them over
            reader.shutdown(wait=False, cancel_futures=True)
            services.finish_stream_run(run, error=f"{type(exc).__name__}: {exc}")
            raise
        reader.shutdown()
        services.finish_stream_run(run)
        return self.stats
