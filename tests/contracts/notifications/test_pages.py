"""The notification pages: subscribe from the contract page, add a webhook (its secret shown
once), send a test and read the delivery log; bad input is a 400 naming the field."""

from __future__ import annotations

import time

import pytest

from contracts.models import Subscription, Webhook
from contracts.notifications import signing
from tests.contracts.factories import ContractVersionFactory
from tests.contracts.notifications.receiver import receiver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    client.force_login(user)
    return user, client


def test_the_contract_page_links_to_subscribing_and_the_menu_to_subscriptions(signed_in):
    _, client = signed_in
    contract = ContractVersionFactory().contract
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert f'href="/contracts/notifications/?contract={contract.pk}"' in page
    assert 'href="/contracts/notifications/">Subscriptions</a>' in page
    form = client.get(f"/contracts/notifications/?contract={contract.pk}").content.decode()
    assert f'<option value="{contract.pk}" selected>{contract.name}</option>' in form


def test_a_user_subscribes_to_a_daily_digest_and_unsubscribes(signed_in):
    user, client = signed_in
    contract = ContractVersionFactory().contract
    answer = client.post(
        "/contracts/notifications/subscribe/", {"contract": contract.pk, "frequency": "daily"}
    )
    assert answer.status_code == 302
    sub = Subscription.objects.get(user=user)
    assert (sub.contract, sub.frequency) == (contract, "daily")
    page = client.get("/contracts/notifications/").content.decode()
    assert contract.name in page and "Daily digest" in page
    client.post(f"/contracts/notifications/subscriptions/{sub.pk}/delete/")
    assert not Subscription.objects.exists()


def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(signed_in):
    _, client = signed_in
    bad = client.post("/contracts/notifications/subscribe/", {"frequency": "weekly"})
    assert bad.status_code == 400 and "weekly is not one of the available choices" in bad.text
    hook = client.post(
        "/contracts/notifications/webhooks/", {"name": "x", "url": "file:///etc/passwd"}
    )
    assert hook.status_code == 400 and "Only http:// and https:// URLs" in hook.text
    assert not Subscription.objects.exists() and not Webhook.objects.exists()


def test_a_webhook_is_added_tested_and_its_deliveries_logged(
    signed_in, django_capture_on_commit_callbacks
):
    _, client = signed_in
    with receiver(200) as server:
        added = client.post(
            "/contracts/notifications/webhooks/", {"name": "ops pager", "url": server.url}
        )
        assert added.status_code == 302
        hook = Webhook.objects.get(name="ops pager")
        shown = client.get("/contracts/notifications/").content.decode()
        assert hook.secret in shown
        assert hook.secret not in client.get("/contracts/notifications/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/contracts/notifications/webhooks/{hook.pk}/")
    got = server.received[0]
    assert signing.verify(hook.secret, got.headers[signing.SIGNATURE_HEADER], got.body, time.time())
    log = client.get(f"/contracts/notifications/webhooks/{hook.pk}/").content.decode()
    assert "Delivered" in log and ">200<" in log


def test_someone_elses_webhook_is_not_found(signed_in, client):
    hook = Webhook.objects.create(owner=UserFactory(), name="x", url="https://e.com/", secret="s")
    _, mine = signed_in
    assert mine.get(f"/contracts/notifications/webhooks/{hook.pk}/").status_code == 404
    assert mine.post(f"/contracts/notifications/webhooks/{hook.pk}/delete/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_the_settings_page_takes_a_constant_number_of_queries(
    signed_in, django_assert_max_num_queries
):
    user, client = signed_in
    for size in (2, 10):
        for _ in range(size):
            contract = ContractVersionFactory().contract
            Subscription.objects.create(user=user, contract=contract)
            Webhook.objects.create(
                owner=user, name="h", url="https://e.com/", contract=contract, secret="s"
            )
        with django_assert_max_num_queries(12):
            assert client.get("/contracts/notifications/").status_code == 200
