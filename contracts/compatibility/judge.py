"""The diff settled by proof: the keyword diff (walk.py) says *what* changed, the prover
(proof_rules.py) says whether anything can break.

* proven ``old ⊆ new``: no change narrows, whatever the keyword diff guessed (a union
  introduced over the old type, equivalent combinators, a property still covered...);
* not proven: the changes at the places the proof stopped narrow, and where the keyword diff
  saw nothing there (composition, patternProperties...) a change is added that says why.

The same the other way for ``widens`` (``new ⊆ old``). Every change shares the example search
(witness.py) that finds, on demand, a document that really breaks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from contracts.compatibility.changes import Change, ChangeType
from contracts.compatibility.dialects import internal_form
from contracts.compatibility.index import SchemaIndex
from contracts.compatibility.proof import Failure
from contracts.compatibility.proof_rules import prove
from contracts.compatibility.schema import owner_of
from contracts.compatibility.walk import diff_schemas as keyword_diff
from contracts.compatibility.witness import Evidence


def judged_diff(old: Any, new: Any, *, backward: bool = True, forward: bool = True) -> list[Change]:
    """The changes from ``old`` to ``new`` with ``narrows`` settled when ``backward`` and
    ``widens`` when ``forward`` (otherwise as the keyword diff guessed them)."""
    old_i, new_i = internal_form(old), internal_form(new)
    old_x, new_x = SchemaIndex(old_i), SchemaIndex(new_i)  # refuses unsupported patterns
    changes = keyword_diff(old_i, new_i, (old_x, new_x))
    if backward:
        changes = _settle(changes, prove(old_i, new_i, (old_x, new_x)), "narrows")
    if forward:
        changes = _settle(changes, prove(new_i, old_i, (new_x, old_x)), "widens")
    evidence = Evidence(old, new)
    evidence.flagged = {
        "backward": sum(c.narrows for c in changes),
        "forward": sum(c.widens for c in changes),
    }
    return [replace(c, evidence=evidence) for c in changes]


def _ancestors(pointer: str) -> list[str]:
    """``pointer`` and every pointer above it, up to the root ``""``."""
    out = [pointer]
    while pointer:
        pointer = pointer[: pointer.rfind("/")]
        out.append(pointer)
    return out


class _Places:
    """Where a proof stopped, for quick "is this change about one of them" questions: a
    change relates to a failure when one's subschema lies at or under the other's."""

    def __init__(self, failures: list[Failure]) -> None:
        self.owners = {owner_of(f.path) for f in failures}
        self.above = {a for o in self.owners for a in _ancestors(o)}

    def relate(self, pointer: str) -> bool:
        owner = owner_of(pointer)
        return owner in self.above or any(a in self.owners for a in _ancestors(owner))


def _settle(changes: list[Change], proof: tuple[bool, list[Failure]], flag: str) -> list[Change]:
    proven, failures = proof
    if proven:
        return [_cleared(c, flag) if getattr(c, flag) else c for c in changes]
    places = _Places(failures)
    settled = [
        _cleared(c, flag) if getattr(c, flag) and not places.relate(c.path) else c for c in changes
    ]
    undecided = [f for f in failures if f.undecided]
    if undecided:
        settled = [_why_undecided(c, flag, undecided) for c in settled]
    flagged = _Places([Failure(c.path, "") for c in settled if getattr(c, flag)])
    seen = set()
    for failure in failures:
        if flagged.relate(failure.path) or failure.path in seen:
            continue
        seen.add(failure.path)
        settled.append(_unexplained(failure, flag))
    return settled


def _why_undecided(change: Change, flag: str, undecided: list[Failure]) -> Change:
    """A flagged change where the proof could not decide says so in its message."""
    if not getattr(change, flag):
        return change
    reason = next((f.reason for f in undecided if _Places([f]).relate(change.path)), None)
    if reason is None or reason in change.message:
        return change
    return replace(change, message=f"{change.message}: {reason}")


def _cleared(change: Change, flag: str) -> Change:
    """``change`` without the effect the proof ruled out."""
    return replace(change, narrows=False) if flag == "narrows" else replace(change, widens=False)


def _unexplained(failure: Failure, flag: str) -> Change:
    narrows = flag == "narrows"
    prefix = "" if narrows else "data written with the new schema may fail the old one: "
    return Change(
        ChangeType.SUBSCHEMA_RESTRICTED if narrows else ChangeType.SUBSCHEMA_RELAXED,
        failure.path,
        narrows=narrows,
        widens=not narrows,
        message=prefix + failure.reason,
    )


def diff_schemas(old: Any, new: Any) -> list[Change]:
    """All changes from ``old`` to ``new``, each with a JSON pointer into the schema and its
    effect settled both ways."""
    return judged_diff(old, new)
