"""Who hears about a contract's breaches, and how: consumer team members, subscriptions,
webhooks with their delivery log, and the email notices waiting for a digest or being sent.

Re-exported by contracts.models; foreign keys name their models as text so that this module
never imports contracts.models (which imports it at its end)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"


class NoticeEvent(models.TextChoices):
    OPENED = "breach.opened", "Breach opened"
    RESOLVED = "breach.resolved", "Breach resolved"
    TEST = "test", "Test"


class ConsumerMember(models.Model):
    """A person in a consumer's team: told about the contract's breaches like its user."""

    consumer = models.ForeignKey(
        "contracts.Consumer", on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consumer_teams"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["consumer_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "user"], name="consumermember_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.consumer_id}"


class Subscription(models.Model):
    """A user's wish to hear about one contract (or, with no contract, every contract) by
    email, at once or in the daily digest. Also sets how a producer or consumer member hears."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_subscriptions"
    )
    contract = models.ForeignKey(
        "contracts.DataContract",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        help_text="Empty: every contract.",
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "contract_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract"],
                condition=Q(contract__isnull=False),
                name="subscription_unique_contract",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(contract__isnull=True), name="subscription_unique_all"
            ),
        ]

    def __str__(self) -> str:
        return f"subscription of {self.user_id} to {self.contract_id or 'all'}"


class Webhook(models.Model):
    """An HTTP endpoint told about breaches of one contract (or every contract), each
    delivery signed with HMAC-SHA256 under the webhook's own secret."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_webhooks"
    )
    contract = models.ForeignKey(
        "contracts.DataContract",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
        help_text="Empty: every contract.",
    )
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Signs every delivery; never shown again.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=NoticeEvent.choices)
    breach = models.ForeignKey(
        "contracts.SlaBreach", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=200, help_text="The same event is delivered once.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a failed delivery is tried again."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "key"], name="webhookdelivery_unique_key")
        ]
        indexes = [models.Index(fields=["webhook", "-created_at"], name="webhookdelivery_recent")]

    def __str__(self) -> str:
        return f"{self.event} to webhook {self.webhook_id}"


class EmailNotice(models.Model):
    """An email owed to one user about one breach event: sent at once, or gathered into the
    user's daily digest. Sent once (``sent_at``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_notices"
    )
    contract = models.ForeignKey(
        "contracts.DataContract", on_delete=models.CASCADE, related_name="+"
    )
    breach = models.ForeignKey(
        "contracts.SlaBreach", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=20, choices=NoticeEvent.choices)
    reason = models.CharField(max_length=200, help_text="Why this user hears: producer, ...")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "breach", "event"],
                condition=Q(breach__isnull=False),
                name="emailnotice_unique_event",
            )
        ]
        indexes = [models.Index(fields=["frequency", "sent_at"], name="emailnotice_unsent")]

    def __str__(self) -> str:
        return f"{self.event} notice to {self.user_id}"


__all__ = [
    "ConsumerMember",
    "EmailNotice",
    "Frequency",
    "NoticeEvent",
    "Subscription",
    "Webhook",
    "WebhookDelivery",
]
