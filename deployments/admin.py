from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from deployments.models import EXTRA_ESTIMATES, DeploymentPlan, DeploymentType

PARTS = ("low", "likely", "high")


def _type_fieldsets() -> Any:
    fieldsets: list[tuple[str | None, dict[str, Any]]] = [
        (None, {"fields": ["kind", "name", "description", "requirements"]}),
        ("Latency", {"fields": ["typical_latency", "typical_latency_ms"]}),
        ("Setup (one-off)", {"fields": [*(f"setup_{p}" for p in PARTS), "setup_days_role"]}),
        ("Run (yearly)", {"fields": [*(f"run_{p}" for p in PARTS), "run_days_role"]}),
        ("Online feature serving", {"fields": ["needs_online_features"]}),
    ]
    for prefix, label, when in EXTRA_ESTIMATES:
        fields = [f"{prefix}_{p}" for p in PARTS]
        fieldsets.append((label, {"fields": fields, "description": f"Used by {when}."}))
    return fieldsets


@admin.register(DeploymentType)
class DeploymentTypeAdmin(admin.ModelAdmin):
    """The four profiles are seeded; admins edit their facts and costs, not their number."""

    list_display = ["name", "kind", "typical_latency", "needs_online_features", "setup_likely"]
    readonly_fields = ["kind"]
    list_select_related = ["setup_days_role", "run_days_role"]
    fieldsets = _type_fieldsets()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DeploymentPlan)
class DeploymentPlanAdmin(admin.ModelAdmin):
    list_display = ["idea", "deployment_type", "latency_ms", "freshness", "data_location"]
    list_filter = ["deployment_type", "freshness", "data_location", "connectivity"]
    list_select_related = ["idea", "deployment_type"]
    search_fields = ["idea__title"]
    raw_id_fields = ["idea"]
