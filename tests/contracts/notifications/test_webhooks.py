"""Webhook deliveries reach a real local receiver signed with the webhook's secret, failing
ones are retried with backoff and then marked failed, and a breach fans out once."""

from __future__ import annotations

import json
import time

import pytest
from django.core import mail
from django.utils import timezone

from contracts.models import NoticeEvent, Webhook, WebhookDelivery
from contracts.notifications import delivery, sending, services, signing, tasks
from tests.contracts.factories import SlaBreachFactory
from tests.contracts.notifications.receiver import receiver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_retries(settings):
    settings.VALUECHAIN = {
        **settings.VALUECHAIN,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_BACKOFF_SECONDS": 0,
        "WEBHOOK_TIMEOUT_SECONDS": 2,
    }


def _hook(url, contract=None):
    return services.create_webhook(owner=UserFactory(), name="ops", url=url, contract=contract)


def test_a_breach_reaches_the_receiver_signed_with_the_webhooks_secret(
    fast_retries, django_capture_on_commit_callbacks
):
    breach = SlaBreachFactory()
    with receiver(200) as server:
        hook = _hook(server.url, breach.contract)
        other = _hook(server.url, SlaBreachFactory().contract)  # another contract: not told
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(breach, NoticeEvent.OPENED)
        assert len(server.received) == 1
    got = server.received[0]
    assert signing.verify(hook.secret, got.headers[signing.SIGNATURE_HEADER], got.body, time.time())
    assert not signing.verify(
        other.secret, got.headers[signing.SIGNATURE_HEADER], got.body, time.time()
    )
    body = json.loads(got.body)
    assert body["event"] == "breach.opened" and body["breach"]["id"] == breach.pk
    assert body["contract"] == {"id": breach.contract.pk, "name": breach.contract.name}
    row = WebhookDelivery.objects.get(webhook=hook)
    assert row.status == "succeeded" and row.attempts == 1 and row.response_code == 200
    assert got.headers[signing.DELIVERY_HEADER] == row.key

    # the same event again delivers nothing new
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(breach, NoticeEvent.OPENED)
    assert WebhookDelivery.objects.filter(webhook=hook).count() == 1


def test_a_failing_receiver_is_retried_then_the_delivery_is_marked_failed(
    fast_retries, django_capture_on_commit_callbacks
):
    with receiver(500) as server:
        hook = _hook(server.url)
        with django_capture_on_commit_callbacks(execute=True):
            row = services.send_test(webhook=hook)
        # inline (no broker), each retry waits for the sweep of overdue deliveries
        for _ in range(3):
            for pk in sending.overdue_deliveries(timezone.now(), 0):
                tasks.deliver_webhook.delay(pk)
        assert len(server.received) == 3
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 3 and row.response_code == 500
    assert "answered 500" in row.error
    # a settled delivery is never sent again
    assert sending.attempt_delivery(row.pk).status == "skipped"


def test_a_receiver_that_recovers_gets_the_delivery_on_a_retry(
    fast_retries, django_capture_on_commit_callbacks
):
    with receiver(503, 200) as server:
        hook = _hook(server.url)
        with django_capture_on_commit_callbacks(execute=True):
            row = services.send_test(webhook=hook)
        row.refresh_from_db()
        assert row.status == "retrying" and row.next_attempt_at is not None
        assert sending.overdue_deliveries(timezone.now(), 0) == [row.pk]
        tasks.deliver_webhook.delay(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code) == ("succeeded", 2, 200)


def test_an_unreachable_receiver_is_logged_with_the_error(fast_retries):
    hook = _hook("http://127.0.0.1:9/nothing-listens")
    row = WebhookDelivery.objects.create(webhook=hook, event="test", key="t", payload={})
    outcome = sending.attempt_delivery(row.pk)
    row.refresh_from_db()
    assert outcome.retry_in == 0 and row.status == "retrying"
    assert row.response_code is None and "ConnectionError" in row.error


def test_backoff_doubles_and_is_capped(settings):
    settings.VALUECHAIN = {**settings.VALUECHAIN, "WEBHOOK_BACKOFF_SECONDS": 30}
    assert [delivery.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff_seconds(20) == 3600


def test_a_replayed_or_tampered_delivery_does_not_verify():
    body = b'{"event":"test"}'
    value = signing.header("s3cret", 1_000_000, body)
    assert signing.verify("s3cret", value, body, 1_000_010)
    assert not signing.verify("s3cret", value, body, 1_000_000 + 3600)  # replayed an hour later
    assert not signing.verify("s3cret", value, body + b" ", 1_000_010)
    assert not signing.verify("s3cret", "v1=abc", body, 1_000_010)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "Only http"),
        ("file:///etc/passwd", "Only http"),
        ("http:///path", "names no host"),
        ("https://user:pw@example.com/", "no credentials"),
        ("https://example.com/" + "a" * 500, "At most 500"),
        ("http://example.com:99999/", "Not a URL"),
        ("", "Give the URL"),
    ],
)
def test_webhook_urls_are_checked(url, message):
    with pytest.raises(Exception) as caught:
        services.check_webhook_url(url)
    assert message in str(caught.value)
    assert not Webhook.objects.exists()


def test_daily_digest_gathers_a_users_notices_into_one_email(django_capture_on_commit_callbacks):
    breach, second = SlaBreachFactory(), SlaBreachFactory()
    reader = UserFactory()
    services.subscribe(user=reader, contract=None, frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(breach, NoticeEvent.OPENED)
        services.notify(second, NoticeEvent.OPENED)
    # owners hear at once, the digest reader not yet
    assert reader.email not in {a for m in mail.outbox for a in m.to}
    before = len(mail.outbox)
    assert sending.send_digests() == 1
    digest = mail.outbox[before:]
    assert [m.to for m in digest] == [[reader.email]]
    assert breach.contract.name in digest[0].body and second.contract.name in digest[0].body
    assert sending.send_digests() == 0


@pytest.fixture
def internal_refused(settings):
    settings.VALUECHAIN = {**settings.VALUECHAIN, "WEBHOOK_ALLOW_PRIVATE": False}


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/",
        "http://[::1]/",
        "https://192.168.1.1/",
    ],
)
def test_internal_addresses_are_refused_when_the_webhook_is_saved(internal_refused, url):
    with pytest.raises(Exception, match="internal address"):
        services.create_webhook(owner=UserFactory(), name="x", url=url, contract=None)
    assert not Webhook.objects.exists()


def test_a_host_resolving_inside_the_network_is_refused_at_delivery_without_retries(
    internal_refused,
):
    with receiver(200) as server:
        # saved while allowed (or a name that resolved elsewhere then): refused when sent
        hook = Webhook.objects.create(owner=UserFactory(), name="x", url=server.url, secret="s")
        row = WebhookDelivery.objects.create(webhook=hook, event="test", key="t", payload={})
        outcome = sending.attempt_delivery(row.pk)
        assert server.received == []
    row.refresh_from_db()
    assert outcome.status == "failed" and row.attempts == 1
    assert "resolves to 127.0.0.1, an internal address" in row.error
