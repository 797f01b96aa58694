"""Who may do what: product managers own ideas, data leads the catalogue, executives read.

Plain predicates on the user, shared by pages, the API, template tags and services alike.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

PRODUCT_MANAGERS = "Product managers"
DATA_LEADS = "Data leads"
EXECUTIVES = "Executives"
GROUPS = (PRODUCT_MANAGERS, DATA_LEADS, EXECUTIVES)
# Who may start simulations and portfolio runs, on the pages and through the API.
ANALYSTS = (PRODUCT_MANAGERS, DATA_LEADS, EXECUTIVES)


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


def can_run_analysis(user: User | AnonymousUser) -> bool:
    return user.is_staff or bool(set(ANALYSTS) & group_names(user))


def can_edit_idea(user: User | AnonymousUser, owner_id: int | None) -> bool:
    """Staff edit any idea; a product manager edits their own."""
    if user.is_staff:
        return True
    return PRODUCT_MANAGERS in group_names(user) and owner_id == user.pk


def active_users() -> QuerySet[User]:
    """The people who can own an asset or be assigned to an idea, by username."""
    return get_user_model().objects.filter(is_active=True).order_by("username")
