"""Judging a record for every reader: the producer's latest version and each consumer's pinned
one, on the demo's Orders contract (Finance monthly close still reads v1)."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.enforcement import routing, selectors, services
from contracts.models import DataContract, DeadLetter, ValidRecord
from valuechain.demo import load_demo

V1_LINE: dict[str, Any] = {
    "order_id": 104_233,
    "line_number": 1,
    "customer_id": "C-88",
    "sku": "GRD-HOSE-25",
    "quantity": 2,
    "unit_price": 19.9,
    "currency": "EUR",
    "status": "paid",
    "ordered_at": "2026-03-01T10:00:00Z",
}
V2_LINE = {**V1_LINE, "order_id": "HM-2026-104233"}


def _ref(pk: int, version: str, schema: Any) -> routing.VersionRef:
    return routing.VersionRef(pk, version, int(version.split(".")[0]), schema)


def test_each_consumer_is_judged_by_the_newest_version_of_its_major() -> None:
    integer = {"properties": {"id": {"type": "integer"}}}
    text = {"properties": {"id": {"type": "string"}}}
    v1, v11, v2 = _ref(1, "1.0.0", integer), _ref(2, "1.1.0", integer), _ref(3, "2.0.0", text)
    plan = routing.build_plan([v1, v11, v2], {"Finance": 1, "Fraud": 2, "Nobody yet": 3}, latest=v2)
    assert [(t.ref.version, t.consumers, t.latest) for t in plan.targets] == [
        ("2.0.0", ("Fraud",), True),
        ("1.1.0", ("Finance",), False),
    ]
    verdict = routing.judge_record(plan, {"id": 7})
    assert (verdict.valid_for_latest, verdict.dead) == (False, True)
    assert (verdict.rejected_by, verdict.accepted_by) == (["Fraud"], ["Finance"])
    assert verdict.accepting_majors == [1]
    assert verdict.rejections[0]["version"] == "2.0.0" and verdict.rejections[0]["latest"]
    both = routing.judge_record(plan, {"id": "7"})
    assert (both.valid_for_latest, both.rejected_by, both.accepted_by) == (
        True,
        ["Finance"],
        ["Fraud"],
    )
    assert not routing.judge_record(plan, {}).dead  # valid for every reader


@pytest.mark.django_db
def test_on_the_demo_finance_monthly_close_gets_its_v1_shaped_records() -> None:
    load_demo()
    orders = DataContract.objects.get(odcs_id="hafen-orders")
    plan = selectors.judging_plan(orders)
    assert {t.ref.version: t.consumers for t in plan.targets} == {
        "2.0.0": ("Garden season demand forecast", "Payment fraud scoring model"),
        "1.1.0": ("Finance monthly close",),
    }
    run, _ = services.validate_batch_now_or_later(
        contract=orders, records=[V1_LINE, V2_LINE], source="api"
    )
    v1_letter = DeadLetter.objects.get(run=run, record_index=0)
    assert v1_letter.accepted_by == ["Finance monthly close"]
    assert v1_letter.rejected_by == [
        "Garden season demand forecast",
        "Payment fraud scoring model",
    ]
    v2_letter = DeadLetter.objects.get(run=run, record_index=1)
    assert v2_letter.rejected_by == ["Finance monthly close"]
    # the v2 line is valid for the producer's latest version: it goes on to the valid store
    assert ValidRecord.objects.filter(run=run).count() == 1
    assert run.consumer_rejections["Finance monthly close"] == {"version": "1.1.0", "rejected": 1}
