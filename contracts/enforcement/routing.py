"""Judging a record for everyone who reads it: the producer's latest version and the version
each consumer is pinned to (the latest published version of its major). Pure Python, no Django.

A record valid for one consumer and invalid for another is not dropped for all: it goes to the
validated path of each version that accepts it, and is kept as a dead letter naming the
consumers that reject it and why. Each distinct version is compiled once (judging.validator_for)
and judges a record once, however many consumers are pinned to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.enforcement.judging import RecordError, RecordValidator, validator_for


@dataclass(frozen=True, slots=True)
class VersionRef:
    """A published version as routing needs it."""

    pk: int
    version: str
    major: int
    json_schema: Any


@dataclass(frozen=True)
class Target:
    """One version records are judged against, and who reads by it."""

    ref: VersionRef
    consumers: tuple[str, ...]  # consumers pinned to its major
    latest: bool  # the producer's latest version
    validator: RecordValidator = field(compare=False, repr=False)


@dataclass(frozen=True)
class Plan:
    """Who judges records: the latest version first, then each consumer's, each once."""

    targets: tuple[Target, ...]

    @property
    def latest(self) -> Target:
        return self.targets[0]

    @property
    def key(self) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """Changes when a version is published or a consumer is pinned anew."""
        return tuple((t.ref.pk, t.consumers) for t in self.targets)

    @property
    def consumer_majors(self) -> tuple[int, ...]:
        return tuple(sorted({t.ref.major for t in self.targets if t.consumers}))


def build_plan(
    published: Sequence[VersionRef], consumers: Mapping[str, int], *, latest: VersionRef
) -> Plan:
    """The plan of a contract: ``published`` its published versions, ``consumers`` each
    consumer's pinned major. A consumer pinned to a major without a published version reads
    nothing yet, so judges nothing."""
    newest_of_major: dict[int, VersionRef] = {}
    for ref in published:
        best = newest_of_major.get(ref.major)
        if best is None or _order(ref) > _order(best):
            newest_of_major[ref.major] = ref
    by_version: dict[int, list[str]] = {}
    refs: dict[int, VersionRef] = {latest.pk: latest}
    for name, major in sorted(consumers.items()):
        pinned = newest_of_major.get(major)
        if pinned is not None:
            by_version.setdefault(pinned.pk, []).append(name)
            refs[pinned.pk] = pinned
    order = [latest.pk, *sorted(pk for pk in refs if pk != latest.pk)]
    return Plan(
        tuple(
            Target(
                refs[pk],
                tuple(by_version.get(pk, ())),
                pk == latest.pk,
                validator_for(refs[pk].json_schema),
            )
            for pk in order
        )
    )


def _order(ref: VersionRef) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in ref.version.split("."))


@dataclass
class Verdict:
    """What every reader's version says of one record."""

    valid_for_latest: bool
    errors: list[RecordError]  # the latest version's errors, else the first rejecting one's
    rejected_by: list[str]
    accepted_by: list[str]
    rejections: list[dict[str, Any]]
    accepting_majors: list[int]  # consumer majors whose version accepts the record

    @property
    def dead(self) -> bool:
        return bool(self.rejections)


def judge_record(plan: Plan, record: Any, accepted: Sequence[bool] = ()) -> Verdict:
    """``accepted``: per target, whether jsonschema-rs already said yes (no errors to look
    for then)."""
    verdict = Verdict(True, [], [], [], [], [])
    for i, target in enumerate(plan.targets):
        errors = [] if i < len(accepted) and accepted[i] else target.validator.errors(record)
        if errors:
            if target.latest:
                verdict.valid_for_latest = False
            if not verdict.errors:
                verdict.errors = errors
            verdict.rejected_by.extend(target.consumers)
            verdict.rejections.append(
                {
                    "version": target.ref.version,
                    "latest": target.latest,
                    "consumers": list(target.consumers),
                    "errors": [e.as_dict() for e in errors],
                }
            )
        else:
            verdict.accepted_by.extend(target.consumers)
            if target.consumers:
                verdict.accepting_majors.append(target.ref.major)
    verdict.rejected_by.sort()
    verdict.accepted_by.sort()
    return verdict


def judge_records(plan: Plan, records: Sequence[Any]) -> list[Verdict]:
    """``judge_record`` of each record. Each version's validator first says yes or no to the
    whole batch in one pass; a record every version accepts (most of them) gets the one verdict
    they share, and only the others are judged one by one, their errors looked for."""
    accepted = list(zip(*(t.validator.rs_verdicts(records) for t in plan.targets), strict=True))
    everyone = judge_record(plan, None, [True] * len(plan.targets))
    return [
        everyone if all(yes) else judge_record(plan, record, yes)
        for record, yes in zip(records, accepted, strict=True)
    ]


def problem_verdict(plan: Plan, problem: str) -> Verdict:
    """A message that carries no readable record: rejected by everyone."""
    error = RecordError(pointer="", schema_pointer="", keyword="message", message=problem)
    everyone = [name for t in plan.targets for name in t.consumers]
    return Verdict(
        False, [error], everyone, [],
        [{"version": plan.latest.ref.version, "latest": True, "consumers": everyone,
          "errors": [error.as_dict()]}],
        [],
    )  # fmt: skip


def single(ref: VersionRef) -> Plan:
    """A plan of one version and no consumers."""
    return Plan((Target(ref, (), True, validator_for(ref.json_schema)),))
