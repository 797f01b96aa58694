"""The contract API keeps ODCS documents whole and speaks JSON: versions published after an
import keep the rest of the document, exports follow Accept, version bodies are objects."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from rest_framework.test import APIClient

from contracts import odcs
from contracts.models import ContractVersion, DataContract
from tests.contracts.factories import ContractVersionFactory, DataContractFactory

pytestmark = pytest.mark.django_db
Client = Callable[[Any], APIClient]

IMPORTED = """\
apiVersion: v3.0.2
kind: DataContract
id: payments-contract
name: payments
version: 1.0.0
status: development
domain: finance
tags: [pii, finance]
description:
  purpose: Card payments, one record per payment.
servers:
  - server: warehouse
    type: postgres
    host: db.internal
    port: 5432
    database: finance
    schema: payments
team:
  - username: carol
    role: Owner
roles:
  - role: fraud_model
    access: read
support:
  - channel: "#payments"
    url: https://chat.example.com/payments
price:
  priceAmount: 5
  priceCurrency: EUR
  priceUnit: megabyte
customProperties:
  - property: costCentre
    value: CC-42
schema:
  - name: payments
    properties:
      - name: payment_id
        logicalType: string
        required: true
      - name: method
        logicalType: string
        required: true
        quality:
          - metric: invalidValues
            arguments:
              validValues: [card, transfer]
            mustBe: 0
"""
KEPT = ("apiVersion", "status", "servers", "team", "roles", "support", "price", "tags")


def _import(client: APIClient, text: str) -> Any:
    return client.post("/api/contracts/import/", text.encode(), content_type="application/yaml")


def _export(client: APIClient, contract: DataContract, **headers: Any) -> Any:
    return client.get(f"/api/contracts/{contract.pk}/export/", **headers)


@pytest.fixture
def imported(api_client_for: Client, lead_user: Any) -> tuple[APIClient, DataContract]:
    client = api_client_for(lead_user)
    response = _import(client, IMPORTED)
    assert response.status_code == 201, response.json()
    return client, DataContract.objects.get(pk=response.json()["contract"])


def _with_optional_field(schema: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    schema["properties"]["note"] = {"type": ["string", "null"]}
    return schema


# --- publishing keeps the imported document


def test_new_version_keeps_the_rest_of_the_imported_document(imported: Any) -> None:
    client, contract = imported
    first = client.get(f"/api/contracts/{contract.pk}/versions/").json()[0]
    response = client.post(
        f"/api/contracts/{contract.pk}/versions/",
        {"version": "2.0.0", "json_schema": _with_optional_field(first["json_schema"])},
        format="json",
    )
    assert response.status_code == 201, response.json()
    exported = _export(client, contract, data={"version": "2.0.0"})
    doc = yaml.safe_load(exported.content)
    original = yaml.safe_load(IMPORTED)
    for key in KEPT:
        assert doc[key] == original[key], key
    assert doc["apiVersion"] == "v3.0.2"
    assert doc["status"] == "development"
    assert doc["customProperties"] == [{"property": "costCentre", "value": "CC-42"}]
    assert [p["name"] for p in doc["schema"][0]["properties"]] == ["payment_id", "method", "note"]
    # the valid values rule is still there for ODCS tools
    method = doc["schema"][0]["properties"][1]
    assert method["quality"][0]["arguments"] == {"validValues": ["card", "transfer"]}
    odcs.validate_document(doc)


def test_new_version_changes_only_the_parts_sent(imported: Any) -> None:
    client, contract = imported
    schema = contract.versions.get().json_schema
    servers = [{"server": "lake", "type": "s3", "location": "s3://finance/payments"}]
    response = client.post(
        f"/api/contracts/{contract.pk}/versions/",
        {
            "version": "1.0.1",
            "json_schema": schema,
            "odcs_document": {"servers": servers, "price": None},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    doc = yaml.safe_load(_export(client, contract, data={"version": "1.0.1"}).content)
    assert doc["servers"] == servers
    assert "price" not in doc
    assert doc["support"] == yaml.safe_load(IMPORTED)["support"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"servers": "warehouse"}, "/servers"),
        ({"apiVersion": "v9"}, "/apiVersion"),
        ({"id": "other"}, "id"),
        ({"schema": []}, "schema"),
        (["servers"], "object"),
    ],
)
def test_bad_document_changes_are_400_naming_odcs_document(
    imported: Any, changes: Any, words: str
) -> None:
    client, contract = imported
    schema = contract.versions.get().json_schema
    response = client.post(
        f"/api/contracts/{contract.pk}/versions/",
        {"version": "1.0.1", "json_schema": schema, "odcs_document": changes},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert words in " ".join(body["odcs_document"])
    assert contract.versions.count() == 1


# --- blank ids


@pytest.mark.parametrize("blank", ['""', "'  '"])
def test_blank_odcs_id_is_refused_and_attaches_nowhere(
    api_client_for: Client, lead_user: Any, blank: str
) -> None:
    unnamed = ContractVersionFactory(contract=DataContractFactory(odcs_id="")).contract
    raw = IMPORTED.replace("id: payments-contract", f"id: {blank}")
    response = _import(api_client_for(lead_user), raw)
    assert response.status_code == 400
    body = response.json()
    assert "id" in body["detail"]
    assert body["errors"][0]["path"] == "/id"
    assert unnamed.versions.count() == 1
    assert DataContract.objects.count() == 1


# --- a contract born here goes to ODCS and comes back whole


ENUM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["order_id", "status"],
    "properties": {
        "order_id": {"type": "string"},
        "status": {"type": "string", "enum": ["new", "paid"]},
    },
}


def test_export_imported_back_is_a_version_of_the_same_contract_with_its_enums(
    api_client_for: Client, lead_user: Any
) -> None:
    version = ContractVersionFactory(json_schema=copy.deepcopy(ENUM_SCHEMA))
    contract = version.contract
    client = api_client_for(lead_user)
    text = _export(client, contract).content.decode()
    assert "valuechain-contract-" in text
    again = _import(client, text.replace("version: 1.0.0", "version: 1.1.0"))
    assert again.status_code == 201, again.json()
    assert again.json()["contract"] == contract.pk
    assert again.json()["created"] is False
    latest = contract.versions.get(version="1.1.0").json_schema
    assert latest["properties"]["status"]["enum"] == ["new", "paid"]
    assert latest["additionalProperties"] is False
    # and a record with a status outside the enum is still refused by the new version
    response = client.post(
        f"/api/contracts/{contract.pk}/validate/",
        {"records": [{"order_id": "O1", "status": "lost"}]},
        format="json",
    )
    assert response.status_code in (200, 201, 202), response.content
    assert response.json()["dead_letter_count"] == 1


# --- JSON everywhere


def test_versions_list_gives_objects_not_their_text(owner_client: APIClient, version: Any) -> None:
    response = owner_client.get(f"/api/contracts/{version.contract.pk}/versions/")
    assert response.status_code == 200
    (row,) = json.loads(response.content)
    assert row["json_schema"] == version.json_schema
    assert row["semantics"] == version.semantics
    assert row["sla"] == {"production_use": True}
    detail = owner_client.get(f"/api/contracts/{version.contract.pk}/versions/1.0.0/").json()
    assert isinstance(detail["json_schema"], dict)


def test_openapi_types_the_version_documents_as_objects(
    api_client_for: Client, exec_user: Any
) -> None:
    response = api_client_for(exec_user).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi"
    )
    schema = yaml.safe_load(response.content)
    fields = schema["components"]["schemas"]["ContractVersion"]["properties"]
    for name in ("json_schema", "semantics", "sla"):
        assert fields[name]["type"] == "object", name
    publish = schema["components"]["schemas"]["PublishVersionRequest"]["properties"]
    assert publish["odcs_document"]["type"] == "object"


@pytest.mark.parametrize(
    "accept",
    ["application/yaml", "application/x-yaml", "text/yaml", "*/*", "text/html, */*;q=0.8"],
)
def test_export_answers_yaml_to_yaml_and_to_anything(
    owner_client: APIClient, version: Any, accept: str
) -> None:
    response = _export(owner_client, version.contract, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    wanted = accept if "yaml" in accept else "application/yaml"
    assert response["Content-Type"].startswith(wanted)
    assert response["Content-Disposition"].endswith('.odcs.yaml"')
    doc = odcs.load_yaml(response.content)
    assert doc["id"] == f"valuechain-contract-{version.contract.pk}"


def test_export_answers_json_to_json(owner_client: APIClient, version: Any) -> None:
    as_yaml = odcs.load_yaml(_export(owner_client, version.contract).content)
    response = _export(owner_client, version.contract, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].endswith('.odcs.json"')
    assert json.loads(response.content) == as_yaml
    by_format = _export(owner_client, version.contract, data={"format": "json"})
    assert json.loads(by_format.content) == as_yaml


def test_export_refuses_only_types_it_cannot_give(owner_client: APIClient, version: Any) -> None:
    response = _export(owner_client, version.contract, HTTP_ACCEPT="text/csv")
    assert response.status_code == 406


def test_export_errors_follow_accept(owner_client: APIClient) -> None:
    contract = DataContractFactory()
    response = owner_client.get(
        f"/api/contracts/{contract.pk}/export/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404
    assert "no published version" in response.json()["detail"]
    as_yaml = owner_client.get(f"/api/contracts/{contract.pk}/export/")
    assert as_yaml.status_code == 404
    assert "no published version" in yaml.safe_load(as_yaml.content)["detail"]


def test_imported_version_keeps_its_odcs_document(imported: Any) -> None:
    _, contract = imported
    stored = ContractVersion.objects.get(contract=contract)
    assert stored.odcs_document["servers"][0]["server"] == "warehouse"


def test_kept_keywords_that_are_not_json_schema_are_400(
    api_client_for: Client, lead_user: Any
) -> None:
    raw = IMPORTED.replace(
        "      - name: payment_id\n        logicalType: string\n",
        "      - name: payment_id\n        logicalType: string\n"
        "        customProperties:\n          - property: jsonSchema\n"
        "            value: {type: 5}\n",
    )
    response = _import(api_client_for(lead_user), raw)
    assert response.status_code == 400
    assert "json_schema" in response.json()
    assert not DataContract.objects.exists()


def test_kept_keywords_come_back_from_an_odcs_document(
    api_client_for: Client, lead_user: Any
) -> None:
    raw = IMPORTED.replace(
        "      - name: payment_id\n        logicalType: string\n",
        "      - name: payment_id\n        logicalType: string\n"
        "        customProperties:\n          - property: jsonSchema\n"
        "            value: {minLength: 3}\n",
    )
    response = _import(api_client_for(lead_user), raw)
    assert response.status_code == 201, response.json()
    schema = ContractVersion.objects.get().json_schema
    assert schema["properties"]["payment_id"]["minLength"] == 3
