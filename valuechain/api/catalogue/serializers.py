"""The catalogue as JSON: roles, tier profiles and the four asset kinds. Input is checked here
field by field; writes go through valuechain.catalogue.services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from valuechain import models as m
from valuechain.api.fields import (
    ApiModelSerializer,
    EstimateField,
    FiniteFloatField,
    IdField,
    LineageIdsField,
    SafePrimaryKeyRelatedField,
    UserIdField,
    money_field,
)
from valuechain.catalogue import selectors, services
from valuechain.engine import chain


class RoleSerializer(ApiModelSerializer):
    day_rate = money_field(help_text="Cost of one person-day.")

    class Meta:
        model = m.Role
        fields = ["id", "name", "day_rate", "description"]

    def create(self, validated_data: dict[str, Any]) -> m.Role:
        return services.create_role(changes=validated_data)  # type: ignore[arg-type]

    def update(self, instance: m.Role, validated_data: dict[str, Any]) -> m.Role:
        return services.update_role(role=instance, changes=validated_data)  # type: ignore[arg-type]


class TierProfileSerializer(ApiModelSerializer):
    default_roles = SafePrimaryKeyRelatedField(
        many=True, queryset=selectors.roles(), required=False
    )
    default_feasibility = FiniteFloatField(min_value=0, max_value=1, required=False)

    class Meta:
        model = m.TierProfile
        fields = [
            "tier",
            "label",
            "asset_label",
            "investment_band",
            "description",
            "default_roles",
            "default_feasibility",
        ]
        read_only_fields = ["tier"]

    def update(self, instance: m.TierProfile, validated_data: dict[str, Any]) -> m.TierProfile:
        return services.update_tier_profile(
            profile=instance,
            changes=validated_data,  # type: ignore[arg-type]
        )


class AssetSerializer(ApiModelSerializer):
    """What every catalogue asset shares; writes go through services.create/update_asset."""

    asset_type = serializers.SerializerMethodField()
    tier = serializers.IntegerField(read_only=True)
    owner = UserIdField(allow_null=True, help_text="The owning user's id; you by default.")
    build_estimate = EstimateField("build", required=False, help_text="One-off build cost.")
    run_cost_estimate = EstimateField("run", required=False, help_text="Yearly run cost.")
    feasibility = FiniteFloatField(
        min_value=0,
        max_value=1,
        allow_null=True,
        required=False,
        help_text="Chance the build succeeds; null means the tier's default_feasibility.",
    )
    retired = serializers.BooleanField(
        read_only=True, help_text="Gone from its source system: kept, but no new need uses it."
    )

    COMMON = [
        "id",
        "asset_type",
        "tier",
        "name",
        "description",
        "owner",
        "available",
        "build_estimate",
        "run_cost_estimate",
        "feasibility",
        "source_system",
        "external_id",
        "retired",
        "retired_at",
        "created_at",
        "updated_at",
    ]

    class Meta:
        model: type[m.Asset]
        fields: list[str]
        read_only_fields = [
            "created_at",
            "updated_at",
            "source_system",
            "external_id",
            "retired_at",
        ]

    def get_asset_type(self, asset: m.Asset) -> str:
        return asset.asset_type

    def _changes(self, validated: dict[str, Any]) -> dict[str, Any]:
        if "acquisition_option_id" in validated:
            validated["acquisition_option"] = validated.pop("acquisition_option_id")
        return validated

    def create(self, validated_data: dict[str, Any]) -> m.Asset:
        changes = self._changes(validated_data)
        request = self.context.get("request")
        if "owner" not in changes and request is not None:
            changes["owner"] = request.user
        return services.create_asset(
            asset_type=self.Meta.model.ASSET_TYPE,
            changes=changes,  # type: ignore[arg-type]
        )

    def update(self, instance: m.Asset, validated_data: dict[str, Any]) -> m.Asset:
        return services.update_asset(
            asset=instance,
            changes=self._changes(validated_data),  # type: ignore[arg-type]
        )


class FeatureSerializer(AssetSerializer):
    curated_datasets = LineageIdsField(help_text="Ids of the curated datasets it comes from.")

    class Meta(AssetSerializer.Meta):
        model = m.Feature
        fields = [*AssetSerializer.COMMON, "feature_group", "online", "curated_datasets"]


class CuratedDatasetSerializer(AssetSerializer):
    raw_sources = LineageIdsField(help_text="Ids of the raw sources it is curated from.")
    upstream_curated_datasets = LineageIdsField(
        help_text="Ids of the curated datasets it is built from (a dbt model's parents)."
    )

    class Meta(AssetSerializer.Meta):
        model = m.CuratedDataset
        fields = [*AssetSerializer.COMMON, "raw_sources", "upstream_curated_datasets"]


class RawSourceSerializer(AssetSerializer):
    acquisition_option = IdField(
        source="acquisition_option_id",
        allow_null=True,
        required=False,
        help_text="Id of the acquisition option that would bring it in, or null.",
    )

    class Meta(AssetSerializer.Meta):
        model = m.RawSource
        fields = [
            *AssetSerializer.COMMON,
            "system",
            "acquisition_option",
            "is_current",
            "arrives_regularly",
            "quality_ensurable",
            "sla_establishable",
        ]


class AcquisitionOptionSerializer(AssetSerializer):
    def validate_available(self, value: bool) -> bool:
        problem = chain.availability_problem(chain.AssetKind.ACQUISITION_OPTION, value)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return value

    class Meta(AssetSerializer.Meta):
        model = m.AcquisitionOption
        fields = [*AssetSerializer.COMMON, "provider"]
