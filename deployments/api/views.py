"""Deployment API: the type profiles, an idea's plan, and the recommendation."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deployments import recommend, selectors, services
from deployments.api.serializers import (
    DeploymentPlanSerializer,
    DeploymentTypeSerializer,
    DeploymentTypeUpdateSerializer,
    RecommendationOptionSerializer,
    RequirementsSerializer,
    ranked,
)
from valuechain import models as m
from valuechain.platform.roles import PRODUCT_MANAGERS, can_edit_idea


class DeploymentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The four ways to deploy a model, with their facts and typical costs.

    Everyone authenticated reads them; staff change a profile with PATCH (there are always
    exactly four, so none is created or deleted).
    """

    serializer_class = DeploymentTypeSerializer
    queryset = selectors.deployment_types()
    search_fields = ["name", "kind"]
    ordering_fields = ["id", "name", "typical_latency_ms"]
    http_method_names = ["get", "patch", "head", "options"]
    write_groups: tuple[str, ...] = ()  # staff only

    @extend_schema(request=DeploymentTypeUpdateSerializer, responses=DeploymentTypeSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        deployment_type = self.get_object()
        serializer = DeploymentTypeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.update_deployment_type(
            deployment_type=deployment_type, values=serializer.to_model_values()
        )
        return Response(DeploymentTypeSerializer(updated).data)


def _idea_or_404(idea_id: int) -> m.Idea:
    try:
        return selectors.idea(idea_id)
    except m.Idea.DoesNotExist:
        raise Http404("No idea with this id.") from None


def _computed(result: selectors.IdeaDeployment) -> dict[str, Any]:
    """What the plan means for the idea: its deployment costs, advice and alternatives."""
    return {
        "deployment_setup_cost": result.report.deployment_setup_cost,
        "deployment_run_cost": result.report.deployment_run_cost,
        "conflicts": list(result.plan_problems),
        "recommendation": ranked(result.recommendation) if result.recommendation else [],
        "comparison": [
            {
                "type": row.deployment_type.kind,
                "label": row.label,
                "is_plan": row.is_plan,
                "realtime_storage": row.realtime_storage,
                "typical_latency": row.typical_latency,
                "typical_latency_ms": row.deployment_type.typical_latency_ms,
                "setup_cost": row.setup_cost,
                "run_cost": row.run_cost,
                "npv": row.npv,
                "roi": row.roi,
            }
            for row in result.comparison
        ],
    }


class IdeaDeploymentPlanView(APIView):
    """GET an idea's deployment plan; PUT creates or replaces it (the idea's owner or staff)."""

    write_groups = (PRODUCT_MANAGERS,)
    serializer_class = DeploymentPlanSerializer

    def _respond(self, idea: m.Idea, code: int = status.HTTP_200_OK) -> Response:
        result = selectors.idea_deployment(idea)
        if result.plan is None:
            raise Http404("This idea has no deployment plan yet.")
        serializer = DeploymentPlanSerializer(result.plan, context={"computed": _computed(result)})
        return Response(serializer.data, status=code)

    def _check_can_edit(self, request: Request, idea: m.Idea) -> None:
        if not can_edit_idea(request.user, idea.owner_id):
            raise PermissionDenied("Only the idea's owner or staff can change its deployment plan.")

    @extend_schema(responses=DeploymentPlanSerializer)
    def get(self, request: Request, idea_id: int) -> Response:
        return self._respond(_idea_or_404(idea_id))

    @extend_schema(request=DeploymentPlanSerializer, responses=DeploymentPlanSerializer)
    def put(self, request: Request, idea_id: int) -> Response:
        idea = _idea_or_404(idea_id)
        self._check_can_edit(request, idea)
        serializer = DeploymentPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, created = services.save_deployment_plan(
            idea=idea,
            deployment_type=serializer.validated_data["deployment_type"],
            values=serializer.to_model_values(),
        )
        fresh = _idea_or_404(idea_id)
        return self._respond(fresh, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, idea_id: int) -> Response:
        idea = _idea_or_404(idea_id)
        self._check_can_edit(request, idea)
        if not services.delete_deployment_plan(idea=idea):
            raise Http404("This idea has no deployment plan yet.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecommendView(APIView):
    """Rank batch, stream, request-response and edge for the given requirements, best first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RequirementsSerializer, responses=RecommendationOptionSerializer(many=True)
    )
    def post(self, request: Request) -> Response:
        serializer = RequirementsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            requirements = serializer.requirements()
        except recommend.InvalidRequirement as error:
            return Response({error.field: [error.message]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ranked(recommend.recommend(requirements)))
