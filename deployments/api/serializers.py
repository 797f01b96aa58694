"""Deployment types, plans and recommendation requests as JSON."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deployments import recommend, selectors
from deployments.models import (
    API_CONTRACT_MAX_CHARS,
    EXTRA_ESTIMATES,
    MAX_LATENCY_MS,
    MAX_MODEL_SIZE_MB,
    MAX_REQUESTS_PER_DAY,
    TYPE_SPECIFIC_FIELDS,
    ApiProtocol,
    Connectivity,
    DataLocation,
    DeploymentPlan,
    DeploymentType,
    EdgePlatform,
    Freshness,
)
from deployments.services import foreign_fields
from valuechain.api.fields import FiniteFloatField, SafePrimaryKeyRelatedField, money_field
from valuechain.catalogue import selectors as catalogue_selectors
from valuechain.engine.chain import estimate_problem

PARTS = ("low", "likely", "high")


def _ordered(attrs: dict[str, Any]) -> dict[str, Any]:
    """The estimate, unless valuechain.engine.chain.estimate_problem finds fault with it."""
    problem = estimate_problem(attrs["low"], attrs["likely"], attrs["high"])
    if problem is not None:
        raise serializers.ValidationError({"likely": [problem]})
    return attrs


def estimate_dict(row: models.Model, prefix: str) -> dict[str, Any] | None:
    """{"low", "likely", "high"} (+ "days_of_role" when in person-days); None when unset."""
    values = [getattr(row, f"{prefix}_{part}") for part in PARTS]
    if all(value is None for value in values):
        return None
    data: dict[str, Any] = dict(zip(PARTS, values, strict=True))
    role_id = getattr(row, f"{prefix}_days_role_id", None)
    if role_id is not None:
        data["days_of_role"] = role_id
    return data


class EstimateSerializer(serializers.Serializer):
    """A three-point estimate: money, or person-days of `days_of_role`."""

    low = money_field()
    likely = money_field()
    high = money_field()
    days_of_role = SafePrimaryKeyRelatedField(
        queryset=catalogue_selectors.roles(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _ordered(attrs)


class DeploymentTypeSerializer(serializers.ModelSerializer):
    setup_estimate = serializers.SerializerMethodField()
    run_estimate = serializers.SerializerMethodField()
    extra_estimates = serializers.SerializerMethodField()

    class Meta:
        model = DeploymentType
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "typical_latency",
            "typical_latency_ms",
            "requirements",
            "needs_online_features",
            "setup_estimate",
            "run_estimate",
            "extra_estimates",
        ]
        read_only_fields = fields

    def get_setup_estimate(self, obj: DeploymentType) -> dict[str, Any] | None:
        return estimate_dict(obj, "setup")

    def get_run_estimate(self, obj: DeploymentType) -> dict[str, Any] | None:
        return estimate_dict(obj, "run")

    def get_extra_estimates(self, obj: DeploymentType) -> dict[str, Any]:
        """Per-feature online materialisation, edge compression/runtime, real-time storage."""
        return {
            prefix: {**(estimate_dict(obj, prefix) or {}), "label": label, "applies_to": when}
            for prefix, label, when in EXTRA_ESTIMATES
        }


class MoneyEstimateSerializer(serializers.Serializer):
    low = money_field()
    likely = money_field()
    high = money_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _ordered(attrs)


EXTRA_PREFIXES = tuple(prefix for prefix, _, _ in EXTRA_ESTIMATES)


class DeploymentTypeUpdateSerializer(serializers.Serializer):
    """A partial update of a type profile (staff): facts, latency and cost estimates."""

    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=5_000, required=False)
    typical_latency = serializers.CharField(max_length=200, required=False)
    typical_latency_ms = FiniteFloatField(min_value=0, max_value=MAX_LATENCY_MS, required=False)
    requirements = serializers.CharField(max_length=5_000, required=False)
    needs_online_features = serializers.BooleanField(required=False)
    setup_estimate = EstimateSerializer(required=False)
    run_estimate = EstimateSerializer(required=False)
    extra_estimates = serializers.DictField(child=MoneyEstimateSerializer(), required=False)

    def validate_typical_latency_ms(self, value: float) -> float:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def validate_extra_estimates(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(EXTRA_PREFIXES))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown estimates {', '.join(unknown)}; expected some of "
                f"{', '.join(EXTRA_PREFIXES)}."
            )
        return value

    def to_model_values(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        values: dict[str, Any] = {}
        for prefix in ("setup", "run"):
            estimate = data.pop(f"{prefix}_estimate", None)
            if estimate is not None:
                values.update({f"{prefix}_{part}": estimate[part] for part in PARTS})
                values[f"{prefix}_days_role"] = estimate.get("days_of_role")
        for prefix, estimate in data.pop("extra_estimates", {}).items():
            values.update({f"{prefix}_{part}": estimate[part] for part in PARTS})
        values.update(data)
        return values


class RequirementsSerializer(serializers.Serializer):
    """What the recommendation reads; also the requirement half of a plan."""

    latency_ms = FiniteFloatField(min_value=0, max_value=MAX_LATENCY_MS)
    requests_per_day = FiniteFloatField(min_value=0, max_value=MAX_REQUESTS_PER_DAY)
    freshness = serializers.ChoiceField(choices=Freshness.choices)
    data_location = serializers.ChoiceField(choices=DataLocation.choices)
    connectivity = serializers.ChoiceField(choices=Connectivity.choices)
    privacy_sensitive = serializers.BooleanField(default=False)
    inputs_enumerable = serializers.BooleanField(default=False)
    continuous_events = serializers.BooleanField(default=False)

    def validate_latency_ms(self, value: float) -> float:
        if value <= 0:
            raise serializers.ValidationError("The latency target must be greater than 0.")
        return value

    def requirements(self) -> recommend.Requirements:
        return recommend.requirements_from_mapping(self.validated_data)


class RecommendationOptionSerializer(serializers.Serializer):
    """One ranked type; `conflicts` explain why requirements cannot all be met."""

    type = serializers.CharField(help_text="batch, stream, request_response or edge")
    score = serializers.IntegerField()
    viable = serializers.BooleanField()
    realtime_storage = serializers.BooleanField(
        help_text="Batch only: predictions are loaded into real-time storage and served from it."
    )
    reasons = serializers.ListField(child=serializers.CharField())
    conflicts = serializers.ListField(child=serializers.CharField())


def ranked(recommendation: recommend.Recommendation) -> list[dict[str, Any]]:
    """The ranking as JSON, best first. Contradictions that concern every type (such as
    data only on servers with no connectivity) are listed in each item's conflicts."""
    shared = [c for c in recommendation.conflicts if not _names_a_type(c)]
    return [
        {**option.as_dict(), "conflicts": [*shared, *option.conflicts]}
        for option in recommendation.ranking
    ]


def _names_a_type(conflict: str) -> bool:
    return any(conflict.startswith(f"{label}: ") for label in recommend.TYPE_LABELS.values())


@extend_schema_field(OpenApiTypes.STR)
class DeploymentTypeKindField(serializers.SlugRelatedField):
    """A deployment type named by its kind: batch, stream, request_response or edge."""


class DeploymentPlanSerializer(RequirementsSerializer):
    """A plan, written whole by PUT; costs and advice are computed on the way out."""

    idea = serializers.IntegerField(source="idea_id", read_only=True)
    deployment_type = DeploymentTypeKindField(
        slug_field="kind",
        queryset=selectors.deployment_types(),
        help_text="batch, stream, request_response or edge",
    )
    batch_schedule = serializers.CharField(max_length=100, required=False, allow_blank=True)
    loads_realtime_storage = serializers.BooleanField(default=False)
    input_contract = serializers.CharField(max_length=200, required=False, allow_blank=True)
    output_stream = serializers.CharField(max_length=200, required=False, allow_blank=True)
    api_protocol = serializers.ChoiceField(
        choices=ApiProtocol.choices, required=False, allow_blank=True
    )
    api_contract = serializers.CharField(
        max_length=API_CONTRACT_MAX_CHARS, required=False, allow_blank=True
    )
    edge_platform = serializers.ChoiceField(
        choices=EdgePlatform.choices, required=False, allow_blank=True
    )
    model_size_budget_mb = FiniteFloatField(
        min_value=0, max_value=MAX_MODEL_SIZE_MB, required=False, allow_null=True
    )
    setup_estimate = EstimateSerializer(required=False, allow_null=True)
    run_estimate = EstimateSerializer(required=False, allow_null=True)
    notes = serializers.CharField(max_length=5_000, required=False, allow_blank=True)

    def validate_model_size_budget_mb(self, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise serializers.ValidationError("The model size budget must be greater than 0.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["deployment_type"].kind
        errors = {
            name: [f"Only applies to {_kind_label(name)} plans, not {kind}."]
            for name in foreign_fields(kind)
            if name in attrs and attrs[name] not in ("", None, False)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_model_values(self) -> dict[str, Any]:
        """Validated data as DeploymentPlan field values (estimates flattened)."""
        data = dict(self.validated_data)
        data.pop("deployment_type")
        values: dict[str, Any] = {}
        for prefix in ("setup", "run"):
            estimate = data.pop(f"{prefix}_estimate", None)
            for part in PARTS:
                values[f"{prefix}_{part}"] = estimate[part] if estimate else None
            values[f"{prefix}_days_role"] = estimate.get("days_of_role") if estimate else None
        values.update(data)
        return values

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan: DeploymentPlan = instance
        data = {
            "idea": plan.idea_id,
            "deployment_type": plan.deployment_type.kind,
            **{name: getattr(plan, name) for name in RequirementsSerializer._declared_fields},
            **{
                name: getattr(plan, name)
                for fields in TYPE_SPECIFIC_FIELDS.values()
                for name in fields
            },
            "setup_estimate": estimate_dict(plan, "setup"),
            "run_estimate": estimate_dict(plan, "run"),
            "notes": plan.notes,
            "updated_at": serializers.DateTimeField().to_representation(plan.updated_at),
        }
        data.update(self.context.get("computed", {}))
        return data


def _kind_label(field: str) -> str:
    for kind, fields in TYPE_SPECIFIC_FIELDS.items():
        if field in fields:
            return recommend.TYPE_LABELS[kind].lower()
    return "other"
