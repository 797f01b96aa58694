"""Query-string filters for the API lists. A malformed value is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from valuechain import models as m
from valuechain.services import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """Filters on an id; anything but a whole number in range is refused."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class AssetFilter(django_filters.FilterSet):
    available = django_filters.BooleanFilter()
    owner = IdFilter(field_name="owner_id", help_text="Owning user's id.")
    default_feasibility = django_filters.BooleanFilter(
        field_name="feasibility", lookup_expr="isnull",
        help_text="true: assets that use their tier's default feasibility.",
    )


class FeatureFilter(AssetFilter):
    online = django_filters.BooleanFilter()
    feature_group = django_filters.CharFilter()
    curated_dataset = IdFilter(
        field_name="curated_datasets", help_text="Features built from this curated dataset."
    )

    class Meta:
        model = m.Feature
        fields = ["available", "owner", "online", "feature_group", "curated_dataset"]


class CuratedDatasetFilter(AssetFilter):
    raw_source = IdFilter(
        field_name="raw_sources", help_text="Curated datasets built from this raw source."
    )

    class Meta:
        model = m.CuratedDataset
        fields = ["available", "owner", "raw_source"]


class RawSourceFilter(AssetFilter):
    system = django_filters.CharFilter()
    acquisition_option = IdFilter(field_name="acquisition_option_id")
    is_current = django_filters.BooleanFilter()
    arrives_regularly = django_filters.BooleanFilter()
    quality_ensurable = django_filters.BooleanFilter()
    sla_establishable = django_filters.BooleanFilter()

    class Meta:
        model = m.RawSource
        fields = [
            "available", "owner", "system", "acquisition_option", "is_current",
            "arrives_regularly", "quality_ensurable", "sla_establishable",
        ]


class AcquisitionOptionFilter(AssetFilter):
    provider = django_filters.CharFilter()

    class Meta:
        model = m.AcquisitionOption
        fields = ["owner", "provider"]


class IdeaFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=m.Idea.Status.choices)
    owner = IdFilter(field_name="owner_id", help_text="Owning user's id.")

    class Meta:
        model = m.Idea
        fields = ["status", "owner"]


class NeedFilter(django_filters.FilterSet):
    essential = django_filters.BooleanFilter()

    class Meta:
        model = m.Need
        fields = ["essential"]


class StakeholderAssignmentFilter(django_filters.FilterSet):
    idea = IdFilter(field_name="idea_id")
    tier = django_filters.TypedChoiceFilter(choices=m.Tier.choices, coerce=int)
    role = IdFilter(field_name="role_id")
    person = IdFilter(field_name="person_id")

    class Meta:
        model = m.StakeholderAssignment
        fields = ["idea", "tier", "role", "person"]


class ComputedOrderingFilter(OrderingFilter):
    """Orders by database fields, and leaves the view's `computed_ordering_fields` (values
    the engine computes, such as NPV) to the view, which sorts once they are known."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view) or []
        computed = set(getattr(view, "computed_ordering_fields", ()))
        view.requested_ordering = list(ordering)
        if any(term.lstrip("-") in computed for term in ordering):
            return queryset  # the view sorts everything in Python
        return queryset.order_by(*ordering, "pk") if ordering else queryset
