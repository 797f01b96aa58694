"""Notification tasks: idempotent, by id, acknowledged late. A webhook delivery is retried
with exponential backoff; the daily digest runs from beat."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from contracts.notifications import sending

# A retry this much overdue was lost (or never queued, without a broker): beat queues it again.
OVERDUE_GRACE_SECONDS = 300


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(self: Task, delivery_id: int) -> str:
    outcome = sending.attempt_delivery(delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    # run inline (no broker to wait on), a retry is left to retry_due_deliveries
    return outcome.status


@shared_task(ignore_result=True)
def retry_due_deliveries() -> int:
    """Queue again the webhook deliveries whose retry is overdue (celery beat)."""
    due = sending.overdue_deliveries(timezone.now(), OVERDUE_GRACE_SECONDS)
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=5
)
def send_email_notice(self: Task, notice_id: int) -> bool:
    try:
        return sending.send_notice(notice_id)
    except OSError as exc:  # the mail server is away: try again later
        raise self.retry(exc=exc, countdown=60) from exc


@shared_task(acks_late=True, ignore_result=True)
def send_daily_digests() -> int:
    return sending.send_digests()
