"""Ideas, their needs, ROI reports and stakeholders as JSON. Input is checked here field by
field; writes go through valuechain.ideas.services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from valuechain import models as m
from valuechain.api.fields import (
    ApiModelSerializer,
    EstimateField,
    FiniteFloatField,
    IdField,
    UserIdField,
    WholeNumberField,
)
from valuechain.engine import finance
from valuechain.engine.chain import weight_problem
from valuechain.engine.scales import MAX_REACH, WSJF_SCALE, impact_problem, wsjf_problem
from valuechain.ideas import services
from valuechain.platform.display import currency

VERDICT_HELP = (
    "build (the whole idea pays best), stop_early (build only up to best_stop_tier) or "
    "do_not_build (no ladder step has a positive NPV)."
)
BEST_STOP_HELP = "The ladder step with the highest positive NPV; null: do not build."


def verdict_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[(v.value, v.value) for v in finance.Verdict], help_text=VERDICT_HELP
    )


WSJF_HELP = "relative, one of " + ", ".join(str(v) for v in WSJF_SCALE) + "; null: not scored yet"


class RoiSummarySerializer(serializers.Serializer):
    tier = serializers.IntegerField()
    npv = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)
    verdict = verdict_field()
    best_stop_tier = serializers.IntegerField(allow_null=True, help_text=BEST_STOP_HELP)


class IdeaSerializer(ApiModelSerializer):
    owner = UserIdField(allow_null=True, help_text="The owning user's id; you by default.")
    benefit_estimate = EstimateField(
        "benefit", in_days=False, help_text="Yearly benefit if it succeeds, in money."
    )
    probability_of_success = FiniteFloatField(min_value=0, max_value=1, required=False)
    horizon_years = WholeNumberField(min_value=1, max_value=30, required=False)
    discount_rate = FiniteFloatField(min_value=0, max_value=1, required=False)
    reach = WholeNumberField(
        min_value=0,
        max_value=MAX_REACH,
        required=False,
        allow_null=True,
        help_text="RICE reach: people (or events) affected each quarter; null: not scored yet.",
    )
    impact = FiniteFloatField(
        required=False,
        allow_null=True,
        help_text="RICE and ICE impact: 0.25, 0.5, 1, 2 or 3; null: not scored yet.",
    )
    confidence = FiniteFloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        help_text="How sure the product manager is of reach and impact, 0 to 1.",
    )
    business_value = WholeNumberField(
        required=False, allow_null=True, help_text=f"WSJF user-business value: {WSJF_HELP}."
    )
    time_criticality = WholeNumberField(
        required=False, allow_null=True, help_text=f"WSJF time criticality: {WSJF_HELP}."
    )
    risk_reduction = WholeNumberField(
        required=False,
        allow_null=True,
        help_text=f"WSJF risk reduction or opportunity enablement: {WSJF_HELP}.",
    )
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
            "reach",
            "impact",
            "confidence",
            "business_value",
            "time_criticality",
            "risk_reduction",
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
        return {
            "tier": report.tier,
            "npv": report.npv,
            "roi": report.roi,
            "verdict": report.verdict.value,
            "best_stop_tier": report.best_stop_tier,
        }

    def validate_impact(self, impact: float | None) -> float | None:
        problem = impact_problem(impact)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return impact

    def _wsjf_part(self, value: int | None) -> int | None:
        problem = wsjf_problem(value)
        if problem is not None:
            raise serializers.ValidationError(problem)
        return value

    def validate_business_value(self, value: int | None) -> int | None:
        return self._wsjf_part(value)

    def validate_time_criticality(self, value: int | None) -> int | None:
        return self._wsjf_part(value)

    def validate_risk_reduction(self, value: int | None) -> int | None:
        return self._wsjf_part(value)

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
        problem = weight_problem(weight)
        if problem is not None:
            raise serializers.ValidationError(problem)
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
    expected_coverage = serializers.FloatField(
        help_text="k: the share of the benefit expected once this step's optional data arrives."
    )
    npv = serializers.FloatField()
    roi = serializers.FloatField(allow_null=True)


class ChargedAssetSerializer(serializers.Serializer):
    asset_type = serializers.ChoiceField(choices=m.AssetType.choices)
    asset_id = serializers.IntegerField()


class FeasibilityFactorSerializer(serializers.Serializer):
    asset_type = serializers.SerializerMethodField(help_text="The asset's kind (its tier).")
    asset_id = serializers.SerializerMethodField(help_text="The asset's id in its kind.")
    name = serializers.CharField(help_text="The asset's name.")
    feasibility = serializers.FloatField(
        help_text="The chance the asset's build succeeds: its own, or its tier's default."
    )

    @extend_schema_field(serializers.ChoiceField(choices=m.AssetType.choices))
    def get_asset_type(self, factor: finance.FeasibilityFactor) -> str:
        return str(factor.asset[0])

    @extend_schema_field(OpenApiTypes.INT)
    def get_asset_id(self, factor: finance.FeasibilityFactor) -> int:
        return factor.asset[1]


class CoverageTermSerializer(serializers.Serializer):
    need = serializers.CharField(help_text="The need's name.")
    essential = serializers.BooleanField(
        help_text="An essential need's data is in p, so its term is its weight share alone."
    )
    weight_share = serializers.FloatField(help_text="w(n) / W: the need's share of the benefit.")
    factors = FeasibilityFactorSerializer(
        many=True,
        help_text="The need's own charged assets outside the essential ones whose feasibility "
        "is below 1: the chance they all arrive scales its share.",
    )
    value = serializers.FloatField(help_text="weight_share x the factors' feasibility.")


class ExplanationSerializer(serializers.Serializer):
    """p and k taken apart: p = idea_probability x the feasibility of each essential factor;
    k = the sum of the coverage terms' values. Assets of feasibility 1 change nothing and are
    left out."""

    idea_probability = serializers.FloatField(help_text="p0: the probability you entered.")
    essential_factors = FeasibilityFactorSerializer(
        many=True,
        help_text="The charged assets of the essential needs with feasibility below 1: without "
        "them the idea earns nothing.",
    )
    probability_of_success = serializers.FloatField(
        help_text="p = idea_probability x the product of essential_factors' feasibility."
    )
    coverage_terms = CoverageTermSerializer(many=True, help_text="One term per need, in order.")
    expected_coverage = serializers.FloatField(help_text="k = the sum of coverage_terms' value.")


class RoiReportSerializer(serializers.Serializer):
    """The engine's RoiReport as JSON; money in the configured currency.

    Serialise with the context `deployment_planned` (bool) and `factors` (the idea's
    finance.SuccessFactors), as valuechain.ideas.selectors.explained_report gives them.
    """

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
    expected_coverage = serializers.FloatField(
        help_text="k: the share of the benefit expected, given the optional needs' data."
    )
    negative_from_tier = serializers.IntegerField(
        allow_null=True, help_text="The first earning step whose ROI is below 0; null if none."
    )
    best_stop_tier = serializers.IntegerField(allow_null=True, help_text=BEST_STOP_HELP)
    verdict = verdict_field()
    deployment_planned = serializers.SerializerMethodField(
        help_text="false: the idea has no deployment plan, so no deployment cost is in these "
        "figures (deployment_setup_cost and deployment_run_cost are 0)."
    )
    explanation = serializers.SerializerMethodField(
        help_text="Why p and k are what they are, factor by factor."
    )
    ladder = LadderStepSerializer(many=True)
    need_engineering_cost = serializers.FloatField()
    asset_build_cost = serializers.FloatField()
    asset_run_cost = serializers.FloatField()
    deployment_setup_cost = serializers.FloatField()
    deployment_run_cost = serializers.FloatField()
    charged_assets = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_currency(self, report: finance.RoiReport) -> str:
        return currency()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_deployment_planned(self, report: finance.RoiReport) -> bool:
        return bool(self.context["deployment_planned"])

    @extend_schema_field(ExplanationSerializer)
    def get_explanation(self, report: finance.RoiReport) -> dict[str, Any]:
        return ExplanationSerializer(self.context["factors"]).data

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
