"""Query-string filters for the API lists. A malformed value is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.fields import CharField
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request

from valuechain import models as m
from valuechain.platform.changes import MAX_ID


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
        field_name="feasibility",
        lookup_expr="isnull",
        help_text="true: assets that use their tier's default feasibility.",
    )
    source_system = django_filters.ChoiceFilter(choices=m.SourceSystem.choices)
    external_id = django_filters.CharFilter(help_text="Its id in the source system.")
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text="Gone upstream."
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
            "available",
            "owner",
            "system",
            "acquisition_option",
            "is_current",
            "arrives_regularly",
            "quality_ensurable",
            "sla_establishable",
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


class BoundedSearchFilter(SearchFilter):
    """Search whose errors name the parameter, bounded so no query grows without limit."""

    max_length = 200
    max_terms = 10

    def get_search_terms(self, request: Request) -> list[str]:
        value = request.query_params.get(self.search_param, "")
        field = CharField(trim_whitespace=False, allow_blank=True, max_length=self.max_length)
        try:
            cleaned = field.run_validation(value)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from exc
        terms = super().get_search_terms(request) if cleaned else []
        if len(terms) > self.max_terms:
            raise ValidationError(
                {self.search_param: [f"Use at most {self.max_terms} search terms."]}
            )
        return list(terms)


class BoundedOrderingFilter(OrderingFilter):
    """Ordering with each field used once, however often the client repeats it."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        seen: set[str] = set()
        unique = []
        for term in ordering:
            if term.lstrip("-") not in seen:
                seen.add(term.lstrip("-"))
                unique.append(term)
        return unique


class ComputedOrderingFilter(BoundedOrderingFilter):
    """Orders by database fields, and leaves the view's `computed_ordering_fields` (values
    the engine computes, such as NPV) to the view, which sorts once they are known."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view) or []
        computed = set(getattr(view, "computed_ordering_fields", ()))
        view.requested_ordering = list(ordering)
        if any(term.lstrip("-") in computed for term in ordering):
            return queryset  # the view sorts everything in Python
        return queryset.order_by(*ordering, "pk") if ordering else queryset
