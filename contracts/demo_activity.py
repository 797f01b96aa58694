"""Recent enforcement activity of the demo contracts (Hafen Market), so contract health varies.

Validation runs of the last days with a few dead letters (the payments feed dead-letters more
than the threshold allows), one SLA breach in the window (the product catalogue arrived stale)
and one older breach outside it. Two more contracts: the product catalogue (active) and the
credit bureau's scores (a draft still under negotiation). Idempotent: a run is found by its
contract and file name, a breach by its contract and key; their times are set again relative to
now on every load, so the demo always shows recent behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from contracts.demo import (
    DRAFT_2020_12,
    MONEY,
    TEXT,
    WHEN,
    ContractSpec,
    VersionSpec,
    duration,
    missing,
    record,
)
from contracts.models import ContractVersion, DataContract, DeadLetter, SlaBreach, ValidationRun

PRODUCTS_V1 = record(
    "Product",
    {
        "sku": {"type": "string", "maxLength": 40},
        "title": TEXT,
        "category_path": {"type": "array", "items": TEXT},
        "list_price": MONEY,
        "image_url": {"type": ["string", "null"]},
        "updated_at": WHEN,
    },
    ["sku", "title", "category_path", "list_price", "updated_at"],
)
CREDIT_V0 = {
    "$schema": DRAFT_2020_12,
    "title": "Buyer credit score",
    "type": "object",
    "properties": {"buyer_ref": TEXT, "band": {"enum": ["A", "B", "C", "D", "E"]}},
    "required": ["buyer_ref", "band"],
}

MORE_CONTRACTS = (
    ContractSpec(
        odcs_id="hafen-products",
        name="Product catalogue",
        asset_type="curated_dataset",
        asset="products",
        owner="chen",
        producer_team="Analytics engineering",
        purpose="Every listed product with its category path, price and main image.",
        status=DataContract.Status.ACTIVE,
        versions=(
            VersionSpec(
                "1.0.0",
                PRODUCTS_V1,
                "First published contract.",
                {"production_use": True, "freshness": duration(6, "h")},
                [missing("image_url", 0.05, metric="nullValues")],
            ),
        ),
        consumers=(("Search relevance team", 1),),
    ),
    ContractSpec(
        odcs_id="hafen-crediscore",
        name="CrediScore buyer scores",
        asset_type="acquisition_option",
        asset="CrediScore buyer risk scores",
        owner="lead",
        producer_team="CrediScore (vendor)",
        purpose="Proposed: the bureau's risk band per buyer. Terms still under negotiation.",
        status=DataContract.Status.DRAFT,
        versions=(
            VersionSpec(
                "0.1.0",
                CREDIT_V0,
                "Draft for the vendor's review.",
                {"production_use": False, "freshness": duration(1, "d")},
                published=False,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class RunSpec:
    contract: str  # odcs id
    filename: str
    days_ago: float
    valid: int
    dead: int


# What a dead-lettered record of each contract looked like, and the rule it broke.
BAD_RECORDS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "hafen-orders": (
        {"order_id": "HM-2025-00012", "line_number": 1, "sku": "GRD-HOSE-25", "quantity": 0},
        {
            "pointer": "/quantity",
            "schema_pointer": "/properties/quantity/minimum",
            "message": "0 is less than the minimum of 1",
        },
    ),
    "hafen-payments": (
        {"payment_id": "psp_8812", "order_id": 88120, "method": "voucher", "amount": 19.9},
        {
            "pointer": "/method",
            "schema_pointer": "/properties/method/enum",
            "message": "'voucher' is not one of ['card', 'paypal', 'invoice', 'instalments']",
        },
    ),
    "hafen-sessions": (
        {"session_id": "s-77a1", "started_at": "2025-04-02T09:12:00Z", "page_views": -1},
        {
            "pointer": "/page_views",
            "schema_pointer": "/properties/page_views/minimum",
            "message": "-1 is less than the minimum of 0",
        },
    ),
    "hafen-products": (
        {"sku": "LGT-SOLAR-4", "title": "Solar lights", "list_price": -4.5},
        {
            "pointer": "/list_price",
            "schema_pointer": "/properties/list_price/minimum",
            "message": "-4.5 is less than the minimum of 0",
        },
    ),
}


# Payments: 260 of 4,000 records dead-lettered (6.5 %), above the 5 % a healthy contract keeps.
RUNS = (
    RunSpec("hafen-orders", "orders-daily-1.jsonl", 1, 11_982, 18),
    RunSpec("hafen-orders", "orders-daily-2.jsonl", 2, 12_410, 9),
    RunSpec("hafen-payments", "payments-settlement.jsonl", 1, 3_740, 260),
    RunSpec("hafen-sessions", "sessions-hourly.jsonl", 0.5, 48_000, 31),
    RunSpec("hafen-customers-360", "customers-nightly.jsonl", 1, 9_500, 0),
    RunSpec("hafen-products", "products-sync.jsonl", 2, 6_200, 4),
)


@dataclass(frozen=True)
class BreachSpec:
    contract: str
    key: str
    kind: str
    days_ago: float
    observed: float
    limit: float
    detail: str


BREACHES = (
    BreachSpec(
        "hafen-products",
        "demo:freshness:products",
        SlaBreach.Kind.FRESHNESS,
        2,
        14 * 3600,
        6 * 3600,
        "The newest product record was 14 hours old; the contract promises 6.",
    ),
    # outside the window: the sessions pipeline was late once, weeks ago
    BreachSpec(
        "hafen-sessions",
        "demo:lateness:sessions",
        SlaBreach.Kind.LATENESS,
        30,
        3 * 3600,
        3600,
        "Sessions arrived three hours late after the collector outage; one hour is allowed.",
    ),
)


def _dead_letters(run: ValidationRun, spec: RunSpec) -> None:
    """The run's dead letters, one per dead-lettered record, each once (by its index)."""
    if not spec.dead:
        return
    payload, error = BAD_RECORDS[spec.contract]
    step = (spec.valid + spec.dead) // spec.dead  # spread over the batch
    DeadLetter.objects.bulk_create(
        [
            DeadLetter(
                contract=run.contract,
                run=run,
                version=run.version,
                record_index=i * step,
                received_at=run.received_at,
                payload=payload,
                errors=[error],
            )
            for i in range(spec.dead)
        ],
        ignore_conflicts=True,
    )
    DeadLetter.objects.filter(run=run).update(received_at=run.received_at)


@transaction.atomic
def load_demo_activity() -> dict[str, int]:
    """Create or refresh the demo's validation runs and SLA breaches."""
    now = timezone.now()
    contracts = {
        c.odcs_id: c
        for c in DataContract.objects.filter(
            odcs_id__in={s.contract for s in (*RUNS, *BREACHES)}
        ).prefetch_related("versions")
    }

    def latest(contract: DataContract) -> ContractVersion:
        published = [v for v in contract.versions.all() if v.published_at is not None]
        return max(published, key=lambda v: (v.major, v.minor, v.patch))

    for spec in RUNS:
        contract = contracts[spec.contract]
        at = now - timedelta(days=spec.days_ago)
        run, _ = ValidationRun.objects.update_or_create(
            contract=contract,
            filename=spec.filename,
            defaults={
                "version": latest(contract),
                "source": ValidationRun.Source.UPLOAD,
                "status": ValidationRun.Status.SUCCEEDED,
                "received_at": at,
                "received_count": spec.valid + spec.dead,
                "valid_count": spec.valid,
                "dead_letter_count": spec.dead,
                "processed": spec.valid + spec.dead,
                "attempts": 1,
                "started_at": at,
                "finished_at": at + timedelta(minutes=3),
            },
        )
        _dead_letters(run, spec)
    for breach in BREACHES:
        contract = contracts[breach.contract]
        at = now - timedelta(days=breach.days_ago)
        SlaBreach.objects.update_or_create(
            contract=contract,
            key=breach.key,
            defaults={
                "version": latest(contract),
                "kind": breach.kind,
                "observed": breach.observed,
                "limit": breach.limit,
                "unit": "seconds",
                "window_start": at - timedelta(hours=1),
                "window_end": at,
                "detail": breach.detail,
                "detected_at": at,
            },
        )
    return {"validation runs": len(RUNS), "SLA breaches": len(BREACHES)}
