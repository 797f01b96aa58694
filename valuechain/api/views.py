"""REST API views: thin; they check input, call a service or a selector, and render."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from valuechain import models as m
from valuechain import selectors, services
from valuechain.api import filters
from valuechain.api import serializers as s
from valuechain.api.parsers import BoundedJSONParser
from valuechain.engine.stakeholders import stakeholder_gaps
from valuechain.platform.roles import DATA_LEADS, PRODUCT_MANAGERS, can_edit_idea
from valuechain.services import MAX_ID

ID_PATTERN = r"[0-9]{1,19}"


class ApiViewSet(viewsets.GenericViewSet):
    parser_classes = [BoundedJSONParser]
    filter_backends = [
        DjangoFilterBackend,
        filters.BoundedSearchFilter,
        filters.BoundedOrderingFilter,
    ]
    lookup_value_regex = ID_PATTERN
    write_groups: Sequence[str] = ()

    def get_object(self) -> Any:
        if int(self.kwargs[self.lookup_url_kwarg or self.lookup_field]) > MAX_ID:
            raise Http404
        return super().get_object()


class ApiModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ApiViewSet,
):
    pass


# Roles and tiers: reference data that staff maintain -------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Roles with their day rates"),
)
class RoleViewSet(ApiModelViewSet):
    queryset = m.Role.objects.all()
    serializer_class = s.RoleSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "day_rate"]
    ordering = ["name"]

    @transaction.atomic
    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.save()

    @transaction.atomic
    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.save()


@extend_schema_view(list=extend_schema(summary="Tier profiles: labels, bands, default roles"))
class TierProfileViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin, ApiViewSet
):
    queryset = m.TierProfile.objects.prefetch_related(
        Prefetch("default_roles", queryset=m.Role.objects.only("id"))
    )
    serializer_class = s.TierProfileSerializer
    lookup_value_regex = "[1-4]"
    filter_backends: list[Any] = []
    pagination_class = None

    @transaction.atomic
    def perform_update(self, serializer: BaseSerializer) -> None:
        serializer.save()


# The catalogue ---------------------------------------------------------------------------


class AssetViewSet(ApiModelViewSet):
    """The catalogue of one asset kind; data leads edit it."""

    write_groups = (DATA_LEADS,)
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "updated_at", "feasibility", "available"]
    ordering = ["name"]

    def perform_destroy(self, instance: m.Asset) -> None:
        services.delete_asset(asset=instance)


class FeatureViewSet(AssetViewSet):
    queryset = m.Feature.objects.prefetch_related(
        Prefetch("curated_datasets", queryset=m.CuratedDataset.objects.only("id"))
    )
    serializer_class = s.FeatureSerializer
    filterset_class = filters.FeatureFilter
    search_fields = ["name", "description", "feature_group"]


class CuratedDatasetViewSet(AssetViewSet):
    queryset = m.CuratedDataset.objects.prefetch_related(
        Prefetch("raw_sources", queryset=m.RawSource.objects.only("id"))
    )
    serializer_class = s.CuratedDatasetSerializer
    filterset_class = filters.CuratedDatasetFilter


class RawSourceViewSet(AssetViewSet):
    queryset = m.RawSource.objects.all()
    serializer_class = s.RawSourceSerializer
    filterset_class = filters.RawSourceFilter
    search_fields = ["name", "description", "system"]


class AcquisitionOptionViewSet(AssetViewSet):
    queryset = m.AcquisitionOption.objects.all()
    serializer_class = s.AcquisitionOptionSerializer
    filterset_class = filters.AcquisitionOptionFilter
    search_fields = ["name", "description", "provider"]


# Ideas -----------------------------------------------------------------------------------

COMPUTED_ORDERING = ("npv", "roi", "tier")


def _sorted_by(rows: list[Any], key: Callable[[Any], Any], descending: bool) -> list[Any]:
    """A stable sort that keeps rows without a value (ROI of an idea that costs nothing)
    last in either direction."""
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    return sorted(known, key=key, reverse=descending) + unknown


def _ordering_key(term: str, reports: dict[int, Any]) -> Callable[[Any], Any]:
    name = term.lstrip("-")
    if name in COMPUTED_ORDERING:
        return lambda row: getattr(reports[row.pk], name)
    return lambda row: getattr(row, name)


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
            # Computed values need every matching idea's report before paging.
            rows = list(queryset)
            self.roi_reports = reports = selectors.roi_reports(rows)
            if tier is not None:
                rows = [row for row in rows if reports[row.pk].tier == tier]
            for term in reversed(ordering):
                rows = _sorted_by(rows, _ordering_key(term, reports), term.startswith("-"))
            page = self.paginate_queryset(rows)
            rows = list(page) if page is not None else rows
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
        cast(dict, serializer.context)["roi_reports"] = selectors.roi_reports(
            selectors.ideas().filter(pk=idea.pk)
        )

    def perform_destroy(self, instance: m.Idea) -> None:
        services.delete_idea(idea=instance)

    @extend_schema(
        summary="The ROI report: investment, NPV, ROI, payback and the ladder upstream",
        responses=s.RoiReportSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def roi(self, request: Request, pk: str | None = None) -> Response:
        idea = self.get_object()
        report = selectors.roi_report(idea)
        return Response(s.RoiReportSerializer(report).data)

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
        default_roles: dict[int, list[int]] = defaultdict(list)
        through = m.TierProfile.default_roles.through
        for tier_id, role_id in through.objects.values_list("tierprofile_id", "role_id"):
            default_roles[tier_id].append(role_id)
        assigned = m.StakeholderAssignment.objects.filter(idea=idea).values_list("tier", "role_id")
        gaps = stakeholder_gaps(tier, default_roles, assigned)
        names = dict(m.Role.objects.values_list("id", "name"))
        return Response(
            {
                "idea": idea.pk,
                "tier": tier,
                "gaps": [
                    {"tier": t, "role": role, "role_name": names.get(role, "")} for t, role in gaps
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
            idea_pk = int(self.kwargs["idea_pk"])
            if idea_pk > MAX_ID:
                raise Http404
            self._idea = get_object_or_404(m.Idea.objects.only("id", "owner_id"), pk=idea_pk)
        return self._idea

    def get_queryset(self) -> QuerySet[m.Need]:
        if getattr(self, "swagger_fake_view", False):
            return m.Need.objects.none()
        return m.Need.objects.filter(idea=self.idea).select_related(*m.Need.ASSET_FIELDS)

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

    queryset = m.StakeholderAssignment.objects.select_related("role", "person")
    serializer_class = s.StakeholderAssignmentSerializer
    filterset_class = filters.StakeholderAssignmentFilter
    write_groups = (DATA_LEADS,)
    search_fields = ["note", "person__username", "role__name"]
    ordering_fields = ["idea", "tier", "role", "person", "created_at"]
    ordering = ["idea", "tier", "role"]

    def perform_destroy(self, instance: m.StakeholderAssignment) -> None:
        services.unassign_stakeholder(assignment=instance)
