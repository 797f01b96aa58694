"""An ODCS import reads nothing of someone who may not import, and refuses a number too long
to be a value with a 400 instead of working through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from contracts.models import ContractVersion, DataContract
from valuechain.safe_yaml import MAX_NUMBER_CHARACTERS

pytestmark = pytest.mark.django_db

HUGE = "9" * 5_000


def _document(number: str) -> str:
    return (
        "apiVersion: v3.0.2\nkind: DataContract\nid: huge-numbers\nversion: 1.0.0\n"
        "status: active\nschema:\n- name: orders\n  properties:\n  - name: amount\n"
        f"    logicalType: number\n    examples: [{number}]\n"
    )


def _import(client: APIClient, text: str) -> Any:
    return client.post("/api/contracts/import/", text.encode(), content_type="application/yaml")


def test_someone_who_may_not_import_is_refused_before_the_document_is_read(
    api_client_for: Callable[[Any], APIClient], exec_user: Any
) -> None:
    response = _import(api_client_for(exec_user), _document(HUGE))
    assert response.status_code == 403
    assert DataContract.objects.count() == 0 and ContractVersion.objects.count() == 0


def test_a_number_too_long_to_be_a_value_is_refused_naming_where(
    api_client_for: Callable[[Any], APIClient], lead_user: Any
) -> None:
    response = _import(api_client_for(lead_user), _document(HUGE))
    assert response.status_code == 400
    body = str(response.json())
    assert "too long" in body and f"at most {MAX_NUMBER_CHARACTERS}" in body
    assert "line 11" in body
    assert DataContract.objects.count() == 0 and ContractVersion.objects.count() == 0


def test_ordinary_numbers_still_import(
    api_client_for: Callable[[Any], APIClient], lead_user: Any
) -> None:
    response = _import(api_client_for(lead_user), _document("125"))
    assert response.status_code == 201, response.json()
