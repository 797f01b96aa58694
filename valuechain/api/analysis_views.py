"""API for analysis runs: Monte Carlo simulations of an idea and portfolio selections.

POST starts a run and answers 202 with its id, status and progress; GET reports status,
progress and, once it succeeded, the result.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from valuechain import analysis_services as services
from valuechain import models as m
from valuechain.api.views import BoundedJSONParser
from valuechain.platform.roles import DATA_LEADS, EXECUTIVES, PRODUCT_MANAGERS
from valuechain.services import MAX_ID

ANALYSTS = (PRODUCT_MANAGERS, DATA_LEADS, EXECUTIVES)


class AnalysisThrottle(UserRateThrottle):
    """Runs are expensive: bound how many one user starts."""

    scope = "analysis"
    rate = "60/minute"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


# --- serializers -----------------------------------------------------------------------------


class SimulationStartSerializer(serializers.Serializer):
    draws = serializers.IntegerField(
        min_value=services.MIN_DRAWS, max_value=services.MAX_DRAWS, default=10_000
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=services.MAX_SEED, required=False, allow_null=True
    )


class IdeaIds(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    max_length = services.MAX_LISTED_IDEAS


class PortfolioRunStartSerializer(serializers.Serializer):
    budget = serializers.FloatField(required=False, allow_null=True, min_value=0)
    must_include = IdeaIds(required=False, default=list)
    must_exclude = IdeaIds(required=False, default=list)
    discount_rate = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1
    )
    horizon_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=30
    )
    seed = serializers.IntegerField(
        min_value=0, max_value=services.MAX_SEED, required=False, allow_null=True
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
        ]
        read_only_fields = fields


# --- views -----------------------------------------------------------------------------------


def _check_id(value: Any) -> int:
    number = int(value)
    if number > MAX_ID:
        raise Http404
    return number


def _started(serializer: serializers.Serializer, run: Any) -> Response:
    run.refresh_from_db()  # inline (eager) execution may already have finished it
    return Response(serializer.__class__(run).data, status=status.HTTP_202_ACCEPTED)


class AnalysisView(generics.GenericAPIView):
    parser_classes = [BoundedJSONParser]
    throttle_classes = [AnalysisThrottle, UserRateThrottle]
    write_groups = ANALYSTS

    def _start(self, starter: Any, **kwargs: Any) -> Any:
        try:
            return starter(user=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc


class IdeaSimulationList(AnalysisView, generics.ListAPIView):
    """Monte Carlo runs of one idea; POST {draws, seed} starts one."""

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.request.method == "POST":
            return SimulationStartSerializer
        return SimulationRunListSerializer

    def idea(self) -> m.Idea:
        return get_object_or_404(m.Idea, pk=_check_id(self.kwargs["idea_pk"]))

    def get_queryset(self) -> QuerySet[m.SimulationRun]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no idea
            return m.SimulationRun.objects.none()
        return m.SimulationRun.objects.filter(idea=self.idea()).order_by("-created_at", "-id")

    @extend_schema(request=SimulationStartSerializer, responses={202: SimulationRunSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        idea = self.idea()
        data = SimulationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = self._start(
            services.start_simulation,
            idea=idea,
            draws=data.validated_data["draws"],
            seed=data.validated_data.get("seed"),
        )
        return _started(SimulationRunSerializer(), run)


class IdeaSimulationDetail(AnalysisView, generics.RetrieveAPIView):
    serializer_class = SimulationRunSerializer

    def get_object(self) -> m.SimulationRun:
        return get_object_or_404(
            m.SimulationRun,
            pk=_check_id(self.kwargs["pk"]),
            idea_id=_check_id(self.kwargs["idea_pk"]),
        )


class PortfolioRunList(AnalysisView, generics.ListAPIView):
    """Portfolio runs; POST {budget, must_include, must_exclude, discount_rate,
    horizon_years} starts one over every idea that is not rejected."""

    queryset = m.PortfolioRun.objects.order_by("-created_at", "-id")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.request.method == "POST":
            return PortfolioRunStartSerializer
        return PortfolioRunListSerializer

    @extend_schema(request=PortfolioRunStartSerializer, responses={202: PortfolioRunSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PortfolioRunStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = self._start(
            services.start_portfolio_run,
            budget=values.get("budget"),
            must_include=values.get("must_include", []),
            must_exclude=values.get("must_exclude", []),
            discount_rate=values.get("discount_rate"),
            horizon_years=values.get("horizon_years"),
            seed=values.get("seed"),
        )
        return _started(PortfolioRunSerializer(), run)


class PortfolioRunDetail(AnalysisView, generics.RetrieveAPIView):
    serializer_class = PortfolioRunSerializer

    def get_object(self) -> m.PortfolioRun:
        return get_object_or_404(m.PortfolioRun, pk=_check_id(self.kwargs["pk"]))
