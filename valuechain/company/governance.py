"""The generated company's data contracts: a share of its raw and curated data is governed,
each contract with one published version, its consumers and a week of validation runs, and
some with SLA breaches. Contract health is then judged at the company's size as on the demo:
most ideas' lineage reaches a contract, a few contracts are drafts or deprecated, and some
dead-letter more than the health policy allows.

Written with bulk_create, in the company's transaction, after everything else: the same seed
gives the same catalogue and ideas with or without contracts.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from contracts.models import Consumer as ContractConsumer
from contracts.models import ContractVersion, DataContract, SlaBreach, ValidationRun

# Share of each kind's assets with a contract of their own: golden data first.
CONTRACT_SHARE = {"curated_dataset": 0.25, "raw_source": 0.15}
S = DataContract.Status
STATUS_SHARE = {S.ACTIVE: 0.8, S.DRAFT: 0.1, S.DEPRECATED: 0.1}
OWNER = {"curated_dataset": "chen", "raw_source": "dara"}
TEAM = {"curated_dataset": "Analytics engineering", "raw_source": "Data platform"}
CONSUMERS = ("Demand forecast", "Fraud scoring", "Finance reporting", "Churn model")
# A week of runs per active contract; this share of them dead-letter far above the policy.
RUNS_PER_CONTRACT = 3
NOISY_SHARE = 0.1
BREACH_SHARE = 0.1

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "id": {"type": "string", "maxLength": 64},
        "amount": {"type": "number", "minimum": 0},
        "occurred_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "occurred_at"],
}
SLA = {
    "production_use": True,
    "max_lateness": {"value": 2, "unit": "h"},
    "freshness": {"value": 1, "unit": "d"},
}


def build_contracts(
    rng: random.Random, catalogue: dict[str, list[Any]], people: dict[str, User]
) -> int:
    """Contracts on a share of the curated datasets and raw sources; returns how many."""
    contracts = DataContract.objects.bulk_create(
        DataContract(
            name=f"{asset.name.replace('_', ' ').capitalize()} contract",
            asset_type=kind,
            asset_id=asset.pk,
            owner=people[OWNER[kind]],
            producer_team=TEAM[kind],
            purpose=f"What {asset.name.replace('_', ' ')} promises its consumers.",
            status=rng.choices(list(STATUS_SHARE), list(STATUS_SHARE.values()))[0],
        )
        for kind, share in CONTRACT_SHARE.items()
        for asset in catalogue[kind]
        if rng.random() < share
    )
    now = timezone.now()
    versions = ContractVersion.objects.bulk_create(
        ContractVersion(
            contract=contract,
            version="1.0.0",
            major=1,
            minor=0,
            patch=0,
            json_schema=SCHEMA,
            sla=SLA,
            compatibility_mode=contract.compatibility_mode,
            change_notes="First published contract.",
            # drafts have a version still to publish
            published_at=None if contract.status == S.DRAFT else now - timedelta(days=30),
            created_by=contract.owner,
        )
        for contract in contracts
    )
    ContractConsumer.objects.bulk_create(
        ContractConsumer(contract=contract, name=name, pinned_major=1)
        for contract in contracts
        for name in rng.sample(CONSUMERS, rng.randint(1, 2))
    )
    _activity(rng, [(c, v) for c, v in zip(contracts, versions, strict=True)], now)
    return len(contracts)


def _activity(
    rng: random.Random, pairs: list[tuple[DataContract, ContractVersion]], now: Any
) -> None:
    """Validation runs of the last week for the active contracts, a few far over the
    dead-letter policy, and a lateness breach on some."""
    runs, breaches = [], []
    for contract, version in pairs:
        if contract.status != S.ACTIVE:
            continue
        noisy = rng.random() < NOISY_SHARE
        for _ in range(RUNS_PER_CONTRACT):
            received = rng.randint(500, 20_000)
            dead = round(received * (rng.uniform(0.08, 0.2) if noisy else rng.uniform(0, 0.01)))
            at = now - timedelta(hours=rng.uniform(1, 6 * 24))
            runs.append(
                ValidationRun(
                    contract=contract,
                    version=version,
                    source=ValidationRun.Source.STREAM,
                    status=ValidationRun.Status.SUCCEEDED,
                    stream=f"contracts:{contract.pk}:records",
                    received_at=at,
                    received_count=received,
                    valid_count=received - dead,
                    dead_letter_count=dead,
                    processed=received,
                    attempts=1,
                    started_at=at,
                    finished_at=at + timedelta(seconds=rng.uniform(1, 30)),
                )
            )
        if rng.random() < BREACH_SHARE:
            late = rng.uniform(3, 12) * 3600
            breaches.append(
                SlaBreach(
                    contract=contract,
                    version=version,
                    kind=SlaBreach.Kind.LATENESS,
                    observed=late,
                    limit=2 * 3600,
                    unit="seconds",
                    records=rng.randint(10, 400),
                    detail=f"Records arrived up to {late / 3600:.1f} h late; the SLA allows 2 h.",
                    key=f"lateness:{contract.pk}",
                    detected_at=now - timedelta(hours=rng.uniform(1, 5 * 24)),
                )
            )
    ValidationRun.objects.bulk_create(runs, batch_size=2000)
    SlaBreach.objects.bulk_create(breaches)
