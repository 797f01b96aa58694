"""Three-point estimates: as a write gives them (EstimateInput) and as the engine prices them.

Every model with an estimate stores `<prefix>_low`, `_likely`, `_high` and, when it is given in
person-days, `<prefix>_days_role`. Kept apart from the mappers so that each app's mappers can
price its own rows without importing another app's mappers. No Django import at run time: the
bulk import's pure parser reads the bounds here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from valuechain.engine import chain

if TYPE_CHECKING:
    from django.db import models

DayRates = Mapping[int, float]
PARTS = ("low", "likely", "high")
MAX_MONEY = chain.MAX_MONEY


@dataclass(frozen=True, slots=True)
class EstimateInput:
    """A three-point estimate in money, or in person-days of `days_role_id`."""

    low: float
    likely: float
    high: float
    days_role_id: int | None = None

    def problems(self) -> list[str]:
        """What is wrong with it (valuechain.engine.chain.estimate_problem), if anything."""
        problem = chain.estimate_problem(self.low, self.likely, self.high)
        return [] if problem is None else [problem]


def priced(
    low: float, likely: float, high: float, role_id: int | None, rates: DayRates
) -> tuple[float, float, float]:
    """Low, likely and high in money: person-days of `role_id` at its day rate, else as given."""
    rate = rates[role_id] if role_id is not None else 1.0
    return float(low) * rate, float(likely) * rate, float(high) * rate


def estimate_of(row: models.Model, prefix: str, rates: DayRates) -> chain.Estimate:
    """A stored estimate in money; person-days are priced at the role's day rate."""
    low, likely, high = (getattr(row, f"{prefix}_{part}") for part in PARTS)
    role_id = getattr(row, f"{prefix}_days_role_id", None)
    return chain.Estimate(*priced(low, likely, high, role_id, rates))
