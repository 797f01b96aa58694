"""The JSON Schema keywords ODCS has no place for, kept in ``customProperties``, and the
``invalidValues`` quality rule that carries an ``enum`` (or ``const``) to ODCS tools.

Export maps what ODCS can say, rebuilds the JSON Schema an import of that would give, and
keeps the difference in the element's ``customProperties``: ``jsonSchema`` holds the keywords
to set (an ``enum``, ``additionalProperties: false``, a ``oneOf``, a type union, a ``title``...)
and ``jsonSchemaUnset`` the keywords the import would add but the schema did not have. Import
lays them over what it rebuilt, so app -> ODCS -> app gives back the same schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from contracts.odcs.model import X_ODCS

FRAGMENT = "jsonSchema"
UNSET = "jsonSchemaUnset"
RECORD = "jsonSchemaRecord"  # keywords of the record around several schema objects
_DESCRIPTIONS = {
    FRAGMENT: "JSON Schema keywords ODCS has no place for; ValueChain reads them back on import.",
    UNSET: "JSON Schema keywords an import must not add to this element.",
    RECORD: "JSON Schema keywords of the record holding every schema object.",
}
# keywords whose value maps names to schemas: their keys are names, never metadata
_NAME_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")

VALID_VALUES_METRIC = "invalidValues"
_SCALARS = (str, int, float, bool)


def without_metadata(value: Any, *, names: bool = False) -> Any:
    """The schema without ``x-odcs`` metadata at any depth (the keys of a name map stay)."""
    if isinstance(value, Mapping):
        return {
            k: without_metadata(v, names=k in _NAME_MAPS and not names)
            for k, v in value.items()
            if names or k != X_ODCS
        }
    if isinstance(value, list):
        return [without_metadata(v) for v in value]
    return value


def difference(
    schema: Mapping[str, Any], rebuilt: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """(keywords to set, keywords to unset) that turn ``rebuilt`` into ``schema``, metadata
    aside."""
    want = without_metadata(schema)
    have = without_metadata(rebuilt)
    to_set = {k: copy.deepcopy(schema[k]) for k, v in want.items() if have.get(k, _MISSING) != v}
    to_unset = [k for k in have if k not in want]
    return to_set, to_unset


_MISSING = object()


def attach(element: dict[str, Any], to_set: Mapping[str, Any], to_unset: list[str]) -> None:
    """Keep the keywords in the element's ``customProperties``."""
    entries = []
    if to_set:
        entries.append(_entry(FRAGMENT, dict(to_set)))
    if to_unset:
        entries.append(_entry(UNSET, list(to_unset)))
    if entries:
        element["customProperties"] = [*(element.get("customProperties") or []), *entries]


def attach_record(element: dict[str, Any], to_set: Mapping[str, Any], to_unset: list[str]) -> None:
    if to_set or to_unset:
        value = {"set": dict(to_set), "unset": list(to_unset)}
        element["customProperties"] = [
            *(element.get("customProperties") or []),
            _entry(RECORD, value),
        ]


def _entry(name: str, value: Any) -> dict[str, Any]:
    return {"property": name, "value": value, "description": _DESCRIPTIONS[name]}


def _is_ours(entry: Any, name: str) -> bool:
    if not isinstance(entry, Mapping) or entry.get("property") != name:
        return False
    value = entry.get("value")
    if name == UNSET:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, Mapping)


def take(element: Mapping[str, Any], name: str) -> tuple[dict[str, Any], Any]:
    """(the element without the custom property ``name``, its value or None)."""
    custom = element.get("customProperties")
    if not isinstance(custom, list) or not any(_is_ours(e, name) for e in custom):
        return dict(element), None
    found = next(e for e in custom if _is_ours(e, name))
    rest = [e for e in custom if e is not found]
    out = {k: v for k, v in element.items() if k != "customProperties"}
    if rest:
        out["customProperties"] = rest
    return out, copy.deepcopy(found["value"])


def take_keywords(element: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(the element without our custom properties, keywords to set, keywords to unset)."""
    element, to_set = take(element, FRAGMENT)
    element, to_unset = take(element, UNSET)
    return element, dict(to_set or {}), list(to_unset or [])


def lay_over(schema: dict[str, Any], to_set: Mapping[str, Any], to_unset: list[str]) -> None:
    for key in to_unset:
        schema.pop(key, None)
    schema.update(copy.deepcopy(dict(to_set)))


# --- valid values ------------------------------------------------------------------------------


def allowed_values(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values an ``enum`` or ``const`` allows, null aside, when all are scalars."""
    if "enum" in schema and isinstance(schema["enum"], list):
        values = [v for v in schema["enum"] if v is not None]
    elif "const" in schema and schema["const"] is not None:
        values = [schema["const"]]
    else:
        return None
    if not values or not all(isinstance(v, _SCALARS) for v in values):
        return None
    return values


def valid_values_rule(values: list[Any]) -> dict[str, Any]:
    return {
        "type": "library",
        "metric": VALID_VALUES_METRIC,
        "arguments": {"validValues": copy.deepcopy(values)},
        "mustBe": 0,
        "unit": "rows",
        "dimension": "conformity",
        "description": "No value outside the valid values.",
    }


def rule_valid_values(rule: Any) -> list[Any] | None:
    """The valid values an ``invalidValues`` rule demands of every record (none may be
    invalid), else None."""
    if not isinstance(rule, Mapping):
        return None
    if (rule.get("metric") or rule.get("rule")) != VALID_VALUES_METRIC:
        return None
    arguments = rule.get("arguments")
    values = arguments.get("validValues") if isinstance(arguments, Mapping) else None
    if not isinstance(values, list) or not values:
        return None
    if not all(isinstance(v, _SCALARS) for v in values):
        return None
    limit = rule.get("mustBe", rule.get("mustBeLessOrEqualTo"))
    if isinstance(limit, bool) or limit != 0:
        return None
    return list(values)


def valid_values(quality: Any) -> list[Any] | None:
    """The valid values the element's quality rules demand, if any."""
    for rule in quality if isinstance(quality, list) else []:
        values = rule_valid_values(rule)
        if values is not None:
            return values
    return None
