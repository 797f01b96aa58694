"""ODCS v3 (Open Data Contract Standard) import and export. Pure Python, no Django.

Import: bounded, alias-free YAML -> strict validation against the standard's JSON Schema and
the ``open-data-contract-standard`` model -> a :class:`ContractData`.

Mapping (both ways):

* ``schema`` objects and properties <-> a draft 2020-12 JSON Schema. ``logicalType`` gives
  ``type`` (date, timestamp and time are strings with a ``format``), ``required`` gives the
  parent's ``required`` list (a property that is not required may hold null, as ODCS says),
  ``logicalTypeOptions`` that JSON Schema knows become its keywords, nested ``properties`` and
  ``items`` nest. Every other attribute of an object or property is kept verbatim under
  ``x-odcs`` in the JSON Schema, which the compatibility engine treats as metadata.
* ``slaProperties`` <-> the SLA (latency is the maximum lateness, frequency the freshness,
  retention the retention; the list itself is kept whole).
* ``quality`` rules on ``nullValues``/``missingValues`` <-> missing-ratio thresholds.
* ``team`` and ``roles`` <-> owner (the member whose role is Owner), producer team and
  consumers (roles with read access).

Everything else in the document is kept as it was, so import -> export -> import gives the
same contract.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pydantic
import yaml
from jsonschema import Draft201909Validator
from jsonschema.exceptions import best_match
from open_data_contract_standard.model import OpenDataContractStandard

MAX_DOCUMENT_BYTES = 1024 * 1024
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
ODCS_SCHEMA_FILE = SCHEMA_DIR / "odcs-json-schema-v3.1.0.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING_METRICS = ("nullValues", "missingValues")
X_ODCS = "x-odcs"
X_OBJECTS = "x-odcs-objects"


class OdcsError(ValueError):
    """Bad ODCS input. ``errors`` is a list of ``{"path": ..., "message": ...}``."""

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "errors": self.errors}


@dataclass
class ContractData:
    """What an ODCS document says, in the registry's own terms."""

    odcs_id: str
    name: str
    version: str
    status: str
    purpose: str = ""
    producer_team: str = ""
    owner: str = ""
    consumers: list[str] = field(default_factory=list)
    json_schema: dict[str, Any] = field(default_factory=dict)
    semantics: dict[str, Any] = field(default_factory=dict)
    sla: dict[str, Any] = field(default_factory=dict)
    missing_thresholds: list[dict[str, Any]] = field(default_factory=list)
    # The document minus the parts rebuilt from the fields above (schema), verbatim.
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def production_use(self) -> bool:
        return bool(self.sla.get("production_use"))


# --- YAML ----------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """Safe loader without anchors/aliases (no alias bombs) and without implicit timestamps
    (ODCS dates are strings)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise OdcsError(
                "YAML anchors and aliases are not accepted.",
                [
                    {
                        "path": f"line {mark.line + 1}, column {mark.column + 1}",
                        "message": "anchor or alias",
                    }
                ],
            )
        return super().compose_node(parent, index)


_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(raw: str | bytes) -> dict[str, Any]:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > MAX_DOCUMENT_BYTES:
        raise OdcsError(
            f"The document is larger than the limit of {MAX_DOCUMENT_BYTES} bytes (1 MiB).",
            [{"path": "", "message": "too large"}],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OdcsError(
            "The document is not UTF-8 text.", [{"path": f"byte {exc.start}", "message": str(exc)}]
        ) from None
    try:
        loader = _StrictLoader(text)
        try:
            doc = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise OdcsError(
            f"Invalid YAML: {exc.problem or exc.context}",
            [{"path": where, "message": str(exc.problem or exc.context)}],
        ) from None
    except yaml.YAMLError as exc:
        raise OdcsError(f"Invalid YAML: {exc}", [{"path": "", "message": str(exc)}]) from None
    except RecursionError:
        raise OdcsError(
            "The YAML nests too deeply.", [{"path": "", "message": "too deep"}]
        ) from None
    if not isinstance(doc, dict):
        raise OdcsError(
            "An ODCS document must be a YAML mapping at the top level.",
            [{"path": "", "message": f"got {type(doc).__name__}"}],
        )
    return doc


# --- validation ----------------------------------------------------------------------------


@cache
def _standard_schema(api_version: str) -> dict[str, Any]:
    """The standard's JSON Schema: the v3.1.0 file shipped here, or the package's own for
    newer versions of the standard."""
    if api_version == "v3.2.0":
        text = importlib.resources.files("open_data_contract_standard").joinpath("schema.json")
        return json.loads(text.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    return json.loads(ODCS_SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validate_document(doc: Mapping[str, Any]) -> None:
    """Raise OdcsError listing where the document breaks the standard."""
    api_version = doc.get("apiVersion")
    schema = _standard_schema(api_version if isinstance(api_version, str) else "")
    validator = Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        listed = []
        for err in errors[:20]:
            # oneOf/anyOf failures are clearer through their best sub-error
            shown = best_match([err]) if err.context else err
            listed.append({"path": _pointer(shown.absolute_path), "message": shown.message})
        first = listed[0]
        raise OdcsError(
            f"The document does not follow the ODCS standard: {first['message']} "
            f"(at {first['path'] or '/'}).",
            listed,
        )
    try:
        OpenDataContractStandard.model_validate(doc)
    except pydantic.ValidationError as exc:
        listed = [{"path": _pointer(e["loc"]), "message": e["msg"]} for e in exc.errors()[:20]]
        raise OdcsError(
            f"The document does not fit the ODCS model: {listed[0]['message']} "
            f"(at {listed[0]['path']}).",
            listed,
        ) from None


# --- schema mapping ------------------------------------------------------------------------

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


def _property_to_json(prop: Mapping[str, Any], *, nullable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {
        k: copy.deepcopy(v) for k, v in prop.items() if k not in _MAPPED_PROPERTY_KEYS
    }
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
    if "properties" in prop:
        out.update(_properties_to_json(prop.get("properties") or []))
    if "items" in prop and isinstance(prop["items"], Mapping):
        out["items"] = _property_to_json(prop["items"], nullable=False)
    elif "items" in prop:
        extra["items"] = copy.deepcopy(prop["items"])
    if prop.get("required") is False:
        extra["required"] = False
    if "name" in prop and not isinstance(prop["name"], str):
        extra["name"] = prop["name"]
    if extra:
        out[X_ODCS] = extra
    return out


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
    out: dict[str, Any] = {"type": "object"}
    if "description" in obj:
        out["description"] = obj["description"]
    if "properties" in obj:
        out.update(_properties_to_json(obj.get("properties") or []))
    extra = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("description", "properties")}
    if extra:
        out[X_ODCS] = extra
    return out


def schema_to_json_schema(objects: list[Mapping[str, Any]]) -> dict[str, Any]:
    """ODCS ``schema`` list -> one JSON Schema: the record schema itself when there is one
    object, else an object with one property per schema object."""
    if len(objects) == 1:
        root = _object_to_json(objects[0])
    else:
        root = {
            "type": "object",
            "properties": {
                str(o.get("name", i)): _object_to_json(o) for i, o in enumerate(objects)
            },
            X_OBJECTS: [str(o.get("name", i)) for i, o in enumerate(objects)],
        }
    return {"$schema": JSON_SCHEMA_DIALECT, **root}


def _json_type(schema: Mapping[str, Any]) -> tuple[str | None, bool]:
    t = schema.get("type")
    types = [t] if isinstance(t, str) else list(t or [])
    nullable = "null" in types
    types = [x for x in types if x != "null"]
    return (types[0] if len(types) == 1 else None), nullable


def _json_to_property(name: str | None, schema: Any, required: bool | None) -> dict[str, Any]:
    if not isinstance(schema, Mapping):
        schema = {}
    extra: dict[str, Any] = dict(copy.deepcopy(schema.get(X_ODCS) or {}))
    prop: dict[str, Any] = {}
    if name is not None and "name" not in extra:
        prop["name"] = name
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
    if logical is not None:
        prop["logicalType"] = logical
    options: dict[str, Any] = {}
    for key in _OPTIONS_AS_KEYWORDS.get(logical or "", ()):
        if key in schema:
            options[key] = copy.deepcopy(schema[key])
    if logical == "string" and options.get("format") is None:
        options.pop("format", None)
    kept_options = extra.pop("logicalTypeOptions", None)
    if isinstance(kept_options, Mapping):
        options.update(kept_options)
    if options or kept_options is not None:
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
    return prop


def _json_to_properties(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required") or ())
    return [
        _json_to_property(name, sub, name in required)
        for name, sub in (schema.get("properties") or {}).items()
    ]


def _json_to_object(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = dict(copy.deepcopy(schema.get(X_ODCS) or {}))
    obj: dict[str, Any] = {}
    if "name" not in extra:
        obj["name"] = name
    obj.update(extra)
    if "description" in schema:
        obj["description"] = schema["description"]
    if "properties" in schema:
        obj["properties"] = _json_to_properties(schema)
    return obj


def json_schema_to_schema(schema: Mapping[str, Any], default_name: str) -> list[dict[str, Any]]:
    if X_OBJECTS in schema:
        props = schema.get("properties") or {}
        return [_json_to_object(n, props.get(n, {})) for n in schema[X_OBJECTS] if n in props]
    return [_json_to_object(default_name, schema)]


# --- SLA, quality, team ----------------------------------------------------------------------

_SLA_FIELDS = {"latency": "max_lateness", "frequency": "freshness", "retention": "retention"}


def _sla_from(doc: Mapping[str, Any]) -> dict[str, Any]:
    items = doc.get("slaProperties") or []
    sla: dict[str, Any] = {"production_use": doc.get("status") in ("active", "production")}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        key = _SLA_FIELDS.get(str(item.get("property")))
        if key and key not in sla:
            sla[key] = {"value": item.get("value"), "unit": item.get("unit")}
    sla["properties"] = copy.deepcopy(items)
    return sla


def _sla_to(sla: Mapping[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = copy.deepcopy(list(sla.get("properties") or []))
    for prop, key in _SLA_FIELDS.items():
        wanted = sla.get(key)
        existing = next((i for i in items if i.get("property") == prop), None)
        if not wanted:
            continue
        if existing is None:
            items.append(
                {"property": prop, "value": wanted.get("value"), "unit": wanted.get("unit")}
            )
        else:
            existing["value"] = wanted.get("value")
            if wanted.get("unit") is not None or "unit" in existing:
                existing["unit"] = wanted.get("unit")
    return items


def _threshold_from_rule(field_path: str, rule: Mapping[str, Any]) -> dict[str, Any] | None:
    metric = rule.get("metric") or rule.get("rule")
    if metric not in MISSING_METRICS:
        return None
    unit = str(rule.get("unit") or "rows").lower()
    limit = None
    for op in ("mustBe", "mustBeLessOrEqualTo", "mustBeLessThan"):
        if isinstance(rule.get(op), (int, float)) and not isinstance(rule.get(op), bool):
            limit = float(rule[op])
            break
    between = rule.get("mustBeBetween")
    if limit is None and isinstance(between, list) and len(between) == 2:
        upper = between[1]
        if isinstance(upper, (int, float)) and not isinstance(upper, bool):
            limit = float(upper)
    if limit is None:
        return None
    threshold: dict[str, Any] = {
        "field": field_path,
        "metric": metric,
        "window": rule.get("schedule"),
    }
    if unit in ("percent", "%"):
        threshold["max_ratio"] = limit / 100
        threshold["max_count"] = None
    else:
        # a count of rows; zero rows is a ratio of zero
        threshold["max_ratio"] = 0.0 if limit == 0 else None
        threshold["max_count"] = int(limit)
    return threshold


def _walk_properties(schema: Any, path: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    """(JSON pointer, property schema) for every property, depth first."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    if not isinstance(schema, Mapping):
        return found
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        here = f"{path}/properties/{_pointer([name])[1:]}"
        found.append((here, sub))
        found.extend(_walk_properties(sub, here))
        if isinstance(sub.get("items"), Mapping):
            found.extend(_walk_properties(sub["items"], here + "/items"))
    return found


def thresholds_from_schema(json_schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    thresholds = []
    for path, sub in [("", json_schema), *_walk_properties(json_schema)]:
        for rule in (sub.get(X_ODCS) or {}).get("quality") or []:
            if isinstance(rule, Mapping):
                t = _threshold_from_rule(path, rule)
                if t:
                    thresholds.append(t)
    return thresholds


def _apply_thresholds(json_schema: dict[str, Any], thresholds: Sequence[Mapping[str, Any]]) -> None:
    """Write the thresholds back into the quality rules they came from (or new rules)."""
    by_path = {path: sub for path, sub in [("", json_schema), *_walk_properties(json_schema)]}
    wanted = {(t["field"], t["metric"]): t for t in thresholds}
    for path, sub in by_path.items():
        odcs = sub.get(X_ODCS)
        if not isinstance(odcs, dict) or not isinstance(odcs.get("quality"), list):
            continue
        kept = []
        for rule in odcs["quality"]:
            current = _threshold_from_rule(path, rule) if isinstance(rule, Mapping) else None
            if current is None:
                kept.append(rule)
                continue
            target: Mapping[str, Any] | None = wanted.pop((path, current["metric"]), None)
            if target is None:
                continue  # threshold dropped
            if _same_limit(current, target):
                kept.append(rule)
            else:
                kept.append(_rule_with_limit(rule, target))
        odcs["quality"] = kept
    for (path, _), t in wanted.items():
        target_schema = by_path.get(path)
        if not isinstance(target_schema, dict):
            continue
        extra = target_schema.setdefault(X_ODCS, {})
        extra.setdefault("quality", []).append(_rule_with_limit({}, t))


def _same_limit(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("max_ratio") == b.get("max_ratio") and a.get("max_count") == b.get("max_count")


def _rule_with_limit(rule: Mapping[str, Any], t: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in rule.items()
        if k not in ("mustBe", "mustBeLessOrEqualTo", "mustBeLessThan", "mustBeBetween", "unit")
    }
    out.setdefault("metric", t["metric"])
    out.setdefault("type", "library")
    out.setdefault("dimension", "completeness")
    if t.get("max_count") is not None:
        out["mustBeLessOrEqualTo"] = t["max_count"]
        out["unit"] = "rows"
    else:
        out["mustBeLessOrEqualTo"] = round(float(t.get("max_ratio") or 0) * 100, 6)
        out["unit"] = "percent"
    if t.get("window") and "schedule" not in out:
        out["schedule"] = t["window"]
    return out


def _team_from(doc: Mapping[str, Any]) -> tuple[str, str]:
    team = doc.get("team")
    members = team.get("members") if isinstance(team, Mapping) else team
    name = str(team.get("name") or "") if isinstance(team, Mapping) else ""
    owner = ""
    for member in members or []:
        if (
            isinstance(member, Mapping)
            and str(member.get("role", "")).lower() == "owner"
            and not member.get("dateOut")
        ):
            owner = str(member.get("username") or member.get("name") or "")
    return name, owner


def _consumers_from(doc: Mapping[str, Any]) -> list[str]:
    return [
        str(r["role"])
        for r in doc.get("roles") or []
        if isinstance(r, Mapping) and r.get("role") and r.get("access") == "read"
    ]


def _entity_of(schema: Mapping[str, Any]) -> str:
    odcs = schema.get(X_ODCS) or {}
    return str(odcs.get("businessName") or schema.get("description") or odcs.get("name") or "")


def _semantics_from(json_schema: Mapping[str, Any]) -> dict[str, Any]:
    if X_OBJECTS in json_schema:
        props = json_schema.get("properties") or {}
        entity = "; ".join(
            filter(None, (_entity_of(props.get(n) or {}) for n in json_schema[X_OBJECTS]))
        )
    else:
        entity = _entity_of(json_schema)
    fields = {}
    for path, sub in _walk_properties(json_schema):
        meaning = sub.get("description") or (sub.get(X_ODCS) or {}).get("businessName")
        if meaning:
            fields[path] = meaning
    return {"entity": entity, "fields": fields}


# --- public API ----------------------------------------------------------------------------


def _check_unique_names(doc: Mapping[str, Any]) -> None:
    """Property names key the JSON Schema, so two properties of one object may not share one."""

    def walk(props: Any, path: list[object]) -> None:
        seen: set[str] = set()
        for i, prop in enumerate(props or []):
            if not isinstance(prop, Mapping):
                continue
            name = str(prop.get("name"))
            if name in seen:
                where = _pointer([*path, i, "name"])
                raise OdcsError(
                    f"Property name {name!r} appears twice in one object (at {where}).",
                    [{"path": where, "message": "duplicate property name"}],
                )
            seen.add(name)
            walk(prop.get("properties"), [*path, i, "properties"])
            items = prop.get("items")
            if isinstance(items, Mapping):
                walk(items.get("properties"), [*path, i, "items", "properties"])

    objects = doc.get("schema") or []
    names = [str(o.get("name")) for o in objects if isinstance(o, Mapping)]
    for i, name in enumerate(names):
        if name in names[:i]:
            where = _pointer(["schema", i, "name"])
            raise OdcsError(
                f"Schema object name {name!r} appears twice (at {where}).",
                [{"path": where, "message": "duplicate schema object name"}],
            )
    for i, obj in enumerate(objects):
        if isinstance(obj, Mapping):
            walk(obj.get("properties"), ["schema", i, "properties"])


def _check_finite(doc: Any) -> None:
    """JSON has no NaN or infinity; YAML does (.nan, .inf). Refuse them where they stand."""
    stack: list[tuple[Any, tuple[object, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            where = _pointer(path)
            raise OdcsError(
                f"{value} is not a number JSON can hold (at {where}).",
                [{"path": where, "message": "not a finite number"}],
            )
        if isinstance(value, Mapping):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))


def from_document(doc: Mapping[str, Any]) -> ContractData:
    _check_finite(doc)
    validate_document(doc)
    _check_unique_names(doc)
    objects = list(doc.get("schema") or [])
    json_schema = schema_to_json_schema(objects)
    if "schema" not in doc:
        json_schema["x-odcs-no-schema"] = True
    description = doc.get("description")
    purpose = str(description.get("purpose") or "") if isinstance(description, Mapping) else ""
    team, owner = _team_from(doc)
    name = doc.get("name") or doc.get("dataProduct") or doc.get("id")
    remainder = {k: copy.deepcopy(v) for k, v in doc.items() if k != "schema"}
    return ContractData(
        odcs_id=str(doc["id"]),
        name=str(name),
        version=str(doc["version"]),
        status=str(doc["status"]),
        purpose=purpose,
        producer_team=team,
        owner=owner,
        consumers=_consumers_from(doc),
        json_schema=json_schema,
        semantics=_semantics_from(json_schema),
        sla=_sla_from(doc),
        missing_thresholds=thresholds_from_schema(json_schema),
        document=remainder,
    )


def parse(raw: str | bytes) -> ContractData:
    """Bounded YAML -> validated ODCS -> ContractData. Raises OdcsError saying what and where."""
    return from_document(load_yaml(raw))


def to_document(data: ContractData) -> dict[str, Any]:
    """ContractData -> ODCS document (a dict), keeping unmapped parts verbatim."""
    doc: dict[str, Any] = copy.deepcopy(data.document)
    doc.setdefault("apiVersion", "v3.1.0")
    doc.setdefault("kind", "DataContract")
    doc["id"] = data.odcs_id
    doc["version"] = data.version
    doc["status"] = data.status
    if data.name and (doc.get("name") or not doc.get("dataProduct")) and doc.get("id") != data.name:
        doc["name"] = data.name
    if data.purpose:
        description = doc.get("description")
        if not isinstance(description, dict):
            description = doc["description"] = {}
        description["purpose"] = data.purpose
    json_schema = copy.deepcopy(data.json_schema)
    _apply_thresholds(json_schema, data.missing_thresholds)
    if not json_schema.pop("x-odcs-no-schema", False):
        doc["schema"] = json_schema_to_schema(json_schema, data.name or data.odcs_id)
    sla_items = _sla_to(data.sla)
    if sla_items or "slaProperties" in doc:
        doc["slaProperties"] = sla_items
    _apply_team(doc, data)
    return _ordered(doc)


def _apply_team(doc: dict[str, Any], data: ContractData) -> None:
    team_name, owner = _team_from(doc)
    if data.owner and data.owner != owner:
        team = doc.get("team")
        if isinstance(team, list):
            team = doc["team"] = {"members": team}
        if not isinstance(team, dict):
            team = doc["team"] = {}
        members = team.setdefault("members", [])
        members.append({"username": data.owner, "role": "Owner"})
    if data.producer_team and data.producer_team != team_name:
        team = doc.get("team")
        if isinstance(team, list):
            team = doc["team"] = {"members": team}
        if not isinstance(team, dict):
            team = doc["team"] = {}
        team["name"] = data.producer_team
    known = set(_consumers_from(doc))
    extra = [c for c in data.consumers if c not in known]
    if extra:
        doc["roles"] = [*(doc.get("roles") or []), *({"role": c, "access": "read"} for c in extra)]


_TOP_ORDER = (
    "apiVersion",
    "kind",
    "id",
    "name",
    "version",
    "status",
    "domain",
    "dataProduct",
    "tenant",
    "description",
    "schema",
)


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    first = {k: doc[k] for k in _TOP_ORDER if k in doc}
    return {**first, **{k: v for k, v in doc.items() if k not in first}}


def dump(data: ContractData) -> str:
    return yaml.safe_dump(to_document(data), sort_keys=False, allow_unicode=True, width=100)


def contract_from_fields(
    *,
    odcs_id: str,
    name: str,
    version: str,
    status: str,
    json_schema: Mapping[str, Any],
    purpose: str = "",
    producer_team: str = "",
    owner: str = "",
    consumers: list[str] | None = None,
    sla: Mapping[str, Any] | None = None,
    missing_thresholds: list[dict[str, Any]] | None = None,
    document: Mapping[str, Any] | None = None,
) -> ContractData:
    """A ContractData for a contract kept in the registry (for export)."""
    return ContractData(
        odcs_id=odcs_id,
        name=name,
        version=version,
        status=status,
        purpose=purpose,
        producer_team=producer_team,
        owner=owner,
        consumers=list(consumers or []),
        json_schema=dict(json_schema),
        semantics={},
        sla=dict(sla or {}),
        missing_thresholds=list(missing_thresholds or []),
        document=dict(document or {}),
    )
