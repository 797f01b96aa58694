from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import jsonschema
import pytest
import yaml

from contracts import odcs
from contracts.compatibility import Mode, check_compatibility, validate_schema
from tests.contracts.odcs_samples import NESTED, REFERENCE_DIR, reference_examples

EXAMPLES = reference_examples()


def test_reference_examples_are_found() -> None:
    assert len(EXAMPLES) >= 5, "the ODCS reference examples in tests/contracts/fixtures/odcs"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_imports_exports_and_reimports_to_an_equal_contract(path: Path) -> None:
    raw = path.read_bytes()
    contract = odcs.parse(raw)
    exported = odcs.dump(contract)
    again = odcs.parse(exported)
    assert again == contract
    # nothing of the original document is lost or altered
    assert odcs.load_yaml(exported) == odcs.load_yaml(raw)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_maps_to_a_valid_json_schema(path: Path) -> None:
    contract = odcs.parse(path.read_bytes())
    validate_schema(contract.json_schema)
    assert contract.json_schema["$schema"] == odcs.JSON_SCHEMA_DIALECT


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_exported_example_still_follows_the_standard(path: Path) -> None:
    contract = odcs.parse(path.read_bytes())
    odcs.validate_document(odcs.to_document(contract))


def test_shipped_standard_schema_is_the_reference_one() -> None:
    shipped = odcs.ODCS_SCHEMA_FILE.read_text(encoding="utf-8")
    reference = REFERENCE_DIR / odcs.ODCS_SCHEMA_FILE.name
    assert shipped == reference.read_text(encoding="utf-8")


def _by_name(examples: list[Path], name: str) -> Path:
    (found,) = [p for p in examples if p.name == name]
    return found


def test_full_example_owner_consumers_sla_and_thresholds() -> None:
    contract = odcs.parse(_by_name(EXAMPLES, "full-example.odcs.yaml").read_bytes())
    assert contract.owner == "daustin"
    assert contract.producer_team == "my-team"
    assert contract.consumers == [
        "microstrategy_user_opr",
        "bq_queryman_user_opr",
        "risk_data_access_opr",
    ]
    assert contract.sla["max_lateness"] == {"value": 4, "unit": "d"}
    assert contract.sla["freshness"] == {"value": 1, "unit": "d"}
    assert contract.sla["retention"] == {"value": 3, "unit": "y"}
    assert contract.sla["production_use"] is True
    assert contract.purpose == "Views built on top of the seller tables."
    (threshold,) = contract.missing_thresholds
    assert threshold["field"] == "/properties/tbl/properties/rcvr_cntry_code"
    assert threshold["max_ratio"] == 0.0
    assert threshold["window"] == "0 20 * * *"
    # two tables: one property per schema object, in order
    assert contract.json_schema[odcs.X_OBJECTS] == ["tbl", "receivers"]
    receivers = contract.json_schema["properties"]["receivers"]
    assert receivers["required"] == ["id", "country_code", "receiver_name"]


def test_column_completeness_threshold() -> None:
    contract = odcs.parse(_by_name(EXAMPLES, "column-completeness.odcs.yaml").read_bytes())
    assert contract.missing_thresholds == [
        {
            "field": "/properties/UniqueID",
            "metric": "nullValues",
            "window": "0 20 * * *",
            "max_ratio": 0.0,
            "max_count": 0,
        }
    ]


# --- mapping of the parts the standard defines


@pytest.fixture
def nested() -> odcs.ContractData:
    return odcs.parse(NESTED)


def test_logical_types_required_and_options_map_to_json_schema(nested: odcs.ContractData) -> None:
    schema = nested.json_schema
    props = schema["properties"]
    assert schema["required"] == ["order_id", "amount", "customer"]
    assert props["order_id"]["type"] == "string"
    assert props["order_id"]["pattern"] == "^O[0-9]+$"
    assert props["order_id"]["maxLength"] == 12
    assert props["amount"]["minimum"] == 0
    # not required means it may be null
    assert props["placed_on"]["type"] == ["string", "null"]
    assert props["placed_on"]["format"] == "date"
    # a JDK date pattern is no JSON Schema format: kept aside
    assert props["placed_on"]["x-odcs"]["logicalTypeOptions"] == {"format": "yyyy-MM-dd"}
    assert props["quantity"]["maximum"] == 1000
    assert props["customer"]["properties"]["email"]["format"] == "email"
    assert props["customer"]["required"] == ["id"]
    assert props["lines"]["minItems"] == 1
    assert props["lines"]["items"]["properties"]["sku"]["type"] == "string"
    assert props["lines"]["items"]["required"] == ["sku"]


def test_json_schema_validates_records_as_odcs_describes_them(nested: odcs.ContractData) -> None:
    validator = jsonschema.Draft202012Validator(
        nested.json_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    good = {
        "order_id": "O123",
        "amount": 10.5,
        "placed_on": None,
        "customer": {"id": "c1", "email": "a@example.com"},
        "lines": [{"sku": "X", "qty": 2}],
    }
    assert list(validator.iter_errors(good)) == []
    bad = {**good, "order_id": "123", "lines": []}
    assert {e.validator for e in validator.iter_errors(bad)} == {"pattern", "minItems"}


def test_semantics_name_the_entity_and_fields(nested: odcs.ContractData) -> None:
    assert nested.semantics["entity"] == "Order"
    assert nested.semantics["fields"] == {
        "/properties/order_id": "Identifier of the order, unique in the shop"
    }


def test_team_sla_and_thresholds(nested: odcs.ContractData) -> None:
    assert (nested.owner, nested.producer_team, nested.consumers) == (
        "alice",
        "checkout-team",
        ["churn_model"],
    )
    assert nested.sla["max_lateness"] == {"value": 30, "unit": "m"}
    assert nested.sla["freshness"] == {"value": 1, "unit": "h"}
    assert "retention" not in nested.sla
    assert {(t["field"], t["metric"], t["max_ratio"]) for t in nested.missing_thresholds} == {
        ("/properties/amount", "nullValues", 0.01),
        ("/properties/customer/properties/email", "missingValues", 0.05),
    }


def test_nested_document_round_trips(nested: odcs.ContractData) -> None:
    exported = odcs.dump(nested)
    assert odcs.parse(exported) == nested
    assert odcs.load_yaml(exported) == odcs.load_yaml(NESTED)


def test_changed_fields_are_written_back_on_export(nested: odcs.ContractData) -> None:
    changed = dataclasses.replace(
        nested,
        owner="carol",
        consumers=[*nested.consumers, "forecasting"],
        sla={
            **nested.sla,
            "max_lateness": {"value": 15, "unit": "m"},
            "retention": {"value": 2, "unit": "y"},
        },
        missing_thresholds=[
            {**t, "max_ratio": 0.02} if t["field"] == "/properties/amount" else t
            for t in nested.missing_thresholds
        ]
        + [
            {
                "field": "/properties/quantity",
                "metric": "nullValues",
                "max_ratio": 0.1,
                "max_count": None,
                "window": None,
            }
        ],
        json_schema=copy.deepcopy(nested.json_schema),
    )
    changed.json_schema["properties"]["quantity"]["type"] = ["number", "null"]
    doc = odcs.to_document(changed)
    odcs.validate_document(doc)
    props = {p["name"]: p for p in doc["schema"][0]["properties"]}
    assert props["quantity"]["logicalType"] == "number"
    assert props["amount"]["quality"][0]["mustBeLessOrEqualTo"] == 2
    assert props["quantity"]["quality"] == [
        {
            "metric": "nullValues",
            "type": "library",
            "dimension": "completeness",
            "mustBeLessOrEqualTo": 10,
            "unit": "percent",
        }
    ]
    sla = {s["property"]: s for s in doc["slaProperties"]}
    assert (sla["latency"]["value"], sla["retention"]["value"]) == (15, 2)
    assert {"username": "carol", "role": "Owner"} in doc["team"]["members"]
    assert {"role": "forecasting", "access": "read"} in doc["roles"]
    again = odcs.from_document(doc)
    assert again.owner == "carol"
    assert "forecasting" in again.consumers
    assert again.sla["max_lateness"] == {"value": 15, "unit": "m"}
    assert {t["field"]: t["max_ratio"] for t in again.missing_thresholds}[
        "/properties/quantity"
    ] == 0.1


def test_a_plain_json_schema_exports_as_one_schema_object() -> None:
    data = odcs.contract_from_fields(
        odcs_id="c-1",
        name="clicks",
        version="1.0.0",
        status="draft",
        json_schema={
            "$schema": odcs.JSON_SCHEMA_DIALECT,
            "type": "object",
            "properties": {
                "user": {"type": "string", "maxLength": 40},
                "at": {"type": "string", "format": "date-time"},
                "n": {"type": ["integer", "null"]},
            },
            "required": ["user", "at"],
        },
        owner="dora",
        consumers=["ranker"],
        sla={"max_lateness": {"value": 5, "unit": "m"}},
    )
    doc = odcs.to_document(data)
    odcs.validate_document(doc)
    (obj,) = doc["schema"]
    assert obj["name"] == "clicks"
    props = {p["name"]: p for p in obj["properties"]}
    assert props["user"] == {
        "name": "user",
        "logicalType": "string",
        "required": True,
        "logicalTypeOptions": {"maxLength": 40},
    }
    assert props["at"]["logicalType"] == "timestamp"
    assert props["n"]["logicalType"] == "integer"
    back = odcs.from_document(doc)
    assert back.json_schema["properties"]["user"]["type"] == "string"
    assert back.owner == "dora" and back.consumers == ["ranker"]


def test_imported_versions_feed_the_compatibility_check(nested: odcs.ContractData) -> None:
    newer = NESTED.replace("version: 2.3.0", "version: 2.4.0").replace(
        "          maxLength: 12", "          maxLength: 8"
    )
    result = check_compatibility(odcs.parse(newer).json_schema, [nested.json_schema], Mode.BACKWARD)
    assert not result.compatible
    assert [c.path for c in result.breaking] == ["/properties/order_id/maxLength"]


def test_v3_2_documents_use_the_newer_standard() -> None:
    doc = odcs.load_yaml(NESTED.replace("apiVersion: v3.1.0", "apiVersion: v3.2.0"))
    doc["context"] = "Use for churn features only."  # new in v3.2.0
    contract = odcs.from_document(doc)
    assert odcs.to_document(contract)["context"] == "Use for churn features only."
    with pytest.raises(odcs.OdcsError):
        odcs.from_document({**doc, "apiVersion": "v3.1.0"})


# --- bad input


def test_invalid_yaml_says_where() -> None:
    with pytest.raises(odcs.OdcsError) as exc:
        odcs.parse("id: x\nschema: [\n  - name: a\n")
    assert exc.value.message.startswith("Invalid YAML")
    assert exc.value.errors[0]["path"].startswith("line ")


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(odcs.OdcsError, match="anchors and aliases") as exc:
        odcs.parse(bomb)
    assert exc.value.errors[0]["path"] == "line 1, column 4"


def test_a_single_anchor_is_refused_too() -> None:
    with pytest.raises(odcs.OdcsError, match="anchors"):
        odcs.parse(NESTED.replace("name: orders\nversion", "name: &n orders\nversion"))


def test_document_over_the_size_limit() -> None:
    big = NESTED + "# " + "x" * odcs.MAX_DOCUMENT_BYTES + "\n"
    with pytest.raises(odcs.OdcsError, match="limit"):
        odcs.parse(big)


@pytest.mark.parametrize("raw", ["- a\n- b\n", "just text\n", "", b"\xff\xfe\x00"])
def test_not_a_mapping_or_not_text(raw: str | bytes) -> None:
    with pytest.raises(odcs.OdcsError):
        odcs.parse(raw)


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d.pop("id"), ""),
        (lambda d: d.update(kind="Contract"), "/kind"),
        (
            lambda d: d["schema"][0]["properties"][0].update(logicalType="text"),
            "/schema/0/properties/0/logicalType",
        ),
        (lambda d: d["schema"][0]["properties"][0].update(unknownKey=1), "/schema/0/properties/0"),
        (
            lambda d: d["schema"][0]["properties"][0]["logicalTypeOptions"].update(minimum="a"),
            "/schema/0/properties/0/logicalTypeOptions",
        ),
    ],
)
def test_schema_invalid_odcs_names_the_path(edit, path: str) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(NESTED)
    edit(doc)
    with pytest.raises(odcs.OdcsError) as exc:
        odcs.from_document(doc)
    assert "ODCS" in exc.value.message
    assert any(e["path"] == path for e in exc.value.errors), exc.value.errors


def test_duplicate_property_names_are_refused() -> None:
    doc = yaml.safe_load(NESTED)
    doc["schema"][0]["properties"].append({"name": "amount", "logicalType": "string"})
    with pytest.raises(odcs.OdcsError, match="appears twice") as exc:
        odcs.from_document(doc)
    assert exc.value.errors[0]["path"] == "/schema/0/properties/6/name"


def test_unquoted_dates_stay_strings() -> None:
    doc = odcs.load_yaml("contractCreatedTs: 2022-11-15\n")
    assert doc["contractCreatedTs"] == "2022-11-15"


def test_between_rule_maps_its_upper_bound_and_writes_back_valid() -> None:
    raw = NESTED.replace(
        "            mustBeLessThan: 1\n            unit: percent",
        "            mustBeBetween: [0, 2]\n            unit: percent",
    )
    contract = odcs.parse(raw)
    amount = [t for t in contract.missing_thresholds if t["field"] == "/properties/amount"]
    assert amount[0]["max_ratio"] == 0.02
    assert odcs.load_yaml(odcs.dump(contract)) == odcs.load_yaml(raw)
    changed = dataclasses.replace(
        contract,
        missing_thresholds=[
            {**t, "max_ratio": 0.03} if t["field"] == "/properties/amount" else t
            for t in contract.missing_thresholds
        ],
    )
    doc = odcs.to_document(changed)
    odcs.validate_document(doc)
    rule = doc["schema"][0]["properties"][1]["quality"][0]
    assert "mustBeBetween" not in rule and rule["mustBeLessOrEqualTo"] == 3


def test_yaml_nan_and_infinity_are_refused_where_they_stand() -> None:
    raw = NESTED.replace("mustBeLessThan: 1", "mustBeLessThan: .nan")
    with pytest.raises(odcs.OdcsError, match="not a number JSON can hold") as exc:
        odcs.parse(raw)
    assert exc.value.errors[0]["path"] == "/schema/0/properties/1/quality/0/mustBeLessThan"
