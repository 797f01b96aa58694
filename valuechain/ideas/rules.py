"""The rules of an idea's needs, in plain Python (no Django), asked by the model, the
services, the idea form and the API alike."""

from __future__ import annotations

WEIGHT_NOT_POSITIVE = "A weight must be greater than 0."


def weight_problem(weight: float | None) -> str | None:
    """A need's weight is its share of the idea's benefit: a number greater than 0."""
    if weight is None or not weight > 0:
        return WEIGHT_NOT_POSITIVE
    return None
