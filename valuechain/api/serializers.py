"""API representations. Input is checked here field by field; writes go through services."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from valuechain import models as m
from valuechain import services
from valuechain.engine import finance
from valuechain.services import MAX_ID, EstimateInput

# Money beyond this is a typo, and it keeps every sum the engine makes finite.
MAX_MONEY = 1e15
MAX_LINEAGE_IDS = 1000


class RejectUnknownFieldsMixin:
    """A field the serializer does not know is an error, not something silently dropped."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class FiniteFloatField(serializers.FloatField):
    """A float that is finite: no booleans, NaN, infinities or overflowing integers."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 64:
            self.fail("max_string_length")
        try:
            value = float(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def money_field(**kwargs: Any) -> FiniteFloatField:
    return FiniteFloatField(min_value=0, max_value=MAX_MONEY, **kwargs)


class WholeNumberField(serializers.IntegerField):
    """An integer that is not a boolean and not a float with a fractional part."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class IdField(WholeNumberField):
    """A database id: a whole number between 1 and the largest integer a column holds."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class SafePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Checks the id is a plausible integer before asking the database for it."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class LineageIdsField(serializers.ListField):
    """Upstream inputs as a list of ids; read from a (prefetched) many-to-many manager."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", IdField())
        kwargs.setdefault("max_length", MAX_LINEAGE_IDS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, data: Any) -> list[int]:
        return sorted(row.pk for row in data.all())


class EstimateSchema(serializers.Serializer):
    """Documentation only: the shape of every three-point estimate."""

    low = serializers.FloatField(min_value=0)
    likely = serializers.FloatField(min_value=0)
    high = serializers.FloatField(min_value=0)
    days_of_role = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Role id: the values are person-days of this role instead of money.",
    )


@extend_schema_field(EstimateSchema)
class EstimateField(serializers.Field):
    """`{"low", "likely", "high"}` in money, or person-days with `"days_of_role": <role id>`.

    Stored in the model's `<prefix>_low/_likely/_high/_days_role` columns.
    """

    PARTS = ("low", "likely", "high")
    KEYS = frozenset((*PARTS, "days_of_role"))
    default_error_messages = {
        "not_an_object": 'Expected an object with "low", "likely" and "high".',
        "unknown_keys": "Unknown keys: {keys}.",
        "missing": "low, likely and high are all required.",
        "number": "{part} must be a number between 0 and {limit:.0e}.",
        "role": "days_of_role must be a role id or null.",
        "order": "low must be <= likely <= high",
    }

    def __init__(self, prefix: str, *, in_days: bool = True, **kwargs: Any) -> None:
        self.prefix = prefix
        self.keys = self.KEYS if in_days else frozenset(self.PARTS)
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        estimate: dict[str, Any] = {
            part: getattr(value, f"{self.prefix}_{part}") for part in self.PARTS
        }
        role_id = getattr(value, f"{self.prefix}_days_role_id", None)
        if role_id is not None:
            estimate["days_of_role"] = role_id
        return estimate

    def to_internal_value(self, data: Any) -> dict[str, EstimateInput]:
        if not isinstance(data, Mapping):
            self.fail("not_an_object")
        unknown = sorted(str(key) for key in data if key not in self.keys)
        if unknown:
            self.fail("unknown_keys", keys=", ".join(unknown))
        if any(part not in data for part in self.PARTS):
            self.fail("missing")
        values = []
        for part in self.PARTS:
            try:
                values.append(money_field().run_validation(data[part]))
            except serializers.ValidationError:
                self.fail("number", part=part, limit=MAX_MONEY)
        role = data.get("days_of_role")
        if role is not None:
            try:
                role = IdField().run_validation(role)
            except serializers.ValidationError:
                self.fail("role")
        estimate = EstimateInput(values[0], values[1], values[2], days_role_id=role)
        if estimate.problems():
            self.fail("order")
        return {self.prefix: estimate}


class UserIdField(SafePrimaryKeyRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.all())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class ApiModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    serializer_related_field = SafePrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        m.models.FloatField: FiniteFloatField,
    }


# Catalogue --------------------------------------------------------------------------------


class RoleSerializer(ApiModelSerializer):
    day_rate = money_field(help_text="Cost of one person-day.")

    class Meta:
        model = m.Role
        fields = ["id", "name", "day_rate", "description"]


class TierProfileSerializer(ApiModelSerializer):
    default_roles = SafePrimaryKeyRelatedField(
        many=True, queryset=m.Role.objects.all(), required=False
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
        "created_at",
        "updated_at",
    ]

    class Meta:
        model: type[m.Asset]
        fields: list[str]
        read_only_fields = ["created_at", "updated_at"]

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

    class Meta(AssetSerializer.Meta):
        model = m.CuratedDataset
        fields = [*AssetSerializer.COMMON, "raw_sources"]


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
        if value:
            raise serializers.ValidationError("An acquisition option is never available.")
        return value

    class Meta(AssetSerializer.Meta):
        model = m.AcquisitionOption
        fields = [*AssetSerializer.COMMON, "provider"]


# Ideas and needs ---------------------------------------------------------------------------


class RoiSummarySerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    npv = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)


class IdeaSerializer(ApiModelSerializer):
    owner = UserIdField(allow_null=True, help_text="The owning user's id; you by default.")
    benefit_estimate = EstimateField(
        "benefit", in_days=False, help_text="Yearly benefit if it succeeds, in money."
    )
    probability_of_success = FiniteFloatField(min_value=0, max_value=1, required=False)
    horizon_years = WholeNumberField(min_value=1, max_value=30, required=False)
    discount_rate = FiniteFloatField(min_value=0, max_value=1, required=False)
    roi_summary = serializers.SerializerMethodField()

    class Meta:
        model = m.Idea
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "status",
            "benefit_estimate",
            "probability_of_success",
            "horizon_years",
            "discount_rate",
            "roi_summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(RoiSummarySerializer(allow_null=True))
    def get_roi_summary(self, idea: m.Idea) -> dict[str, Any] | None:
        report = self.context.get("roi_reports", {}).get(idea.pk)
        if report is None:
            return None
        return {"tier": report.tier, "npv": report.npv, "roi": report.roi}

    def validate_owner(self, owner: User | None) -> User | None:
        request = self.context.get("request")
        if request is not None and not request.user.is_staff and owner != request.user:
            raise serializers.ValidationError("Only staff can give an idea to someone else.")
        return owner

    def create(self, validated_data: dict[str, Any]) -> m.Idea:
        request = self.context.get("request")
        owner = validated_data.pop("owner", request.user if request is not None else None)
        return services.create_idea(owner=owner, changes=validated_data)  # type: ignore[arg-type]

    def update(self, instance: m.Idea, validated_data: dict[str, Any]) -> m.Idea:
        return services.update_idea(idea=instance, changes=validated_data)  # type: ignore[arg-type]


class NeedSerializer(ApiModelSerializer):
    idea = serializers.IntegerField(source="idea_id", read_only=True)
    asset_type = serializers.ChoiceField(choices=m.AssetType.choices)
    asset_id = IdField()
    asset_name = serializers.SerializerMethodField()
    engineering_estimate = EstimateField(
        "engineering", required=False, help_text="Need-specific engineering, one-off."
    )
    weight = FiniteFloatField(
        min_value=0, max_value=1e6, required=False, help_text="Share of the benefit; > 0."
    )

    class Meta:
        model = m.Need
        fields = [
            "id",
            "idea",
            "name",
            "description",
            "asset_type",
            "asset_id",
            "asset_name",
            "engineering_estimate",
            "weight",
            "essential",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None:  # an update may keep the asset it points at
            fields["asset_type"].required = False
            fields["asset_id"].required = False
        return fields

    def get_asset_name(self, need: m.Need) -> str | None:
        asset = need.asset
        return asset.name if asset is not None else None

    def validate_weight(self, weight: float) -> float:
        if weight <= 0:
            raise serializers.ValidationError("A weight must be greater than 0.")
        return weight

    def create(self, validated_data: dict[str, Any]) -> m.Need:
        return services.create_need(
            idea=self.context["idea"],
            changes=validated_data,  # type: ignore[arg-type]
        )

    def update(self, instance: m.Need, validated_data: dict[str, Any]) -> m.Need:
        return services.update_need(need=instance, changes=validated_data)  # type: ignore[arg-type]


# ROI report -------------------------------------------------------------------------------


class LadderStepSerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    cumulative_investment = serializers.FloatField()
    annual_run_cost = serializers.FloatField()
    probability_of_success = serializers.FloatField()
    benefit_coverage = serializers.FloatField()
    npv = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)


class ChargedAssetSerializer(serializers.Serializer):
    asset_type = serializers.ChoiceField(choices=m.AssetType.choices)
    asset_id = serializers.IntegerField()


class RoiReportSerializer(serializers.Serializer):
    """The engine's RoiReport as JSON; money in the configured currency."""

    idea = serializers.IntegerField(source="idea_id")
    currency = serializers.SerializerMethodField()
    tier = serializers.IntegerField()
    one_off_investment = serializers.FloatField()
    annual_run_cost = serializers.FloatField()
    probability_of_success = serializers.FloatField()
    expected_annual_benefit = serializers.FloatField()
    npv = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)
    pv_costs = serializers.FloatField()
    payback_years = serializers.FloatField(allow_null=True)
    negative_from_tier = serializers.IntegerField(allow_null=True)
    best_stop_tier = serializers.IntegerField()
    ladder = LadderStepSerializer(many=True)
    need_engineering_cost = serializers.FloatField()
    asset_build_cost = serializers.FloatField()
    asset_run_cost = serializers.FloatField()
    deployment_setup_cost = serializers.FloatField()
    deployment_run_cost = serializers.FloatField()
    charged_assets = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_currency(self, report: finance.RoiReport) -> str:
        from django.conf import settings

        return str(settings.VALUECHAIN["CURRENCY"])

    @extend_schema_field(ChargedAssetSerializer(many=True))
    def get_charged_assets(self, report: finance.RoiReport) -> list[dict[str, Any]]:
        return [
            {"asset_type": str(kind), "asset_id": asset_id}
            for kind, asset_id in report.charged_assets
        ]


# Stakeholders -----------------------------------------------------------------------------


class StakeholderAssignmentSerializer(ApiModelSerializer):
    tier = serializers.ChoiceField(choices=m.Tier.choices)
    role_name = serializers.CharField(source="role.name", read_only=True)
    person_name = serializers.CharField(source="person.get_username", read_only=True)

    class Meta:
        model = m.StakeholderAssignment
        fields = [
            "id",
            "idea",
            "tier",
            "role",
            "role_name",
            "person",
            "person_name",
            "note",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def create(self, validated_data: dict[str, Any]) -> m.StakeholderAssignment:
        return services.assign_stakeholder(changes=validated_data)  # type: ignore[arg-type]

    def update(
        self, instance: m.StakeholderAssignment, validated_data: dict[str, Any]
    ) -> m.StakeholderAssignment:
        return services.update_assignment(
            assignment=instance,
            changes=validated_data,  # type: ignore[arg-type]
        )


class StakeholderGapSerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    role = serializers.IntegerField(help_text="Role id.")
    role_name = serializers.CharField()


class StakeholderGapsSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    tier = serializers.IntegerField(help_text="The highest tier the idea reaches.")
    gaps = StakeholderGapSerializer(many=True)
