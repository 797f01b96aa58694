"""The prover assembled from its rule rooms, and its entry point."""

from __future__ import annotations

from typing import Any

from contracts.compatibility.index import SchemaIndex
from contracts.compatibility.proof import Failure
from contracts.compatibility.proof_objects import ObjectRules


class Prover(ObjectRules):
    """Sets (proof_sets.py) > values (proof_values.py) > objects (proof_objects.py)."""


def prove(
    old: Any, new: Any, indexes: tuple[SchemaIndex, SchemaIndex] | None = None
) -> tuple[bool, list[Failure]]:
    """(proven, failures) of "every document valid under ``old`` is valid under ``new``";
    both schemas in the internal form (dialects.internal_form), with their indexes."""
    prover = Prover(old, new, indexes)
    ok = prover.sub(old, new, ())
    return ok, prover.failures
