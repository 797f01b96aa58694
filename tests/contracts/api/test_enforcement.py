"""The enforcement API: batches in, dead letters and valid records out, breaches alerted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contracts.enforcement import batches, services
from contracts.enforcement import judging as enf
from contracts.models import Alert, DeadLetter, SlaBreach, ValidationRun, ValidRecord
from tests.contracts.factories import (
    GOOD,
    NEGATIVE,
    NO_AMOUNT,
    ConsumerFactory,
    ContractVersionFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Client = Callable[[Any], APIClient]


def _url(version: Any, tail: str = "validate/") -> str:
    return f"/api/contracts/{version.contract_id}/{tail}"


def _upload(name: str, content: bytes, **extra: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, content), **extra}


# --- inline batches ----------------------------------------------------------------------------


def test_a_small_batch_is_validated_at_once(version: Any, owner_client: APIClient) -> None:
    response = owner_client.post(_url(version), [GOOD, NEGATIVE, NO_AMOUNT], format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "succeeded"
    assert (body["received_count"], body["valid_count"], body["dead_letter_count"]) == (3, 1, 2)
    assert body["source"] == "api"
    letters = {d["index"]: d["errors"] for d in body["result"]["dead_letters"]}
    assert letters[1][0]["pointer"] == "/amount"
    assert letters[1][0]["schema_pointer"] == "/properties/amount/minimum"
    assert "'amount' is a required property" in letters[2][0]["message"]
    # valid records go on; the invalid ones wait in the dead-letter store
    valid = owner_client.get(_url(version, f"valid-records/?run={body['run']}")).json()
    assert [(r["record_index"], r["payload"]) for r in valid["results"]] == [(0, GOOD)]
    assert DeadLetter.objects.filter(run_id=body["run"]).count() == 2


def test_dead_letters_are_listed_paged_and_filtered_by_run(
    version: Any, owner_client: APIClient
) -> None:
    first = owner_client.post(_url(version), [NEGATIVE, NO_AMOUNT], format="json").json()["run"]
    second = owner_client.post(_url(version), [NEGATIVE], format="json").json()["run"]
    everything = owner_client.get(_url(version, "dead-letters/")).json()
    assert everything["count"] == 3
    assert everything["results"][0]["run"] == second  # newest first
    assert everything["results"][0]["payload"] == NEGATIVE
    only_first = owner_client.get(_url(version, f"dead-letters/?run={first}")).json()
    assert {d["record_index"] for d in only_first["results"]} == {0, 1}
    paged = owner_client.get(_url(version, "dead-letters/?page_size=2")).json()
    assert len(paged["results"]) == 2 and paged["next"]
    bad = owner_client.get(_url(version, "dead-letters/?run=first"))
    assert bad.status_code == 400 and "run" in bad.json()


def test_runs_are_listed_newest_first(version: Any, owner_client: APIClient) -> None:
    owner_client.post(_url(version), [GOOD], format="json")
    owner_client.post(_url(version), [NEGATIVE], format="json")
    runs = owner_client.get(_url(version, "runs/")).json()["results"]
    assert [(r["valid_count"], r["dead_letter_count"]) for r in runs] == [(0, 1), (1, 0)]
    assert runs[0]["version"] == "1.0.0"
    one = owner_client.get(_url(version, f"runs/{runs[1]['id']}/")).json()
    assert one["valid_count"] == 1


# --- files -------------------------------------------------------------------------------------


def test_a_csv_file_is_read_with_the_schema_types(version: Any, owner_client: APIClient) -> None:
    csv = b"order_id,amount,note\nA1,10.5,\nA2,-3,late\nA3,ten,x\n"
    response = owner_client.post(_url(version), _upload("orders.csv", csv), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["filename"]) == ("upload", "orders.csv")
    assert (body["valid_count"], body["dead_letter_count"]) == (1, 2)
    assert ValidRecord.objects.get().payload == {"order_id": "A1", "amount": 10.5}
    ten = DeadLetter.objects.get(record_index=2)
    assert (
        ten.errors[0]["pointer"] == "/amount" and "'ten' is not of type" in ten.errors[0]["message"]
    )


def test_ndjson_and_json_files(version: Any, owner_client: APIClient) -> None:
    ndjson = b'{"order_id": "A1", "amount": 1}\n\n{"order_id": "A2", "amount": -1}\n'
    response = owner_client.post(_url(version), _upload("b.ndjson", ndjson), format="multipart")
    assert response.json()["valid_count"] == 1
    array = json.dumps([GOOD, GOOD]).encode()
    response = owner_client.post(
        _url(version), _upload("batch.txt", array, format="json"), format="multipart"
    )
    assert response.status_code == 201 and response.json()["valid_count"] == 2


@pytest.mark.parametrize(
    ("name", "content", "field", "words"),
    [
        ("b.ndjson", b'{"order_id": "A1"}\n{"order_id": \n', "file", "Line 2: not JSON"),
        ("b.json", b'{"order_id": "A1"}', "file", "array of records"),
        ("b.json", b"[1, NaN]", "file", "not JSON"),
        ("b.csv", b"order_id,amount\nA1,1,extra\n", "file", "Line 2: 3 cells for 2 columns"),
        ("b.csv", b"", "file", "header row"),
        ("b.csv", b"\xff\xfe\x00", "file", "not UTF-8"),
        ("b.xlsx", b"PK", "file", ".json, .ndjson"),
        ("b.json", b"[]", "file", "no records"),
    ],
)
def test_a_malformed_file_is_a_400_naming_the_problem(
    version: Any, owner_client: APIClient, name: str, content: bytes, field: str, words: str
) -> None:
    response = owner_client.post(_url(version), _upload(name, content), format="multipart")
    assert response.status_code == 400
    assert words in response.json()[field][0]
    assert not ValidationRun.objects.exists()


def test_too_many_records_or_bytes_are_refused(
    version: Any, owner_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_BATCH_RECORDS", 3)
    lines = b"\n".join(json.dumps(GOOD).encode() for _ in range(4))
    response = owner_client.post(_url(version), _upload("b.ndjson", lines), format="multipart")
    assert response.status_code == 400 and "at most 3 records" in response.json()["file"][0]
    response = owner_client.post(_url(version), [GOOD] * 4, format="json")
    assert response.status_code == 400 and "at most 3 records" in response.json()["records"][0]
    monkeypatch.setattr(services, "MAX_BATCH_BYTES", 10)
    response = owner_client.post(_url(version), _upload("b.ndjson", lines), format="multipart")
    assert response.status_code == 413 and "limit is 10" in response.json()["file"][0]
    assert not ValidationRun.objects.exists()


@pytest.mark.parametrize("body", [{"order_id": "A1"}, [], "text"])
def test_a_body_that_is_not_a_list_of_records_is_a_400(
    version: Any, owner_client: APIClient, body: Any
) -> None:
    response = owner_client.post(_url(version), body, format="json")
    assert response.status_code == 400
    assert "records" in response.json()


def test_a_contract_without_a_published_version_is_a_409(api_client_for: Client) -> None:
    draft = ContractVersionFactory(published_at=None)
    client = api_client_for(draft.contract.owner)
    response = client.post(f"/api/contracts/{draft.contract_id}/validate/", [GOOD], format="json")
    assert response.status_code == 409
    assert "no published version" in response.json()["detail"]


def test_who_may_send_batches(version: Any, api_client_for: Client, pm_user: User) -> None:
    url = _url(version)
    assert api_client_for(None).post(url, [GOOD], format="json").status_code == 401
    assert api_client_for(pm_user).post(url, [GOOD], format="json").status_code == 403
    ConsumerFactory(contract=version.contract, user=pm_user)
    assert api_client_for(pm_user).post(url, [GOOD], format="json").status_code == 201
    assert api_client_for(None).get(_url(version, "dead-letters/")).status_code == 401
    outsider = api_client_for(UserFactory())
    assert outsider.get(_url(version, "dead-letters/")).status_code == 403  # holds records
    assert outsider.get(_url(version, "valid-records/")).status_code == 403
    assert outsider.get(_url(version, "runs/")).status_code == 200
    assert outsider.get(_url(version, "sla-breaches/")).status_code == 200
    assert api_client_for(pm_user).get("/api/contracts/999999/dead-letters/").status_code == 404


# --- the worker path ---------------------------------------------------------------------------


def test_a_large_batch_goes_to_a_worker(
    version: Any,
    owner_client: APIClient,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(services, "INLINE_MAX_RECORDS", 5)
    monkeypatch.setattr(batches, "CHUNK", 4)
    records = [GOOD if i % 3 else NEGATIVE for i in range(10)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post(_url(version), records, format="json")
    assert response.status_code == 202
    # the task is queued once the run is committed (later callbacks tell of the run's breach)
    assert callbacks
    run = ValidationRun.objects.get(pk=response.json()["run"])
    assert run.status == "succeeded" and run.attempts == 1
    assert (run.valid_count, run.dead_letter_count, run.processed) == (6, 4, 10)
    assert run.records is None  # the batch is not kept once validated


# --- SLA breaches and alerts -------------------------------------------------------------------


def test_a_missing_ratio_breach_alerts_the_producer_and_each_consumer(
    version: Any, owner_client: APIClient, api_client_for: Client, pm_user: User
) -> None:
    consumer = ConsumerFactory(contract=version.contract, user=pm_user, name="churn model")
    ConsumerFactory(contract=version.contract, name="finance dashboard")  # no user account
    records = [{**GOOD, "note": None}, {**GOOD, "note": None}, {**GOOD, "note": "ok"}]
    body = owner_client.post(_url(version), records, format="json").json()
    (breach,) = body["result"]["breaches"]
    assert breach["kind"] == "missing_ratio"
    assert breach["field"] == "/properties/note"
    assert breach["observed"] == pytest.approx(2 / 3)
    assert breach["limit"] == 0.5
    assert {(a["role"], a["name"]) for a in breach["alerted"]} == {
        ("producer", version.contract.owner.username),
        ("consumer", "churn model"),
        ("consumer", "finance dashboard"),
    }
    listed = owner_client.get(_url(version, "sla-breaches/")).json()["results"]
    assert [b["id"] for b in listed] == [breach["id"]]
    assert owner_client.get(_url(version, "sla-breaches/?kind=lateness")).json()["count"] == 0
    assert owner_client.get(_url(version, "sla-breaches/?kind=oops")).status_code == 400

    mine = api_client_for(pm_user).get("/api/alerts/").json()["results"]
    assert [(a["role"], a["kind"], a["contract"]) for a in mine] == [
        ("consumer", "missing_ratio", version.contract_id)
    ]
    assert "2 of 3 records" in mine[0]["message"]
    assert Alert.objects.get(consumer=consumer).recipient == pm_user
    producer = owner_client.get("/api/alerts/").json()["results"]
    assert [a["role"] for a in producer] == ["producer"]
    stranger = api_client_for(UserFactory()).get("/api/alerts/").json()
    assert stranger["count"] == 0


def test_a_batch_within_its_sla_raises_no_breach(version: Any, owner_client: APIClient) -> None:
    records = [{**GOOD, "note": "a"}, {**GOOD, "note": None}]
    body = owner_client.post(_url(version), records, format="json").json()
    assert body["result"]["breaches"] == []
    assert not SlaBreach.objects.exists() and not Alert.objects.exists()


def test_alerts_can_be_marked_read(
    version: Any, api_client_for: Client, pm_user: User, owner_client: APIClient
) -> None:
    ConsumerFactory(contract=version.contract, user=pm_user)
    owner_client.post(_url(version), [{**GOOD, "note": None}], format="json")
    client = api_client_for(pm_user)
    assert client.get("/api/alerts/?unread=1").json()["count"] == 1
    assert client.post("/api/alerts/read/", {}, format="json").json() == {"marked_read": 1}
    assert client.get("/api/alerts/?unread=1").json()["count"] == 0
    assert client.get("/api/alerts/").json()["results"][0]["read_at"] is not None
    bad = client.post("/api/alerts/read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["runs/", "dead-letters/", "valid-records/", "sla-breaches/"])
def test_lists_take_the_same_queries_at_two_sizes(
    version: Any, owner_client: APIClient, path: str
) -> None:
    def batch() -> None:
        owner_client.post(_url(version), [NEGATIVE, {**GOOD, "note": None}], format="json")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(_url(version, path)).status_code == 200
        return len(ctx.captured_queries)

    batch()
    small = count()
    for _ in range(4):
        batch()
    assert count() == small


def test_alert_list_takes_the_same_queries_at_two_sizes(
    api_client_for: Client, pm_user: User
) -> None:
    client = api_client_for(pm_user)

    def breach_on_new_contract() -> None:
        v = ContractVersionFactory(
            missing_thresholds=[{"field": "/properties/note", "max_count": 0}]
        )
        ConsumerFactory(contract=v.contract, user=pm_user)
        api_client_for(v.contract.owner).post(_url(v), [{**GOOD, "note": None}], format="json")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/alerts/").status_code == 200
        return len(ctx.captured_queries)

    breach_on_new_contract()
    small = count()
    for _ in range(3):
        breach_on_new_contract()
    assert count() == small
    assert client.get("/api/alerts/").json()["count"] == 4


def test_records_keep_their_key_order(
    version: Any, owner_client: APIClient, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    """PostgreSQL's jsonb would sort the keys; the dead letter shows the record as sent."""
    monkeypatch.setattr(services, "INLINE_MAX_RECORDS", 0)  # through the stored batch
    kept = {"b": 1, "order_id": "A8", "amount": 2, "a": 0}
    record = {"zeta": 1, "order_id": "A9", "amount": -2, "alpha": 0}
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(_url(version), [record, kept], format="json")
    letter = owner_client.get(_url(version, "dead-letters/")).json()["results"][0]
    assert list(letter["payload"]) == ["zeta", "order_id", "amount", "alpha"]
    valid = owner_client.get(_url(version, "valid-records/")).json()["results"][0]
    assert list(valid["payload"]) == ["b", "order_id", "amount", "a"]


def test_a_run_that_fails_says_why_instead_of_a_500(
    version: Any, owner_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the SLA could not be judged")

    monkeypatch.setattr(enf, "judge", broken)
    response = owner_client.post(_url(version), [GOOD], format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert body["error"] == "RuntimeError: the SLA could not be judged"
