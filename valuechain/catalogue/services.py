"""Writes of the catalogue: assets with their lineage, tier profiles and roles.

Every function is keyword-only and atomic: it validates with the model's own rules
(`full_clean`), so a refused write raises django.core.exceptions.ValidationError naming the
field and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from valuechain import models as m
from valuechain.catalogue import rules, selectors
from valuechain.engine import chain
from valuechain.estimates import EstimateInput
from valuechain.platform.changes import MAX_ID, apply_changes


class AssetChanges(TypedDict, total=False):
    """Fields of any asset kind; kind-specific keys are refused on the other kinds."""

    name: str
    description: str
    owner: User | None
    available: bool
    build: EstimateInput
    run: EstimateInput
    feasibility: float | None
    # feature
    feature_group: str
    online: bool
    curated_datasets: Sequence[int]
    # curated dataset
    raw_sources: Sequence[int]
    upstream_curated_datasets: Sequence[int]
    # raw source
    system: str
    acquisition_option: int | None
    is_current: bool | None
    arrives_regularly: bool | None
    quality_ensurable: bool | None
    sla_establishable: bool | None
    # acquisition option
    provider: str


KIND_FIELDS: dict[type[m.Asset], frozenset[str]] = {
    m.Feature: frozenset({"feature_group", "online"}),
    m.CuratedDataset: frozenset(),
    m.RawSource: frozenset(
        {"system", "is_current", "arrives_regularly", "quality_ensurable", "sla_establishable"}
    ),
    m.AcquisitionOption: frozenset({"provider"}),
}
COMMON_ASSET_FIELDS = frozenset({"name", "description", "owner", "available", "feasibility"})


def check_asset_ids(model: type[m.Asset], field: str, ids: Iterable[int]) -> list[int]:
    """The ids, checked to exist as `model` rows in one query; a missing id names the field."""
    wanted = list(dict.fromkeys(ids))
    bad: list[Any] = [i for i in wanted if isinstance(i, bool) or not isinstance(i, int)]
    bad += [i for i in wanted if isinstance(i, int) and not 0 < i <= MAX_ID]
    if bad:
        raise ValidationError({field: [f"Not an id: {bad[0]!r}."]})
    found = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [i for i in wanted if i not in found]
    if missing:
        kind = model.ASSET_TYPE.label.lower()
        raise ValidationError({field: [f"No {kind} with id {', '.join(str(i) for i in missing)}."]})
    return wanted


def _split_lineage(
    model: type[m.Asset], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, Any] | None]:
    """Separate the lineage field from the others, refusing the lineage of another kind."""
    changes = dict(changes)
    lineage: tuple[str, Any] | None = None
    own = rules.LINEAGE.get(model.ASSET_TYPE)
    for other in rules.LINEAGE.values():
        if other.field in changes:
            if own is None or other.field != own.field:
                raise ValidationError(
                    {other.field: [f"A {model.ASSET_TYPE.label.lower()} has no {other.field}."]}
                )
            lineage = (other.field, changes.pop(other.field))
    return changes, lineage


CURATED_UPSTREAM = "upstream_curated_datasets"


def check_no_cycle(curated_id: int | None, upstream: Iterable[int]) -> None:
    """Refuse curated -> curated links that would make a dataset built from itself."""
    upstream = list(upstream)
    if curated_id is None or not upstream:
        return
    links: dict[int, list[int]] = {}
    through = m.CuratedDataset.upstream_curated_datasets.through
    for source, target in through.objects.values_list(
        "from_curateddataset_id", "to_curateddataset_id"
    ):
        links.setdefault(source, []).append(target)
    links[curated_id] = upstream
    seen: set[int] = set()
    stack = list(upstream)
    while stack:
        current = stack.pop()
        if current == curated_id:
            raise ValidationError(
                {
                    CURATED_UPSTREAM: [
                        "These links make a cycle: a dataset would be built from itself."
                    ]
                }
            )
        if current not in seen:
            seen.add(current)
            stack.extend(links.get(current, ()))


def _curated_upstream(model: type[m.Asset], changes: dict[str, Any]) -> list[int] | None:
    if CURATED_UPSTREAM not in changes:
        return None
    value = changes.pop(CURATED_UPSTREAM)
    if model is not m.CuratedDataset:
        raise ValidationError(
            {CURATED_UPSTREAM: [f"A {model.ASSET_TYPE.label.lower()} has no {CURATED_UPSTREAM}."]}
        )
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError({CURATED_UPSTREAM: ["Expected a list of ids."]})
    return check_asset_ids(m.CuratedDataset, CURATED_UPSTREAM, value)


def _save_asset(asset: m.Asset, changes: Mapping[str, Any]) -> m.Asset:
    model = type(asset)
    changes = dict(changes)
    curated_upstream = _curated_upstream(model, changes)
    plain, lineage = _split_lineage(model, changes)
    apply_changes(asset, plain, COMMON_ASSET_FIELDS | KIND_FIELDS[model], {"build", "run"})
    problem = chain.availability_problem(asset.asset_type, asset.available)
    if problem is not None:
        raise ValidationError({"available": [problem]})
    upstream: list[int] | None = None
    if lineage is not None:
        field, value = lineage
        own = rules.LINEAGE[model.ASSET_TYPE]
        target = m.ASSET_MODELS[own.upstream]
        if own.many:
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise ValidationError({field: ["Expected a list of ids."]})
            upstream = check_asset_ids(target, field, value)
        else:
            # a single upstream input (a raw source's acquisition option) is a foreign key
            upstream_id = None if value is None else check_asset_ids(target, field, [value])[0]
            setattr(asset, f"{field}_id", upstream_id)
    asset.full_clean()
    asset.save()
    if upstream is not None and lineage is not None:
        getattr(asset, lineage[0]).set(upstream)
    if curated_upstream is not None:
        check_no_cycle(asset.pk, curated_upstream)
        asset.upstream_curated_datasets.set(curated_upstream)  # type: ignore[attr-defined]
    return asset


@transaction.atomic
def create_asset(*, asset_type: str, changes: AssetChanges) -> m.Asset:
    """A new catalogue asset of the given type, with its upstream lineage (ids)."""
    model = m.ASSET_MODELS.get(asset_type)
    if model is None:
        raise ValidationError({"asset_type": [f"Unknown asset type {asset_type!r}."]})
    return _save_asset(model(), changes)


@transaction.atomic
def update_asset(*, asset: m.Asset, changes: AssetChanges) -> m.Asset:
    return _save_asset(asset, changes)


@transaction.atomic
def delete_asset(*, asset: m.Asset) -> None:
    """Refused (ProtectedError) while a need or a downstream raw source uses it."""
    asset.delete()


@transaction.atomic
def delete_unused_asset(*, asset: m.Asset) -> bool:
    """Delete the asset unless a need or a downstream asset still uses it, checked and deleted
    in one transaction; True when it was deleted."""
    needs, downstream = selectors.asset_users(asset)
    if needs or downstream:
        return False
    try:
        with transaction.atomic():
            delete_asset(asset=asset)
    except (ProtectedError, RestrictedError):
        return False
    return True


# --- tier profiles and roles: reference data --------------------------------------------------


class TierProfileChanges(TypedDict, total=False):
    label: str
    asset_label: str
    investment_band: str
    description: str
    default_roles: Sequence[m.Role]
    default_feasibility: float


TIER_PROFILE_FIELDS = frozenset(
    {"label", "asset_label", "investment_band", "description", "default_feasibility"}
)


@transaction.atomic
def update_tier_profile(*, profile: m.TierProfile, changes: TierProfileChanges) -> m.TierProfile:
    plain: dict[str, Any] = dict(changes)
    roles = plain.pop("default_roles", None)
    apply_changes(profile, plain, TIER_PROFILE_FIELDS, ())
    profile.full_clean()
    profile.save()
    if roles is not None:
        profile.default_roles.set(roles)
    return profile


class RoleChanges(TypedDict, total=False):
    name: str
    day_rate: float
    description: str


ROLE_FIELDS = frozenset({"name", "day_rate", "description"})


@transaction.atomic
def create_role(*, changes: RoleChanges) -> m.Role:
    role = m.Role()
    apply_changes(role, changes, ROLE_FIELDS, ())
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def update_role(*, role: m.Role, changes: RoleChanges) -> m.Role:
    apply_changes(role, changes, ROLE_FIELDS, ())
    role.full_clean()
    role.save()
    return role


@transaction.atomic
def delete_role(*, role: m.Role) -> None:
    """Refused (ProtectedError) while an estimate or an assignment is in its person-days."""
    role.delete()
