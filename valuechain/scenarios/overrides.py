"""Scenario overrides: what they may name, how they are checked, and how they change the
engine's inputs, in memory only (the live data is never written).

An override is {"target": "idea"|"asset"|"role", "id", "field", "multiply": x} or with
"value": v instead of "multiply"; an asset also names its "asset_type". Fields:
idea: benefit, probability_of_success; asset: build, run, feasibility; role: day_rate.
A multiplied probability or feasibility is capped at 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from valuechain.engine import chain

FIELDS: dict[str, tuple[str, ...]] = {
    "idea": ("benefit", "probability_of_success"),
    "asset": ("build", "run", "feasibility"),
    "role": ("day_rate",),
}
SHARES = {"probability_of_success", "feasibility"}  # values in [0, 1]
ASSET_TYPES = tuple(kind.value for kind in chain.AssetKind)
MAX_OVERRIDES = 500
MAX_FACTOR = 1000.0


@dataclass(frozen=True, slots=True)
class Override:
    target: str
    id: int
    field: str
    multiply: float | None = None
    value: float | None = None
    asset_type: str | None = None

    def apply(self, number: float) -> float:
        result = number * self.multiply if self.multiply is not None else float(self.value or 0)
        return min(result, 1.0) if self.field in SHARES else result

    def estimate(self, estimate: chain.Estimate) -> chain.Estimate:
        if self.multiply is not None:
            return estimate.scaled(self.multiply)
        return chain.Estimate.exact(float(self.value or 0))

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"target": self.target, "id": self.id, "field": self.field}
        if self.asset_type is not None:
            found["asset_type"] = self.asset_type
        if self.multiply is not None:
            found["multiply"] = self.multiply
        else:
            found["value"] = self.value
        return found

    @property
    def asset_key(self) -> chain.AssetKey:
        return (chain.AssetKind(self.asset_type or ""), self.id)


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def _one(raw: Any) -> tuple[Override | None, str | None]:
    """An override from JSON, or what is wrong with it."""
    if not isinstance(raw, Mapping):
        return None, "Each override is an object."
    unknown = set(raw) - {"target", "id", "field", "multiply", "value", "asset_type"}
    if unknown:
        return None, f"Unknown keys: {sorted(map(str, unknown))}."
    target = raw.get("target")
    if target not in FIELDS:
        return None, "target must be idea, asset or role."
    field = raw.get("field")
    if field not in FIELDS[target]:
        return None, f"field of a {target} must be one of {', '.join(FIELDS[target])}."
    pk = raw.get("id")
    if isinstance(pk, bool) or not isinstance(pk, int) or not 1 <= pk < 2**63:
        return None, "id must be a positive integer."
    asset_type = raw.get("asset_type")
    if target == "asset" and asset_type not in ASSET_TYPES:
        return None, f"An asset override names its asset_type: one of {', '.join(ASSET_TYPES)}."
    if target != "asset" and asset_type is not None:
        return None, "Only an asset override names an asset_type."
    if ("multiply" in raw) == ("value" in raw):
        return None, "Give either multiply or value."
    if "multiply" in raw:
        factor = _number(raw["multiply"])
        if factor is None or not 0 <= factor <= MAX_FACTOR:
            return None, f"multiply must be a number from 0 to {MAX_FACTOR:g}."
        return Override(target, pk, field, multiply=factor, asset_type=asset_type), None
    value = _number(raw["value"])
    top = 1.0 if field in SHARES else chain.MAX_MONEY
    if value is None or not 0 <= value <= top:
        return None, f"value of {field} must be a number from 0 to {top:g}."
    return Override(target, pk, field, value=value, asset_type=asset_type), None


def parse(raw: Any) -> tuple[list[Override], list[str]]:
    """Overrides from JSON, and a message per bad one (naming its position)."""
    if not isinstance(raw, list):
        return [], ["A list of overrides."]
    if len(raw) > MAX_OVERRIDES:
        return [], [f"At most {MAX_OVERRIDES} overrides."]
    found, errors = [], []
    for position, item in enumerate(raw):
        override, problem = _one(item)
        if problem is not None:
            errors.append(f"Override {position + 1}: {problem}")
        elif override is not None:
            found.append(override)
    return found, errors


def stored(raw: Iterable[Mapping[str, Any]]) -> list[Override]:
    """Overrides as a scenario stores them (checked when it was saved)."""
    return parse(list(raw))[0]


def day_rates(rates: Mapping[int, float], overrides: Sequence[Override]) -> dict[int, float]:
    changed = dict(rates)
    for o in overrides:
        if o.target == "role" and o.id in changed:
            changed[o.id] = o.apply(changed[o.id])
    return changed


def catalogue(
    live: Mapping[chain.AssetKey, chain.Asset], overrides: Sequence[Override]
) -> dict[chain.AssetKey, chain.Asset]:
    """A copy of the catalogue with the asset overrides applied; `live` is left as it is."""
    changed = dict(live)
    for o in overrides:
        if o.target != "asset" or o.asset_key not in changed:
            continue
        asset = changed[o.asset_key]
        if o.field == "feasibility":
            changed[o.asset_key] = replace(asset, feasibility=o.apply(asset.feasibility))
        elif o.field == "build":
            changed[o.asset_key] = replace(asset, build=o.estimate(asset.build))
        else:
            changed[o.asset_key] = replace(asset, run=o.estimate(asset.run))
    return changed


def ideas(live: Sequence[chain.Idea], overrides: Sequence[Override]) -> list[chain.Idea]:
    """Copies of the ideas with the idea overrides applied."""
    by_id = {o.id: [] for o in overrides if o.target == "idea"}  # type: dict[int, list[Override]]
    for o in overrides:
        if o.target == "idea":
            by_id[o.id].append(o)
    changed = []
    for idea in live:
        for o in by_id.get(idea.id, []):
            if o.field == "benefit":
                idea = replace(idea, benefit=o.estimate(idea.benefit))
            else:
                idea = replace(idea, probability=o.apply(idea.probability))
        changed.append(idea)
    return changed
