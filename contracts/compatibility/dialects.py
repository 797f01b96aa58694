"""JSON Schema dialects: which one a schema declares (``$schema``; 2020-12 when absent), its
validator (with patterns matched by RE2, see regexes.py), and the rewrite of draft-07 and
2019-09 keywords into the one internal form the checker reasons about (2020-12):

* tuple ``items: [...]`` + ``additionalItems`` -> ``prefixItems`` + ``items``;
* draft-07 ``dependencies`` -> ``dependentRequired`` (name lists) / ``dependentSchemas``;
* draft-07 ``$ref`` ignores its siblings, so they are dropped;
* draft-04 boolean ``exclusiveMinimum``/``exclusiveMaximum`` -> numeric ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from contracts.compatibility.regexes import search

DRAFT_2020_12 = "2020-12"
DRAFT_2019_09 = "2019-09"
DRAFT_07 = "draft-07"
_BY_URI = {
    "https://json-schema.org/draft/2020-12/schema": DRAFT_2020_12,
    "https://json-schema.org/draft/2019-09/schema": DRAFT_2019_09,
    "http://json-schema.org/draft-07/schema": DRAFT_07,
    "http://json-schema.org/draft-06/schema": "draft-06",
    "http://json-schema.org/draft-04/schema": "draft-04",
}
_LEGACY = frozenset({DRAFT_07, "draft-06", "draft-04"})
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = (
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)


def dialect_of(schema: Any) -> str:
    """The dialect ``$schema`` names (trailing ``#`` ignored); 2020-12 when absent or
    unknown to this checker."""
    uri = schema.get("$schema") if isinstance(schema, Mapping) else None
    if not isinstance(uri, str):
        return DRAFT_2020_12
    return _BY_URI.get(
        uri.rstrip("#").replace(
            "https://json-schema.org/draft-0", "http://json-schema.org/draft-0"
        ),
        DRAFT_2020_12,
    )


def _re2_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _re2_pattern_properties(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in value.items():
        for name, item in instance.items():
            if search(pattern, name):
                yield from validator.descend(item, subschema, path=name, schema_path=pattern)


def _re2_additional(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator:
    if not validator.is_type(instance, "object"):
        return
    props = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in props and not any(search(p, k) for p in patterns)]
    if validator.is_type(value, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], value, path=extra)
    elif not value and extras:
        yield ValidationError(f"Additional properties are not allowed ({sorted(extras)!r})")


@lru_cache(maxsize=8)
def re2_validator_class(base: type) -> Any:
    """``base`` with the regex keywords matched by RE2."""
    return validators.extend(
        base,
        {
            "pattern": _re2_pattern,
            "patternProperties": _re2_pattern_properties,
            "additionalProperties": _re2_additional,
        },
    )


def validator_class(schema: Any) -> Any:
    """The jsonschema validator class of the schema's dialect (unpatched, for check_schema)."""
    return validators.validator_for(schema, default=Draft202012Validator)


def safe_validator(schema: Any) -> Any:
    """A validator for ``schema`` in its own dialect whose patterns run in linear time."""
    return re2_validator_class(validator_class(schema))(schema)


# --- rewrite into the internal (2020-12) form


def internal_form(schema: Any) -> Any:
    """``schema`` with its dialect's keywords rewritten to their 2020-12 equivalents (a new
    object; the input is left alone). 2020-12 schemas come back as they are."""
    dialect = dialect_of(schema)
    if dialect == DRAFT_2020_12:
        return schema
    return _rewrite(schema, dialect)


def _rewrite(node: Any, dialect: str) -> Any:
    if not isinstance(node, Mapping):
        return node
    legacy = dialect in _LEGACY
    if legacy and "$ref" in node:
        node = {k: v for k, v in node.items() if k == "$ref" or k in ("$defs", "definitions")}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {k: _rewrite(v, dialect) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_rewrite(v, dialect) for v in value]
        elif key in _SCHEMA_VALUES and not (key == "items" and isinstance(value, list)):
            out[key] = _rewrite(value, dialect)
        else:
            out[key] = value
    _tuple_items(out, dialect)
    if legacy:
        _dependencies(out, dialect)
        _boolean_exclusive(out)
    return out


def _tuple_items(out: dict[str, Any], dialect: str) -> None:
    items = out.get("items")
    extra = out.pop("additionalItems", None)
    if isinstance(items, list):
        out["prefixItems"] = [_rewrite(v, dialect) for v in items]
        out.pop("items")
        if extra is not None:
            out["items"] = extra
    # additionalItems without tuple items has no effect: dropped with it


def _dependencies(out: dict[str, Any], dialect: str) -> None:
    deps = out.pop("dependencies", None)
    if not isinstance(deps, Mapping):
        return
    for name, value in deps.items():
        if isinstance(value, list):
            out.setdefault("dependentRequired", {})[name] = value
        else:
            out.setdefault("dependentSchemas", {})[name] = _rewrite(value, dialect)


def _boolean_exclusive(out: dict[str, Any]) -> None:
    for excl, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(excl), bool) and out.pop(excl) and plain in out:
            out[excl] = out.pop(plain)
