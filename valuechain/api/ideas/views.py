"""Ideas over the API: ideas with their ROI, needs, the ROI report, stakeholder gaps and
assignments. Thin: they check input, call a service or a selector, and render."""

from __future__ import annotations

import json
from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from valuechain import models as m
from valuechain.api import filters
from valuechain.api.ideas import serializers as s
from valuechain.api.viewsets import ApiModelViewSet, checked_id
from valuechain.figures import store
from valuechain.ideas import selectors, services
from valuechain.platform.roles import DATA_LEADS, PRODUCT_MANAGERS, can_edit_idea

COMPUTED_ORDERING = ("npv", "roi", "tier")


@extend_schema_view(
    list=extend_schema(
        summary="Ideas, each with a compact ROI summary",
        parameters=[
            OpenApiParameter(
                "tier",
                OpenApiTypes.INT,
                enum=[1, 2, 3, 4],
                description="Only ideas that reach this tier (computed by the engine).",
            ),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                description="title, status, created_at, updated_at, probability_of_success, "
                "horizon_years, npv, roi or tier; prefix - for descending, comma-separated.",
            ),
        ],
    ),
)
class IdeaViewSet(ApiModelViewSet):
    """Product managers create ideas and edit their own; everyone signed in reads them."""

    serializer_class = s.IdeaSerializer
    filterset_class = filters.IdeaFilter
    filter_backends = [
        DjangoFilterBackend,
        filters.BoundedSearchFilter,
        filters.ComputedOrderingFilter,
    ]
    write_groups = (PRODUCT_MANAGERS,)
    search_fields = ["title", "description"]
    ordering_fields = [
        "title",
        "status",
        "created_at",
        "updated_at",
        "probability_of_success",
        "horizon_years",
        *COMPUTED_ORDERING,
    ]
    computed_ordering_fields = COMPUTED_ORDERING
    ordering = ["title"]
    roi_reports: dict[int, Any]

    def get_queryset(self) -> QuerySet[m.Idea]:
        if getattr(self, "action", None) == "roi":
            # the report is read from the cache while the idea's inputs are unchanged: its
            # needs and plan are read only when it has to be computed
            return selectors.plain_ideas()
        return selectors.ideas()

    def owner_of(self, idea: m.Idea) -> int | None:
        return idea.owner_id

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["roi_reports"] = getattr(self, "roi_reports", {})
        return context

    def _tier_param(self) -> int | None:
        raw = self.request.query_params.get("tier")
        if raw in (None, ""):
            return None
        if raw not in {"1", "2", "3", "4"}:
            raise ApiValidationError({"tier": ["Select a tier from 1 to 4."]})
        return int(raw)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        ordering = getattr(self, "requested_ordering", [])
        tier = self._tier_param()
        computed = any(term.lstrip("-") in COMPUTED_ORDERING for term in ordering)
        if tier is None and not computed:
            page = self.paginate_queryset(queryset)
            rows = list(page) if page is not None else list(queryset)
            self.roi_reports = selectors.roi_reports(rows)
        else:
            # Computed values are stored figures: every matching idea's are made fresh first,
            # then the database filters, sorts and pages on them.
            queryset = selectors.by_figures(queryset, tier=tier, ordering=ordering)
            page = self.paginate_queryset(queryset)
            rows = list(page) if page is not None else list(queryset)
            self.roi_reports = selectors.roi_reports(rows)
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        idea = self.get_object()
        self.roi_reports = selectors.roi_reports([idea])
        return Response(self.get_serializer(idea).data)

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.save()
        self._report_on(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.save()
        self._report_on(serializer)

    def _report_on(self, serializer: BaseSerializer) -> None:
        """The response shows the saved idea's ROI summary, as the list and detail do."""
        idea = serializer.instance
        assert idea is not None
        cast(dict, serializer.context)["roi_reports"] = selectors.roi_reports_of([idea.pk])

    def perform_destroy(self, instance: m.Idea) -> None:
        services.delete_idea(idea=instance)

    @extend_schema(
        summary="The ROI report: investment, NPV, ROI, payback and the ladder upstream",
        responses=s.RoiReportSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def roi(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()

        def serialized() -> dict[str, Any]:
            explained = selectors.explained_report(idea)
            context = {
                "deployment_planned": explained.deployment_planned,
                "factors": explained.factors,
            }
            data = s.RoiReportSerializer(explained.report, context=context).data
            return cast(dict[str, Any], json.loads(JSONRenderer().render(data)))

        # the answer is the same until the idea's inputs change: serialized once per version
        return Response(store.cached_for_idea(idea.pk, "roi-response", serialized))

    @extend_schema(
        summary="Default roles of every tier the idea reaches that nobody fills",
        responses=s.StakeholderGapsSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="stakeholder-gaps",
        filter_backends=[],
        pagination_class=None,
    )
    def stakeholder_gaps(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        tier = selectors.roi_report(idea).tier
        inputs = selectors.stakeholder_gap_inputs(idea_id=idea.pk)
        names = inputs.role_names
        return Response(
            {
                "idea": idea.pk,
                "tier": tier,
                "gaps": [
                    {"tier": t, "role": role, "role_name": names.get(role, "")}
                    for t, role in inputs.gaps(idea.pk, tier)
                ],
            }
        )


# Needs -----------------------------------------------------------------------------------


IDEA_PK = OpenApiParameter(
    "idea_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The idea's id."
)


@extend_schema_view(
    list=extend_schema(summary="The needs of an idea", parameters=[IDEA_PK]),
    create=extend_schema(summary="Add a need to an idea", parameters=[IDEA_PK]),
    retrieve=extend_schema(parameters=[IDEA_PK]),
    update=extend_schema(parameters=[IDEA_PK]),
    partial_update=extend_schema(parameters=[IDEA_PK]),
    destroy=extend_schema(parameters=[IDEA_PK]),
)
class NeedViewSet(ApiModelViewSet):
    """An idea's needs; the idea's owner (a product manager) or staff change them."""

    serializer_class = s.NeedSerializer
    filterset_class = filters.NeedFilter
    write_groups = (PRODUCT_MANAGERS,)
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "weight"]
    ordering = ["id"]
    _idea: m.Idea | None = None

    @property
    def idea(self) -> m.Idea:
        if self._idea is None:
            idea_pk = checked_id(self.kwargs["idea_pk"])
            self._idea = get_object_or_404(selectors.idea_owners(), pk=idea_pk)
        return self._idea

    def get_queryset(self) -> QuerySet[m.Need]:
        if getattr(self, "swagger_fake_view", False):
            return selectors.needs_with_assets().none()
        return selectors.needs_of(self.idea)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can_edit_idea(
            request.user, self.idea.owner_id
        ):
            raise PermissionDenied("Only the idea's owner or staff change its needs.")

    def owner_of(self, need: m.Need) -> int | None:
        return self.idea.owner_id

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False) and "idea_pk" in self.kwargs:
            context["idea"] = self.idea
        return context

    def perform_destroy(self, instance: m.Need) -> None:
        services.delete_need(need=instance)


# Stakeholders ----------------------------------------------------------------------------


class StakeholderAssignmentViewSet(ApiModelViewSet):
    """Who is assigned to which idea, tier and role; data leads assign people."""

    queryset = selectors.assignments()
    serializer_class = s.StakeholderAssignmentSerializer
    filterset_class = filters.StakeholderAssignmentFilter
    write_groups = (DATA_LEADS,)
    search_fields = ["note", "person__username", "role__name"]
    ordering_fields = ["idea", "tier", "role", "person", "created_at"]
    ordering = ["idea", "tier", "role"]

    def perform_destroy(self, instance: m.StakeholderAssignment) -> None:
        services.unassign_stakeholder(assignment=instance)
