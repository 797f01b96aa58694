"""Benchmark: records validated per second against a contract schema, 100,000 records.

The records look like order events (ten fields, one nested object, an array); one in ten
breaks the contract. Three ways over the same records, measured in this run:

* baseline: jsonschema's plain loop, ``list(validator.iter_errors(record))`` per record
  (Draft 2020-12, format checker on);
* enforcement, jsonschema only: contracts.enforcement.judging.RecordValidator with the compiled
  check turned off (what a schema beyond the compiled keywords gets);
* enforcement: RecordValidator as used (compiled validity check, jsonschema for errors).

It also checks that all three dead-letter the same records with the same error pointers.

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

from contracts.enforcement import judging as enf

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


def enforcement(fast: bool) -> Callable[[list[dict[str, Any]]], Outcome]:
    def run(records: list[dict[str, Any]]) -> Outcome:
        result = enf.validate_records(enf.RecordValidator(SCHEMA, fast=fast), records)
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
    ways = [baseline, enforcement(fast=False), enforcement(fast=True)]
    best = [float("inf")] * len(ways)
    outs: list[Any] = [None] * len(ways)
    for _ in range(REPEATS):
        for k, way in enumerate(ways):
            seconds, outs[k] = timed(way, records)
            best[k] = min(best[k], seconds)
    base_s, slow_s, fast_s = best
    base_out, slow_out, fast_out = outs
    assert slow_out == base_out and fast_out == base_out, "the three disagree"
    print(
        f"{RECORDS:,} records, {len(base_out):,} invalid ({len(base_out) / RECORDS:.1%}); "
        f"best of {REPEATS}"
    )
    rows = [
        ("baseline: jsonschema iter_errors loop", base_s),
        ("enforcement, jsonschema only", slow_s),
        ("enforcement (compiled check + jsonschema for errors)", fast_s),
    ]
    for label, seconds in rows:
        print(
            f"  {label:<54} {seconds:7.2f} s  {RECORDS / seconds:>10,.0f} records/s  "
            f"x{base_s / seconds:.2f} vs baseline"
        )


if __name__ == "__main__":
    main()
