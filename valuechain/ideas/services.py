"""Writes of ideas, their needs and stakeholder assignments.

Every function is keyword-only and atomic: it validates with the model's own rules
(`full_clean`), so a refused write raises django.core.exceptions.ValidationError naming the
field and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from valuechain import models as m
from valuechain.catalogue.services import check_asset_ids
from valuechain.engine.chain import weight_problem
from valuechain.estimates import EstimateInput
from valuechain.figures import invalidation
from valuechain.ideas import selectors
from valuechain.platform.changes import apply_changes
from valuechain.platform.roles import is_data_lead


class IdeaChanges(TypedDict, total=False):
    title: str
    description: str
    owner: User | None
    status: str
    benefit: EstimateInput
    probability_of_success: float
    horizon_years: int
    discount_rate: float
    reach: int | None
    impact: float | None
    confidence: float | None
    business_value: int | None
    time_criticality: int | None
    risk_reduction: int | None


class NeedChanges(TypedDict, total=False):
    name: str
    description: str
    asset_type: str
    asset_id: int
    engineering: EstimateInput
    weight: float
    essential: bool


class AssignmentChanges(TypedDict, total=False):
    idea: m.Idea
    tier: int
    role: m.Role
    person: User
    note: str


# What the product manager judges for RICE, ICE and WSJF (blank: not scored yet).
SCORE_FIELDS = (
    "reach",
    "impact",
    "confidence",
    "business_value",
    "time_criticality",
    "risk_reduction",
)
IDEA_FIELDS = frozenset(
    {
        "title",
        "description",
        "owner",
        "status",
        "probability_of_success",
        "horizon_years",
        "discount_rate",
        *SCORE_FIELDS,
    }
)


@transaction.atomic
def create_idea(*, owner: User | None, changes: IdeaChanges) -> m.Idea:
    idea = m.Idea(owner=owner)
    apply_changes(idea, changes, IDEA_FIELDS, {"benefit"})
    idea.full_clean()
    idea.save()
    return idea


@transaction.atomic
def update_idea(*, idea: m.Idea, changes: IdeaChanges) -> m.Idea:
    apply_changes(idea, changes, IDEA_FIELDS, {"benefit"})
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
    check_asset_ids(model, "asset_id", [asset_id])
    moved = (need.asset_type, need.asset_id) != (asset_type, asset_id)
    # A retired asset (gone from its source system) keeps the needs it has, but gains none.
    if moved and model._default_manager.filter(pk=asset_id, retired_at__isnull=False).exists():
        raise ValidationError(
            {"asset_id": [f"{model.ASSET_TYPE.label} {asset_id} is retired: it is gone upstream."]}
        )
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
    apply_changes(need, changes, NEED_FIELDS, {"engineering"})
    problem = weight_problem(need.weight)
    if problem is not None:
        raise ValidationError({"weight": [problem]})
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


# --- an idea with its needs, as the idea form edits them ----------------------------------------


@dataclass(frozen=True, slots=True)
class NeedEdit:
    """One need of an idea edited with it: a new need (no `need`), a change to a stored need,
    or, without `changes`, the removal of a stored need."""

    need: m.Need | None = None
    changes: NeedChanges | None = None


class NeedRefused(Exception):
    """The need edit at `index` was refused for `error`; nothing was written."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(f"need {index}: {error}")
        self.index = index
        self.error = error


@transaction.atomic
def save_idea_with_needs(
    *, idea: m.Idea, changes: IdeaChanges, needs: Sequence[NeedEdit]
) -> m.Idea:
    """Create the idea (no pk yet; its owner set) or update it, then apply every need edit,
    all in one transaction: a refusal of the idea (ValidationError) or of a need (NeedRefused)
    leaves the database as it was."""
    if idea.pk is None:
        saved = create_idea(owner=idea.owner, changes=changes)
    else:
        saved = update_idea(idea=idea, changes=changes)
    for index, edit in enumerate(needs):
        try:
            if edit.changes is None:
                if edit.need is not None:
                    delete_need(need=edit.need)
            elif edit.need is None or edit.need.pk is None:
                create_need(idea=saved, changes=edit.changes)
            else:
                update_need(need=edit.need, changes=edit.changes)
        except ValidationError as error:
            raise NeedRefused(index, error) from error
    return saved


# --- stakeholders -------------------------------------------------------------------------------

ASSIGNMENT_FIELDS = frozenset({"idea", "tier", "role", "person", "note"})


@transaction.atomic
def assign_stakeholder(*, changes: AssignmentChanges) -> m.StakeholderAssignment:
    assignment = m.StakeholderAssignment()
    apply_changes(assignment, changes, ASSIGNMENT_FIELDS, ())
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def update_assignment(
    *, assignment: m.StakeholderAssignment, changes: AssignmentChanges
) -> m.StakeholderAssignment:
    apply_changes(assignment, changes, ASSIGNMENT_FIELDS, ())
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def unassign_stakeholder(*, assignment: m.StakeholderAssignment) -> None:
    assignment.delete()


# --- a shipped idea's assets, marked available -----------------------------------------------


def _mark_available(model: type[m.Feature] | type[m.CuratedDataset], ids: Sequence[int]) -> int:
    if not ids:
        return 0
    return model.objects.filter(pk__in=ids, available=False).update(
        available=True, updated_at=timezone.now()
    )


@transaction.atomic
def mark_built_available(*, idea: m.Idea, keys: Sequence[str], user: Any) -> int:
    """Mark features and curated datasets a shipped idea built as available, all or none.

    Only a data lead (or staff) may, only once the idea is shipped, and only the assets the
    idea charged (selectors.built_assets: never raw data or an acquisition option). `keys`
    are "feature:12" / "curated_dataset:3". Returns how many assets changed."""
    if not is_data_lead(user):
        raise PermissionDenied("Only data leads mark assets available.")
    current = selectors.ideas().get(pk=idea.pk)  # as stored now, with its needs
    if current.status != m.Idea.Status.SHIPPED:
        raise ValidationError({"assets": ["Mark what an idea built only once it is shipped."]})
    offered = {asset.key: asset for asset in selectors.built_assets(current)}
    wanted = list(dict.fromkeys(keys))
    unknown = [key for key in wanted if key not in offered]
    if unknown:
        raise ValidationError(
            {"assets": [f"Not a feature or curated dataset this idea built: {', '.join(unknown)}."]}
        )
    if not wanted:
        raise ValidationError({"assets": ["Choose at least one asset."]})
    by_type: dict[str, list[int]] = {}
    for key in wanted:
        by_type.setdefault(offered[key].asset_type, []).append(offered[key].id)
    changed = _mark_available(m.Feature, by_type.get("feature", []))
    changed += _mark_available(m.CuratedDataset, by_type.get("curated_dataset", []))
    # a queryset update sends no signal: the figures of ideas using them are made stale here
    invalidation.assets_changed((kind, pk) for kind, ids in by_type.items() for pk in ids)
    return changed
