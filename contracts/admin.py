from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from contracts.models import (
    Alert,
    Consumer,
    ConsumerMember,
    ContractVersion,
    DataContract,
    DeadLetter,
    EmailNotice,
    SlaBreach,
    Subscription,
    ValidationRun,
    Webhook,
    WebhookDelivery,
)


class ConsumerInline(admin.TabularInline):
    model = Consumer
    extra = 0
    fields = ["name", "pinned_major", "user"]
    raw_id_fields = ["user"]


class ContractVersionInline(admin.TabularInline):
    """Versions are published through the API or the import page: read-only here."""

    model = ContractVersion
    extra = 0
    fields = ("version", "compatibility_mode", "published_at", "created_by")
    readonly_fields = ("version", "compatibility_mode", "published_at", "created_by")
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataContract)
class DataContractAdmin(admin.ModelAdmin):
    list_display = ["name", "asset_type", "asset_id", "status", "compatibility_mode", "owner"]
    list_filter = ["status", "asset_type", "compatibility_mode"]
    search_fields = ["name", "odcs_id", "producer_team"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["ideas"]
    inlines = [ConsumerInline, ContractVersionInline]


@admin.register(ContractVersion)
class ContractVersionAdmin(admin.ModelAdmin):
    list_display = ["contract", "version", "compatibility_mode", "published_at"]
    list_filter = ["compatibility_mode"]
    search_fields = ["contract__name", "version"]
    list_select_related = ["contract"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_published

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Consumer)
class ConsumerAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "pinned_major"]
    search_fields = ["name", "contract__name"]
    list_select_related = ["contract"]
    raw_id_fields = ["user", "contract"]


# --- enforcement: read-only records of what happened -------------------------------------------


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ValidationRun)
class ValidationRunAdmin(_ReadOnlyAdmin):
    list_display = [
        "id", "contract", "source", "status", "received_count", "valid_count",
        "dead_letter_count", "created_at",
    ]  # fmt: skip
    list_filter = ["source", "status"]
    list_select_related = ["contract"]
    exclude = ["records"]


@admin.register(DeadLetter)
class DeadLetterAdmin(_ReadOnlyAdmin):
    list_display = ["id", "contract", "run", "record_index", "message_id", "received_at"]
    list_select_related = ["contract", "run"]
    raw_id_fields = ["run", "contract"]


@admin.register(SlaBreach)
class SlaBreachAdmin(_ReadOnlyAdmin):
    list_display = [
        "id", "contract", "kind", "field", "observed", "limit", "detected_at", "resolved_at",
    ]  # fmt: skip
    list_filter = ["kind"]
    list_select_related = ["contract"]


@admin.register(Alert)
class AlertAdmin(_ReadOnlyAdmin):
    list_display = ["id", "recipient_name", "role", "breach", "created_at", "read_at"]
    list_filter = ["role"]
    list_select_related = ["breach"]


# --- notifications: who hears of breaches, and what was sent -----------------------------------


@admin.register(ConsumerMember)
class ConsumerMemberAdmin(admin.ModelAdmin):
    list_display = ["consumer", "user", "created_at"]
    list_select_related = ["consumer", "user"]
    raw_id_fields = ["consumer", "user"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "contract", "frequency", "created_at"]
    list_filter = ["frequency"]
    list_select_related = ["user", "contract"]
    raw_id_fields = ["user", "contract"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "contract", "url", "active", "created_at"]
    list_select_related = ["owner", "contract"]
    raw_id_fields = ["owner", "contract"]
    exclude = ["secret"]  # shown once to its owner, never in the admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # its owner makes it (pages, API), which draws its secret


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnlyAdmin):
    list_display = ["id", "webhook", "event", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["webhook"]


@admin.register(EmailNotice)
class EmailNoticeAdmin(_ReadOnlyAdmin):
    list_display = ["id", "user", "contract", "event", "frequency", "created_at", "sent_at"]
    list_filter = ["event", "frequency"]
    list_select_related = ["user", "contract"]
