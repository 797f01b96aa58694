"""Benchmark: compatibility check of two large JSON Schemas (500 properties, nesting depth 5).

The budget: a BACKWARD check stays within 2x of the 1.58 ms reference per check (the keyword
diff alone on the reference machine). Printed as an absolute time and as that ratio, next to
the keyword diff alone measured in the same run (the load of a shared machine moves both).

Prints the time per check for each mode and ratios against two baselines measured in the same
run on the same schemas: jsonschema's Draft202012Validator.check_schema (validating both
schemas against the metaschema, which every publish does anyway) and a deep copy of both.

    python bench/bench_compatibility.py
"""

from __future__ import annotations

import copy
import functools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import Draft202012Validator

from contracts.compatibility import Mode, check_compatibility, diff_schemas
from contracts.compatibility.walk import diff_schemas as keyword_diff

REFERENCE_MS = 1.58
BUDGET = 2.0

PROPERTIES = 500
DEPTH = 5
LEAF_TYPES: list[dict[str, Any]] = [
    {"type": "string", "maxLength": 64},
    {"type": "integer", "minimum": 0},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "string", "enum": ["a", "b", "c"]},
    {"type": "array", "items": {"type": "string"}},
]


def build_schema(rng: random.Random) -> dict[str, Any]:
    """500 leaf properties spread over a tree of objects 5 levels deep, with a local $ref."""
    counter = iter(range(PROPERTIES))

    def level(depth: int, budget: int) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if depth == DEPTH:
            for _ in range(budget):
                i = next(counter)
                props[f"f{i}"] = copy.deepcopy(LEAF_TYPES[i % len(LEAF_TYPES)])
        else:
            children = 2
            own = budget // 3
            for _ in range(own):
                i = next(counter)
                props[f"f{i}"] = copy.deepcopy(LEAF_TYPES[i % len(LEAF_TYPES)])
            rest = budget - own
            for c in range(children):
                share = rest // children + (1 if c < rest % children else 0)
                props[f"n{depth}_{c}"] = level(depth + 1, share)
        return {
            "type": "object",
            "properties": props,
            "required": sorted(props)[: max(1, len(props) // 4)],
            "additionalProperties": depth % 2 == 0,
        }

    schema = level(1, PROPERTIES - 1)
    schema["$defs"] = {"money": {"type": "object", "properties": {"amount": {"type": "number"}}}}
    schema["properties"]["price"] = {"$ref": "#/$defs/money"}
    return schema


def mutate(schema: dict[str, Any], rng: random.Random, count: int) -> dict[str, Any]:
    """A copy with ``count`` random leaf edits: widen, tighten, add, drop, document."""
    new = copy.deepcopy(schema)
    objects: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("type") == "object" and "properties" in node:
            objects.append(node)
            for child in node["properties"].values():
                if isinstance(child, dict):
                    walk(child)

    walk(new)
    for n in range(count):
        node = rng.choice(objects)
        leaves = [k for k, v in node["properties"].items() if v.get("type") != "object"]
        if not leaves:
            continue
        key = rng.choice(leaves)
        edit = n % 5
        if edit == 0:
            node["properties"][key]["description"] = "documented"
        elif edit == 1:
            node["properties"][key] = {"type": ["string", "null"]}
        elif edit == 2:
            node["properties"][f"added_{n}"] = {"type": "string"}
        elif edit == 3:
            node["properties"].pop(key)
            node["required"] = [r for r in node["required"] if r != key]
        else:
            node["properties"][key]["maxLength"] = 8
    new["$defs"]["money"]["properties"]["currency"] = {"type": "string"}
    return new


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def count_properties(node: Any) -> tuple[int, int]:
    """(number of properties, maximum object nesting depth)."""
    if not isinstance(node, dict) or "properties" not in node:
        return 0, 0
    total, deepest = 0, 0
    for child in node["properties"].values():
        sub_total, sub_depth = count_properties(child)
        total += 1 + sub_total
        deepest = max(deepest, sub_depth)
    return total, deepest + 1


def main() -> None:
    rng = random.Random(20260)
    old = build_schema(rng)
    new = mutate(old, rng, 40)
    props, depth = count_properties(old)
    changes = diff_schemas(old, new)
    print(
        f"schemas: {PROPERTIES} leaf properties ({props} with the nested objects), "
        f"object nesting depth {depth}, {len(changes)} changes between old and new"
    )

    repeat = 30
    validator = timed(
        lambda: (Draft202012Validator.check_schema(old), Draft202012Validator.check_schema(new)),
        repeat,
    )
    deep_copy = timed(lambda: (copy.deepcopy(old), copy.deepcopy(new)), repeat)
    twin = copy.deepcopy(old)
    identical = timed(lambda: diff_schemas(old, twin), repeat)
    print(f"baseline check_schema (both schemas):  {validator * 1e3:8.2f} ms")
    print(f"baseline deepcopy (both schemas):      {deep_copy * 1e3:8.2f} ms")
    print(f"diff of identical schemas:             {identical * 1e3:8.2f} ms")
    for mode in (Mode.BACKWARD, Mode.FORWARD, Mode.FULL):
        t = timed(functools.partial(check_compatibility, new, [old], mode), repeat)
        print(
            f"check {mode.value:<20}            {t * 1e3:8.2f} ms"
            f"   x{t / validator:5.2f} check_schema   x{t / deep_copy:5.2f} deepcopy"
        )
    backward = timed(functools.partial(check_compatibility, new, [old], Mode.BACKWARD), repeat)
    keywords_only = timed(functools.partial(keyword_diff, old, new), repeat)
    ratio = backward * 1e3 / REFERENCE_MS
    print(
        f"BACKWARD per check: {backward * 1e3:.2f} ms = x{ratio:.2f} of the {REFERENCE_MS} ms "
        f"reference (budget x{BUDGET:.0f}: {'within' if ratio <= BUDGET else 'OVER'}); "
        f"x{backward / keywords_only:.2f} of the keyword diff alone in this run "
        f"({keywords_only * 1e3:.2f} ms)"
    )
    result = check_compatibility(new, [old], Mode.BACKWARD)
    rendered = timed(lambda: check_compatibility(new, [old], Mode.BACKWARD).as_dict(), 3)
    print(
        f"BACKWARD rendered with example documents ({len(result.breaking)} breaking changes): "
        f"{rendered * 1e3:.2f} ms"
    )
    history = [old, mutate(old, rng, 10), mutate(old, rng, 20), mutate(old, rng, 30)]
    t = timed(lambda: check_compatibility(new, history, Mode.FULL_TRANSITIVE), 10)
    print(
        f"check FULL_TRANSITIVE (4 versions)     {t * 1e3:8.2f} ms"
        f"   x{t / validator:5.2f} check_schema   x{t / deep_copy:5.2f} deepcopy"
    )


if __name__ == "__main__":
    main()
