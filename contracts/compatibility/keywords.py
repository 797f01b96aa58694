"""What a schema says, read keyword by keyword: its types, bounds, content model and which
keywords are metadata. Helpers of the diff; no state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

METADATA = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)
HANDLED = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "const",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minContains",
        "maxContains",
        "contains",
        "items",
        "prefixItems",
        "unevaluatedItems",
        "minProperties",
        "maxProperties",
        "properties",
        "required",
        "additionalProperties",
        "unevaluatedProperties",
        "patternProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
    }
)
ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


def is_metadata_key(key: str) -> bool:
    return key in METADATA or key.startswith("x-")


def canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def types_of(schema: Mapping[str, Any]) -> frozenset[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return frozenset([t]) if isinstance(t, str) else frozenset(t)


def covers(types: frozenset[str] | None, t: str) -> bool:
    return types is None or t in types or (t == "integer" and "number" in types)


def subset(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    if a is None:
        return b is None
    return all(covers(b, t) for t in a)


def overlaps(a: frozenset[str] | None, b: frozenset[str] | None, *family: str) -> bool:
    """True when both sides may hold a value of one of the ``family`` types."""
    return any(covers(a, t) and covers(b, t) for t in family)


def trivially_true(schema: Any) -> bool:
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(is_metadata_key(k) for k in schema)


def content_model(schema: Mapping[str, Any]) -> str:
    extra = additional(schema)
    if schema.get("patternProperties"):
        return "partially open"
    if extra is False:
        return "closed"
    return "open" if trivially_true(extra) else "partially open"


def additional(schema: Mapping[str, Any]) -> Any:
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    return schema.get("unevaluatedProperties", True)


def lower_bound(schema: Mapping[str, Any]) -> tuple[float, bool] | None:
    """(value, exclusive) of the tightest lower bound, or None."""
    bounds: list[tuple[float, bool]] = []
    if isinstance(schema.get("minimum"), (int, float)):
        bounds.append((schema["minimum"], False))
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        bounds.append((schema["exclusiveMinimum"], True))
    return max(bounds) if bounds else None


def upper_bound(schema: Mapping[str, Any]) -> tuple[float, bool] | None:
    bounds: list[tuple[float, bool]] = []
    if isinstance(schema.get("maximum"), (int, float)):
        bounds.append((schema["maximum"], False))
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        bounds.append((schema["exclusiveMaximum"], True))
    # the smallest value wins; at equal values an exclusive bound is tighter
    return min(bounds, key=lambda b: (b[0], not b[1])) if bounds else None


def get_key(root: Any, key: str) -> Any:
    return root.get(key) if isinstance(root, Mapping) else None


def types_text(types: list[str] | None) -> str:
    return " | ".join(types) if types else "any"


def bound_text(keyword: str, verb: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{keyword} {new} introduced"
    if new is None:
        return f"{keyword} {old} dropped"
    return f"{keyword} {verb} from {old} to {new}"


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def trivially_false(schema: Any) -> bool:
    return schema is False or (isinstance(schema, Mapping) and schema.get("not") in ({}, True))


def is_multiple(a: float, b: float) -> bool:
    """True if every multiple of ``a`` is a multiple of ``b`` (a is a multiple of b)."""
    if b == 0:
        return False
    try:
        # decimal fractions of what was written, so 0.3 is a multiple of 0.1 as users mean it
        q = Fraction(repr(a)) / Fraction(repr(b))
    except (ValueError, OverflowError, TypeError):
        return False
    return q.denominator == 1
