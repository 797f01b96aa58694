"""SLA durations: the one place that reads a duration and compares two promises. Pure Python.

A duration is ``{"value": 2, "unit": "h"}`` (the registry's and ODCS's form: the value may be
numeric text, the unit defaults to seconds) or text such as "15m", "1 day" or "2 hours". Anything
else is not a duration and reads as None: a cron schedule (an ODCS quality schedule), a negative
or non-finite amount, an unknown unit. Enforcement measures with these seconds and the version
plan compares promises with them, so a promise reads the same in both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

UNIT_SECONDS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "mo": 2592000, "month": 2592000, "months": 2592000,
    "y": 31536000, "yr": 31536000, "year": 31536000, "years": 31536000,
}  # fmt: skip
# The units the registry's API offers for an SLA duration (each one is in UNIT_SECONDS).
UNITS = ("s", "m", "min", "h", "d", "day", "days", "w", "mo", "y", "yr", "years")
_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")

# What a bigger value makes of each promise: a later or staler delivery is a weaker promise,
# a longer retention a stronger one.
BIGGER_IS: dict[str, Literal["weaker", "stronger"]] = {
    "max_lateness": "weaker",
    "freshness": "weaker",
    "retention": "stronger",
}
PromiseChange = Literal["weaker", "stronger", "changed"]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def duration_seconds(value: Any) -> float | None:
    """Seconds of ``{"value": 2, "unit": "h"}`` or of text like "15m", "1 day"; None when it
    is not a duration (e.g. a cron schedule)."""
    amount: Any
    if isinstance(value, Mapping):
        amount, unit = value.get("value"), str(value.get("unit") or "s").lower()
        if isinstance(amount, str):
            try:
                amount = float(amount)
            except ValueError:
                return None
    elif isinstance(value, str):
        match = _DURATION_TEXT.match(value)
        if not match:
            return None
        amount, unit = float(match.group(1)), match.group(2).lower()
    else:
        return None
    if not _is_number(amount) or not math.isfinite(amount) or amount < 0:
        return None
    factor = UNIT_SECONDS.get(unit)
    return None if factor is None else float(amount) * factor


def compare_promise(term: str, before: Any, after: Any) -> PromiseChange | None:
    """How the promise ``term`` (a key of BIGGER_IS) moves from ``before`` to ``after``:
    "weaker", "stronger", "changed" when either side is not a duration, or None when it stays
    the same (1 h and 60 m are the same promise)."""
    a, b = duration_seconds(before), duration_seconds(after)
    if a == b and (a is not None or before == after):
        return None
    if a is None or b is None:
        return "changed"
    weaker = (b > a) if BIGGER_IS[term] == "weaker" else (b < a)
    return "weaker" if weaker else "stronger"


def duration_text(value: Any) -> str:
    """A duration as written: "2 h" for ``{"value": 2, "unit": "h"}``, text as it stands,
    "none" for anything else."""
    if isinstance(value, Mapping):
        return f"{value.get('value')} {value.get('unit') or ''}".strip()
    if isinstance(value, str) and value.strip():
        return value.strip()
    return "none"
