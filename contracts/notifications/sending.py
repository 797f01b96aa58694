"""One send, recorded: a webhook delivery attempt and its log entry, an immediate email, a
user's daily digest. Each is safe to run twice: what was delivered is not delivered again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from contracts.notifications import delivery
from contracts.notifications import selectors as notices
from contracts.notifications.models import EmailNotice, WebhookDelivery

OPEN = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # a WebhookDelivery.Status, or "skipped"
    retry_in: int | None = None


def attempt_delivery(delivery_id: int) -> Outcome:
    """Post the delivery once more unless it is settled; record the attempt. A failed attempt
    is retried (``retry_in`` seconds later) until the webhook's attempts run out."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status__in=OPEN).update(
        attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return Outcome("skipped")
    row = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = row.webhook
    result = delivery.post_webhook(hook.url, hook.secret, row.event, row.key, row.payload)
    fields: dict[str, Any] = {"response_code": result.response_code, "error": result.error}
    if result.ok:
        status, retry_in = WebhookDelivery.Status.SUCCEEDED, None
        fields["delivered_at"] = timezone.now()
    elif result.final or row.attempts >= delivery.max_attempts():
        status, retry_in = WebhookDelivery.Status.FAILED, None
    else:
        status, retry_in = WebhookDelivery.Status.RETRYING, delivery.backoff_seconds(row.attempts)
    fields["next_attempt_at"] = now + timedelta(seconds=retry_in) if retry_in is not None else None
    WebhookDelivery.objects.filter(pk=delivery_id).update(status=status, **fields)
    return Outcome(status, retry_in)


def overdue_deliveries(now: datetime, grace_seconds: float) -> list[int]:
    """Deliveries whose next attempt is more than ``grace_seconds`` overdue, or which were
    never attempted that long after being made: their task was lost, or there is no broker
    to wait on (the embedded default runs tasks inline)."""
    before = now - timedelta(seconds=grace_seconds)
    retrying = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=before
    )
    lost = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, attempts=0, created_at__lte=before
    )
    return sorted(
        set(retrying.values_list("pk", flat=True)) | set(lost.values_list("pk", flat=True))
    )


def send_notice(notice_id: int) -> bool:
    """Email one immediate notice unless it was sent already."""
    notice = (
        EmailNotice.objects.select_related("user")
        .filter(pk=notice_id, sent_at__isnull=True)
        .first()
    )
    if notice is None:
        return False
    delivery.send_email(notice.user.email, notice.subject, notice.body)
    EmailNotice.objects.filter(pk=notice_id).update(sent_at=timezone.now())
    return True


def send_digests() -> int:
    """One email per user gathering their unsent digest notices; returns the emails sent."""
    sent = 0
    for items in notices.pending_digests().values():
        user = items[0].user
        lines = [f"{len(items)} change(s) on the data contracts you follow:", ""]
        for notice in items:
            lines += [f"- {notice.subject}", f"  {notice.body.splitlines()[0]}", ""]
        subject = f"ValueChain daily digest: {len(items)} contract change(s)"
        delivery.send_email(user.email, subject, "\n".join(lines))
        EmailNotice.objects.filter(pk__in=[n.pk for n in items]).update(sent_at=timezone.now())
        sent += 1
    return sent
