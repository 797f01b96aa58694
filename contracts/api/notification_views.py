"""Notification API: each user's subscriptions and webhooks (only their own), a webhook's
delivery log, and a test delivery."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from contracts.api.notification_serializers import (
    NewWebhookSerializer,
    SubscriptionSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)
from contracts.api.parsers import SafeJSONParser
from contracts.models import Subscription, Webhook
from contracts.notifications import selectors, services


class SubscriptionViewSet(viewsets.ModelViewSet):
    """The signed-in user's subscriptions: a contract (or every contract, `contract: null`)
    whose breaches they hear about by email, `immediate` or in the `daily` digest."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = SubscriptionSerializer
    lookup_value_regex = r"\d+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Subscription]:
        return selectors.subscriptions_of(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.subscribe(
            user=self.request.user, contract=data.get("contract"), frequency=data["frequency"]
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.update_subscription(
            subscription=serializer.instance, changes=dict(serializer.validated_data)
        )


class WebhookViewSet(viewsets.ModelViewSet):
    """The signed-in user's webhooks. Each delivery is a POST of JSON signed in the header
    `X-ValueChain-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the
    secret>`; the secret is shown once, in the answer to creating the webhook."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = WebhookSerializer
    lookup_value_regex = r"\d+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Webhook]:
        return selectors.webhooks_of(self.request.user).order_by("id")

    def get_serializer_class(self) -> Any:
        if self.action == "deliveries":
            return WebhookDeliverySerializer
        return NewWebhookSerializer if self.action == "create" else WebhookSerializer

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_webhook(
            owner=self.request.user, name=data["name"], url=data["url"],
            contract=data.get("contract"),
        )  # fmt: skip

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.update_webhook(
            webhook=serializer.instance, changes=dict(serializer.validated_data)
        )

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        """The webhook's delivery log, newest first."""
        page = self.paginate_queryset(selectors.deliveries_of(self.get_object()))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request: Request, pk: Any = None) -> Response:
        """Send a test delivery now (logged and retried like the others)."""
        row = services.send_test(webhook=self.get_object())
        row.refresh_from_db()
        return Response(WebhookDeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)
