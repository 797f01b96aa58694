"""The dead-letter pages: browse and filter, fix, revalidate, replay and discard a record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from contracts.enforcement import services
from contracts.models import DeadLetter, DeadLetterAction, ValidRecord
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

V2_SCHEMA: dict[str, Any] = {
    **ORDER_SCHEMA,
    "properties": {**ORDER_SCHEMA["properties"], "currency": {"type": "string"}},
    "required": ["order_id", "amount", "currency"],
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contract() -> Any:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0")
    ContractVersionFactory(contract=contract, version="2.0.0", json_schema=V2_SCHEMA)
    ConsumerFactory(contract=contract, name="Finance monthly close", pinned_major=1)
    return contract


def _send(contract: Any, records: list[Any]) -> None:
    services.validate_batch_now_or_later(contract=contract, records=records, source="api")


def test_the_list_filters_by_status_and_consumer_in_constant_queries(
    contract: Any, lead_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(lead_user)
    url = f"/contracts/{contract.pk}/dead-letters/"
    _send(contract, [{"order_id": "A1", "amount": 1}, {"order_id": "A2", "amount": -1}])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Finance monthly close" in page  # the v2-invalid, v1-invalid record names it
    assert "&#x27;currency&#x27; is a required property" in page
    _send(contract, [{"order_id": f"B{i}", "amount": -1} for i in range(60)])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Page 1 of 2 (62 dead letters)" in page
    only_finance = client.get(url, {"consumer": "Finance monthly close"}).content.decode()
    assert "(61 dead letters)" in only_finance
    assert "No dead letter matches." in client.get(url, {"status": "replayed"}).content.decode()


def test_a_lead_fixes_and_replays_a_record_on_its_page(contract: Any, lead_user: Any) -> None:
    _send(contract, [{"order_id": "A2", "amount": -1, "currency": "EUR"}])
    letter = DeadLetter.objects.get(contract=contract)
    client = _client(lead_user)
    url = f"/contracts/{contract.pk}/dead-letters/{letter.pk}/"
    bad = client.post(url, {"action": "edit", "payload": "{not json"})
    assert bad.status_code == 400 and "Not JSON" in bad.content.decode()
    assert DeadLetter.objects.get(pk=letter.pk).payload["amount"] == -1
    fixed = '{"order_id": "A2", "amount": 5, "currency": "EUR"}'
    saved = client.post(url, {"action": "edit", "payload": fixed}, follow=True).content.decode()
    assert "Record saved; it is now valid." in saved
    done = client.post(url, {"action": "replay", "replay-version": "2.0.0"}, follow=True)
    assert "Replayed to the validated path against 2.0.0." in done.content.decode()
    assert ValidRecord.objects.get(contract=contract).payload["amount"] == 5
    assert [a.action for a in DeadLetterAction.objects.order_by("id")] == ["edit", "replay"]
    assert "Replayed" in done.content.decode() and lead_user.username in done.content.decode()


def test_a_discard_without_a_reason_changes_nothing(contract: Any, lead_user: Any) -> None:
    _send(contract, [{"order_id": "A2", "amount": -1}])
    letter = DeadLetter.objects.get(contract=contract)
    client = _client(lead_user)
    url = f"/contracts/{contract.pk}/dead-letters/{letter.pk}/"
    assert client.post(url, {"action": "discard", "reason": ""}).status_code == 400
    assert DeadLetter.objects.get(pk=letter.pk).status == "open"
    client.post(url, {"action": "discard", "reason": "staging data"})
    assert DeadLetter.objects.get(pk=letter.pk).discard_reason == "staging data"


def test_bulk_replay_from_the_list_after_a_fixing_version(contract: Any, lead_user: Any) -> None:
    _send(contract, [{"order_id": f"A{i}", "amount": 1} for i in range(3)])
    ContractVersionFactory(
        contract=contract, version="2.1.0", json_schema={**V2_SCHEMA, "required": ["order_id"]}
    )
    client = _client(lead_user)
    url = f"/contracts/{contract.pk}/dead-letters/"
    page = client.post(url, {"version": "2.1.0"}, follow=True).content.decode()
    assert "Against 2.1.0: 3 replayed, 0 still invalid, 0 replayed before." in page
    again = client.post(url, {"version": "2.1.0"}, follow=True).content.decode()
    assert "Against 2.1.0: 0 replayed, 0 still invalid, 3 replayed before." in again
    assert ValidRecord.objects.filter(contract=contract).count() == 3


def test_consumers_see_but_do_not_recover_and_strangers_see_nothing(contract: Any) -> None:
    _send(contract, [{"order_id": "A2", "amount": -1}])
    letter = DeadLetter.objects.get(contract=contract)
    reader = UserFactory()
    ConsumerFactory(contract=contract, name="Readers", user=reader, pinned_major=2)
    url = f"/contracts/{contract.pk}/dead-letters/{letter.pk}/"
    consumer = _client(reader)
    page = consumer.get(url)
    assert page.status_code == 200 and "Save the record" not in page.content.decode()
    assert consumer.post(url, {"action": "discard", "reason": "x"}).status_code == 403
    assert _client(UserFactory()).get(url).status_code == 403
    assert DeadLetter.objects.get(pk=letter.pk).status == "open"


def test_the_contract_page_says_how_many_records_each_consumer_rejected(
    contract: Any, lead_user: Any
) -> None:
    _send(contract, [{"order_id": "A1", "amount": 1}, {"order_id": "A2", "amount": -1}])
    page = _client(lead_user).get(f"/contracts/{contract.pk}/").content.decode()
    assert "Finance monthly close (v1.0.0): 1" in page
    assert "a record one consumer rejects still reaches the others" in page
