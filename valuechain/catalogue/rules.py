"""The catalogue's lineage, in plain Python (no Django), so that the services, the API, the
pages and the bulk import all ask the same place: which kind of asset is made from which (a
feature from curated datasets, a curated dataset from raw sources, a raw source through at most
one acquisition option), under which field names.

The value chain's own rules (an acquisition option is never available, a feasibility defaults
to its tier's, the order of a three-point estimate) are stated once in valuechain.engine.chain.
"""

from __future__ import annotations

from dataclasses import dataclass

FEATURE = "feature"
CURATED_DATASET = "curated_dataset"
RAW_SOURCE = "raw_source"
ACQUISITION_OPTION = "acquisition_option"


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
