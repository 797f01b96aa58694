"""The scales product managers score ideas on: RICE impact, WSJF's relative parts, reach.

Kept apart from scoring so that the models can name them without loading the solver.
"""

from __future__ import annotations

import math

# Intercom's RICE impact scale: how much the idea moves each person it reaches.
IMPACT_SCALE: tuple[tuple[float, str], ...] = (
    (3.0, "massive"),
    (2.0, "high"),
    (1.0, "medium"),
    (0.5, "low"),
    (0.25, "minimal"),
)
# SAFe's relative scale (modified Fibonacci) for the parts of the cost of delay.
WSJF_SCALE: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 20)
MAX_REACH = 1_000_000_000


def impact_problem(impact: float | None) -> str | None:
    if impact is None or any(math.isclose(impact, value) for value, _ in IMPACT_SCALE):
        return None
    allowed = ", ".join(f"{value:g} ({label})" for value, label in IMPACT_SCALE)
    return f"Impact is one of {allowed}."


def wsjf_problem(value: float | None) -> str | None:
    if value is None or value in WSJF_SCALE:
        return None
    return f"Use the relative scale {', '.join(str(v) for v in WSJF_SCALE)}."
