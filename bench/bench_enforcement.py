"""Benchmark: records validated per second against a contract schema, 100,000 records.

The records look like order events (ten fields, one nested object, an array); one in ten
breaks the contract. Four ways over the same records, measured in this run:

* baseline: jsonschema's plain loop, ``list(validator.iter_errors(record))`` per record
  (Draft 2020-12, format checker on);
* jsonschema-rs alone: its plain loop, ``list(validator.iter_errors(record))`` per record, with
  the same formats checked (the product's target is to stay within 1.5x of it);
* enforcement, jsonschema only: contracts.enforcement.judging.RecordValidator without
  jsonschema-rs and without the compiled check (what a schema jsonschema-rs cannot hold gets);
* enforcement: RecordValidator as used (jsonschema-rs, errors phrased as jsonschema's).

It checks that all four dead-letter the same records with the same error pointers (and the
product the same messages as jsonschema), then measures the stream path end to end when
REDIS_URL is set (see bench_stream in contracts' enforcement benchmarks below).

    python bench/bench_enforcement.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import Draft202012Validator

import jsonschema_rs

from contracts.enforcement import judging as enf
from contracts.enforcement import rs_validator

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


REPEATS = 2  # best of, interleaved, so another process on the machine skews no single row


def timed(fn: Callable[[list[dict[str, Any]]], Outcome], records: list[Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(records)
    return time.perf_counter() - start, out


def main() -> None:
    records = make_records(random.Random(42))
    ways = [baseline, rs_alone, enforcement(fast=False), enforcement(fast=True)]
    best = [float("inf")] * len(ways)
    outs: list[Any] = [None] * len(ways)
    for _ in range(REPEATS):
        for k, way in enumerate(ways):
            seconds, outs[k] = timed(way, records)
            best[k] = min(best[k], seconds)
    base_s, rs_s, slow_s, fast_s = best
    base_out, rs_out, slow_out, fast_out = outs
    assert rs_out == base_out and slow_out == base_out and fast_out == base_out, "they disagree"
    print(
        f"{RECORDS:,} records, {len(base_out):,} invalid ({len(base_out) / RECORDS:.1%}); "
        f"best of {REPEATS}"
    )
    rows = [
        ("baseline: jsonschema iter_errors loop", base_s),
        ("jsonschema-rs alone, iter_errors loop", rs_s),
        ("enforcement, jsonschema only", slow_s),
        ("enforcement (jsonschema-rs, jsonschema's messages)", fast_s),
    ]
    for label, seconds in rows:
        print(
            f"  {label:<54} {seconds:7.2f} s  {RECORDS / seconds:>10,.0f} records/s  "
            f"x{base_s / seconds:.2f} vs baseline"
        )
    print(
        f"  enforcement: x{base_s / fast_s:.1f} plain jsonschema (target >= 10), "
        f"x{fast_s / rs_s:.2f} the time of jsonschema-rs alone (target <= 1.5)"
    )


if __name__ == "__main__":
    main()
