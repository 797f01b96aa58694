"""Analysis runs as JSON: what starts a run, and a run with its status, progress and result."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from valuechain import models as m
from valuechain.analysis import services
from valuechain.api.fields import FiniteFloatField, IdField, money_field


class SimulationStartSerializer(serializers.Serializer):
    draws = serializers.IntegerField(
        min_value=services.MIN_DRAWS, max_value=services.MAX_DRAWS, default=10_000
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=services.MAX_SEED, required=False, allow_null=True
    )


class IdeaIds(serializers.ListField):
    child = IdField()
    max_length = services.MAX_LISTED_IDEAS


class PortfolioRunStartSerializer(serializers.Serializer):
    budget = money_field(required=False, allow_null=True)
    must_include = IdeaIds(required=False, default=list)
    must_exclude = IdeaIds(required=False, default=list)
    discount_rate = FiniteFloatField(required=False, allow_null=True, min_value=0, max_value=1)
    horizon_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=30
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=services.MAX_SEED, required=False, allow_null=True
    )
    stop_tiers = serializers.BooleanField(
        required=False,
        default=True,
        help_text="True (default): each idea may be funded only up to a ladder tier; "
        "false: whole ideas only.",
    )


RUN_FIELDS = [
    "id",
    "status",
    "progress",
    "error",
    "attempts",
    "created_at",
    "started_at",
    "finished_at",
]


class SimulationRunSerializer(serializers.ModelSerializer):
    idea = serializers.IntegerField(source="idea_id", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = m.SimulationRun
        fields = [*RUN_FIELDS, "idea", "draws", "seed", "result"]
        read_only_fields = fields

    def get_result(self, run: m.SimulationRun) -> dict[str, Any] | None:
        return run.result if run.status == m.RunStatus.SUCCEEDED else None


class SimulationRunListSerializer(SimulationRunSerializer):
    class Meta(SimulationRunSerializer.Meta):
        fields = [*RUN_FIELDS, "idea", "draws", "seed"]
        read_only_fields = fields


class PortfolioRunSerializer(serializers.ModelSerializer):
    budget = serializers.SerializerMethodField()
    must_include = serializers.SerializerMethodField()
    must_exclude = serializers.SerializerMethodField()
    discount_rate = serializers.SerializerMethodField()
    horizon_years = serializers.SerializerMethodField()
    seed = serializers.SerializerMethodField()
    stop_tiers = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = m.PortfolioRun
        fields = [
            *RUN_FIELDS,
            "budget",
            "must_include",
            "must_exclude",
            "discount_rate",
            "horizon_years",
            "seed",
            "stop_tiers",
            "result",
        ]
        read_only_fields = fields

    def get_budget(self, run: m.PortfolioRun) -> float | None:
        return run.params.get("budget")

    def get_must_include(self, run: m.PortfolioRun) -> list[int]:
        return list(run.params.get("must_include", []))

    def get_must_exclude(self, run: m.PortfolioRun) -> list[int]:
        return list(run.params.get("must_exclude", []))

    def get_discount_rate(self, run: m.PortfolioRun) -> float | None:
        return run.params.get("discount_rate")

    def get_horizon_years(self, run: m.PortfolioRun) -> int | None:
        return run.params.get("horizon_years")

    def get_seed(self, run: m.PortfolioRun) -> int | None:
        return run.params.get("seed")

    def get_stop_tiers(self, run: m.PortfolioRun) -> bool:
        # runs stored before the choice existed funded whole ideas
        return bool(run.params.get("stop_tiers", False))

    def get_result(self, run: m.PortfolioRun) -> dict[str, Any] | None:
        return run.result if run.status == m.RunStatus.SUCCEEDED else None


class PortfolioRunListSerializer(PortfolioRunSerializer):
    class Meta(PortfolioRunSerializer.Meta):
        fields = [
            *RUN_FIELDS,
            "budget",
            "must_include",
            "must_exclude",
            "discount_rate",
            "horizon_years",
            "seed",
            "stop_tiers",
        ]
        read_only_fields = fields
