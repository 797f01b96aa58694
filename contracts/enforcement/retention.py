"""Bounded stores: each contract keeps its newest dead letters and valid records only.

Celery beat runs `enforce_retention` (contracts.tasks.prune_contract_records) every hour; the
limits come from settings (VALUECHAIN_KEEP_DEAD_LETTERS, VALUECHAIN_KEEP_VALID_RECORDS).
Running it twice deletes nothing more the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from contracts.models import DataContract, DeadLetter, ValidRecord


@dataclass(frozen=True)
class Pruned:
    contracts: int
    dead_letters: int
    valid_records: int


def _prune(model: type[DeadLetter] | type[ValidRecord], contract_id: int, keep: int) -> int:
    """Deletes the contract's rows older than its newest `keep` (ids grow with arrival)."""
    boundary = list(
        model.objects.filter(contract_id=contract_id)
        .order_by("-id")
        .values_list("id", flat=True)[keep : keep + 1]
    )
    if not boundary:
        return 0
    deleted, _ = model.objects.filter(contract_id=contract_id, id__lte=boundary[0]).delete()
    return deleted


@transaction.atomic
def prune_contract(*, contract_id: int, keep_dead_letters: int, keep_valid_records: int) -> Pruned:
    return Pruned(
        contracts=1,
        dead_letters=_prune(DeadLetter, contract_id, keep_dead_letters),
        valid_records=_prune(ValidRecord, contract_id, keep_valid_records),
    )


def enforce_retention(
    *, keep_dead_letters: int | None = None, keep_valid_records: int | None = None
) -> Pruned:
    """Prunes every contract to the configured (or given) limits; one transaction each."""
    keep_dead = (
        settings.VALUECHAIN["KEEP_DEAD_LETTERS"] if keep_dead_letters is None else keep_dead_letters
    )
    keep_valid = (
        settings.VALUECHAIN["KEEP_VALID_RECORDS"]
        if keep_valid_records is None
        else keep_valid_records
    )
    if keep_dead < 0 or keep_valid < 0:
        raise ValueError("retention limits cannot be negative")
    dead = valid = 0
    ids = list(DataContract.objects.order_by("pk").values_list("pk", flat=True))
    for contract_id in ids:
        pruned = prune_contract(
            contract_id=contract_id, keep_dead_letters=keep_dead, keep_valid_records=keep_valid
        )
        dead += pruned.dead_letters
        valid += pruned.valid_records
    return Pruned(contracts=len(ids), dead_letters=dead, valid_records=valid)
