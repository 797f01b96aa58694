"""Reads for notifications: who hears about a contract, a user's subscriptions and webhooks,
a webhook's deliveries and the notices waiting for a digest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from contracts.models import DataContract
from contracts.notifications.models import (
    ConsumerMember,
    EmailNotice,
    Frequency,
    Subscription,
    Webhook,
    WebhookDelivery,
)


@dataclass(frozen=True, slots=True)
class Recipient:
    user: User
    reason: str  # "producer", "consumer team <name>", "subscriber"
    frequency: str


def recipients(contract: Any) -> list[Recipient]:
    """Everyone told about a breach of the contract, once each: the producer (its owner),
    each consumer team's user and members, and the subscribers (to it or to every contract).
    A person's subscription sets how they hear (the contract's one before the catch-all);
    without one they hear at once. Inactive users and users without email are left out."""
    reasons: dict[int, tuple[User, str]] = {}
    if contract.owner_id is not None and contract.owner is not None:
        reasons[contract.owner_id] = (contract.owner, "producer")
    consumers = list(contract.consumers.select_related("user"))
    for consumer in consumers:
        if consumer.user is not None:
            reasons.setdefault(consumer.user.pk, (consumer.user, f"consumer team {consumer.name}"))
    members = ConsumerMember.objects.filter(consumer__contract=contract).select_related(
        "user", "consumer"
    )
    for member in members:
        reasons.setdefault(member.user_id, (member.user, f"consumer team {member.consumer.name}"))
    subscriptions = list(
        Subscription.objects.filter(Q(contract=contract) | Q(contract__isnull=True))
        .select_related("user")
        .order_by("contract_id")  # NULL (every contract) sorts apart from the contract's own
    )
    frequency: dict[int, str] = {}
    for sub in sorted(subscriptions, key=lambda s: s.contract_id is None):
        reasons.setdefault(sub.user_id, (sub.user, "subscriber"))
        frequency.setdefault(sub.user_id, sub.frequency)
    return [
        Recipient(user, reason, frequency.get(pk, Frequency.IMMEDIATE))
        for pk, (user, reason) in sorted(reasons.items())
        if user.is_active and user.email
    ]


def webhooks_for_contract(contract_id: int) -> QuerySet[Webhook]:
    return Webhook.objects.filter(
        Q(contract_id=contract_id) | Q(contract__isnull=True), active=True
    ).order_by("id")


def subscriptions_of(user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).select_related("contract")


def webhooks_of(user: Any) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner=user).select_related("contract")


def deliveries_of(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")


def pending_digests() -> dict[int, list[EmailNotice]]:
    """Unsent digest notices, per user, oldest first."""
    by_user: dict[int, list[EmailNotice]] = {}
    notices = EmailNotice.objects.filter(frequency=Frequency.DAILY, sent_at__isnull=True)
    for notice in notices.select_related("user", "contract").order_by("user_id", "created_at"):
        by_user.setdefault(notice.user_id, []).append(notice)
    return by_user


def contract_choices() -> QuerySet[DataContract]:
    """The contracts one may subscribe to or send webhooks about: all of them, by name."""
    return DataContract.objects.only("id", "name").order_by("name", "id")
