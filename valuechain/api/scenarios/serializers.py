"""Scenarios and their roadmaps as JSON."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from valuechain import models as m
from valuechain.api.fields import FiniteFloatField, IdField, money_field
from valuechain.engine import roadmap as rm
from valuechain.scenarios import overrides, plan, services

MAX_CAPACITY_ROWS = 2_000


class IdeaIds(serializers.ListField):
    child = IdField()
    max_length = services.MAX_LISTED_IDEAS


class ScenarioCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    budget = money_field(required=False, allow_null=True)
    budget_change = FiniteFloatField(
        required=False,
        allow_null=True,
        min_value=services.MIN_CHANGE,
        max_value=services.MAX_CHANGE,
        help_text="Percent of the live plan's one-off investment: -30 sets the budget to 70 %.",
    )
    discount_rate = FiniteFloatField(required=False, allow_null=True, min_value=0, max_value=1)
    horizon_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=30
    )
    force_include = IdeaIds(required=False, default=list)
    force_exclude = IdeaIds(required=False, default=list)
    overrides = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        default=list,
        max_length=overrides.MAX_OVERRIDES,
        help_text='[{"target": "idea"|"asset"|"role", "id", "asset_type" (assets), "field", '
        '"multiply": x} or "value": v}]',
    )


class ScenarioSerializer(serializers.ModelSerializer):
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = m.Scenario
        fields = [
            "id",
            "name",
            "description",
            "budget",
            "discount_rate",
            "horizon_years",
            "force_include",
            "force_exclude",
            "overrides",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class ScenarioDetailSerializer(ScenarioSerializer):
    portfolio = serializers.SerializerMethodField()

    class Meta(ScenarioSerializer.Meta):
        fields = [*ScenarioSerializer.Meta.fields, "portfolio"]
        read_only_fields = fields

    def get_portfolio(self, scenario: m.Scenario) -> dict[str, Any]:
        return self.context["portfolio"]


class CapacityRow(serializers.Serializer):
    role = IdField()
    quarter = serializers.CharField(max_length=7)
    person_days = FiniteFloatField(min_value=0, max_value=plan.MAX_CAPACITY_DAYS)


class DateRow(serializers.Serializer):
    idea = IdField()
    not_before = serializers.CharField(max_length=7, required=False, allow_blank=True)
    must_start = serializers.CharField(max_length=7, required=False, allow_blank=True)


class RoadmapStartSerializer(serializers.Serializer):
    quarters = serializers.IntegerField(min_value=1, max_value=rm.MAX_QUARTERS, default=8)
    start = serializers.CharField(max_length=7, help_text="The first quarter, like 2027Q1.")
    capacity = serializers.ListField(
        child=CapacityRow(), required=False, default=list, max_length=MAX_CAPACITY_ROWS
    )
    dates = serializers.ListField(
        child=DateRow(), required=False, default=list, max_length=services.MAX_DATES
    )


RUN_FIELDS = ["id", "status", "progress", "error", "created_at", "started_at", "finished_at"]


class RoadmapRunSerializer(serializers.ModelSerializer):
    scenario = serializers.IntegerField(source="scenario_id", read_only=True)
    params = serializers.JSONField(read_only=True)

    class Meta:
        model = m.RoadmapRun
        fields = [*RUN_FIELDS, "scenario", "params"]
        read_only_fields = fields

    def to_representation(self, run: m.RoadmapRun) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(run)
        if run.status == m.RunStatus.SUCCEEDED and run.result:
            data.update(run.result)
        return data
