"""ODCS ``schema`` objects and properties <-> a draft 2020-12 JSON Schema.

``logicalType`` gives ``type`` (date, timestamp and time are strings with a ``format``),
``required`` gives the parent's ``required`` list (a property that is not required may hold
null, as ODCS says), ``logicalTypeOptions`` that JSON Schema knows become its keywords, nested
``properties`` and ``items`` nest. Every other attribute of an object or property is kept
verbatim under ``x-odcs`` in the JSON Schema, which the compatibility engine treats as metadata.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.odcs import keywords as kw
from contracts.odcs.model import JSON_SCHEMA_DIALECT, X_OBJECTS, X_ODCS, json_pointer

_LOGICAL_TO_JSON: dict[str, tuple[str, str | None]] = {
    "string": ("string", None),
    "date": ("string", "date"),
    "timestamp": ("string", "date-time"),
    "time": ("string", "time"),
    "number": ("number", None),
    "integer": ("integer", None),
    "object": ("object", None),
    "array": ("array", None),
    "boolean": ("boolean", None),
}
_OPTIONS_AS_KEYWORDS: dict[str, tuple[str, ...]] = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "array": ("minItems", "maxItems", "uniqueItems"),
    "object": ("minProperties", "maxProperties"),
}
# Attributes mapped to JSON Schema keywords; every other attribute goes to x-odcs verbatim.
_MAPPED_PROPERTY_KEYS = (
    "name",
    "logicalType",
    "logicalTypeOptions",
    "required",
    "description",
    "examples",
    "properties",
    "items",
)


def _property_to_json(
    prop: Mapping[str, Any], *, nullable: bool, keyed: bool = True
) -> dict[str, Any]:
    """One ODCS property -> its JSON Schema. ``keyed`` is False for array ``items``, whose
    name (they have no key in the parent) is kept as metadata."""
    prop, to_set, to_unset = kw.take_keywords(prop)
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {
        k: copy.deepcopy(v)
        for k, v in prop.items()
        if k not in _MAPPED_PROPERTY_KEYS or (k == "name" and not keyed)
    }
    _logical_to_json(prop, out, extra, nullable=nullable)
    if "properties" in prop:
        out.update(_properties_to_json(prop.get("properties") or []))
    if "items" in prop and isinstance(prop["items"], Mapping):
        out["items"] = _property_to_json(prop["items"], nullable=False, keyed=False)
    elif "items" in prop:
        extra["items"] = copy.deepcopy(prop["items"])
    if prop.get("required") is False:
        extra["required"] = False
    if "name" in prop and not isinstance(prop["name"], str):
        extra["name"] = prop["name"]
    values = kw.valid_values(prop.get("quality"))
    if values is not None:
        # a rule that no value may be outside the valid values is an enum (null stays
        # allowed where the property may be null: ODCS checks nulls with nullValues)
        out["enum"] = [*values, None] if nullable and None not in values else values
    if extra:
        out[X_ODCS] = extra
    kw.lay_over(out, to_set, to_unset)
    return out


def _logical_to_json(
    prop: Mapping[str, Any], out: dict[str, Any], extra: dict[str, Any], *, nullable: bool
) -> None:
    """``logicalType`` and ``logicalTypeOptions`` (with description and examples) -> the
    JSON Schema's type and keywords; what JSON Schema cannot say goes to ``extra``."""
    logical = prop.get("logicalType")
    if isinstance(logical, str) and logical in _LOGICAL_TO_JSON:
        json_type, fmt = _LOGICAL_TO_JSON[logical]
        out["type"] = [json_type, "null"] if nullable else json_type
        if fmt:
            out["format"] = fmt
        extra["logicalType"] = logical
    elif logical is not None:
        extra["logicalType"] = logical
    if "description" in prop:
        out["description"] = prop["description"]
    if "examples" in prop:
        out["examples"] = copy.deepcopy(prop["examples"])
    options = prop.get("logicalTypeOptions")
    if isinstance(options, Mapping):
        known = _OPTIONS_AS_KEYWORDS.get(logical or "", ())
        rest = {}
        for key, value in options.items():
            if key in known and key not in out:
                out[key] = copy.deepcopy(value)
            else:
                rest[key] = copy.deepcopy(value)
        extra["logicalTypeOptions"] = rest  # kept, even empty, to say the key was there


def _properties_to_json(props: list[Mapping[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for prop in props:
        name = str(prop.get("name", ""))
        is_required = prop.get("required") is True
        properties[name] = _property_to_json(prop, nullable=not is_required)
        if is_required:
            required.append(name)
    out: dict[str, Any] = {"properties": properties}
    if required:
        out["required"] = required
    return out


def _object_to_json(obj: Mapping[str, Any]) -> dict[str, Any]:
    obj, to_set, to_unset = kw.take_keywords(obj)
    out: dict[str, Any] = {"type": "object"}
    if "description" in obj:
        out["description"] = obj["description"]
    if "properties" in obj:
        out.update(_properties_to_json(obj.get("properties") or []))
    extra = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("description", "properties")}
    if extra:
        out[X_ODCS] = extra
    kw.lay_over(out, to_set, to_unset)
    return out


def schema_to_json_schema(objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """ODCS ``schema`` list -> one JSON Schema: the record schema itself when there is one
    object, else an object with one property per schema object."""
    if len(objects) == 1:
        return {"$schema": JSON_SCHEMA_DIALECT, **_object_to_json(objects[0])}
    record: Any = None
    if objects:
        first, record = kw.take(objects[0], kw.RECORD)
        objects = [first, *objects[1:]]
    root = {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": {str(o.get("name", i)): _object_to_json(o) for i, o in enumerate(objects)},
        X_OBJECTS: [str(o.get("name", i)) for i, o in enumerate(objects)],
    }
    if isinstance(record, Mapping):
        to_set, unset = record.get("set"), record.get("unset")
        kw.lay_over(
            root,
            to_set if isinstance(to_set, Mapping) else {},
            [str(k) for k in unset] if isinstance(unset, list) else [],
        )
    return root


def _json_type(schema: Mapping[str, Any]) -> tuple[str | None, bool]:
    t = schema.get("type")
    types = [t] if isinstance(t, str) else list(t or [])
    nullable = "null" in types
    types = [x for x in types if x != "null"]
    return (types[0] if len(types) == 1 else None), nullable


def _logical_type(schema: Mapping[str, Any], extra: dict[str, Any]) -> str | None:
    """The property's logical type: the recorded one (taken out of ``extra``) while the JSON
    type still matches it, else inferred from the JSON type and format."""
    json_type, _ = _json_type(schema)
    logical = extra.pop("logicalType", None)
    fmt = schema.get("format")
    if logical is None or _LOGICAL_TO_JSON.get(logical, (json_type,))[0] != json_type:
        # no recorded logical type, or the JSON type was changed since: infer it, and drop
        # the options that belonged to the old logical type
        if logical is not None:
            extra.pop("logicalTypeOptions", None)
        logical = (
            {"date": "date", "date-time": "timestamp", "time": "time"}.get(fmt or "", json_type)
            if json_type == "string"
            else json_type
        )
    return logical


def _logical_type_options(
    schema: Mapping[str, Any], extra: dict[str, Any], logical: str | None
) -> dict[str, Any] | None:
    """The keywords that belong to the logical type, with the options kept verbatim (taken
    out of ``extra``); None when there are none and none were written."""
    options: dict[str, Any] = {}
    for key in _OPTIONS_AS_KEYWORDS.get(logical or "", ()):
        if key in schema:
            options[key] = copy.deepcopy(schema[key])
    if logical == "string" and options.get("format") is None:
        options.pop("format", None)
    kept_options = extra.pop("logicalTypeOptions", None)
    if isinstance(kept_options, Mapping):
        options.update(kept_options)
    return options if options or kept_options is not None else None


def _json_to_property(name: str | None, original: Any, required: bool | None) -> dict[str, Any]:
    """One JSON Schema property (``name`` None for array items) -> its ODCS property, with the
    keywords ODCS cannot say kept in its customProperties."""
    schema: Mapping[str, Any] = original if isinstance(original, Mapping) else {}
    extra: dict[str, Any] = dict(copy.deepcopy(schema.get(X_ODCS) or {}))
    prop: dict[str, Any] = {}
    if "name" in extra and (name is None or not isinstance(extra["name"], str)):
        prop["name"] = extra.pop("name")
    elif name is not None:
        extra.pop("name", None)
        prop["name"] = name
    logical = _logical_type(schema, extra)
    if logical is not None:
        prop["logicalType"] = logical
    options = _logical_type_options(schema, extra, logical)
    if options is not None:
        prop["logicalTypeOptions"] = options
    extra_required = extra.pop("required", None)
    if required:
        prop["required"] = True
    elif extra_required is False:
        prop["required"] = False
    if "description" in schema:
        prop["description"] = schema["description"]
    if "examples" in schema:
        prop["examples"] = copy.deepcopy(schema["examples"])
    if "properties" in schema:
        prop["properties"] = _json_to_properties(schema)
    if isinstance(schema.get("items"), Mapping):
        prop["items"] = _json_to_property(None, schema["items"], None)
    prop.update(extra)
    _sync_valid_values(prop, schema)
    keyed = name is not None  # array items are never null: they have no ``required``
    rebuilt = _property_to_json(prop, nullable=keyed and not required, keyed=keyed)
    kw.attach(prop, *kw.difference(_as_schema(original), rebuilt))
    return prop


def _as_schema(value: Any) -> dict[str, Any]:
    """A boolean schema as the object schema it means, for comparison."""
    if value is True:
        return {}
    if value is False:
        return {"not": {}}
    return dict(value) if isinstance(value, Mapping) else {}


def _sync_valid_values(prop: dict[str, Any], schema: Mapping[str, Any]) -> None:
    """The property's ``invalidValues`` rule says what its enum (or const) allows: a rule
    that says otherwise is dropped, and one is written where none says it."""
    values = kw.allowed_values(schema)
    quality = prop.get("quality")
    rules = quality if isinstance(quality, list) else []
    kept = [r for r in rules if kw.rule_valid_values(r) in (None, values)]
    if values is not None and not any(kw.rule_valid_values(r) == values for r in kept):
        kept.append(kw.valid_values_rule(values))
    if kept != rules:
        if kept:
            prop["quality"] = kept
        else:
            prop.pop("quality", None)


def _json_to_properties(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required") or ())
    return [
        _json_to_property(name, sub, name in required)
        for name, sub in (schema.get("properties") or {}).items()
    ]


def _json_to_object(name: str, original: Any, *, root: bool = False) -> dict[str, Any]:
    schema: Mapping[str, Any] = original if isinstance(original, Mapping) else {}
    extra: dict[str, Any] = dict(copy.deepcopy(schema.get(X_ODCS) or {}))
    obj: dict[str, Any] = {}
    if "name" not in extra:
        obj["name"] = name
    obj.update(extra)
    if "description" in schema:
        obj["description"] = schema["description"]
    if "properties" in schema:
        obj["properties"] = _json_to_properties(schema)
    rebuilt = _object_to_json(obj)
    if root:
        rebuilt = {"$schema": JSON_SCHEMA_DIALECT, **rebuilt}
    kw.attach(obj, *kw.difference(_as_schema(original), rebuilt))
    return obj


def json_schema_to_schema(schema: Mapping[str, Any], default_name: str) -> list[dict[str, Any]]:
    """A JSON Schema -> the ODCS ``schema`` list, such that schema_to_json_schema gives the
    same JSON Schema back (metadata aside)."""
    if X_OBJECTS not in schema:
        return [_json_to_object(default_name, schema, root=True)]
    props = schema.get("properties") or {}
    names = schema[X_OBJECTS] if isinstance(schema[X_OBJECTS], list) else []
    objects = [_json_to_object(str(n), props.get(n, {})) for n in names if n in props]
    if objects:
        kw.attach_record(objects[0], *kw.difference(schema, schema_to_json_schema(objects)))
    return objects


def walk_properties(schema: Any, path: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    """(JSON pointer, property schema) for every property, depth first."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    if not isinstance(schema, Mapping):
        return found
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        here = f"{path}/properties/{json_pointer([name])[1:]}"
        found.append((here, sub))
        found.extend(walk_properties(sub, here))
        if isinstance(sub.get("items"), Mapping):
            found.extend(walk_properties(sub["items"], here + "/items"))
    return found
