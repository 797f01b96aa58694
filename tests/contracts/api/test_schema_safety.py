"""Publishing refuses schemas that would hang, fetch or loop when records are validated: a 400
naming the pointer, and nothing written."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as PageClient
from rest_framework.test import APIClient

from contracts.compatibility import schema as compat_schema
from contracts.models import Consumer, ContractVersion, DataContract
from contracts.registry import services
from tests.contracts.factories import ORDER_SCHEMA, DataContractFactory
from tests.contracts.odcs_samples import NESTED

pytestmark = pytest.mark.django_db
Client = Callable[[Any], APIClient]


def _with(prop: dict[str, Any], **extra: Any) -> dict[str, Any]:
    schema = copy.deepcopy(ORDER_SCHEMA)
    schema["properties"]["code"] = prop
    schema.update(extra)
    return schema


def _deep(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"x": schema}}
    return schema


UNSAFE = [
    pytest.param(_with({"$ref": "file:///etc/passwd"}), "/properties/code/$ref", "outside",
                 id="file"),
    pytest.param(
        _with({"$ref": "http://127.0.0.1:8899/evil.json"}),
        "/properties/code/$ref",
        "outside",
        id="http",
    ),
    pytest.param(_with({"type": "string", "pattern": "^(a)\\1$"}), "/properties/code/pattern",
                 "backreferences", id="backreference"),
    pytest.param(_with({"type": "string", "pattern": "^(?!x)"}), "/properties/code/pattern",
                 "lookarounds", id="lookahead"),
    pytest.param(_with({"$ref": "#/$defs/missing"}), "/properties/code/$ref", "points at nothing",
                 id="missing"),
    pytest.param(_with({}, **{"$ref": "#"}), "/$ref", "cycle", id="root-cycle"),
    pytest.param(
        _with({"$ref": "#/$defs/a"}, **{"$defs": {"a": {"$ref": "#/$defs/b"},
                                                 "b": {"$ref": "#/$defs/a"}}}),
        "/$defs/", "cycle", id="a-b-cycle",
    ),
    pytest.param(
        _with({"type": "object", "required": ["parent"], "properties": {"parent": {"$ref": "#"}}},
              **{"$ref": "#/properties/code"}),
        "/properties/code/properties/parent", "infinitely nested", id="required-recursion",
    ),
    pytest.param(_deep(100), "/properties/x/properties/x", "nests more than", id="deep"),
]  # fmt: skip


def _counts() -> tuple[int, int, int]:
    return DataContract.objects.count(), ContractVersion.objects.count(), Consumer.objects.count()


@pytest.mark.parametrize(("schema", "pointer", "words"), UNSAFE)
def test_publishing_an_unsafe_schema_is_a_400_naming_the_pointer(
    api_client_for: Client, lead_user, schema: Any, pointer: str, words: str
) -> None:
    contract = DataContractFactory()
    before = _counts()
    response = api_client_for(lead_user).post(
        f"/api/contracts/{contract.pk}/versions/",
        {"version": "1.0.0", "json_schema": schema},
        format="json",
    )
    assert response.status_code == 400, response.json()
    (message,) = response.json()["json_schema"]
    assert pointer in message and words in message
    assert _counts() == before


@pytest.mark.parametrize(("schema", "pointer", "words"), UNSAFE)
def test_the_version_check_and_compatibility_endpoints_refuse_the_same(
    api_client_for: Client, lead_user, schema: Any, pointer: str, words: str
) -> None:
    contract = DataContractFactory()
    client = api_client_for(lead_user)
    check = client.post(
        f"/api/contracts/{contract.pk}/versions/check/", {"json_schema": schema}, format="json"
    )
    assert check.status_code == 400
    assert pointer in check.json()["json_schema"][0]
    compatibility = client.post(
        "/api/contracts/compatibility/",
        {"old_schema": ORDER_SCHEMA, "new_schema": schema},
        format="json",
    )
    assert compatibility.status_code == 400
    assert words in compatibility.json()["new_schema"][0]


def test_importing_odcs_with_a_backtracking_pattern_is_refused(
    api_client_for: Client, lead_user
) -> None:
    hostile = NESTED.replace('pattern: "^O[0-9]+$"', "pattern: '^(?=O)O[0-9]+$'")
    assert hostile != NESTED
    before = _counts()
    response = api_client_for(lead_user).post(
        "/api/contracts/import/", hostile.encode(), content_type="application/yaml"
    )
    assert response.status_code == 400, response.json()
    assert "lookarounds" in json.dumps(response.json())
    assert _counts() == before


def test_the_checker_page_refuses_a_schema_nested_thousands_deep(pm_user) -> None:
    client = PageClient()
    client.force_login(pm_user)
    nested = '{"items": ' * 2_000 + "{}" + "}" * 2_000
    response = client.post(
        "/contracts/check/", {"old_schema": "{}", "new_schema": nested, "mode": "BACKWARD"}
    )
    assert response.status_code == 400
    assert "nest" in response.content.decode()


def test_the_checker_page_refuses_a_remote_reference(pm_user) -> None:
    client = PageClient()
    client.force_login(pm_user)
    response = client.post(
        "/contracts/check/",
        {"old_schema": "{}", "new_schema": '{"$ref": "file:///etc/passwd"}', "mode": "NONE"},
    )
    assert response.status_code == 400
    assert "outside this schema" in response.content.decode()


TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "label": {"type": "string", "pattern": "^(a+)+$"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
    "$ref": "#/$defs/node",
}


def test_safe_schemas_still_publish_and_recursive_trees_are_allowed(
    api_client_for: Client, lead_user
) -> None:
    client = api_client_for(lead_user)
    for schema in (ORDER_SCHEMA, TREE):
        contract = DataContractFactory()
        response = client.post(
            f"/api/contracts/{contract.pk}/versions/",
            {"version": "1.0.0", "json_schema": schema},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert ContractVersion.objects.get(contract=contract).json_schema == schema


def test_the_publish_service_refuses_unsafe_schemas_on_its_own(monkeypatch, lead_user) -> None:
    """Publishing checks safety itself, whatever the schema validation before it lets through."""
    monkeypatch.setattr(compat_schema, "check_schema_safety", lambda schema: None)
    contract = DataContractFactory()
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        services.publish_version(
            contract=contract,
            version="1.0.0",
            json_schema={"properties": {"a": {"$ref": "file:///etc/passwd"}}},
            user=lead_user,
        )
    assert "/properties/a/$ref" in caught.value.message_dict["json_schema"][0]
    assert _counts() == before
