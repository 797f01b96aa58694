"""The catalogue over the API: roles and tier profiles (reference data staff maintain) and the
four asset kinds (data leads edit them). Thin: they check input, call a service or a
selector, and render."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from valuechain import models as m
from valuechain.api import filters
from valuechain.api.catalogue import serializers as s
from valuechain.api.viewsets import ApiModelViewSet, ApiViewSet
from valuechain.catalogue import selectors, services
from valuechain.platform.roles import DATA_LEADS

# Roles and tiers: reference data that staff maintain -------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Roles with their day rates"),
)
class RoleViewSet(ApiModelViewSet):
    queryset = selectors.roles()
    serializer_class = s.RoleSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "day_rate"]
    ordering = ["name"]

    def perform_destroy(self, instance: m.Role) -> None:
        services.delete_role(role=instance)


@extend_schema_view(list=extend_schema(summary="Tier profiles: labels, bands, default roles"))
class TierProfileViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.ListModelMixin, ApiViewSet
):
    queryset = selectors.tier_profiles_with_role_ids()
    serializer_class = s.TierProfileSerializer
    lookup_value_regex = "[1-4]"
    filter_backends: list[Any] = []
    pagination_class = None


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
    queryset = selectors.assets_with_lineage_ids(m.AssetType.FEATURE)
    serializer_class = s.FeatureSerializer
    filterset_class = filters.FeatureFilter
    search_fields = ["name", "description", "feature_group"]


class CuratedDatasetViewSet(AssetViewSet):
    queryset = selectors.assets_with_lineage_ids(m.AssetType.CURATED_DATASET)
    serializer_class = s.CuratedDatasetSerializer
    filterset_class = filters.CuratedDatasetFilter


class RawSourceViewSet(AssetViewSet):
    queryset = selectors.assets_with_lineage_ids(m.AssetType.RAW_SOURCE)
    serializer_class = s.RawSourceSerializer
    filterset_class = filters.RawSourceFilter
    search_fields = ["name", "description", "system"]


class AcquisitionOptionViewSet(AssetViewSet):
    queryset = selectors.assets_with_lineage_ids(m.AssetType.ACQUISITION_OPTION)
    serializer_class = s.AcquisitionOptionSerializer
    filterset_class = filters.AcquisitionOptionFilter
    search_fields = ["name", "description", "provider"]
