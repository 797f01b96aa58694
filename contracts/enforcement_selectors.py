"""Reads of contract enforcement: runs, dead letters, breaches and alerts, each list in a fixed
number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet

from contracts.models import (
    Alert,
    DataContract,
    DeadLetter,
    SlaBreach,
    ValidationRun,
    ValidRecord,
)

RECENT = 5


def runs(contract: DataContract) -> QuerySet[ValidationRun]:
    # the stored batch can be large: never load it for a list
    return (
        ValidationRun.objects.filter(contract=contract)
        .select_related("version", "created_by")
        .defer("records")
        .order_by("-created_at", "-id")
    )


def dead_letters(contract: DataContract) -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(contract=contract).order_by("-id")


def valid_records(contract: DataContract) -> QuerySet[ValidRecord]:
    return ValidRecord.objects.filter(contract=contract).order_by("-id")


def breaches(contract: DataContract) -> QuerySet[SlaBreach]:
    return (
        SlaBreach.objects.filter(contract=contract)
        .select_related("version")
        .order_by("-detected_at", "-id")
    )


def alerts_for(user: User) -> QuerySet[Alert]:
    return (
        Alert.objects.filter(recipient=user)
        .select_related("breach__contract", "breach__version")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Enforcement:
    """What the contract page shows of enforcement: the latest runs, dead letters, breaches."""

    runs: list[ValidationRun]
    dead_letters: list[DeadLetter]
    breaches: list[SlaBreach]
    dead_letter_total: int


def enforcement_summary(contract: DataContract, recent: int = RECENT) -> Enforcement:
    return Enforcement(
        runs=list(runs(contract)[:recent]),
        dead_letters=list(dead_letters(contract)[:recent]),
        breaches=list(breaches(contract)[:recent]),
        dead_letter_total=dead_letters(contract).count(),
    )
