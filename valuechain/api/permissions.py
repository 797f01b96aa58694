"""The API's permission class, built on the roles of valuechain.platform.roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from valuechain.platform.roles import group_names

if TYPE_CHECKING:  # importing these at run time would be circular for DRF's settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ReadAuthenticatedWriteByRole(BasePermission):
    """Authenticated users read. Writes need staff or one of the view's `write_groups`;
    where the view names an `owner_of(obj)`, non-staff may only change what they own."""

    message = "You do not have permission to change this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or user.is_staff:
            return True
        write_groups = set(getattr(view, "write_groups", ()))
        return bool(write_groups & group_names(user))

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS or request.user.is_staff:
            return True
        owner_of: Callable[[Any], int | None] | None = getattr(view, "owner_of", None)
        if owner_of is None:
            return True
        return owner_of(obj) == request.user.pk
