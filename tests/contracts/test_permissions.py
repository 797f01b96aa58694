"""Who may write, validate and import; one answer to each refused import, page and API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts import odcs, permissions
from contracts.registry.errors import VersionConflictError
from tests.contracts.factories import ConsumerFactory, DataContractFactory
from tests.contracts.odcs_samples import NESTED
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_leads_write_everything_owners_their_own(lead_user: Any, pm_user: Any) -> None:
    own = DataContractFactory(owner=pm_user)
    other = DataContractFactory()
    assert permissions.can_write(lead_user) and permissions.can_write(lead_user, other)
    assert permissions.can_write(pm_user, own)
    assert not permissions.can_write(pm_user) and not permissions.can_write(pm_user, other)


def test_consumers_validate_but_do_not_write(pm_user: Any) -> None:
    contract = DataContractFactory()
    assert not permissions.may_validate(pm_user, contract)
    ConsumerFactory(contract=contract, user=pm_user)
    assert permissions.may_validate(pm_user, contract)
    assert not permissions.can_write(pm_user, contract)


def test_owners_import_new_versions_of_their_own_contract_only(pm_user: Any) -> None:
    assert not permissions.may_import_odcs(pm_user, NESTED)
    DataContractFactory(odcs_id="orders-contract", owner=pm_user)
    assert permissions.may_import_odcs(pm_user, NESTED)
    assert not permissions.may_import_odcs(UserFactory(), NESTED)
    with pytest.raises(PermissionError, match="data leads and contract owners"):
        permissions.check_odcs_import(UserFactory(), NESTED)


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (odcs.OdcsError("bad", [{"path": "/x", "message": "m"}]), 400,
         {"detail": "bad", "errors": [{"path": "/x", "message": "m"}]}),
        (ValidationError({"asset_id": ["No dataset with id 9."]}), 400,
         {"asset_id": ["No dataset with id 9."]}),
        (ValidationError("plain"), 400, {"detail": ["plain"]}),
        (PermissionError("no"), 403, {"detail": "no"}),
        (VersionConflictError("taken"), 409, {"version": ["taken"]}),
    ],
)  # fmt: skip
def test_each_refusal_has_one_status_and_body(exc: Any, status: int, body: Any) -> None:
    refused = permissions.refusal(exc)
    assert (refused.status, refused.body) == (status, body)


def _page_import(user: Any, raw: bytes) -> int:
    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile("c.yaml", raw, content_type="application/yaml")
    return int(client.post("/contracts/import/", {"file": upload}).status_code)


def _api_import(api_client_for: Any, user: Any, raw: bytes) -> int:
    client = api_client_for(user)
    response = client.post("/api/contracts/import/", raw, content_type="application/yaml")
    return int(response.status_code)


BREAKING = NESTED.replace("version: 2.3.0", "version: 2.4.0").replace(
    "          maxLength: 12", "          maxLength: 8"
)


@pytest.mark.parametrize(
    ("who", "raw", "status"),
    [
        ("lead", b"id: [unclosed\n", 400),
        # a user who owns no contract is refused before the document is read
        ("pm", b"id: [unclosed\n", 403),
        ("pm", NESTED.encode(), 403),
        ("lead", NESTED.encode(), 409),  # the same version again
        ("lead", BREAKING.encode(), 409),
    ],
)
def test_the_import_page_and_the_api_refuse_alike(
    api_client_for: Any, lead_user: Any, pm_user: Any, who: str, raw: bytes, status: int
) -> None:
    user = lead_user if who == "lead" else pm_user
    assert _api_import(api_client_for, lead_user, NESTED.encode()) == 201
    assert _page_import(user, raw) == status
    assert _api_import(api_client_for, user, raw) == status
