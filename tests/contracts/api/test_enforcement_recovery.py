"""Dead letters per consumer version, and their recovery through the API: fix, revalidate,
replay (exactly once), discard; every step audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from contracts.models import DeadLetter, DeadLetterAction, ValidationRun, ValidRecord
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# v2 requires the currency v1 records lack; 2.1.0 makes it optional again (the fix).
V2_SCHEMA: dict[str, Any] = {
    **ORDER_SCHEMA,
    "properties": {**ORDER_SCHEMA["properties"], "currency": {"type": "string"}},
    "required": ["order_id", "amount", "currency"],
}
V21_SCHEMA: dict[str, Any] = {**V2_SCHEMA, "required": ["order_id", "amount"]}
V1_RECORD = {"order_id": "A1", "amount": 10}
V2_RECORD = {"order_id": "A2", "amount": 12, "currency": "EUR"}
BROKEN = {"order_id": "A3", "amount": -1, "currency": "EUR"}


@pytest.fixture
def contract() -> Any:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0")
    ContractVersionFactory(contract=contract, version="2.0.0", json_schema=V2_SCHEMA)
    ConsumerFactory(contract=contract, name="Finance monthly close", pinned_major=1)
    ConsumerFactory(contract=contract, name="Fraud model", pinned_major=2)
    return contract


@pytest.fixture
def owner(contract: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(contract.owner)


def _url(contract: Any, tail: str) -> str:
    return f"/api/contracts/{contract.pk}/{tail}"


def _send(client: APIClient, contract: Any, records: list[Any]) -> dict[str, Any]:
    response = client.post(_url(contract, "validate/"), records, format="json")
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


def test_each_consumer_gets_what_its_pinned_version_accepts(
    contract: Any, owner: APIClient
) -> None:
    body = _send(owner, contract, [V1_RECORD, V2_RECORD, BROKEN])
    # the v1 record is not dropped for all: valid for Finance (v1), rejected by the fraud model
    listed = owner.get(_url(contract, "dead-letters/")).json()["results"]
    by_index = {d["record_index"]: d for d in listed}
    v1 = by_index[0]
    assert (v1["version"], v1["status"]) == ("2.0.0", "open")
    assert v1["rejected_by"] == ["Fraud model"]
    assert v1["accepted_by"] == ["Finance monthly close"]
    assert "'currency' is a required property" in v1["errors"][0]["message"]
    assert by_index[2]["rejected_by"] == ["Finance monthly close", "Fraud model"]
    assert 1 not in by_index  # valid for everyone
    run = ValidationRun.objects.get(pk=body["run"])
    assert run.consumer_rejections == {
        "Finance monthly close": {"version": "1.0.0", "rejected": 1},
        "Fraud model": {"version": "2.0.0", "rejected": 2},
    }
    mine = owner.get(_url(contract, "dead-letters/?consumer=Finance monthly close")).json()
    assert [d["record_index"] for d in mine["results"]] == [2]


def test_replaying_after_a_fixing_version_moves_each_letter_once(
    contract: Any, owner: APIClient
) -> None:
    _send(owner, contract, [V1_RECORD, {"order_id": "A4", "amount": 3}, BROKEN])
    assert ValidRecord.objects.filter(contract=contract).count() == 0
    ContractVersionFactory(contract=contract, version="2.1.0", json_schema=V21_SCHEMA)
    url = _url(contract, "dead-letters/replay/")
    first = owner.post(url, {"all": True}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json() == {"replayed": 2, "still_invalid": 1, "already_replayed": 0}
    again = owner.post(url, {"all": True, "version": "2.1.0"}, format="json").json()
    assert again == {"replayed": 0, "still_invalid": 1, "already_replayed": 2}
    assert ValidRecord.objects.filter(contract=contract).count() == 2
    statuses = owner.get(_url(contract, "dead-letters/?status=replayed")).json()
    assert statuses["count"] == 2
    assert {d["replayed_version"] for d in statuses["results"]} == {"2.1.0"}


def test_a_fixed_payload_is_replayed_and_every_step_is_audited(
    contract: Any, owner: APIClient
) -> None:
    _send(owner, contract, [BROKEN])
    letter = DeadLetter.objects.get(contract=contract)
    detail = _url(contract, f"dead-letters/{letter.pk}/")
    fixed = {**BROKEN, "amount": 1}
    response = owner.patch(detail, {"payload": fixed}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["payload"] == fixed and response.json()["errors"] == []
    replay = owner.post(_url(contract, "dead-letters/replay/"), {"ids": [letter.pk]}, format="json")
    assert replay.json() == {"replayed": 1, "still_invalid": 0, "already_replayed": 0}
    assert ValidRecord.objects.get(contract=contract).payload == fixed
    twice = owner.post(_url(contract, "dead-letters/replay/"), {"ids": [letter.pk]}, format="json")
    assert twice.json() == {"replayed": 0, "still_invalid": 0, "already_replayed": 1}
    actions = owner.get(detail + "actions/").json()["results"]
    assert [a["action"] for a in actions] == ["replay", "edit"]
    edit = actions[1]
    assert edit["user"] == contract.owner.username
    assert edit["before"]["payload"] == BROKEN and edit["after"]["payload"] == fixed
    assert actions[0]["after"]["status"] == "replayed" and actions[0]["version"] == "2.0.0"
    # a replayed letter no longer changes
    assert owner.patch(detail, {"payload": BROKEN}, format="json").status_code == 409


def test_revalidating_against_a_version_keeps_its_errors(contract: Any, owner: APIClient) -> None:
    _send(owner, contract, [V1_RECORD])
    letter = DeadLetter.objects.get(contract=contract)
    url = _url(contract, f"dead-letters/{letter.pk}/revalidate/")
    under_v1 = owner.post(url, {"version": "1.0.0"}, format="json").json()
    assert under_v1 == {"version": "1.0.0", "valid": True, "errors": []}
    latest = owner.post(url, {}, format="json").json()
    assert latest["version"] == "2.0.0" and latest["valid"] is False
    assert DeadLetter.objects.get(pk=letter.pk).status == "open"
    assert DeadLetterAction.objects.filter(dead_letter=letter, action="revalidate").count() == 2


def test_a_discard_needs_a_reason_and_is_kept(contract: Any, owner: APIClient) -> None:
    _send(owner, contract, [BROKEN])
    letter = DeadLetter.objects.get(contract=contract)
    url = _url(contract, f"dead-letters/{letter.pk}/discard/")
    empty = owner.post(url, {"reason": ""}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    assert DeadLetter.objects.get(pk=letter.pk).status == "open"
    done = owner.post(url, {"reason": "A test order from the shop's staging site."}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["discard_reason"]) == (
        "discarded",
        "A test order from the shop's staging site.",
    )
    # discarding again changes nothing; a discarded letter is not replayed
    assert owner.post(url, {"reason": "again"}, format="json").status_code == 200
    assert DeadLetterAction.objects.filter(dead_letter=letter, action="discard").count() == 1
    replay = owner.post(_url(contract, "dead-letters/replay/"), {"all": True}, format="json")
    assert replay.json() == {"replayed": 0, "still_invalid": 0, "already_replayed": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ids"),
        ({"ids": [], "all": False}, "ids"),
        ({"ids": [1], "all": True}, "ids"),
        ({"ids": ["x"]}, "ids"),
        ({"all": True, "version": "9.9.9"}, "version"),
        ({"all": True, "version": "two"}, "version"),
    ],
)
def test_a_bad_replay_request_is_a_400_naming_the_field(
    contract: Any, owner: APIClient, body: dict[str, Any], field: str
) -> None:
    _send(owner, contract, [BROKEN])
    response = owner.post(_url(contract, "dead-letters/replay/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert DeadLetter.objects.get(contract=contract).status == "open"


def test_unknown_ids_are_named_and_nothing_is_replayed(contract: Any, owner: APIClient) -> None:
    _send(owner, contract, [V1_RECORD])
    ContractVersionFactory(contract=contract, version="2.1.0", json_schema=V21_SCHEMA)
    letter = DeadLetter.objects.get(contract=contract)
    response = owner.post(
        _url(contract, "dead-letters/replay/"), {"ids": [letter.pk, 987654]}, format="json"
    )
    assert response.status_code == 400 and "987654" in response.json()["ids"][0]
    assert DeadLetter.objects.get(pk=letter.pk).status == "open"


def test_consumers_read_dead_letters_but_only_the_producer_side_recovers_them(
    contract: Any, owner: APIClient, api_client_for: Callable[[Any], APIClient]
) -> None:
    _send(owner, contract, [BROKEN])
    letter = DeadLetter.objects.get(contract=contract)
    reader = UserFactory()
    ConsumerFactory(contract=contract, name="Reader team", user=reader, pinned_major=2)
    consumer = api_client_for(reader)
    detail = _url(contract, f"dead-letters/{letter.pk}/")
    assert consumer.get(detail).status_code == 200
    assert consumer.patch(detail, {"payload": V2_RECORD}, format="json").status_code == 403
    assert consumer.post(detail + "discard/", {"reason": "no"}, format="json").status_code == 403
    stranger = api_client_for(UserFactory())
    assert stranger.get(detail).status_code == 403
    assert DeadLetter.objects.get(pk=letter.pk).payload == BROKEN


def test_the_dead_letter_list_takes_the_same_queries_at_any_length(
    contract: Any, owner: APIClient, django_assert_max_num_queries: Any
) -> None:
    _send(owner, contract, [BROKEN] * 3)
    with django_assert_max_num_queries(8):
        assert owner.get(_url(contract, "dead-letters/")).json()["count"] == 3
    _send(owner, contract, [BROKEN, V1_RECORD] * 20)
    with django_assert_max_num_queries(8):
        assert owner.get(_url(contract, "dead-letters/")).json()["count"] == 43
