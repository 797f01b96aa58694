"""API for scenarios: create and list them, one with its portfolio, a side-by-side
comparison, the sensitivity of its portfolio, and its quarterly roadmap (a background run)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from valuechain import models as m
from valuechain.api.analysis.views import AnalysisThrottle
from valuechain.api.parsers import BoundedJSONParser
from valuechain.api.scenarios.serializers import (
    RoadmapRunSerializer,
    RoadmapStartSerializer,
    ScenarioCreateSerializer,
    ScenarioDetailSerializer,
    ScenarioSerializer,
)
from valuechain.api.viewsets import checked_id
from valuechain.platform.roles import ANALYSTS
from valuechain.scenarios import reports, selectors, services


def _checked(call: Any, **kwargs: Any) -> Any:
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


class ScenarioView(generics.GenericAPIView):
    parser_classes = [BoundedJSONParser]
    # Scenarios never change live data: product managers, data leads and executives make them.
    write_groups = ANALYSTS

    def get_throttles(self) -> list[Any]:
        return [AnalysisThrottle(), *super().get_throttles()]

    def scenario(self) -> m.Scenario:
        return get_object_or_404(selectors.scenarios(), pk=checked_id(self.kwargs["pk"]))


class ScenarioList(ScenarioView, generics.ListAPIView):
    """Scenarios, newest first; POST creates one (the live data is never changed)."""

    queryset = selectors.scenarios()
    serializer_class = ScenarioSerializer

    @extend_schema(request=ScenarioCreateSerializer, responses={201: ScenarioDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ScenarioCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        scenario = _checked(services.create_scenario, user=request.user, **values)
        body = ScenarioDetailSerializer(
            scenario, context={"portfolio": reports.portfolio(scenario)}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class ScenarioDetail(ScenarioView, generics.RetrieveAPIView):
    serializer_class = ScenarioDetailSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.scenario()
        context = {"portfolio": reports.portfolio(scenario)}
        return Response(ScenarioDetailSerializer(scenario, context=context).data)


class ScenarioCompare(ScenarioView):
    """This scenario beside 1 to 3 others (`with=ID,ID`; `live` names the live plan)."""

    serializer_class = ScenarioSerializer

    @extend_schema(
        parameters=[OpenApiParameter("with", str, description="IDs, comma separated; or live")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.scenario()
        try:
            others = reports.parse_with(request.query_params.get("with", ""))
        except ValueError as exc:
            raise ValidationError({"with": [str(exc)]}) from exc
        found = selectors.scenarios_by_id([i for i in others if isinstance(i, int)])
        missing = [i for i in others if isinstance(i, int) and i not in found]
        if missing:
            raise ValidationError({"with": [f"No scenarios with ids {missing}."]})
        compared = [found[i] if isinstance(i, int) else i for i in others]
        return Response(reports.comparison([scenario, *compared]))


class ScenarioSensitivity(ScenarioView):
    """Break-even benefit of each selected idea and the portfolio tornado of shared assets."""

    serializer_class = ScenarioSerializer

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(reports.sensitivity(self.scenario()))


class ScenarioRoadmap(ScenarioView):
    """GET: the latest roadmap run (its plan once it succeeded); POST starts one."""

    serializer_class = RoadmapRunSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = selectors.latest_roadmap(self.scenario().pk)
        if run is None:
            raise Http404("This scenario has no roadmap yet.")
        return Response(RoadmapRunSerializer(run).data)

    @extend_schema(request=RoadmapStartSerializer, responses={202: RoadmapRunSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scenario = self.scenario()
        data = RoadmapStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = _checked(
            services.start_roadmap, scenario=scenario, user=request.user, **data.validated_data
        )
        run.refresh_from_db()  # inline (eager) execution may already have finished it
        return Response(RoadmapRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
