"""Who may do what: product managers own ideas, data leads the catalogue, executives read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser, User
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # importing these at run time would be circular for DRF's settings
    from rest_framework.request import Request
    from rest_framework.views import APIView

PRODUCT_MANAGERS = "Product managers"
DATA_LEADS = "Data leads"
EXECUTIVES = "Executives"
GROUPS = (PRODUCT_MANAGERS, DATA_LEADS, EXECUTIVES)


def group_names(user: User | AnonymousUser) -> frozenset[str]:
    """The user's group names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_valuechain_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._valuechain_groups = cached  # type: ignore[union-attr,attr-defined]
    return cached


def is_product_manager(user: User | AnonymousUser) -> bool:
    return user.is_staff or PRODUCT_MANAGERS in group_names(user)


def is_data_lead(user: User | AnonymousUser) -> bool:
    return user.is_staff or DATA_LEADS in group_names(user)


def is_executive(user: User | AnonymousUser) -> bool:
    return user.is_staff or EXECUTIVES in group_names(user)


def can_edit_idea(user: User | AnonymousUser, owner_id: int | None) -> bool:
    """Staff edit any idea; a product manager edits their own."""
    if user.is_staff:
        return True
    return PRODUCT_MANAGERS in group_names(user) and owner_id == user.pk


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
