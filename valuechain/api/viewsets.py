"""The view sets every API area builds on: bounded JSON bodies, bounded search and ordering,
and ids checked to fit a database column before the database is asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets

from valuechain.api import filters
from valuechain.api.parsers import BoundedJSONParser
from valuechain.platform.changes import MAX_ID

ID_PATTERN = r"[0-9]{1,19}"


def checked_id(value: Any) -> int:
    """An id from the URL; one too large for a database column cannot exist (404)."""
    number = int(value)
    if number > MAX_ID:
        raise Http404
    return number


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
        checked_id(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
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
