"""Notification API representations: subscriptions, webhooks and their delivery log."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contracts.models import Frequency, Subscription, Webhook, WebhookDelivery
from contracts.notifications.services import MAX_NAME_LENGTH, MAX_URL_LENGTH
from contracts.registry.selectors import all_contracts


class SubscriptionSerializer(serializers.ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(
        queryset=all_contracts(),
        allow_null=True,
        required=False,
        help_text="The contract to hear about; null for every contract.",
    )
    contract_name = serializers.CharField(source="contract.name", read_only=True, default=None)
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.IMMEDIATE)

    class Meta:
        model = Subscription
        fields = ["id", "contract", "contract_name", "frequency", "created_at"]
        read_only_fields = ["id", "contract_name", "created_at"]


class WebhookSerializer(serializers.ModelSerializer):
    contract = serializers.PrimaryKeyRelatedField(
        queryset=all_contracts(),
        allow_null=True,
        required=False,
        help_text="The contract whose breaches are sent; null for every contract.",
    )
    name = serializers.CharField(max_length=MAX_NAME_LENGTH)
    url = serializers.CharField(
        max_length=MAX_URL_LENGTH, help_text="http:// or https://; redirects are not followed."
    )

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "contract", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class NewWebhookSerializer(WebhookSerializer):
    """The answer to creating a webhook: the only time its signing secret is shown."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    payload: Any = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event", "breach", "key", "payload", "status", "attempts", "response_code",
            "error", "created_at", "last_attempt_at", "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields
