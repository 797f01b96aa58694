"""Benchmark: records validated per second against a contract schema, 100,000 records.

The records look like order events (ten fields, one nested object, an array); one in ten
breaks the contract. Three ways over the same records, measured in this run:

* baseline: jsonschema's plain loop, ``list(validator.iter_errors(record))`` per record
  (Draft 2020-12, format checker on);
* jsonschema-rs alone: its plain loop, ``list(validator.iter_errors(record))`` per record, with
  the same formats checked (the product's target is to stay within 1.5x of it);
* enforcement: contracts.enforcement.judging.RecordValidator as used (jsonschema-rs, errors
  phrased as jsonschema's), through validate_records.

It checks that all three dead-letter the same records with the same error pointers, and that
the product's messages are jsonschema's. With REDIS_URL set it then measures the stream path end
to end on the same records: XADD to a contract's records stream, one consumer, each record
stored and sent to the valid stream or the dead-letter stream (a throwaway database of the
configured kind, throwaway stream names).

    python bench/bench_enforcement.py
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

import django

django.setup()

import jsonschema_rs  # noqa: E402
import redis  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from jsonschema import Draft202012Validator  # noqa: E402

from contracts.enforcement import judging as enf  # noqa: E402
from contracts.enforcement import rs_validator, streams  # noqa: E402
from contracts.models import ContractVersion, DataContract  # noqa: E402

RECORDS = 100_000
INVALID_SHARE = 0.1

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": "^O[0-9]{1,9}$"},
        "customer_id": {"type": "integer", "minimum": 1},
        "amount": {"type": "number", "minimum": 0, "maximum": 1_000_000},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP"]},
        "status": {"type": "string", "enum": ["open", "paid", "shipped", "cancelled"]},
        "email": {"type": ["string", "null"], "format": "email", "maxLength": 254},
        "placed_at": {"type": "string", "format": "date-time"},
        "express": {"type": "boolean"},
        "shipping": {
            "type": "object",
            "properties": {
                "country": {"type": "string", "minLength": 2, "maxLength": 2},
                "postcode": {"type": "string", "maxLength": 12},
            },
            "required": ["country"],
            "additionalProperties": False,
        },
        "lines": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "minItems": 1,
            "maxItems": 50,
        },
    },
    "required": ["order_id", "customer_id", "amount", "currency", "status", "placed_at"],
}


def make_records(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    for i in range(RECORDS):
        record: dict[str, Any] = {
            "order_id": f"O{i}",
            "customer_id": rng.randint(1, 50_000),
            "amount": round(rng.uniform(0, 5_000), 2),
            "currency": rng.choice(["EUR", "USD", "GBP"]),
            "status": rng.choice(["open", "paid", "shipped", "cancelled"]),
            "email": rng.choice([f"c{i}@example.com", None]),
            "placed_at": "2026-03-01T10:00:00Z",
            "express": rng.random() < 0.2,
            "shipping": {"country": rng.choice(["FR", "DE", "GB"]), "postcode": "75001"},
            "lines": [rng.randint(1, 9) for _ in range(rng.randint(1, 5))],
        }
        if rng.random() < INVALID_SHARE:
            breakage = rng.randrange(4)
            if breakage == 0:
                record["amount"] = -record["amount"] - 1
            elif breakage == 1:
                del record["currency"]
            elif breakage == 2:
                record["shipping"]["country"] = "FRA"
            else:
                record["lines"] = []
        records.append(record)
    return records


Outcome = list[tuple[int, tuple[str, ...]]]


def baseline(records: list[dict[str, Any]]) -> Outcome:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    out = []
    for i, record in enumerate(records):
        errors = list(validator.iter_errors(record))
        if errors:
            out.append((i, tuple(sorted(enf.json_pointer(e.absolute_path) for e in errors))))
    return out


def rs_alone(records: list[dict[str, Any]]) -> Outcome:
    validator = jsonschema_rs.Draft202012Validator(
        SCHEMA, validate_formats=True, formats=rs_validator._format_checks()
    )
    out = []
    for i, record in enumerate(records):
        errors = list(validator.iter_errors(record))
        if errors:
            out.append((i, tuple(sorted(enf.json_pointer(e.instance_path) for e in errors))))
    return out


def enforcement(fast: bool) -> Callable[[list[dict[str, Any]]], Outcome]:
    def run(records: list[dict[str, Any]]) -> Outcome:
        validator = enf.RecordValidator(SCHEMA, fast=fast, rust=fast)
        result = enf.validate_records(validator, records)
        return [
            (i, tuple(sorted(e.pointer for e in errors))) for i, errors in result.invalid.items()
        ]

    return run


REPEATS = 3  # best of, for the fast ways; the jsonschema baseline (seconds long) runs once


def timed(fn: Callable[[list[dict[str, Any]]], Outcome], records: list[Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(records)
    return time.perf_counter() - start, out


def best_of(fn: Callable[[list[dict[str, Any]]], Outcome], records: list[Any], n: int) -> Any:
    runs = [timed(fn, records) for _ in range(n)]
    return min(r[0] for r in runs), runs[0][1]


def messages_of(records: list[dict[str, Any]], product: Outcome) -> list[Any]:
    """The product's messages, next to plain jsonschema's, for every invalid record."""
    plain = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator = enf.RecordValidator(SCHEMA)
    mismatched = []
    for index, _ in product:
        ours = sorted((e.pointer, e.message) for e in validator.errors(records[index]))
        theirs = sorted(
            (enf.json_pointer(e.absolute_path), e.message)
            for e in plain.iter_errors(records[index])
        )
        if ours != theirs:
            mismatched.append((index, ours, theirs))
    return mismatched


def stream_throughput(records: list[dict[str, Any]]) -> tuple[float, float, int, int] | None:
    """XADD every record to a contract's stream and run one consumer until the stream is
    empty: valid records to the valid stream, the rest to the dead-letter stream (and both
    stored in a throwaway database). Wall seconds, this process's CPU seconds, valid, dead;
    None without REDIS_URL."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    # tables straight from the models: the migrations' history is not what is measured
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    client = redis.Redis.from_url(url)
    tag = f"bench:{uuid.uuid4().hex[:10]}"
    names = {k: f"{tag}:{k}" for k in ("records", "valid", "dead")}
    try:
        contract = DataContract.objects.create(name="bench orders", status="active")
        ContractVersion.objects.create(
            contract=contract, version="1.0.0", major=1, minor=0, patch=0, json_schema=SCHEMA,
            compatibility_mode="BACKWARD", published_at=timezone.now(),
        )  # fmt: skip
        consumer = streams.ContractStreamConsumer(
            client=client, contract=contract, stream=names["records"], output=names["valid"],
            dead_output=names["dead"], consumer="bench", batch_size=1000,
        )  # fmt: skip
        consumer.start()
        start, cpu = time.perf_counter(), time.process_time()
        for first in range(0, len(records), 5000):
            with client.pipeline(transaction=False) as pipe:
                for record in records[first : first + 5000]:
                    pipe.xadd(names["records"], {"record": json.dumps(record)})
                pipe.execute()
        consumer.consume(block_ms=100, until_empty=True)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        valid, dead = client.xlen(names["valid"]), client.xlen(names["dead"])
    finally:
        client.delete(*names.values())
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return seconds, cpu, valid, dead


def main() -> None:
    records = make_records(random.Random(42))
    base_s, base_out = timed(baseline, records)
    rs_s, rs_out = best_of(rs_alone, records, REPEATS)
    fast_s, fast_out = best_of(enforcement(fast=True), records, REPEATS)
    assert rs_out == base_out and fast_out == base_out, "they dead-letter different records"
    mismatched = messages_of(records, fast_out)
    assert not mismatched, f"messages differ from jsonschema's: {mismatched[:3]}"
    print(
        f"{RECORDS:,} records, {len(base_out):,} invalid ({len(base_out) / RECORDS:.1%}); "
        f"same records and error pointers all ways, the product's messages are jsonschema's"
    )
    rows = [
        ("baseline: plain jsonschema iter_errors loop (once)", base_s),
        (f"jsonschema-rs alone, iter_errors loop (best of {REPEATS})", rs_s),
        (f"enforcement: the product's validator (best of {REPEATS})", fast_s),
    ]
    for label, seconds in rows:
        print(
            f"  {label:<56} {seconds:7.2f} s  {RECORDS / seconds:>10,.0f} records/s  "
            f"x{base_s / seconds:.2f} vs baseline"
        )
    print(
        f"  the product's validator: x{base_s / fast_s:.1f} plain jsonschema (target >= 10); "
        f"x{fast_s / rs_s:.2f} the time of jsonschema-rs alone (target <= 1.5)"
    )
    stream = stream_throughput(records)
    if stream is None:
        print("  stream end to end: skipped (set REDIS_URL to measure it)")
        return
    seconds, cpu, valid, dead = stream
    print(
        f"  stream end to end (XADD -> one consumer -> valid or dead-letter stream, stored): "
        f"{seconds:.2f} s, {RECORDS / seconds:,.0f} records/s (target >= 10,000); "
        f"{valid:,} valid, {dead:,} dead-lettered"
    )
    print(
        f"    of which producer and consumer CPU in this process: {cpu:.2f} s "
        f"({RECORDS / cpu:,.0f} records per CPU second; Redis and the database run beside it, "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    assert valid + dead == RECORDS and dead == len(base_out), "the stream lost or added records"


if __name__ == "__main__":
    main()
