"""Bounded stores: each contract keeps its newest dead letters and valid records, pruned by
the hourly beat task; batch requests over the configured size are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from contracts.enforcement import retention, services
from contracts.models import DeadLetter, ValidRecord
from contracts.tasks import prune_contract_records
from tests.contracts.factories import GOOD, ContractVersionFactory, ValidationRunFactory

pytestmark = pytest.mark.django_db


def _fill(version: Any, dead: int, valid: int) -> Any:
    run = ValidationRunFactory(contract=version.contract, version=version)
    now = timezone.now()
    common = {"contract": version.contract, "run": run, "received_at": now}
    DeadLetter.objects.bulk_create(
        DeadLetter(**common, record_index=i, payload={"i": i}, errors=[]) for i in range(dead)
    )
    ValidRecord.objects.bulk_create(
        ValidRecord(**common, record_index=i, payload={"i": i}) for i in range(valid)
    )
    return version.contract


def test_each_contract_keeps_its_newest_dead_letters_and_valid_records():
    crowded = _fill(ContractVersionFactory(), dead=12, valid=9)
    small = _fill(ContractVersionFactory(), dead=2, valid=1)
    pruned = retention.enforce_retention(keep_dead_letters=5, keep_valid_records=4)
    assert (pruned.dead_letters, pruned.valid_records) == (7, 5)
    kept = DeadLetter.objects.filter(contract=crowded).order_by("record_index")
    assert [d.payload["i"] for d in kept] == [7, 8, 9, 10, 11]  # the newest five
    assert ValidRecord.objects.filter(contract=crowded).count() == 4
    assert DeadLetter.objects.filter(contract=small).count() == 2  # under the limit: untouched
    assert ValidRecord.objects.filter(contract=small).count() == 1


def test_the_beat_task_follows_the_settings_and_is_idempotent(settings):
    settings.VALUECHAIN = {**settings.VALUECHAIN, "KEEP_DEAD_LETTERS": 3, "KEEP_VALID_RECORDS": 2}
    contract = _fill(ContractVersionFactory(), dead=8, valid=6)
    assert prune_contract_records.apply().get() == {"dead_letters": 5, "valid_records": 4}
    assert prune_contract_records.apply().get() == {"dead_letters": 0, "valid_records": 0}
    assert DeadLetter.objects.filter(contract=contract).count() == 3
    assert ValidRecord.objects.filter(contract=contract).count() == 2


def test_the_beat_schedule_runs_the_pruning():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "contracts.tasks.prune_contract_records" in tasks


def test_negative_limits_are_refused():
    with pytest.raises(ValueError, match="negative"):
        retention.enforce_retention(keep_dead_letters=-1, keep_valid_records=0)


def test_a_batch_over_the_configured_record_cap_is_refused_and_stores_nothing(
    owner_client: Any, version: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(services, "MAX_BATCH_RECORDS", 3)
    response = owner_client.post(
        f"/api/contracts/{version.contract.pk}/validate/", [GOOD] * 4, format="json"
    )
    assert response.status_code in (400, 413), response.content
    assert "at most 3 records" in str(response.json()["records"])
    assert not DeadLetter.objects.exists() and not ValidRecord.objects.exists()
