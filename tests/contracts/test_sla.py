"""SLA durations: one reading of a duration for enforcement and for the version plan."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.sla import UNIT_SECONDS, UNITS, compare_promise, duration_seconds, duration_text


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ({"value": 4, "unit": "d"}, 4 * 86400),
        ({"value": "90", "unit": "min"}, 5400),
        ({"value": 2, "unit": "h"}, 7200),
        ("15m", 900),
        ("1 day", 86400),
        ("0 20 * * *", None),
        ({"value": -1, "unit": "d"}, None),
        ({"value": 1, "unit": "fortnight"}, None),
        (None, None),
    ],
)
def test_durations(value: Any, seconds: float | None) -> None:
    assert duration_seconds(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        {"value": 2, "unit": "h"},
        {"value": 2.0, "unit": "H"},
        {"value": 2, "unit": "hr"},
        {"value": 2, "unit": "hours"},
        {"value": "2", "unit": "hour"},
        {"value": 120, "unit": "min"},
        {"value": 120, "unit": "minutes"},
        {"value": 7200},
        "2h",
        "2 hours",
        " 120 m ",
        "7200s",
    ],
)
def test_every_written_form_of_two_hours_reads_the_same(value: Any) -> None:
    assert duration_seconds(value) == 7200


def test_the_api_units_are_all_read() -> None:
    assert set(UNITS) <= set(UNIT_SECONDS)
    assert all(duration_seconds({"value": 1, "unit": unit}) for unit in UNITS)


@pytest.mark.parametrize(
    ("term", "before", "after", "expected"),
    [
        ("freshness", {"value": 2, "unit": "h"}, {"value": 4, "unit": "h"}, "weaker"),
        ("freshness", {"value": 4, "unit": "h"}, {"value": 2, "unit": "h"}, "stronger"),
        ("freshness", {"value": 2, "unit": "hours"}, {"value": 4, "unit": "hours"}, "weaker"),
        ("freshness", "4h", "2h", "stronger"),
        ("max_lateness", {"value": 2, "unit": "h"}, "240 minutes", "weaker"),
        ("retention", {"value": 1, "unit": "y"}, {"value": 2, "unit": "years"}, "stronger"),
        ("retention", {"value": 2, "unit": "y"}, {"value": 1, "unit": "y"}, "weaker"),
        ("freshness", {"value": 1, "unit": "h"}, {"value": 60, "unit": "m"}, None),
        ("freshness", None, None, None),
        ("freshness", None, {"value": 1, "unit": "h"}, "changed"),
        ("freshness", {"value": 1, "unit": "d"}, "0 20 * * *", "changed"),
    ],
)
def test_promises_compare_by_their_seconds(
    term: str, before: Any, after: Any, expected: str | None
) -> None:
    assert compare_promise(term, before, after) == expected


def test_durations_are_shown_as_written() -> None:
    assert duration_text({"value": 2, "unit": "h"}) == "2 h"
    assert duration_text({"value": 120.0, "unit": "m"}) == "120.0 m"
    assert duration_text(" 2 hours ") == "2 hours"
    assert duration_text(None) == "none"
