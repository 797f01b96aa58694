"""The term changes a new version reports: an SLA duration that grows is a weaker promise."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.models import ContractVersion
from contracts.registry.terms import term_changes_between
from tests.contracts.odcs_samples import NESTED


def _freshness_change(before: Any, after: Any) -> list[dict[str, Any]]:
    latest = ContractVersion(semantics={}, sla={"freshness": before}, missing_thresholds=[])
    return term_changes_between(latest, {"sla": {"freshness": after}})


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        ({"value": 2, "unit": "h"}, {"value": 4, "unit": "h"}, "2 h -> 4 h"),
        ({"value": 2, "unit": "hours"}, {"value": 4, "unit": "hours"}, "2 hours -> 4 hours"),
        ({"value": 2, "unit": "hr"}, {"value": 4, "unit": "hr"}, "2 hr -> 4 hr"),
        ({"value": "2", "unit": "h"}, {"value": "4", "unit": "h"}, "2 h -> 4 h"),
        ("2h", "4h", "2h -> 4h"),
        ({"value": 2, "unit": "h"}, {"value": 240, "unit": "m"}, "2 h -> 240 m"),
    ],
)
def test_a_freshness_promise_from_2_h_to_4_h_is_weaker(before: Any, after: Any, shown: str) -> None:
    assert _freshness_change(before, after) == [
        {
            "type": "sla_changed",
            "path": "/sla/freshness",
            "breaking": False,
            "message": f"freshness {shown} (weaker promise)",
        }
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"value": 4, "unit": "h"}, {"value": 2, "unit": "h"}),
        ({"value": 4, "unit": "hours"}, {"value": 2, "unit": "hours"}),
        ("4h", "2 hours"),
    ],
)
def test_a_freshness_promise_from_4_h_to_2_h_is_stronger(before: Any, after: Any) -> None:
    (change,) = _freshness_change(before, after)
    assert change["message"].endswith("(stronger promise)")


def test_the_same_promise_in_other_units_is_no_change() -> None:
    assert _freshness_change({"value": 2, "unit": "hours"}, {"value": 120, "unit": "m"}) == []


def _odcs(version: str, freshness: str) -> bytes:
    value, unit = freshness.split()
    return (
        NESTED.replace("version: 2.3.0", f"version: {version}")
        .replace(
            "  - property: frequency\n    value: 1\n    unit: h",
            f"  - property: frequency\n    value: {value}\n    unit: {unit}",
        )
        .encode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "how"),
    [("2 hours", "4 hours", "weaker"), ("4 hours", "2 hours", "stronger")],
)
def test_an_odcs_import_reports_the_freshness_promise_it_changes(
    api_client_for: Any, lead_user: Any, first: str, second: str, how: str
) -> None:
    client = api_client_for(lead_user)
    for version, freshness in (("2.3.0", first), ("2.4.0", second)):
        response = client.post(
            "/api/contracts/import/", _odcs(version, freshness), content_type="application/yaml"
        )
        assert response.status_code == 201, response.json()
    latest = ContractVersion.objects.get(version="2.4.0")
    assert [c["message"] for c in latest.changes if c["path"] == "/sla/freshness"] == [
        f"freshness {first} -> {second} ({how} promise)"
    ]
