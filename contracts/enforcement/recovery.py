"""Recovering dead letters: fix a payload, revalidate it against its version or a newer one,
replay it to the validated path, or discard it with a reason.

Every action is written with an audit row (who, when, before and after) in the same
transaction, and every action is idempotent:

* a replay claims each dead letter by a conditional update (open -> replayed, under a row lock
  taken with SKIP LOCKED), so two replays of the same letters replay each once; the valid
  record it adds is unique per run and index or per stream message, as at ingestion;
* the replayed records reach the valid streams after the commit, each once: a marker key set
  with SET NX in the same Lua script as the XADD (topics.py), and ``forwarded_at`` once done.
  A worker killed between the commit and the forward leaves letters replayed and not
  forwarded; the next replay of the contract (or the redelivered task) forwards them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.enforcement import routing, selectors, topics
from contracts.enforcement.judging import validator_for
from contracts.models import (
    ContractVersion,
    DataContract,
    DeadLetter,
    DeadLetterAction,
    ValidRecord,
)

MAX_PAYLOAD_BYTES = 1024 * 1024
MAX_REASON_CHARS = 2000
# dead letters claimed and stored per transaction (and forwarded after it)
REPLAY_CHUNK = int(settings.VALUECHAIN.get("REPLAY_CHUNK", 500))
INLINE_REPLAY = 500  # a request replays at most this many itself; more go to a worker

AnyUser = User | AnonymousUser | None


class DeadLetterStateError(Exception):
    """The action does not apply to the dead letter as it stands (409)."""


def _user(user: AnyUser) -> User | None:
    return user if isinstance(user, User) else None


def _state(letter: DeadLetter) -> dict[str, Any]:
    return {"payload": letter.payload, "status": letter.status, "errors": letter.errors}


def _audit(
    letter: DeadLetter,
    action: str,
    user: AnyUser,
    before: dict[str, Any],
    *,
    version: ContractVersion | None = None,
    outcome: str = "",
) -> DeadLetterAction:
    return DeadLetterAction(
        dead_letter=letter, contract_id=letter.contract_id, action=action, user=_user(user),
        version=version, before=before, after=_state(letter), outcome=outcome[:200],
        created_at=timezone.now(),
    )  # fmt: skip


def check_payload(payload: Any) -> Any:
    """A payload as sent: JSON of at most MAX_PAYLOAD_BYTES."""
    try:
        size = len(json.dumps(payload, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError, RecursionError):
        raise ValidationError({"payload": ["Send the record as JSON."]}) from None
    if size > MAX_PAYLOAD_BYTES:
        raise ValidationError({"payload": [f"A record holds at most {MAX_PAYLOAD_BYTES} bytes."]})
    return payload


def _errors(version: ContractVersion, payload: Any) -> list[dict[str, str]]:
    return [e.as_dict() for e in validator_for(version.json_schema).errors(payload)]


@transaction.atomic
def edit_payload(*, dead_letter: DeadLetter, payload: Any, user: AnyUser) -> DeadLetter:
    """Fix an open dead letter's record; its errors are those of its version, judged again."""
    check_payload(payload)
    letter = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
    if letter.status != DeadLetter.Status.OPEN:
        raise DeadLetterStateError(f"This dead letter is {letter.status}; only open ones change.")
    before = _state(letter)
    version = letter.version or selectors.enforced_version(letter.contract)
    letter.payload = payload
    letter.errors = _errors(version, payload)
    letter.save(update_fields=["payload", "errors"])
    outcome = "still invalid" if letter.errors else f"now valid for {version.version}"
    DeadLetterAction.objects.bulk_create([_audit(letter, "edit", user, before, outcome=outcome)])
    return letter


@transaction.atomic
def revalidate(
    *, dead_letter: DeadLetter, version: ContractVersion, user: AnyUser
) -> list[dict[str, str]]:
    """Judge an open dead letter's record by a published version (its own or a newer one) and
    keep the errors found; nothing is replayed."""
    letter = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
    if letter.status != DeadLetter.Status.OPEN:
        raise DeadLetterStateError(f"This dead letter is {letter.status}; only open ones change.")
    before = _state(letter)
    letter.errors = _errors(version, letter.payload)
    letter.save(update_fields=["errors"])
    outcome = f"{len(letter.errors)} errors" if letter.errors else "valid"
    DeadLetterAction.objects.bulk_create(
        [_audit(letter, "revalidate", user, before, version=version, outcome=outcome)]
    )
    return list(letter.errors)


@transaction.atomic
def discard(*, dead_letter: DeadLetter, reason: str, user: AnyUser) -> DeadLetter:
    """Set an open dead letter aside for good, saying why; discarding it again changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the record is discarded."]})
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError({"reason": [f"At most {MAX_REASON_CHARS} characters."]})
    letter = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
    if letter.status == DeadLetter.Status.DISCARDED:
        return letter
    if letter.status == DeadLetter.Status.REPLAYED:
        raise DeadLetterStateError("This dead letter was replayed; it cannot be discarded.")
    before = _state(letter)
    letter.status = DeadLetter.Status.DISCARDED
    letter.discard_reason = reason
    letter.resolved_by = _user(user)
    letter.resolved_at = timezone.now()
    letter.save(update_fields=["status", "discard_reason", "resolved_by", "resolved_at"])
    DeadLetterAction.objects.bulk_create([_audit(letter, "discard", user, before, outcome=reason)])
    return letter


# --- replay ------------------------------------------------------------------------------------


@dataclass
class ReplayResult:
    replayed: int = 0
    still_invalid: int = 0
    already_replayed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "replayed": self.replayed,
            "still_invalid": self.still_invalid,
            "already_replayed": self.already_replayed,
        }


def replay_targets(contract: DataContract, ids: Sequence[int] | None) -> tuple[list[int], int]:
    """The open dead letters a replay takes (all of the contract's when ``ids`` is None) and
    how many of those asked for were replayed before. ValidationError names unknown ids."""
    rows = DeadLetter.objects.filter(contract=contract)
    if ids is not None:
        wanted = set(ids)
        found = dict(rows.filter(pk__in=wanted).values_list("pk", "status"))
        missing = sorted(wanted - set(found))
        if missing:
            shown = ", ".join(str(i) for i in missing[:20])
            raise ValidationError({"ids": [f"No dead letter of this contract has id {shown}."]})
        open_ids = sorted(pk for pk, s in found.items() if s == DeadLetter.Status.OPEN)
        already = sum(1 for s in found.values() if s == DeadLetter.Status.REPLAYED)
        return open_ids, already
    open_ids = list(
        rows.filter(status=DeadLetter.Status.OPEN).order_by("id").values_list("pk", flat=True)
    )
    return open_ids, rows.filter(status=DeadLetter.Status.REPLAYED).count()


@transaction.atomic
def _replay_chunk(
    ids: Sequence[int], version: ContractVersion, user: AnyUser, result: ReplayResult
) -> None:
    letters = list(
        DeadLetter.objects.select_for_update(skip_locked=True).filter(
            pk__in=ids, status=DeadLetter.Status.OPEN
        )
    )
    validator = validator_for(version.json_schema)
    now = timezone.now()
    audits, records, replayed = [], [], []
    for letter in letters:
        before = _state(letter)
        errors = validator.errors(letter.payload)
        letter.errors = [e.as_dict() for e in errors] or letter.errors
        if errors:
            result.still_invalid += 1
            audits.append(_audit(letter, "revalidate", user, before, version=version,
                                 outcome=f"still invalid for {version.version}"))  # fmt: skip
            continue
        letter.status = DeadLetter.Status.REPLAYED  # written by the claim below
        replayed.append(letter)
        records.append(
            ValidRecord(
                run_id=letter.run_id, contract_id=letter.contract_id,
                record_index=letter.record_index, stream=letter.stream,
                message_id=letter.message_id, payload=letter.payload, received_at=now,
            )
        )  # fmt: skip
        audits.append(_audit(letter, "replay", user, before, version=version,
                             outcome=f"valid for {version.version}"))  # fmt: skip
    DeadLetter.objects.bulk_update(letters, ["errors"])
    # the claim: a conditional update moves each letter from open exactly once (the row lock
    # keeps concurrent replays off these rows; the condition holds where locks are not taken)
    claimed = DeadLetter.objects.filter(
        pk__in=[d.pk for d in replayed], status=DeadLetter.Status.OPEN
    ).update(
        status=DeadLetter.Status.REPLAYED, replayed_version=version, resolved_by=_user(user),
        resolved_at=now,
    )  # fmt: skip
    ValidRecord.objects.bulk_create(records, ignore_conflicts=True)
    DeadLetterAction.objects.bulk_create(audits)
    result.replayed += claimed
    result.already_replayed += len(replayed) - claimed


def replay(
    *,
    contract: DataContract,
    ids: Sequence[int] | None,
    version: ContractVersion,
    user: AnyUser,
    client: Any = None,
) -> ReplayResult:
    """Revalidate open dead letters against ``version`` and replay those it accepts to the
    validated path, chunk by chunk (each chunk one transaction), then forward them to the
    valid streams. Replaying the same letters again replays nothing."""
    if version.contract_id != contract.pk or version.published_at is None:
        raise ValidationError({"version": ["Name a published version of this contract."]})
    open_ids, already = replay_targets(contract, ids)
    result = ReplayResult(already_replayed=already)
    client = client or topics.redis_client()
    for start in range(0, len(open_ids), REPLAY_CHUNK):
        _replay_chunk(open_ids[start : start + REPLAY_CHUNK], version, user, result)
        forward_replayed(contract, client=client)
    forward_replayed(contract, client=client)  # what an earlier, interrupted replay left
    return result


def forward_replayed(contract: DataContract, *, client: Any = None) -> int:
    """Send the replayed, not yet forwarded, dead letters of the contract to the valid stream
    of the version that accepted them (the contract's main valid stream when that is the
    latest), each exactly once. Without Redis there is nothing to send."""
    client = client or topics.redis_client()
    if client is None:
        return 0
    plan = selectors.judging_plan(contract)
    pinned = set(plan.consumer_majors)
    script = client.register_script(topics.REPLAY_FORWARD)
    forwarded = 0
    pending = DeadLetter.objects.filter(
        contract=contract, status=DeadLetter.Status.REPLAYED, forwarded_at__isnull=True
    ).select_related("replayed_version")
    while True:
        batch = list(pending.order_by("id")[:REPLAY_CHUNK])
        if not batch:
            return forwarded
        forwarded += _forward(script, contract.pk, batch, plan, pinned)
        DeadLetter.objects.filter(pk__in=[d.pk for d in batch]).update(forwarded_at=timezone.now())


def _forward(
    script: Any, contract_id: int, batch: list[DeadLetter], plan: routing.Plan, pinned: set[int]
) -> int:
    routed: list[tuple[DeadLetter, str, list[str]]] = []
    for letter in batch:
        version = letter.replayed_version
        if version is None:
            continue
        targets = []
        if version.pk == plan.latest.ref.pk:
            targets.append(topics.valid_stream(contract_id))
        if version.major in pinned:
            targets.append(topics.major_stream(contract_id, version.major))
        routed.append((letter, version.version, targets))
    if not routed:
        return 0
    streams = sorted({name for _, _, targets in routed for name in targets})
    first = len(routed) + 1  # KEYS: the markers, then the streams (Lua counts from 1)
    keys = [topics.replay_marker(contract_id, d.pk, v) for d, v, _ in routed] + streams
    args: list[Any] = [topics.MARKER_TTL_SECONDS, topics.valid_maxlen(), len(routed)]
    for letter, _, targets in routed:
        source = letter.message_id or f"run:{letter.run_id}:{letter.record_index}"
        args += [json.dumps(letter.payload, ensure_ascii=False), source, len(targets)]
        args += [first + streams.index(name) for name in targets]
    return int(script(keys=keys, args=args))
