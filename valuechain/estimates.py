"""A stored three-point estimate -> the engine's Estimate, in money.

Every model with an estimate stores `<prefix>_low`, `_likely`, `_high` and, when it is given in
person-days, `<prefix>_days_role`. Kept apart from the mappers so that each app's mappers can
price its own rows without importing another app's mappers.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from valuechain.engine import chain

DayRates = Mapping[int, float]
PARTS = ("low", "likely", "high")


def estimate_of(row: models.Model, prefix: str, rates: DayRates) -> chain.Estimate:
    """A stored estimate in money; person-days are priced at the role's day rate."""
    low, likely, high = (float(getattr(row, f"{prefix}_{part}")) for part in PARTS)
    role_id = getattr(row, f"{prefix}_days_role_id", None)
    rate = rates[role_id] if role_id is not None else 1.0
    return chain.Estimate(low * rate, likely * rate, high * rate)
