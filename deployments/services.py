"""Writes for deployment plans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from deployments.models import (
    PLAN_ESTIMATES,
    REQUIREMENT_FIELDS,
    TYPE_SPECIFIC_FIELDS,
    DeploymentPlan,
    DeploymentType,
)
from valuechain.engine import finance
from valuechain.ideas import selectors as idea_selectors
from valuechain.models import Idea

PLAN_INPUT_FIELDS = frozenset(
    {
        *REQUIREMENT_FIELDS,
        *(field for fields in TYPE_SPECIFIC_FIELDS.values() for field in fields),
        *(f"{prefix}_{part}" for prefix in PLAN_ESTIMATES for part in ("low", "likely", "high")),
        *(f"{prefix}_days_role" for prefix in PLAN_ESTIMATES),
        "notes",
    }
)


def foreign_fields(kind: str) -> tuple[str, ...]:
    """The type-specific fields that do not belong to `kind`."""
    return tuple(
        field for other, fields in TYPE_SPECIFIC_FIELDS.items() if other != kind for field in fields
    )


@transaction.atomic
def save_deployment_plan(
    *, idea: Idea, deployment_type: DeploymentType, values: Mapping[str, Any]
) -> tuple[DeploymentPlan, bool]:
    """Create or replace the idea's plan; returns (plan, created).

    A plan is replaced whole: fields not given take their defaults, and the details of the
    other deployment types are cleared, so a plan only ever describes its own type.
    Raises ValidationError (field -> messages) and writes nothing when a value is invalid.
    """
    unknown = set(values) - PLAN_INPUT_FIELDS
    if unknown:
        raise TypeError(f"not deployment plan fields: {sorted(unknown)}")
    existing = DeploymentPlan.objects.select_for_update().filter(idea=idea).first()
    plan = DeploymentPlan(idea=idea, deployment_type=deployment_type)
    for name, value in values.items():
        setattr(plan, name, value)
    blank = DeploymentPlan(idea=idea, deployment_type=deployment_type)
    for name in foreign_fields(deployment_type.kind):
        setattr(plan, name, getattr(blank, name))
    if existing is not None:
        plan.pk = existing.pk
        plan.created_at = existing.created_at
        plan._state.adding = False  # so the unique check on idea skips this very row
    plan.full_clean()
    plan.save(force_insert=existing is None, force_update=existing is not None)
    _check_prices(idea)
    return plan, existing is None


def _check_prices(idea: Idea) -> None:
    """Raises ValidationError (rolling the write back) when the idea's ROI with the new plan
    is not a finite number: a plan is never kept that makes the idea's figures unusable."""
    try:
        idea_selectors.roi_report(idea_selectors.ideas().get(pk=idea.pk))
    except finance.NonFiniteResult as exc:
        raise ValidationError(str(exc)) from None


@transaction.atomic
def delete_deployment_plan(*, idea: Idea) -> bool:
    """Remove the idea's plan; its deployment costs leave the ROI. False if it had none."""
    deleted, _ = DeploymentPlan.objects.filter(idea=idea).delete()
    return deleted > 0


@transaction.atomic
def update_deployment_type(
    *, deployment_type: DeploymentType, values: Mapping[str, Any]
) -> DeploymentType:
    """Change a type profile's facts or costs; every plan of that type is re-priced with it.

    Raises ValidationError (field -> messages) and writes nothing when a value is invalid.
    """
    locked = DeploymentType.objects.select_for_update().get(pk=deployment_type.pk)
    for name, value in values.items():
        if name in ("id", "pk", "kind"):
            raise TypeError(f"{name} of a deployment type cannot change")
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked
