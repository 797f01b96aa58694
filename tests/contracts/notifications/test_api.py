"""/api/subscriptions/ and /api/webhooks/: each user manages their own; bad input is a 400
naming the field with nothing stored; the delivery log and the test button work."""

from __future__ import annotations

import time

import pytest

from contracts.models import Subscription, Webhook, WebhookDelivery
from contracts.notifications import signing
from tests.contracts.factories import DataContractFactory
from tests.contracts.notifications.receiver import receiver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(api_client_for):
    user = UserFactory(username="alice")
    return user, api_client_for(user)


def test_a_user_subscribes_to_a_contract_and_changes_to_the_daily_digest(alice):
    user, client = alice
    contract = DataContractFactory()
    made = client.post(
        "/api/subscriptions/", {"contract": contract.pk, "frequency": "immediate"}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["contract_name"] == contract.name
    sub_id = made.json()["id"]
    changed = client.patch(f"/api/subscriptions/{sub_id}/", {"frequency": "daily"}, format="json")
    assert changed.status_code == 200 and changed.json()["frequency"] == "daily"
    every = client.post("/api/subscriptions/", {"contract": None}, format="json")
    assert every.status_code == 201 and every.json()["contract_name"] is None
    listed = client.get("/api/subscriptions/").json()
    assert [s["frequency"] for s in listed["results"]] == ["daily", "immediate"]
    assert client.delete(f"/api/subscriptions/{sub_id}/").status_code == 204
    assert Subscription.objects.filter(user=user).count() == 1


def test_subscriptions_and_webhooks_are_owner_scoped(alice, api_client_for):
    user, client = alice
    sub = Subscription.objects.create(user=user, contract=DataContractFactory())
    hook = Webhook.objects.create(owner=user, name="mine", url="https://example.com/h", secret="s")
    mallory = api_client_for(UserFactory(username="mallory"))
    assert mallory.get("/api/subscriptions/").json()["results"] == []
    assert mallory.get(f"/api/subscriptions/{sub.pk}/").status_code == 404
    assert mallory.delete(f"/api/webhooks/{hook.pk}/").status_code == 404
    assert mallory.post(f"/api/webhooks/{hook.pk}/test/").status_code == 404
    assert mallory.get(f"/api/webhooks/{hook.pk}/deliveries/").status_code == 404
    assert api_client_for(None).get("/api/webhooks/").status_code == 401
    assert Webhook.objects.filter(pk=hook.pk).exists()
    assert [s["id"] for s in client.get("/api/subscriptions/").json()["results"]] == [sub.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"frequency": "hourly"}, "frequency"),
        ({"contract": 999999}, "contract"),
        ({"contract": "x"}, "contract"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(alice, body, field):
    _, client = alice
    answer = client.post("/api/subscriptions/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "url": "javascript:alert(1)"}, "url"),
        ({"name": "x", "url": "ftp://example.com/"}, "url"),
        ({"name": "x", "url": "https://example.com/" + "a" * 600}, "url"),
        ({"name": "", "url": "https://example.com/"}, "name"),
        ({"url": "https://example.com/"}, "name"),
        ({"name": "x", "url": "https://example.com/", "contract": -1}, "contract"),
    ],
)
def test_bad_webhooks_are_refused_naming_the_field(alice, body, field):
    _, client = alice
    answer = client.post("/api/webhooks/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not Webhook.objects.exists()


def test_a_new_webhook_shows_its_secret_once_and_the_test_button_delivers_signed(
    alice, django_capture_on_commit_callbacks
):
    _, client = alice
    with receiver(200) as server:
        made = client.post("/api/webhooks/", {"name": "ops", "url": server.url}, format="json")
        assert made.status_code == 201, made.json()
        secret, hook_id = made.json()["secret"], made.json()["id"]
        assert "secret" not in client.get(f"/api/webhooks/{hook_id}/").json()
        with django_capture_on_commit_callbacks(execute=True):
            tested = client.post(f"/api/webhooks/{hook_id}/test/")
        assert tested.status_code == 202
        assert tested.json()["status"] == "pending"  # queued after commit
    got = server.received[0]
    assert signing.verify(secret, got.headers[signing.SIGNATURE_HEADER], got.body, time.time())
    log = client.get(f"/api/webhooks/{hook_id}/deliveries/").json()["results"]
    assert [(d["event"], d["status"], d["response_code"]) for d in log] == [
        ("test", "succeeded", 200)
    ]
    bad = client.patch(f"/api/webhooks/{hook_id}/", {"url": "gopher://x"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()
    assert Webhook.objects.get(pk=hook_id).url == server.url


def test_lists_take_a_constant_number_of_queries(alice, django_assert_max_num_queries):
    user, client = alice

    def fill(n):
        for _ in range(n):
            contract = DataContractFactory()
            Subscription.objects.create(user=user, contract=contract)
            hook = Webhook.objects.create(
                owner=user, name="h", url="https://example.com/", contract=contract, secret="s"
            )
            WebhookDelivery.objects.create(
                webhook=hook, event="test", key=f"k{hook.pk}", payload={}
            )
        return hook

    for size in (2, 12):
        hook = fill(size)
        with django_assert_max_num_queries(6):
            assert client.get("/api/subscriptions/").status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get("/api/webhooks/").status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get(f"/api/webhooks/{hook.pk}/deliveries/").status_code == 200
