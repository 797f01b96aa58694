"""Writes for the catalogue, ideas, needs and stakeholder assignments.

Every function is keyword-only and atomic: it validates with the model's own rules
(`full_clean`), so a refused write raises django.core.exceptions.ValidationError naming the
field and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from valuechain import models as m

# The largest id a database integer column holds; bigger ids cannot exist.
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class EstimateInput:
    """A three-point estimate in money, or in person-days of `days_role_id`."""

    low: float
    likely: float
    high: float
    days_role_id: int | None = None

    def problems(self) -> list[str]:
        if min(self.low, self.likely, self.high) < 0:
            return ["low, likely and high must be >= 0"]
        if not self.low <= self.likely <= self.high:
            return ["low must be <= likely <= high"]
        return []


class IdeaChanges(TypedDict, total=False):
    title: str
    description: str
    owner: User | None
    status: str
    benefit: EstimateInput
    probability_of_success: float
    horizon_years: int
    discount_rate: float


class NeedChanges(TypedDict, total=False):
    name: str
    description: str
    asset_type: str
    asset_id: int
    engineering: EstimateInput
    weight: float
    essential: bool


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
    # raw source
    system: str
    acquisition_option: int | None
    is_current: bool | None
    arrives_regularly: bool | None
    quality_ensurable: bool | None
    sla_establishable: bool | None
    # acquisition option
    provider: str


class AssignmentChanges(TypedDict, total=False):
    idea: m.Idea
    tier: int
    role: m.Role
    person: User
    note: str


ESTIMATE_NAMES = {
    "benefit": "benefit_estimate",
    "build": "build_estimate",
    "run": "run_cost_estimate",
    "engineering": "engineering_estimate",
}

# Upstream lineage per asset kind: the field, the model it points at, and whether it is a list.
LINEAGE: dict[type[m.Asset], tuple[str, type[m.Asset], bool]] = {
    m.Feature: ("curated_datasets", m.CuratedDataset, True),
    m.CuratedDataset: ("raw_sources", m.RawSource, True),
    m.RawSource: ("acquisition_option", m.AcquisitionOption, False),
}

KIND_FIELDS: dict[type[m.Asset], frozenset[str]] = {
    m.Feature: frozenset({"feature_group", "online"}),
    m.CuratedDataset: frozenset(),
    m.RawSource: frozenset(
        {"system", "is_current", "arrives_regularly", "quality_ensurable", "sla_establishable"}
    ),
    m.AcquisitionOption: frozenset({"provider"}),
}
COMMON_ASSET_FIELDS = frozenset({"name", "description", "owner", "available", "feasibility"})


def _set_estimate(row: Any, prefix: str, estimate: EstimateInput) -> None:
    name = ESTIMATE_NAMES.get(prefix, prefix)
    problems = estimate.problems()
    if problems:
        raise ValidationError({name: problems})
    days_field = f"{prefix}_days_role_id"
    if estimate.days_role_id is not None and not hasattr(row, days_field):
        raise ValidationError({name: ["This estimate is in money: it takes no days_of_role."]})
    if (
        estimate.days_role_id is not None
        and not m.Role.objects.filter(pk=estimate.days_role_id).exists()
    ):
        raise ValidationError({name: [f"No role with id {estimate.days_role_id}."]})
    for part in ("low", "likely", "high"):
        setattr(row, f"{prefix}_{part}", float(getattr(estimate, part)))
    if hasattr(row, days_field):
        setattr(row, days_field, estimate.days_role_id)


def _apply(
    row: Any, changes: Mapping[str, Any], plain: Iterable[str], estimates: Iterable[str]
) -> None:
    plain, estimates = set(plain), set(estimates)
    unknown = set(changes) - plain - estimates
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    for name, value in changes.items():
        if name in estimates:
            _set_estimate(row, name, value)
        else:
            setattr(row, name, value)


def _ids_of(model: type[m.Asset], field: str, ids: Iterable[int]) -> list[int]:
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
    own = LINEAGE.get(model)
    for other_field, _target, _many in LINEAGE.values():
        if other_field in changes:
            if own is None or other_field != own[0]:
                raise ValidationError(
                    {other_field: [f"A {model.ASSET_TYPE.label.lower()} has no {other_field}."]}
                )
            lineage = (other_field, changes.pop(other_field))
    return changes, lineage


def _save_asset(asset: m.Asset, changes: Mapping[str, Any]) -> m.Asset:
    model = type(asset)
    plain, lineage = _split_lineage(model, changes)
    _apply(asset, plain, COMMON_ASSET_FIELDS | KIND_FIELDS[model], {"build", "run"})
    if isinstance(asset, m.AcquisitionOption) and asset.available:
        raise ValidationError({"available": ["An acquisition option is never available."]})
    upstream: list[int] | None = None
    if lineage is not None:
        field, value = lineage
        target, many = LINEAGE[model][1], LINEAGE[model][2]
        if many:
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise ValidationError({field: ["Expected a list of ids."]})
            upstream = _ids_of(target, field, value)
        else:
            # a single upstream input (a raw source's acquisition option) is a foreign key
            upstream_id = None if value is None else _ids_of(target, field, [value])[0]
            setattr(asset, f"{field}_id", upstream_id)
    asset.full_clean()
    asset.save()
    if upstream is not None and lineage is not None:
        getattr(asset, lineage[0]).set(upstream)
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


IDEA_FIELDS = frozenset(
    {
        "title",
        "description",
        "owner",
        "status",
        "probability_of_success",
        "horizon_years",
        "discount_rate",
    }
)


@transaction.atomic
def create_idea(*, owner: User | None, changes: IdeaChanges) -> m.Idea:
    idea = m.Idea(owner=owner)
    _apply(idea, changes, IDEA_FIELDS, {"benefit"})
    idea.full_clean()
    idea.save()
    return idea


@transaction.atomic
def update_idea(*, idea: m.Idea, changes: IdeaChanges) -> m.Idea:
    _apply(idea, changes, IDEA_FIELDS, {"benefit"})
    idea.full_clean()
    idea.save()
    return idea


@transaction.atomic
def delete_idea(*, idea: m.Idea) -> None:
    idea.delete()


NEED_FIELDS = frozenset({"name", "description", "weight", "essential"})


def _point_need(need: m.Need, asset_type: str, asset_id: int) -> None:
    model = m.ASSET_MODELS.get(asset_type)
    if model is None:
        choices = ", ".join(m.AssetType.values)
        raise ValidationError({"asset_type": [f"Unknown asset type {asset_type!r}: {choices}."]})
    _ids_of(model, "asset_id", [asset_id])
    need.set_asset(asset_type, asset_id)


def _save_need(need: m.Need, changes: Mapping[str, Any]) -> m.Need:
    changes = dict(changes)
    asset_type = changes.pop("asset_type", None)
    asset_id = changes.pop("asset_id", None)
    if asset_type is not None or asset_id is not None:
        asset_type = asset_type if asset_type is not None else need.asset_type
        asset_id = asset_id if asset_id is not None else need.asset_id
        if asset_type is None:
            raise ValidationError({"asset_type": ["This field is required."]})
        if asset_id is None:
            raise ValidationError({"asset_id": ["This field is required."]})
        _point_need(need, asset_type, asset_id)
    elif need.asset_type is None:
        raise ValidationError({"asset_type": ["A need points at one asset."]})
    _apply(need, changes, NEED_FIELDS, {"engineering"})
    if need.weight is None or not need.weight > 0:
        raise ValidationError({"weight": ["A weight must be greater than 0."]})
    need.full_clean(exclude=["idea"])
    need.save()
    return need


@transaction.atomic
def create_need(*, idea: m.Idea, changes: NeedChanges) -> m.Need:
    return _save_need(m.Need(idea=idea), changes)


@transaction.atomic
def update_need(*, need: m.Need, changes: NeedChanges) -> m.Need:
    return _save_need(need, changes)


@transaction.atomic
def delete_need(*, need: m.Need) -> None:
    need.delete()


ASSIGNMENT_FIELDS = frozenset({"idea", "tier", "role", "person", "note"})


@transaction.atomic
def assign_stakeholder(*, changes: AssignmentChanges) -> m.StakeholderAssignment:
    assignment = m.StakeholderAssignment()
    _apply(assignment, changes, ASSIGNMENT_FIELDS, ())
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def update_assignment(
    *, assignment: m.StakeholderAssignment, changes: AssignmentChanges
) -> m.StakeholderAssignment:
    _apply(assignment, changes, ASSIGNMENT_FIELDS, ())
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def unassign_stakeholder(*, assignment: m.StakeholderAssignment) -> None:
    assignment.delete()


class TierProfileChanges(TypedDict, total=False):
    label: str
    investment_band: str
    default_roles: Sequence[m.Role]
    default_feasibility: float


TIER_PROFILE_FIELDS = frozenset({"label", "investment_band", "default_feasibility"})


@transaction.atomic
def update_tier_profile(*, profile: m.TierProfile, changes: TierProfileChanges) -> m.TierProfile:
    changes = dict(changes)  # type: ignore[assignment]
    roles = changes.pop("default_roles", None)
    _apply(profile, changes, TIER_PROFILE_FIELDS, ())
    profile.full_clean()
    profile.save()
    if roles is not None:
        profile.default_roles.set(roles)
    return profile
