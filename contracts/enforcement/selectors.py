"""Reads of contract enforcement: the version records are held to, runs, dead letters, valid
records, breaches and alerts, each list in a fixed number of queries whatever its length."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from contracts import health
from contracts.enforcement import routing
from contracts.models import (
    Alert,
    Consumer,
    ContractVersion,
    DataContract,
    DeadLetter,
    DeadLetterAction,
    SlaBreach,
    ValidationRun,
    ValidRecord,
)

RECENT = 5


class NoPublishedVersionError(Exception):
    """Records can only be held to a published version."""


def enforced_version(contract: DataContract) -> ContractVersion:
    """The version records are held to: the latest published one."""
    version = (
        ContractVersion.objects.filter(contract=contract, published_at__isnull=False)
        .order_by("major", "minor", "patch")
        .last()
    )
    if version is None:
        raise NoPublishedVersionError(
            "This contract has no published version to validate records against."
        )
    return version


def _ref(version: ContractVersion) -> routing.VersionRef:
    return routing.VersionRef(version.pk, version.version, version.major, version.json_schema)


def judging_plan(contract: DataContract | int) -> routing.Plan:
    """Who judges the contract's records now: its latest published version and each consumer's
    pinned one (two queries; the schemas are compiled once per process)."""
    contract_id = contract if isinstance(contract, int) else contract.pk
    published = list(
        ContractVersion.objects.filter(contract_id=contract_id, published_at__isnull=False)
        .only("id", "version", "major", "minor", "patch", "json_schema")
        .order_by("major", "minor", "patch")
    )
    if not published:
        raise NoPublishedVersionError(
            "This contract has no published version to validate records against."
        )
    pinned = dict(
        Consumer.objects.filter(contract_id=contract_id).values_list("name", "pinned_major")
    )
    refs = [_ref(v) for v in published]
    return routing.build_plan(refs, pinned, latest=refs[-1])


def published_versions(contract: DataContract) -> list[ContractVersion]:
    return list(
        ContractVersion.objects.filter(contract=contract, published_at__isnull=False)
        .only("id", "version", "major", "minor", "patch")
        .order_by("major", "minor", "patch")
    )


def published_version(contract: DataContract, version: str | None) -> ContractVersion:
    """A published version of the contract by its number (the latest when None); LookupError
    when there is none such."""
    if not version:
        return enforced_version(contract)
    found = ContractVersion.objects.filter(
        contract=contract, version=version, published_at__isnull=False
    ).first()
    if found is None:
        raise LookupError(f"The contract has no published version {version}.")
    return found


def runs(contract: DataContract) -> QuerySet[ValidationRun]:
    # the stored batch can be large: never load it for a list
    return (
        ValidationRun.objects.filter(contract=contract)
        .select_related("version", "created_by")
        .defer("records")
        .order_by("-created_at", "-id")
    )


def dead_letters(
    contract: DataContract,
    *,
    run_id: int | None = None,
    status: str = "",
    version: str = "",
    consumer: str = "",
) -> QuerySet[DeadLetter]:
    """The contract's dead letters, newest first, by run, status, the version that judged
    them and a consumer that rejects them."""
    rows = DeadLetter.objects.filter(contract=contract).select_related("version").order_by("-id")
    if run_id is not None:
        rows = rows.filter(run_id=run_id)
    if status:
        rows = rows.filter(status=status)
    if version:
        rows = rows.filter(version__version=version)
    if consumer:
        # a JSON list of names: match the quoted name (portable across SQLite and PostgreSQL)
        rows = rows.filter(rejected_by__icontains=json.dumps(consumer))
    return rows


def dead_letter(contract: DataContract, pk: int) -> DeadLetter:
    return DeadLetter.objects.select_related("version", "replayed_version").get(
        contract=contract, pk=pk
    )


def dead_letter_actions(dead_letter: DeadLetter) -> QuerySet[DeadLetterAction]:
    return (
        DeadLetterAction.objects.filter(dead_letter=dead_letter)
        .select_related("user", "version")
        .order_by("-created_at", "-id")
    )


def status_counts(contract: DataContract) -> dict[str, int]:
    counts = dict(
        DeadLetter.objects.filter(contract=contract)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {s: int(counts.get(s, 0)) for s in DeadLetter.Status.values}


def run_dead_letters(run: ValidationRun) -> QuerySet[DeadLetter]:
    """A run's dead letters in the order of its records."""
    return dead_letters(run.contract).filter(run=run).order_by("record_index")


def valid_records(contract: DataContract, *, run_id: int | None = None) -> QuerySet[ValidRecord]:
    rows = ValidRecord.objects.filter(contract=contract).order_by("-id")
    return rows if run_id is None else rows.filter(run_id=run_id)


def breaches(
    contract: DataContract, *, kind: str = "", run_id: int | None = None
) -> QuerySet[SlaBreach]:
    rows = (
        SlaBreach.objects.filter(contract=contract)
        .select_related("version")
        .order_by("-detected_at", "-id")
    )
    if kind:
        rows = rows.filter(kind=kind)
    return rows if run_id is None else rows.filter(run_id=run_id)


def run_breaches(run: ValidationRun) -> QuerySet[SlaBreach]:
    return SlaBreach.objects.filter(run=run).select_related("version")


def alerts_for(user: User, *, unread: bool = False) -> QuerySet[Alert]:
    rows = (
        Alert.objects.filter(recipient=user)
        .select_related("breach__contract", "breach__version")
        .order_by("-created_at", "-id")
    )
    return rows.filter(read_at__isnull=True) if unread else rows


def last_arrival(contract: DataContract, stream: str) -> datetime | None:
    """When the newest record of the stream arrived, valid or dead-lettered."""
    scope = {"contract": contract, "stream": stream}
    times = [
        model.objects.filter(**scope).aggregate(t=Max("received_at"))["t"]
        for model in (ValidRecord, DeadLetter)
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else None


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


def health_policy() -> health.Policy:
    """The window and dead-letter threshold of contract health, from the settings."""
    return health.Policy(
        window_days=int(settings.VALUECHAIN["CONTRACT_HEALTH_WINDOW_DAYS"]),
        max_dead_letter_rate=float(settings.VALUECHAIN["MAX_DEAD_LETTER_RATE"]),
    )


def activity(
    contract_ids: Iterable[int], *, days: int, now: datetime | None = None
) -> dict[int, health.Activity]:
    """Each contract's SLA breaches detected and records validated (dead letters among
    them) in the last ``days``: two queries whatever the number of contracts or runs. A run
    counts when its batch was received or it finished in the window."""
    ids = set(contract_ids)
    if not ids:
        return {}
    since = (now or timezone.now()) - timedelta(days=days)
    breaches_of = dict(
        SlaBreach.objects.filter(contract_id__in=ids, detected_at__gte=since)
        .values_list("contract_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    runs_of: dict[int, tuple[int, int]] = {
        pk: (int(valid or 0), int(dead or 0))
        for pk, valid, dead in ValidationRun.objects.filter(contract_id__in=ids)
        .filter(Q(received_at__gte=since) | Q(finished_at__gte=since))
        .values_list("contract_id")
        .annotate(valid=Sum("valid_count"), dead=Sum("dead_letter_count"))
        .order_by()
    }
    result = {}
    for pk in ids:
        valid, dead = runs_of.get(pk, (0, 0))
        result[pk] = health.Activity(
            breaches=int(breaches_of.get(pk, 0)), dead_letters=dead, records=valid + dead
        )
    return result
