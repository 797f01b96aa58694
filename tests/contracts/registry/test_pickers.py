"""Pickers instead of ids: the ODCS import picks the governed asset by name and is offered only
to who may import; the compatibility checker picks two versions (or takes pasted JSON) and
fills in an example; the diff speaks in plural forms."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts.models import ContractVersion, DataContract
from contracts.registry.forms import EXAMPLE_NEW
from tests.contracts.factories import ORDER_SCHEMA, ContractVersionFactory, DataContractFactory
from tests.contracts.odcs_samples import NESTED
from tests.factories import CuratedDatasetFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, **extra: Any):
    upload = SimpleUploadedFile("c.yaml", NESTED.encode(), content_type="application/yaml")
    return client.post("/contracts/import/", {"file": upload, **extra})


def test_the_import_form_is_not_offered_to_who_may_not_import(pm_user) -> None:
    response = _client(pm_user).get("/contracts/import/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not import contracts" in html
    assert 'id="import-form"' not in html and 'type="file"' not in html
    # nor is the button on the contract list
    assert "Import ODCS" not in _client(pm_user).get("/contracts/").content.decode()


def test_an_owner_of_a_contract_is_offered_the_form(pm_user) -> None:
    DataContractFactory(owner=pm_user)
    response = _client(pm_user).get("/contracts/import/")
    assert response.status_code == 200
    assert 'id="import-form"' in response.content.decode()


def test_the_import_picks_the_asset_by_name_from_the_catalogue(lead_user) -> None:
    client = _client(lead_user)
    html = client.get("/contracts/import/").content.decode()
    # the same searchable picker as needs: search by name, no id to type
    assert 'hx-get="/catalogue/search/"' in html
    assert 'type="hidden" name="asset_id"' in html
    assert "need_picker" in html
    orders = CuratedDatasetFactory(name="Orders, curated")
    response = _upload(client, asset_type="curated_dataset", asset_id=str(orders.pk))
    assert response.status_code == 201
    contract = DataContract.objects.get()
    assert (contract.asset_type, contract.asset_id) == ("curated_dataset", orders.pk)


def test_an_asset_that_is_not_in_the_catalogue_is_refused_by_name(lead_user) -> None:
    orders = CuratedDatasetFactory(name="Orders, curated")
    client = _client(lead_user)
    missing = _upload(client, asset_type="feature", asset_id="987654")
    assert missing.status_code == 400
    assert "That asset is not in the catalogue." in missing.content.decode()
    assert not DataContract.objects.exists()
    # a refusal for another reason keeps the picked asset's name on the page
    bad = SimpleUploadedFile("c.yaml", b"not: [an, odcs", content_type="application/yaml")
    response = client.post(
        "/contracts/import/",
        {"file": bad, "asset_type": "curated_dataset", "asset_id": str(orders.pk)},
    )
    assert response.status_code == 400
    assert "Orders, curated (tier 2)" in response.content.decode()


def test_the_checker_compares_two_picked_versions(pm_user) -> None:
    contract = DataContractFactory(name="Orders")
    old = ContractVersionFactory(contract=contract, version="1.0.0")
    narrower = copy.deepcopy(ORDER_SCHEMA)
    narrower["properties"]["order_id"]["maxLength"] = 8
    new = ContractVersionFactory(contract=contract, version="2.0.0", json_schema=narrower)
    client = _client(pm_user)
    page = client.get("/contracts/check/").content.decode()
    assert f'<option value="{old.pk}">Orders · v1.0.0</option>' in page
    response = client.post(
        "/contracts/check/", {"old_version": old.pk, "new_version": new.pk, "mode": "BACKWARD"}
    )
    assert response.status_code == 200
    assert response.context["result"].compatible is False
    # one side picked, the other pasted
    response = client.post(
        "/contracts/check/",
        {"old_version": old.pk, "new_schema": json.dumps(ORDER_SCHEMA), "mode": "BACKWARD"},
    )
    assert response.status_code == 200 and response.context["result"].compatible is True


def test_the_checker_names_the_missing_side_and_refuses_odd_ids(pm_user) -> None:
    client = _client(pm_user)
    response = client.post("/contracts/check/", {"mode": "BACKWARD"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pick the old version or paste the old schema." in html
    assert "Pick the new version or paste the new schema." in html
    for odd in ("99999999999999999999999", "abc", "-1", "424242"):
        response = client.post(
            "/contracts/check/",
            {"old_version": odd, "new_schema": "{}", "mode": "BACKWARD"},
        )
        assert response.status_code == 400, odd
        assert "Select a valid choice" in response.content.decode()
    assert not ContractVersion.objects.exists()


def test_the_checker_fills_in_an_example_that_shows_a_breaking_change(pm_user) -> None:
    client = _client(pm_user)
    page = client.get("/contracts/check/?example=1")
    assert page.status_code == 200
    form = page.context["form"]
    old, new = form.initial["old_schema"], form.initial["new_schema"]
    assert json.loads(new) == EXAMPLE_NEW
    assert "currency" in page.content.decode()
    response = client.post(
        "/contracts/check/", {"old_schema": old, "new_schema": new, "mode": "BACKWARD"}
    )
    assert response.status_code == 200
    assert response.context["result"].compatible is False


def test_the_diff_says_1_field_differs(pm_user) -> None:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0")
    changed = copy.deepcopy(ORDER_SCHEMA)
    changed["properties"]["order_id"]["maxLength"] = 8
    ContractVersionFactory(contract=contract, version="2.0.0", json_schema=changed)
    html = _client(pm_user).get(f"/contracts/{contract.pk}/diff/?old=1.0.0&new=2.0.0")
    assert "1 field differs." in html.content.decode()
