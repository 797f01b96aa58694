"""Writes for notifications: subscriptions and webhooks of a user, and the fan-out of a breach
that opened or resolved into email notices and webhook deliveries, queued after commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.notifications import delivery, selectors, signing, tasks
from contracts.notifications.models import (
    ConsumerMember,
    EmailNotice,
    Frequency,
    NoticeEvent,
    Subscription,
    Webhook,
    WebhookDelivery,
)

MAX_URL_LENGTH = 500
MAX_NAME_LENGTH = 200


# --- subscriptions and webhooks ------------------------------------------------------------------


def check_webhook_url(url: str) -> str:
    """The URL as it will be called: http or https, a host, no credentials, bounded length."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": ["Give the URL to deliver to."]})
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": [f"At most {MAX_URL_LENGTH} characters."]})
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is not a number
    except ValueError:
        raise ValidationError({"url": ["Not a URL."]}) from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": ["Only http:// and https:// URLs receive webhooks."]})
    if not parts.hostname:
        raise ValidationError({"url": ["The URL names no host."]})
    if parts.username or parts.password:
        raise ValidationError({"url": ["Put no credentials in the URL; the signature is proof."]})
    if port == 0:
        raise ValidationError({"url": ["Port 0 is not a port to deliver to."]})
    if not delivery.allow_private() and _literal_private(parts.hostname):
        raise ValidationError(
            {"url": ["An internal address: deliveries to the internal network are off."]}
        )
    return url


def _literal_private(host: str) -> bool:
    try:
        return delivery.is_private(host)
    except ValueError:
        return host.lower() == "localhost" or host.lower().endswith(".localhost")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Name the webhook."]})
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError({"name": [f"At most {MAX_NAME_LENGTH} characters."]})
    return name


def _frequency(value: str) -> str:
    if value not in Frequency.values:
        raise ValidationError({"frequency": [f"One of {', '.join(Frequency.values)}."]})
    return value


@transaction.atomic
def subscribe(*, user: Any, contract: Any | None, frequency: str) -> Subscription:
    """Subscribe the user to the contract (None: every contract), or change how they hear."""
    sub, _ = Subscription.objects.update_or_create(
        user=user, contract=contract, defaults={"frequency": _frequency(frequency)}
    )
    return sub


@transaction.atomic
def update_subscription(*, subscription: Subscription, changes: dict[str, Any]) -> Subscription:
    if "frequency" in changes:
        subscription.frequency = _frequency(changes["frequency"])
    if "contract" in changes:
        subscription.contract = changes["contract"]
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        raise ValidationError({"contract": ["You already subscribe to this contract."]}) from None
    return subscription


def unsubscribe(*, user: Any, subscription_id: int) -> bool:
    """Remove one of the user's subscriptions; False when they have no such subscription."""
    deleted, _ = Subscription.objects.filter(user=user, pk=subscription_id).delete()
    return bool(deleted)


def delete_webhook(*, owner: Any, webhook_id: int) -> bool:
    """Remove one of the owner's webhooks with its delivery log; False when there is none."""
    deleted, _ = Webhook.objects.filter(owner=owner, pk=webhook_id).delete()
    return bool(deleted)


@transaction.atomic
def create_webhook(*, owner: Any, name: str, url: str, contract: Any | None) -> Webhook:
    return Webhook.objects.create(
        owner=owner,
        name=_name(name),
        url=check_webhook_url(url),
        contract=contract,
        secret=signing.new_secret(),
    )


@transaction.atomic
def update_webhook(*, webhook: Webhook, changes: dict[str, Any]) -> Webhook:
    if "name" in changes:
        webhook.name = _name(changes["name"])
    if "url" in changes:
        webhook.url = check_webhook_url(changes["url"])
    if "contract" in changes:
        webhook.contract = changes["contract"]
    if "active" in changes:
        webhook.active = bool(changes["active"])
    webhook.save()
    return webhook


@transaction.atomic
def set_consumer_team(*, consumer: Any, users: list[Any]) -> None:
    """The consumer's team: the first user answers for it (the consumer's user), everyone
    hears of its contract's breaches. Members no longer listed leave the team."""
    consumer.user = users[0] if users else None
    consumer.save(update_fields=["user"])
    ConsumerMember.objects.filter(consumer=consumer).exclude(user__in=users[1:]).delete()
    for user in users[1:]:
        ConsumerMember.objects.get_or_create(consumer=consumer, user=user)


def _queue(task: Callable[..., Any], *ids: int) -> None:
    transaction.on_commit(lambda: [task.delay(pk) for pk in ids])  # type: ignore[attr-defined]


@transaction.atomic
def send_test(*, webhook: Webhook, now: datetime | None = None) -> WebhookDelivery:
    """A test delivery, logged and retried like any other."""
    now = now or timezone.now()
    row = WebhookDelivery.objects.create(
        webhook=webhook,
        event=NoticeEvent.TEST,
        key=f"test:{now.timestamp():.6f}",
        payload={
            "event": NoticeEvent.TEST.value,
            "webhook": {"id": webhook.pk, "name": webhook.name},
            "sent_at": now.isoformat(),
            "message": "A test delivery from ValueChain: the signature header proves it.",
        },
    )
    _queue(tasks.deliver_webhook, row.pk)
    return row


# --- the fan-out of a breach -----------------------------------------------------------------


def _breach_payload(event: str, breach: Any, contract: Any) -> dict[str, Any]:
    return {
        "event": event,
        "contract": {"id": contract.pk, "name": contract.name},
        "breach": {
            "id": breach.pk,
            "kind": breach.kind,
            "field": breach.field,
            "observed": breach.observed,
            "limit": breach.limit,
            "unit": breach.unit,
            "detail": breach.detail,
            "detected_at": breach.detected_at.isoformat(),
            "resolved_at": breach.resolved_at.isoformat() if breach.resolved_at else None,
        },
    }


def _words(event: str, breach: Any, contract: Any) -> tuple[str, str]:
    kind = breach.get_kind_display().lower()
    if event == NoticeEvent.RESOLVED:
        subject = f"Resolved: {kind} on {contract.name}"
        body = f"The {kind} breach of {contract.name} is resolved: the data is back within its SLA."
    else:
        subject = f"SLA breach: {kind} on {contract.name}"
        body = f"{contract.name}: {breach.detail}"
    site = str(settings.VALUECHAIN.get("PUBLIC_URL", "")).rstrip("/")
    return subject[:300], body + f"\n\nContract: {site}/contracts/{contract.pk}/"


def notify(breach: Any, event: str, now: datetime | None = None) -> tuple[int, int]:
    """Email notices to everyone who hears about the contract, and a delivery to each of its
    webhooks, for one breach event; each at most once. Returns (notices, deliveries) made."""
    now = now or timezone.now()
    contract = breach.contract
    subject, body = _words(event, breach, contract)
    with transaction.atomic():
        made = EmailNotice.objects.bulk_create(
            [
                EmailNotice(
                    user=r.user, contract=contract, breach=breach, event=event, reason=r.reason,
                    frequency=r.frequency, subject=subject,
                    body=f"{body}\n\nYou hear about this as {r.reason}.", created_at=now,
                )
                for r in selectors.recipients(contract)
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        payload = _breach_payload(event, breach, contract)
        hooks = list(selectors.webhooks_for_contract(contract.pk))
        key = f"{event}:{breach.pk}"
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(webhook=h, event=event, breach=breach, key=key, payload=payload)
                for h in hooks
            ],
            ignore_conflicts=True,
        )
        # ignore_conflicts leaves no ids: read back what is still to send
        immediate = list(
            EmailNotice.objects.filter(
                breach=breach, event=event, frequency=Frequency.IMMEDIATE, sent_at__isnull=True
            ).values_list("pk", flat=True)
        )
        pending = list(
            WebhookDelivery.objects.filter(
                key=key, webhook__in=hooks, status=WebhookDelivery.Status.PENDING, attempts=0
            ).values_list("pk", flat=True)
        )
        _queue(tasks.send_email_notice, *immediate)
        _queue(tasks.deliver_webhook, *pending)
    return len(made), len(hooks)


def breach_opened(breach: Any) -> None:
    """Tell everyone once the breach is stored (after commit)."""
    transaction.on_commit(lambda: notify(breach, NoticeEvent.OPENED))


def breach_resolved(breach: Any) -> None:
    transaction.on_commit(lambda: notify(breach, NoticeEvent.RESOLVED))
