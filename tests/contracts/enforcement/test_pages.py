"""The contract page's enforcement section, its batch upload, and the alerts page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.models import DeadLetter, ValidationRun
from tests.contracts.factories import ConsumerFactory, ContractVersionFactory

pytestmark = pytest.mark.django_db

CSV = b"order_id,amount,note\nA1,1,\nA2,-4,x\n"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def version() -> Any:
    return ContractVersionFactory(
        missing_thresholds=[{"field": "/properties/note", "max_ratio": 0.2}]
    )


def test_an_upload_from_the_contract_page_shows_its_dead_letters_and_breaches(
    version: Any,
) -> None:
    client = _client(version.contract.owner)
    page = client.get(f"/contracts/{version.contract_id}/")
    assert b"Validate a batch" in page.content
    response = client.post(
        f"/contracts/{version.contract_id}/validate/",
        {"file": SimpleUploadedFile("orders.csv", CSV)},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "orders.csv: 1 valid, 1 dead-lettered." in text
    assert "-4 is less than the minimum of 0" in text  # the dead letter's error
    assert "Missing values" in text and "1 of 2 records" in text  # the breach
    assert ValidationRun.objects.get().source == "upload"


def test_a_malformed_upload_is_a_400_page_naming_the_problem(version: Any) -> None:
    client = _client(version.contract.owner)
    response = client.post(
        f"/contracts/{version.contract_id}/validate/",
        {"file": SimpleUploadedFile("orders.ndjson", b'{"a": 1}\n{oops}\n')},
    )
    assert response.status_code == 400
    assert "Line 2: not JSON" in response.content.decode()
    assert not ValidationRun.objects.exists()


def test_only_producers_and_consumers_see_the_upload_form_and_records(
    version: Any, pm_user: User
) -> None:
    _client(version.contract.owner).post(
        f"/contracts/{version.contract_id}/validate/",
        {"file": SimpleUploadedFile("orders.csv", CSV)},
    )
    client = _client(pm_user)
    page = client.get(f"/contracts/{version.contract_id}/").content.decode()
    assert "Validate a batch" not in page
    assert "1 dead letter; the records are shown" in page
    assert "-4 is less than the minimum" not in page
    url = f"/contracts/{version.contract_id}/validate/"
    response = client.post(url, {"file": SimpleUploadedFile("b.csv", CSV)})
    assert response.status_code == 403
    ConsumerFactory(contract=version.contract, user=pm_user)
    page = client.get(f"/contracts/{version.contract_id}/").content.decode()
    assert "Validate a batch" in page and "-4 is less than the minimum" in page


def test_the_alerts_page_lists_the_users_alerts_and_marks_them_read(
    version: Any, pm_user: User
) -> None:
    ConsumerFactory(contract=version.contract, user=pm_user, name="churn model")
    _client(version.contract.owner).post(
        f"/contracts/{version.contract_id}/validate/",
        {"file": SimpleUploadedFile("orders.csv", CSV)},
    )
    client = _client(pm_user)
    text = client.get("/contracts/alerts/").content.decode()
    assert "1 unread" in text
    assert version.contract.name in text and "Consumer" in text
    client.post("/contracts/alerts/")
    assert "unread" not in client.get("/contracts/alerts/").content.decode()
    other = _client(version.contract.owner).get("/contracts/alerts/").content.decode()
    assert "Producer" in other


def test_the_enforcement_section_takes_the_same_queries_at_two_sizes(version: Any) -> None:
    client = _client(version.contract.owner)
    url = f"/contracts/{version.contract_id}/"

    def upload() -> None:
        client.post(
            f"/contracts/{version.contract_id}/validate/",
            {"file": SimpleUploadedFile("orders.csv", CSV)},
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    upload()
    small = count()
    for _ in range(4):
        upload()
    assert count() == small
    assert DeadLetter.objects.count() == 5
