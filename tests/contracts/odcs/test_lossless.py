"""A contract born here goes to ODCS and comes back with the same meaning: the same documents
valid, the same verdict on every record."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import jsonschema
import pytest

from contracts import odcs
from contracts.compatibility import Mode, check_compatibility
from contracts.demo import DEMO_CONTRACTS
from contracts.demo_activity import MORE_CONTRACTS
from contracts.odcs.keywords import without_metadata

RICH_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Order",
    "type": "object",
    "additionalProperties": False,
    "required": ["order_id", "status", "kind", "lines"],
    "properties": {
        "order_id": {"type": "string", "title": "Order id", "pattern": "^O[0-9]+$"},
        "status": {"type": "string", "enum": ["new", "paid", "shipped"]},
        "channel": {"type": ["string", "null"], "enum": ["web", "shop", None]},
        "priority": {"type": "integer", "enum": [1, 2, 3]},
        "kind": {"const": "order"},
        "reference": {"type": ["string", "integer"]},
        "coupon": {"type": "string", "maxLength": 8},
        "lines": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sku", "qty"],
                "properties": {
                    "sku": {"type": "string"},
                    "qty": {"type": "integer", "minimum": 1},
                    "tags": {
                        "type": "array",
                        "items": {"type": "string", "enum": ["gift", "bulk"]},
                    },
                },
            },
        },
        "payment": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"card": {"type": "string"}},
                    "required": ["card"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"iban": {"type": "string"}},
                    "required": ["iban"],
                    "additionalProperties": False,
                },
            ]
        },
        "discount": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
    },
}

VALID_ORDER: dict[str, Any] = {
    "order_id": "O12",
    "status": "paid",
    "channel": "web",
    "priority": 2,
    "kind": "order",
    "reference": 77,
    "coupon": "SPRING",
    "lines": [{"sku": "A-1", "qty": 2, "tags": ["gift"]}],
    "payment": {"card": "4111"},
    "discount": 1.5,
}

HANDWRITTEN: list[Any] = [
    VALID_ORDER,
    {"order_id": "O1", "status": "new", "kind": "order", "lines": [{"sku": "B", "qty": 1}]},
    {**VALID_ORDER, "status": "lost"},  # outside the enum
    {**VALID_ORDER, "channel": None},  # null is one of the values
    {**VALID_ORDER, "channel": "phone"},
    {**VALID_ORDER, "priority": 4},
    {**VALID_ORDER, "kind": "refund"},  # const
    {**VALID_ORDER, "reference": "R-7"},  # either side of the union
    {**VALID_ORDER, "reference": 1.5},
    {**VALID_ORDER, "reference": None},
    {**VALID_ORDER, "coupon": None},  # optional but not nullable
    {**VALID_ORDER, "extra": 1},  # closed model
    {**VALID_ORDER, "lines": []},
    {**VALID_ORDER, "lines": [{"sku": "A", "qty": 1, "colour": "red"}]},
    {**VALID_ORDER, "lines": [{"sku": "A", "qty": 1, "tags": ["fragile"]}]},
    {**VALID_ORDER, "lines": [{"sku": "A", "qty": 1, "tags": [None]}]},
    {**VALID_ORDER, "lines": [None]},
    {**VALID_ORDER, "payment": {"card": "1", "iban": "DE"}},  # oneOf: exactly one
    {**VALID_ORDER, "payment": {"iban": "DE"}},
    {**VALID_ORDER, "payment": {}},
    {**VALID_ORDER, "discount": None},
    {**VALID_ORDER, "discount": -1},
    {k: v for k, v in VALID_ORDER.items() if k != "kind"},
    "not an object",
    None,
]

_SAMPLE_VALUES: list[Any] = [None, "web", "O9", "order", "new", 1, 0, 2.5, True, [], {}, "x" * 9]


def _generated() -> list[Any]:
    """Every property of the valid order dropped, and set to each sample value; the same for
    the first order line's fields."""
    docs: list[Any] = []
    for key in VALID_ORDER:
        docs.append({k: v for k, v in VALID_ORDER.items() if k != key})
        docs.extend({**VALID_ORDER, key: value} for value in _SAMPLE_VALUES)
    line = VALID_ORDER["lines"][0]
    for key, value in itertools.product(["sku", "qty", "tags"], _SAMPLE_VALUES):
        docs.append({**VALID_ORDER, "lines": [{**line, key: value}]})
    return docs


def _round_trip(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = odcs.contract_from_fields(
        odcs_id="orders", name="orders", version="1.0.0", status="draft", json_schema=schema
    )
    document = odcs.to_document(data)
    return document, odcs.parse(odcs.dump(data)).json_schema


def test_round_trip_keeps_the_set_of_valid_documents() -> None:
    _, back = _round_trip(copy.deepcopy(RICH_SCHEMA))
    before = jsonschema.Draft202012Validator(RICH_SCHEMA)
    after = jsonschema.Draft202012Validator(back)
    docs = HANDWRITTEN + _generated()
    verdicts = [(before.is_valid(d), after.is_valid(d)) for d in docs]
    differing = [d for d, (a, b) in zip(docs, verdicts, strict=True) if a != b]
    assert differing == []
    # the documents tell the schemas apart: some are valid, many are not
    assert sum(a for a, _ in verdicts) >= 10
    assert sum(not a for a, _ in verdicts) >= 40


def test_round_trip_gives_back_the_same_schema_apart_from_odcs_metadata() -> None:
    _, back = _round_trip(copy.deepcopy(RICH_SCHEMA))
    assert without_metadata(back) == RICH_SCHEMA
    result = check_compatibility(back, [RICH_SCHEMA], Mode.FULL)
    assert result.compatible, result.as_dict()


def test_exported_document_follows_the_shipped_standard_schema() -> None:
    document, _ = _round_trip(copy.deepcopy(RICH_SCHEMA))
    standard = json.loads(odcs.ODCS_SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft201909Validator(standard).iter_errors(document))
    assert errors == []
    odcs.validate_document(document)  # and the standard's own model


def _props(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (obj,) = document["schema"]
    return {p["name"]: p for p in obj["properties"]}


def test_enums_reach_odcs_tools_as_valid_values_rules() -> None:
    document, _ = _round_trip(copy.deepcopy(RICH_SCHEMA))
    props = _props(document)
    (rule,) = props["status"]["quality"]
    assert rule["metric"] == "invalidValues"
    assert rule["arguments"] == {"validValues": ["new", "paid", "shipped"]}
    assert rule["mustBe"] == 0
    # null is not a value ODCS checks for validity
    assert props["channel"]["quality"][0]["arguments"] == {"validValues": ["web", "shop"]}
    assert props["kind"]["quality"][0]["arguments"] == {"validValues": ["order"]}
    tags = props["lines"]["items"]["properties"][2]["items"]
    assert tags["quality"][0]["arguments"] == {"validValues": ["gift", "bulk"]}


def test_what_odcs_cannot_say_is_kept_in_custom_properties() -> None:
    document, _ = _round_trip(copy.deepcopy(RICH_SCHEMA))
    (obj,) = document["schema"]
    kept = {c["property"]: c["value"] for c in obj["customProperties"]}
    assert kept["jsonSchema"] == {"title": "Order", "additionalProperties": False}
    props = _props(document)
    payment = {c["property"]: c["value"] for c in props["payment"]["customProperties"]}
    assert payment["jsonSchema"] == {"oneOf": RICH_SCHEMA["properties"]["payment"]["oneOf"]}
    reference = props["reference"]["customProperties"][0]["value"]
    assert reference == {"type": ["string", "integer"]}
    # what ODCS can say goes where ODCS says it
    assert props["order_id"]["logicalTypeOptions"] == {"pattern": "^O[0-9]+$"}
    assert props["lines"]["logicalTypeOptions"] == {"minItems": 1}
    assert props["lines"]["required"] is True
    assert [p["name"] for p in props["lines"]["items"]["properties"]] == ["sku", "qty", "tags"]


def test_changed_enum_replaces_the_rule_it_came_from() -> None:
    raw = """\
apiVersion: v3.1.0
kind: DataContract
id: shipments
version: 1.0.0
status: active
schema:
  - name: shipments
    properties:
      - name: carrier
        logicalType: string
        required: true
        quality:
          - metric: invalidValues
            arguments:
              validValues: [dhl, ups]
            mustBe: 0
            description: Carriers we have a contract with.
"""
    contract = odcs.parse(raw)
    carrier = contract.json_schema["properties"]["carrier"]
    # the rule is enforced by ValueChain's own validation too
    assert carrier["enum"] == ["dhl", "ups"]
    assert odcs.load_yaml(odcs.dump(contract)) == odcs.load_yaml(raw)
    carrier["enum"] = ["dhl", "ups", "fedex"]
    (prop,) = odcs.to_document(contract)["schema"][0]["properties"]
    assert [r["arguments"]["validValues"] for r in prop["quality"]] == [["dhl", "ups", "fedex"]]
    del carrier["enum"]
    (prop,) = odcs.to_document(contract)["schema"][0]["properties"]
    assert "quality" not in prop


def test_names_of_array_items_survive() -> None:
    raw = """\
apiVersion: v3.1.0
kind: DataContract
id: baskets
version: 1.0.0
status: active
schema:
  - name: baskets
    properties:
      - name: products
        logicalType: array
        items:
          name: product
          logicalType: object
          properties:
            - name: sku
              logicalType: string
"""
    contract = odcs.parse(raw)
    exported = odcs.to_document(contract)
    assert exported["schema"][0]["properties"][0]["items"]["name"] == "product"
    assert odcs.load_yaml(odcs.dump(contract)) == odcs.load_yaml(raw)


@pytest.mark.parametrize("blank", ['""', '"   "'])
def test_blank_id_is_refused_naming_id(blank: str) -> None:
    raw = f"apiVersion: v3.1.0\nkind: DataContract\nid: {blank}\nversion: 1.0.0\nstatus: draft\n"
    with pytest.raises(odcs.OdcsError) as caught:
        odcs.parse(raw)
    assert "id" in caught.value.message
    assert caught.value.errors[0]["path"] == "/id"


def _demo_versions() -> list[Any]:
    return [(spec, v) for spec in [*DEMO_CONTRACTS, *MORE_CONTRACTS] for v in spec.versions]


@pytest.mark.parametrize(
    ("spec", "version"),
    _demo_versions(),
    ids=[f"{s.odcs_id}-{v.version}" for s, v in _demo_versions()],
)
def test_every_demo_contract_exports_to_the_standard_and_comes_back(
    spec: Any, version: Any
) -> None:
    data = odcs.contract_from_fields(
        odcs_id=spec.odcs_id,
        name=spec.odcs_id,
        version=version.version,
        status="active",
        json_schema=copy.deepcopy(version.json_schema),
        sla=version.sla,
        missing_thresholds=version.missing_thresholds,
    )
    odcs.validate_document(odcs.to_document(data))
    back = odcs.parse(odcs.dump(data))
    assert without_metadata(back.json_schema) == without_metadata(version.json_schema)
