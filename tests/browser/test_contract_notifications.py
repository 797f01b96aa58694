"""A consumer follows a contract from its page: reads its health chart, subscribes to its
breaches, adds a webhook to a local receiver and sends a test, which arrives signed."""

from __future__ import annotations

import time

import pytest

from contracts.models import Subscription, Webhook
from contracts.notifications import signing
from tests.contracts.factories import ContractVersionFactory, ValidationRunFactory
from tests.contracts.notifications.receiver import receiver
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_user_subscribes_and_tests_a_webhook_from_the_contract_page(
    page, live_server, log_in, settings
):
    # the receiver listens on 127.0.0.1, an internal address deployments refuse by default
    settings.VALUECHAIN = {**settings.VALUECHAIN, "WEBHOOK_ALLOW_PRIVATE": True}
    version = ContractVersionFactory()
    ValidationRunFactory(contract=version.contract, version=version, valid_count=90,
                         dead_letter_count=10)  # fmt: skip
    user = UserFactory(username="consumer-dev")
    log_in(page, live_server, "consumer-dev")
    page.goto(f"{live_server.url}/contracts/{version.contract.pk}/")
    page.wait_for_selector("#health-chart .main-svg")  # plotly drew the chart
    assert "above which a contract is at risk" in page.inner_text("#health-history")

    page.click("text=Subscribe")
    page.wait_for_url(f"**/contracts/notifications/?contract={version.contract.pk}")
    page.select_option("#id_frequency", "daily")
    page.click("#subscriptions button[type=submit] >> text=Subscribe")
    page.wait_for_selector("text=Subscribed.")
    sub = Subscription.objects.get(user=user)
    assert (sub.contract_id, sub.frequency) == (version.contract.pk, "daily")

    with receiver(200) as server:
        page.fill("#webhooks #id_name", "team pager")
        page.fill("#webhooks #id_url", "ftp://nope")
        page.click("text=Add webhook")
        assert "Only http:// and https:// URLs" in page.inner_text("#webhooks")
        page.fill("#webhooks #id_url", server.url)
        page.click("text=Add webhook")
        secret = page.inner_text("#new-secret code.secret")
        assert secret == Webhook.objects.get(owner=user).secret
        page.click("#webhooks a >> text=team pager")
        page.click("#send-test")
        page.wait_for_selector("#deliveries >> text=Delivered")
    got = server.received[0]
    assert signing.verify(secret, got.headers[signing.SIGNATURE_HEADER], got.body, time.time())
