from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contracts import odcs
from contracts.models import Consumer, ContractVersion, DataContract
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
)
from tests.contracts.odcs_samples import NESTED, reference_examples
from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Client = Callable[[Any], APIClient]
EXAMPLES = reference_examples()


def _schema(**changes: Any) -> dict[str, Any]:
    schema = copy.deepcopy(ORDER_SCHEMA)
    for name, value in changes.items():
        if value is None:
            schema["properties"].pop(name, None)
        else:
            schema["properties"][name] = value
    return schema


# --- access


def test_anonymous_gets_401(api_client_for: Client) -> None:
    client = api_client_for(None)
    assert client.get("/api/contracts/").status_code == 401
    response = client.post(
        "/api/contracts/compatibility/",
        {"old_schema": {}, "new_schema": {}, "mode": "BACKWARD"},
        format="json",
    )
    assert response.status_code == 401


def test_any_user_reads_but_only_leads_create(api_client_for: Client, pm_user, lead_user) -> None:
    dataset = CuratedDatasetFactory()
    body = {"name": "orders", "asset_type": "curated_dataset", "asset_id": dataset.pk}
    assert api_client_for(pm_user).get("/api/contracts/").status_code == 200
    assert api_client_for(pm_user).post("/api/contracts/", body, format="json").status_code == 403
    assert DataContract.objects.count() == 0
    response = api_client_for(lead_user).post(
        "/api/contracts/", {**body, "owner": pm_user.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["asset_name"] == dataset.name
    assert response.json()["owner_username"] == pm_user.username


def test_owner_edits_own_contract_not_others(api_client_for: Client, pm_user) -> None:
    own = DataContractFactory(owner=pm_user)
    other = DataContractFactory()
    client = api_client_for(pm_user)
    assert (
        client.patch(f"/api/contracts/{own.pk}/", {"purpose": "churn"}, format="json").status_code
        == 200
    )
    assert (
        client.patch(f"/api/contracts/{other.pk}/", {"purpose": "x"}, format="json").status_code
        == 403
    )
    other.refresh_from_db()
    assert other.purpose == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "asset_type": "feature", "asset_id": 999_999}, "asset_id"),
        ({"name": "x", "asset_type": "feature"}, "asset_id"),
        ({"name": "x", "asset_type": "dataset", "asset_id": 1}, "asset_type"),
        ({"name": "x", "compatibility_mode": "SIDEWAYS"}, "compatibility_mode"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"asset_type": "feature", "asset_id": "abc"}, "asset_id"),
    ],
)
def test_bad_contract_input_names_the_field(api_client_for: Client, lead_user, body, field) -> None:
    response = api_client_for(lead_user).post("/api/contracts/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert DataContract.objects.count() == 0


def test_list_is_a_constant_number_of_queries(api_client_for: Client, lead_user) -> None:
    client = api_client_for(lead_user)
    client.get("/api/contracts/")  # warm up auth caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/contracts/").status_code == 200
        return len(ctx.captured_queries)

    # asset names cost one query per asset kind present, so both sizes hold the same kinds
    ContractVersionFactory(
        contract=DataContractFactory(asset_type="feature", asset_id=FeatureFactory().pk)
    )
    ContractVersionFactory(contract=DataContractFactory())
    small = count()
    for _ in range(6):
        contract = DataContractFactory()
        ContractVersionFactory(contract=contract)
        ConsumerFactory(contract=contract)
        contract.ideas.add(IdeaFactory())
    assert count() == small
    rows = client.get("/api/contracts/").json()["results"]
    assert len(rows) == 8
    assert all(r["latest_version"] == "1.0.0" for r in rows)


# --- versions and the compatibility gate


def _publish(client: APIClient, contract: DataContract, schema: Any, version: str | None = None):
    body: dict[str, Any] = {"json_schema": schema}
    if version:
        body["version"] = version
    return client.post(f"/api/contracts/{contract.pk}/versions/", body, format="json")


def test_publishing_follows_semantic_versioning(api_client_for: Client, lead_user) -> None:
    contract = DataContractFactory(compatibility_mode="BACKWARD")
    client = api_client_for(lead_user)
    assert _publish(client, contract, ORDER_SCHEMA, "1.0.0").status_code == 201
    ConsumerFactory(contract=contract, name="churn model", pinned_major=1)
    ConsumerFactory(contract=contract, name="old report", pinned_major=0)

    # an optional, unconstrained-by-old-data field: compatible, suggested minor
    additive = _schema(note=None)
    additive["properties"]["channel"] = {"type": ["string", "null"]}
    check = client.post(
        f"/api/contracts/{contract.pk}/versions/check/", {"json_schema": additive}, format="json"
    ).json()
    assert check["compatible"] is False  # added to an open content model: narrows
    assert check["suggested_version"] == "2.0.0"
    assert check["impact"] == {
        "affected_major": 1,
        "consumers": [{"name": "churn model", "pinned_major": 1}],
    }

    widened = _schema(amount={"type": "number"})  # minimum dropped: widens only
    response = _publish(client, contract, widened)
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == "1.1.0"
    assert response.json()["changes"] == [
        {
            "type": "constraint_loosened",
            "path": "/properties/amount/minimum",
            "breaking": False,
            "message": "minimum 0 dropped",
        }
    ]

    narrowed = _schema(order_id={"type": "string", "maxLength": 8})
    refused = _publish(client, contract, narrowed, "1.2.0")
    assert refused.status_code == 409
    body = refused.json()
    # maxLength tightened, and the minimum that 1.1.0 dropped comes back
    assert {c["path"] for c in body["breaking_changes"]} == {
        "/properties/order_id/maxLength",
        "/properties/amount/minimum",
    }
    assert body["suggested_version"] == "2.0.0"
    assert [c["name"] for c in body["impact"]["consumers"]] == ["churn model"]
    assert ContractVersion.objects.filter(contract=contract).count() == 2

    accepted = _publish(client, contract, narrowed, "2.0.0")
    assert accepted.status_code == 201
    history = client.get(f"/api/contracts/{contract.pk}/versions/").json()
    assert [v["version"] for v in history] == ["1.0.0", "1.1.0", "2.0.0"]
    detail = client.get(f"/api/contracts/{contract.pk}/versions/2.0.0/")
    assert detail.json()["changes"][0]["breaking"] is True


def test_transitive_mode_checks_the_whole_major_line(api_client_for: Client, lead_user) -> None:
    contract = DataContractFactory(compatibility_mode="FORWARD_TRANSITIVE")
    client = api_client_for(lead_user)
    int_field = _schema(note={"type": "integer"})
    assert _publish(client, contract, int_field, "1.0.0").status_code == 201
    # integer -> number widens: FORWARD refuses it, in any mode with FORWARD
    response = _publish(client, contract, _schema(note={"type": "number"}), "1.1.0")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"json_schema": {"type": "strng"}}, "json_schema"),
        ({"json_schema": {"properties": {"a": {"$ref": "#/$defs/nope"}}}}, "json_schema"),
        ({"json_schema": [1]}, "json_schema"),
        ({"json_schema": ORDER_SCHEMA, "version": "v2"}, "version"),
        ({"json_schema": ORDER_SCHEMA, "sla": {"max_lateness": {"value": -1, "unit": "h"}}}, "sla"),
        ({"json_schema": ORDER_SCHEMA, "sla": {"latency": 3}}, "sla"),
        (
            {
                "json_schema": ORDER_SCHEMA,
                "missing_thresholds": [{"field": "/properties/nope", "max_ratio": 0.1}],
            },
            "missing_thresholds",
        ),
        (
            {
                "json_schema": ORDER_SCHEMA,
                "missing_thresholds": [{"field": "/properties/note", "max_ratio": 1.5}],
            },
            "missing_thresholds",
        ),
        (
            {"json_schema": ORDER_SCHEMA, "missing_thresholds": [{"field": "/properties/note"}]},
            "missing_thresholds",
        ),
    ],
)
def test_bad_version_input_is_a_400_and_writes_nothing(
    api_client_for: Client, lead_user, body, field
) -> None:
    contract = DataContractFactory()
    response = api_client_for(lead_user).post(
        f"/api/contracts/{contract.pk}/versions/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ContractVersion.objects.exists()


def test_invalid_schema_error_says_where(api_client_for: Client, lead_user) -> None:
    contract = DataContractFactory()
    response = _publish(
        api_client_for(lead_user), contract, {"properties": {"a": {"minLength": -1}}}
    )
    assert "/properties/a/minLength" in response.json()["json_schema"][0]


def test_version_numbers_only_go_forward(api_client_for: Client, lead_user) -> None:
    contract = DataContractFactory()
    client = api_client_for(lead_user)
    assert _publish(client, contract, ORDER_SCHEMA, "1.2.0").status_code == 201
    assert _publish(client, contract, ORDER_SCHEMA, "1.2.0").status_code == 409
    assert _publish(client, contract, ORDER_SCHEMA, "1.1.9").status_code == 409
    assert ContractVersion.objects.count() == 1


def test_thresholds_and_sla_are_stored(api_client_for: Client, pm_user) -> None:
    contract = DataContractFactory(owner=pm_user)  # an owner who is no data lead
    body = {
        "json_schema": ORDER_SCHEMA,
        "version": "1.0.0",
        "semantics": {"entity": "an order", "fields": {"/properties/amount": "gross, EUR"}},
        "sla": {
            "production_use": True,
            "max_lateness": {"value": 2, "unit": "h"},
            "freshness": {"value": 1, "unit": "d"},
        },
        "missing_thresholds": [{"field": "/properties/note", "max_ratio": 0.2, "window": "1d"}],
        "change_notes": "first",
    }
    response = api_client_for(pm_user).post(
        f"/api/contracts/{contract.pk}/versions/", body, format="json"
    )
    assert response.status_code == 201, response.json()
    row = ContractVersion.objects.get()
    assert row.sla["max_lateness"] == {"value": 2.0, "unit": "h"}
    assert row.missing_thresholds[0]["max_ratio"] == 0.2
    assert row.semantics["entity"] == "an order"
    assert row.created_by == pm_user


def test_other_users_cannot_publish(api_client_for: Client, pm_user) -> None:
    contract = DataContractFactory()
    assert _publish(api_client_for(pm_user), contract, ORDER_SCHEMA, "1.0.0").status_code == 403


def test_published_versions_are_immutable() -> None:
    version = ContractVersionFactory()
    version.change_notes = "rewritten"
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    draft = ContractVersionFactory(version="2.0.0", published_at=None, contract=version.contract)
    draft.change_notes = "still a draft"
    draft.save()


def test_pin_consumers_to_published_majors(api_client_for: Client, lead_user) -> None:
    contract = ContractVersionFactory(version="1.0.0").contract
    client = api_client_for(lead_user)
    url = f"/api/contracts/{contract.pk}/consumers/"
    assert client.post(url, {"name": "ranker", "pinned_major": 1}, format="json").status_code == 201
    bad = client.post(url, {"name": "ranker", "pinned_major": 3}, format="json")
    assert bad.status_code == 400 and "pinned_major" in bad.json()
    assert [c["pinned_major"] for c in client.get(url).json()] == [1]


# --- the stateless check


def test_compatibility_endpoint_shape(api_client_for: Client, pm_user) -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    response = api_client_for(pm_user).post(
        "/api/contracts/compatibility/",
        {"old_schema": old, "new_schema": new, "mode": "BACKWARD"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["compatible"] is False
    assert body["changes"] == [
        {
            "type": "required_added",
            "path": "/required/0",
            "breaking": True,
            "message": "property 'a' is now required",
            # a document valid under the old schema that the new one rejects
            "undecided": False,
            "example": {},
        }
    ]
    forward = (
        api_client_for(pm_user)
        .post(
            "/api/contracts/compatibility/",
            {"old_schema": old, "new_schema": new, "mode": "forward"},
            format="json",
        )
        .json()
    )
    assert forward["compatible"] is True and forward["suggested_bump"] == "minor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"old_schema": {}, "new_schema": {}, "mode": "SIDEWAYS"}, "mode"),
        ({"old_schema": {"type": 5}, "new_schema": {}}, "old_schema"),
        ({"old_schema": {}, "new_schema": {"minimum": "zero"}}, "new_schema"),
        ({"old_schema": {}, "new_schema": "not a schema"}, "new_schema"),
        ({"new_schema": {}}, "old_schema"),
    ],
)
def test_compatibility_bad_input(api_client_for: Client, pm_user, body, field) -> None:
    response = api_client_for(pm_user).post("/api/contracts/compatibility/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_compatibility_rejects_malformed_json(api_client_for: Client, pm_user) -> None:
    response = api_client_for(pm_user).post(
        "/api/contracts/compatibility/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


# --- ODCS import and export


def _import_file(client: APIClient, raw: bytes, **extra: Any):
    upload = SimpleUploadedFile("contract.odcs.yaml", raw, content_type="application/yaml")
    return client.post("/api/contracts/import/", {"file": upload, **extra}, format="multipart")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_reference_example_imports_and_exports_unchanged(
    api_client_for: Client, lead_user, path: Path
) -> None:
    client = api_client_for(lead_user)
    raw = path.read_bytes()
    response = _import_file(client, raw)
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["created"] is True
    contract = DataContract.objects.get(pk=report["contract"])
    exported = client.get(f"/api/contracts/{contract.pk}/export/")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/yaml")
    text = exported.content
    assert odcs.load_yaml(text) == odcs.load_yaml(raw)
    # importing the export again into an empty registry gives the same contract
    first = odcs.parse(raw)
    DataContract.objects.all().delete()
    again = client.post("/api/contracts/import/", text, content_type="application/yaml")
    assert again.status_code == 201, again.json()
    version = ContractVersion.objects.get()
    assert version.json_schema == first.json_schema
    assert version.sla == first.sla
    assert version.missing_thresholds == first.missing_thresholds
    assert version.odcs_document == first.document


def test_import_report_and_links(api_client_for: Client, lead_user) -> None:
    UserFactory(username="alice")
    dataset = CuratedDatasetFactory()
    response = _import_file(
        api_client_for(lead_user),
        NESTED.encode(),
        asset_type="curated_dataset",
        asset_id=dataset.pk,
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["version"] == "2.3.0"
    assert report["schema_objects"] == ["orders"]
    assert report["owner"] == "alice"
    assert report["consumers"] == ["churn_model"]
    assert len(report["missing_thresholds"]) == 2
    assert report["sla"]["max_lateness"] == {"value": 30, "unit": "m"}
    contract = DataContract.objects.get()
    assert (contract.asset_type, contract.asset_id) == ("curated_dataset", dataset.pk)
    assert contract.owner.username == "alice"
    assert contract.status == "active"
    assert list(Consumer.objects.values_list("name", "pinned_major")) == [("churn_model", 2)]


def test_import_of_a_newer_version_goes_through_the_gate(api_client_for: Client, lead_user) -> None:
    client = api_client_for(lead_user)
    assert _import_file(client, NESTED.encode()).status_code == 201
    same = _import_file(client, NESTED.encode())
    assert same.status_code == 409 and "version" in same.json()
    breaking = NESTED.replace("version: 2.3.0", "version: 2.4.0").replace(
        "          maxLength: 12", "          maxLength: 8"
    )
    refused = _import_file(client, breaking.encode())
    assert refused.status_code == 409
    assert refused.json()["impact"]["consumers"] == [{"name": "churn_model", "pinned_major": 2}]
    major = breaking.replace("version: 2.4.0", "version: 3.0.0")
    assert _import_file(client, major.encode()).status_code == 201
    assert list(ContractVersion.objects.values_list("version", flat=True)) == ["2.3.0", "3.0.0"]


BOMB = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"id: [unclosed\n", "Invalid YAML"),
        (BOMB.encode(), "anchors and aliases"),
        (NESTED.encode() + b"#" + b"x" * odcs.MAX_DOCUMENT_BYTES, "limit"),
        (NESTED.replace("kind: DataContract", "kind: Table").encode(), "ODCS standard"),
        (NESTED.replace("logicalType: integer", "logicalType: int").encode(), "ODCS standard"),
        (b"- just\n- a list\n", "mapping"),
    ],
)
def test_bad_odcs_is_a_400_that_says_what_and_where(
    api_client_for: Client, lead_user, raw: bytes, words: str
) -> None:
    client = api_client_for(lead_user)
    for response in (
        _import_file(client, raw),
        client.post("/api/contracts/import/", raw, content_type="application/yaml"),
    ):
        assert response.status_code == 400
        body = response.json()
        text = body.get("detail") or body.get("file", [""])[0]
        assert words in text
    assert not DataContract.objects.exists()
    assert not ContractVersion.objects.exists()


def test_schema_invalid_odcs_lists_paths(api_client_for: Client, lead_user) -> None:
    raw = NESTED.replace("logicalType: integer", "logicalType: int").encode()
    body = _import_file(api_client_for(lead_user), raw).json()
    assert "/schema/0/properties/3/logicalType" in {e["path"] for e in body["errors"]}


def test_import_needs_a_file(api_client_for: Client, lead_user) -> None:
    response = api_client_for(lead_user).post("/api/contracts/import/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_import_with_unknown_asset_writes_nothing(api_client_for: Client, lead_user) -> None:
    response = _import_file(
        api_client_for(lead_user), NESTED.encode(), asset_type="feature", asset_id=424242
    )
    assert response.status_code == 400 and "asset_id" in response.json()
    assert not DataContract.objects.exists()


def test_only_leads_import_new_contracts(api_client_for: Client, pm_user) -> None:
    assert _import_file(api_client_for(pm_user), NESTED.encode()).status_code == 403
    assert not DataContract.objects.exists()


def test_export_of_a_contract_made_here(api_client_for: Client, pm_user) -> None:
    version = ContractVersionFactory(
        sla={"max_lateness": {"value": 5, "unit": "m"}},
        missing_thresholds=[
            {
                "field": "/properties/note",
                "metric": "missingValues",
                "max_ratio": 0.1,
                "max_count": None,
                "window": None,
            }
        ],
    )
    ConsumerFactory(contract=version.contract, name="ranker")
    response = api_client_for(pm_user).get(f"/api/contracts/{version.contract.pk}/export/")
    assert response.status_code == 200
    doc = odcs.load_yaml(response.content)
    odcs.validate_document(doc)
    (obj,) = doc["schema"]
    props = {p["name"]: p for p in obj["properties"]}
    assert props["order_id"]["required"] is True
    assert props["note"]["quality"][0]["mustBeLessOrEqualTo"] == 10
    assert {"role": "ranker", "access": "read"} in doc["roles"]
    assert doc["slaProperties"] == [{"property": "latency", "value": 5, "unit": "m"}]


def test_export_without_a_published_version_is_404(api_client_for: Client, pm_user) -> None:
    contract = DataContractFactory()
    assert api_client_for(pm_user).get(f"/api/contracts/{contract.pk}/export/").status_code == 404


def test_property_order_survives_the_database() -> None:
    schema = {"type": "object", "properties": {"zeta": {}, "alpha": {}, "mid": {}}}
    version = ContractVersionFactory(json_schema=schema, odcs_document={"z": 1, "a": 2})
    stored = ContractVersion.objects.get(pk=version.pk)
    assert list(stored.json_schema["properties"]) == ["zeta", "alpha", "mid"]
    assert list(stored.odcs_document) == ["z", "a"]


def test_json_nested_past_the_decoder_is_a_400(api_client_for: Client, pm_user) -> None:
    body = '{"old_schema": ' + '{"items": ' * 5000 + "{}" + "}" * 5000 + ', "new_schema": {}}'
    response = api_client_for(pm_user).post(
        "/api/contracts/compatibility/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["detail"]


def test_yaml_nested_too_deep_is_a_400(api_client_for: Client, lead_user) -> None:
    raw = b"a: " + b"[" * 5000 + b"]" * 5000
    response = api_client_for(lead_user).post(
        "/api/contracts/import/", raw, content_type="application/yaml"
    )
    assert response.status_code == 400
    assert not DataContract.objects.exists()


def test_an_ideas_contracts_come_from_its_closure_and_direct_links(
    api_client_for: Client, pm_user
) -> None:
    raw = RawSourceFactory()
    curated = CuratedDatasetFactory(available=False, raw_sources=[raw])
    idea = IdeaFactory()
    NeedFactory(idea=idea, curated_dataset=curated)
    via_raw = DataContractFactory(name="raw", asset_type="raw_source", asset_id=raw.pk)
    direct = DataContractFactory(name="direct")
    direct.ideas.add(idea)
    DataContractFactory(name="elsewhere")
    client = api_client_for(pm_user)
    rows = client.get(f"/api/contracts/?idea={idea.pk}").json()["results"]
    assert {r["id"] for r in rows} == {via_raw.pk, direct.pk}
    assert client.get("/api/contracts/?idea=abc").status_code == 400
    assert client.get("/api/contracts/?idea=999999").status_code == 400


def test_yaml_body_import_takes_the_asset_from_the_query(api_client_for: Client, lead_user) -> None:
    dataset = CuratedDatasetFactory()
    response = api_client_for(lead_user).post(
        f"/api/contracts/import/?asset_type=curated_dataset&asset_id={dataset.pk}",
        NESTED.encode(),
        content_type="application/yaml",
    )
    assert response.status_code == 201, response.json()
    assert DataContract.objects.get().asset_id == dataset.pk


def test_changed_meaning_sla_and_limits_are_reported_and_bump_minor(
    api_client_for: Client, lead_user
) -> None:
    contract = DataContractFactory()
    ContractVersionFactory(
        contract=contract,
        semantics={"entity": "an order", "fields": {"/properties/amount": "gross EUR"}},
        sla={"production_use": True, "max_lateness": {"value": 1, "unit": "h"}},
        missing_thresholds=[
            {
                "field": "/properties/note",
                "metric": "missingValues",
                "max_ratio": 0.1,
                "max_count": None,
                "window": None,
            }
        ],
    )
    body = {
        "json_schema": ORDER_SCHEMA,
        "semantics": {"entity": "an order", "fields": {"/properties/amount": "net USD"}},
        "sla": {"production_use": True, "max_lateness": {"value": 120, "unit": "m"}},
        "missing_thresholds": [{"field": "/properties/note", "max_ratio": 0.2}],
    }
    plan = (
        api_client_for(lead_user)
        .post(f"/api/contracts/{contract.pk}/versions/check/", body, format="json")
        .json()
    )
    assert plan["compatible"] is True
    assert plan["suggested_version"] == "1.1.0"
    assert [(c["type"], c["path"], c["message"]) for c in plan["changes"]] == [
        ("meaning_changed", "/properties/amount", "now means 'net USD' (was 'gross EUR')"),
        ("sla_changed", "/sla/max_lateness", "max_lateness 1 h -> 120.0 m (weaker promise)"),
        (
            "missing_threshold_changed",
            "/properties/note",
            "missingValues limit at most 10 % -> at most 20 %",
        ),
    ]
    same = (
        api_client_for(lead_user)
        .post(
            f"/api/contracts/{contract.pk}/versions/check/",
            {
                "json_schema": ORDER_SCHEMA,
                "sla": {"production_use": True, "max_lateness": {"value": 60, "unit": "m"}},
                "semantics": {"entity": "an order", "fields": {"/properties/amount": "gross EUR"}},
                "missing_thresholds": [{"field": "/properties/note", "max_ratio": 0.1}],
            },
            format="json",
        )
        .json()
    )
    assert same["changes"] == [] and same["suggested_version"] == "1.0.1"


def test_version_history_query_count_is_constant(api_client_for: Client, pm_user) -> None:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0", created_by=pm_user)
    client = api_client_for(pm_user)
    url = f"/api/contracts/{contract.pk}/versions/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for minor in range(1, 6):
        ContractVersionFactory(contract=contract, version=f"1.{minor}.0", created_by=pm_user)
    assert count() == small
    assert len(client.get(url).json()) == 6


def test_refusal_comes_before_validation(api_client_for: Client, pm_user) -> None:
    other = DataContractFactory()
    client = api_client_for(pm_user)
    assert client.post("/api/contracts/", {"name": ""}, format="json").status_code == 403
    response = client.patch(f"/api/contracts/{other.pk}/", {"status": "nope"}, format="json")
    assert response.status_code == 403


def test_reference_bomb_is_a_400(api_client_for: Client, pm_user) -> None:
    from tests.contracts.compatibility.test_compatibility import _ref_bomb

    body = {"old_schema": _ref_bomb("string"), "new_schema": _ref_bomb("integer")}
    response = api_client_for(pm_user).post("/api/contracts/compatibility/", body, format="json")
    assert response.status_code == 400
    assert "too complex" in response.json()["new_schema"][0]


@pytest.mark.parametrize(
    "query",
    [
        "ideas=216482362741548788600442194249532833792",
        "ideas=-5",
        "asset_id=-817056831597796928618575876325376",
        "ideas=abc",
    ],
)
def test_contract_filters_refuse_ids_out_of_range(api_client_for, lead_user, query):
    client = api_client_for(lead_user)
    contract = DataContractFactory()
    assert client.get(f"/api/contracts/?{query}").status_code == 400
    # detail routes filter their queryset too: the same refusal, never a 500
    assert client.get(f"/api/contracts/{contract.pk}/versions/?{query}").status_code == 400
