"""How every service applies a write's changes to a row: the fields it names must be known,
and estimates arrive as an EstimateInput checked before they are set.

A refusal raises django.core.exceptions.ValidationError naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from valuechain import models as m
from valuechain.estimates import PARTS, EstimateInput

# The largest id a database integer column holds; bigger ids cannot exist.
MAX_ID = 2**63 - 1

# Errors about an estimate are named after the field the API shows it as.
ESTIMATE_NAMES = {
    "benefit": "benefit_estimate",
    "build": "build_estimate",
    "run": "run_cost_estimate",
    "engineering": "engineering_estimate",
}


def set_estimate(row: Any, prefix: str, estimate: EstimateInput) -> None:
    """Store a checked estimate in the row's `<prefix>_low/_likely/_high/_days_role` columns."""
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
    for part in PARTS:
        setattr(row, f"{prefix}_{part}", float(getattr(estimate, part)))
    if hasattr(row, days_field):
        setattr(row, days_field, estimate.days_role_id)


def apply_changes(
    row: Any, changes: Mapping[str, Any], plain: Iterable[str], estimates: Iterable[str]
) -> None:
    """Set `plain` fields as given and `estimates` through set_estimate; any other name is
    refused as an unknown field."""
    plain, estimates = set(plain), set(estimates)
    unknown = set(changes) - plain - estimates
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    for name, value in changes.items():
        if name in estimates:
            set_estimate(row, name, value)
        else:
            setattr(row, name, value)
