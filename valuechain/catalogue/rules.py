"""The catalogue's rules, in plain Python (no Django), so that the models, the services, the
API, the pages and the bulk import all ask the same place.

- Lineage: which kind of asset is made from which (a feature from curated datasets, a curated
  dataset from raw sources, a raw source through at most one acquisition option).
- An acquisition option is never available: it brings data in that the company lacks.
- An asset without its own feasibility takes its tier's default (certain without one).

The order of a three-point estimate is stated once, by valuechain.engine.chain.estimate_problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FEATURE = "feature"
CURATED_DATASET = "curated_dataset"
RAW_SOURCE = "raw_source"
ACQUISITION_OPTION = "acquisition_option"

NEVER_AVAILABLE = "An acquisition option is never available."


def availability_problem(kind: str, available: bool | None) -> str | None:
    """What is wrong with an asset of `kind` being `available`, or None."""
    if kind == ACQUISITION_OPTION and available:
        return NEVER_AVAILABLE
    return None


def feasibility_of(own: float | None, tier: int, tier_defaults: Mapping[int, float]) -> float:
    """The chance an asset's build succeeds: its own, else its tier's default, else 1."""
    if own is not None:
        return own
    return tier_defaults.get(tier, 1.0)


@dataclass(frozen=True, slots=True)
class Lineage:
    """How one kind of asset names the assets it is made from."""

    kind: str  # the downstream kind
    field: str  # its field holding the inputs (a many-to-many, or one foreign key)
    upstream: str  # the kind of the inputs
    many: bool  # a list of inputs, or at most one
    users: str  # the reverse name on an input: the downstream assets made from it


LINEAGE: dict[str, Lineage] = {
    FEATURE: Lineage(FEATURE, "curated_datasets", CURATED_DATASET, True, "features"),
    CURATED_DATASET: Lineage(CURATED_DATASET, "raw_sources", RAW_SOURCE, True, "curated_datasets"),
    RAW_SOURCE: Lineage(RAW_SOURCE, "acquisition_option", ACQUISITION_OPTION, False, "raw_sources"),
}
# Keyed by the upstream kind: what uses an asset of that kind as input.
USED_BY: dict[str, Lineage] = {lineage.upstream: lineage for lineage in LINEAGE.values()}
