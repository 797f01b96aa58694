"""Reading an ODCS document: bounded, alias-free YAML -> strict validation against the
standard's JSON Schema and the ``open-data-contract-standard`` model -> a ContractData."""

from __future__ import annotations

import copy
import importlib.resources
import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import pydantic
import yaml
from jsonschema import Draft201909Validator
from jsonschema.exceptions import best_match
from open_data_contract_standard.model import OpenDataContractStandard

from contracts.odcs.mapping import schema_to_json_schema
from contracts.odcs.model import MAX_DOCUMENT_BYTES, ContractData, OdcsError, json_pointer
from contracts.odcs.terms import (
    consumers_from,
    semantics_from,
    sla_from,
    team_from,
    thresholds_from_schema,
)
from valuechain.safe_yaml import ANCHORS_REFUSED, StrictSafeLoader, load
from valuechain.safe_yaml import where as yaml_where

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
ODCS_SCHEMA_FILE = SCHEMA_DIR / "odcs-json-schema-v3.1.0.json"

# --- YAML ----------------------------------------------------------------------------------


class _StrictLoader(StrictSafeLoader):
    """The shared alias-free, timestamp-free loader, refusing with an OdcsError."""

    def refuse(self, mark: Any) -> NoReturn:
        raise OdcsError(ANCHORS_REFUSED, [{"path": yaml_where(mark), "message": "anchor or alias"}])


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
        doc = load(text, _StrictLoader)
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
            listed.append({"path": json_pointer(shown.absolute_path), "message": shown.message})
        first = listed[0]
        raise OdcsError(
            f"The document does not follow the ODCS standard: {first['message']} "
            f"(at {first['path'] or '/'}).",
            listed,
        )
    try:
        OpenDataContractStandard.model_validate(doc)
    except pydantic.ValidationError as exc:
        listed = [{"path": json_pointer(e["loc"]), "message": e["msg"]} for e in exc.errors()[:20]]
        raise OdcsError(
            f"The document does not fit the ODCS model: {listed[0]['message']} "
            f"(at {listed[0]['path']}).",
            listed,
        ) from None


def _check_unique_names(doc: Mapping[str, Any]) -> None:
    """Property names key the JSON Schema, so two properties of one object may not share one."""

    def walk(props: Any, path: list[object]) -> None:
        seen: set[str] = set()
        for i, prop in enumerate(props or []):
            if not isinstance(prop, Mapping):
                continue
            name = str(prop.get("name"))
            if name in seen:
                where = json_pointer([*path, i, "name"])
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
            where = json_pointer(["schema", i, "name"])
            raise OdcsError(
                f"Schema object name {name!r} appears twice (at {where}).",
                [{"path": where, "message": "duplicate schema object name"}],
            )
    for i, obj in enumerate(objects):
        if isinstance(obj, Mapping):
            walk(obj.get("properties"), ["schema", i, "properties"])


def _check_id(doc: Mapping[str, Any]) -> None:
    """The id finds the contract a document is a version of: an empty one would match any
    contract without an ODCS id."""
    if not str(doc.get("id", "")).strip():
        raise OdcsError(
            "The document's id is empty: give the contract a stable, non-blank id "
            "(the id names the contract across its versions).",
            [{"path": "/id", "message": "id must not be empty or blank"}],
        )


def _check_finite(doc: Any) -> None:
    """JSON has no NaN or infinity; YAML does (.nan, .inf). Refuse them where they stand."""
    stack: list[tuple[Any, tuple[object, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            where = json_pointer(path)
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
    _check_id(doc)
    _check_unique_names(doc)
    objects = list(doc.get("schema") or [])
    json_schema = schema_to_json_schema(objects)
    if "schema" not in doc:
        json_schema["x-odcs-no-schema"] = True
    description = doc.get("description")
    purpose = str(description.get("purpose") or "") if isinstance(description, Mapping) else ""
    team, owner = team_from(doc)
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
        consumers=consumers_from(doc),
        json_schema=json_schema,
        semantics=semantics_from(json_schema),
        sla=sla_from(doc),
        missing_thresholds=thresholds_from_schema(json_schema),
        document=remainder,
    )


def parse(raw: str | bytes) -> ContractData:
    """Bounded YAML -> validated ODCS -> ContractData. Raises OdcsError saying what and where."""
    return from_document(load_yaml(raw))
