"""API for analysis runs: Monte Carlo simulations of an idea and portfolio selections.

POST starts a run and answers 202 with its id, status and progress; GET reports status,
progress and, once it succeeded, the result.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from valuechain import models as m
from valuechain.analysis import selectors, services
from valuechain.api.analysis.serializers import (
    PortfolioRunListSerializer,
    PortfolioRunSerializer,
    PortfolioRunStartSerializer,
    SimulationRunListSerializer,
    SimulationRunSerializer,
    SimulationStartSerializer,
)
from valuechain.api.parsers import BoundedJSONParser
from valuechain.api.viewsets import checked_id
from valuechain.ideas import selectors as ideas
from valuechain.platform.roles import ANALYSTS


class AnalysisThrottle(UserRateThrottle):
    """Runs are expensive: bound how many one user starts."""

    scope = "analysis"
    rate = "60/minute"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


# --- views -----------------------------------------------------------------------------------


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
        return get_object_or_404(ideas.plain_ideas(), pk=checked_id(self.kwargs["idea_pk"]))

    def get_queryset(self) -> QuerySet[m.SimulationRun]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no idea
            return selectors.simulation_runs_with_idea().none()
        return selectors.simulation_runs(self.idea().pk)

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
            selectors.simulation_runs(checked_id(self.kwargs["idea_pk"])),
            pk=checked_id(self.kwargs["pk"]),
        )


class PortfolioRunList(AnalysisView, generics.ListAPIView):
    """Portfolio runs; POST {budget, must_include, must_exclude, discount_rate,
    horizon_years, stop_tiers} starts one over every idea neither shipped nor rejected."""

    queryset = selectors.portfolio_runs()

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
            stop_tiers=values.get("stop_tiers", True),
        )
        return _started(PortfolioRunSerializer(), run)


class PortfolioRunDetail(AnalysisView, generics.RetrieveAPIView):
    serializer_class = PortfolioRunSerializer

    def get_object(self) -> m.PortfolioRun:
        return get_object_or_404(selectors.portfolio_runs(), pk=checked_id(self.kwargs["pk"]))
