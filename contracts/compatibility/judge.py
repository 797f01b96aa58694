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
from contracts.compatibility.proof import Failure
from contracts.compatibility.proof_rules import prove
from contracts.compatibility.index import SchemaIndex
from contracts.compatibility.schema import owner_of
from contracts.compatibility.walk import diff_schemas as keyword_diff
from contracts.compatibility.witness import Evidence, related


def judged_diff(old: Any, new: Any, *, backward: bool = True, forward: bool = True) -> list[Change]:
    """The changes from ``old`` to ``new`` with ``narrows`` settled when ``backward`` and
    ``widens`` when ``forward`` (otherwise as the keyword diff guessed them)."""
    old_i, new_i = internal_form(old), internal_form(new)
    old_x, new_x = SchemaIndex(old_i), SchemaIndex(new_i)  # refuses unsupported patterns
    changes = keyword_diff(old_i, new_i)
    if backward:
        changes = _settle(changes, prove(old_i, new_i, (old_x, new_x)), "narrows")
    if forward:
        changes = _settle(changes, prove(new_i, old_i, (new_x, old_x)), "widens")
    evidence = Evidence(old, new)
    return [replace(c, evidence=evidence) for c in changes]


def _near(a: str, b: str) -> bool:
    return related(owner_of(a), owner_of(b))


def _settle(changes: list[Change], proof: tuple[bool, list[Failure]], flag: str) -> list[Change]:
    proven, failures = proof
    if proven:
        return [replace(c, **{flag: False}) if getattr(c, flag) else c for c in changes]
    settled = []
    for change in changes:
        if getattr(change, flag) and not any(_near(change.path, f.path) for f in failures):
            change = replace(change, **{flag: False})
        settled.append(change)
    seen = set()
    for failure in failures:
        covered = any(getattr(c, flag) and _near(c.path, failure.path) for c in settled)
        if covered or failure.path in seen:
            continue
        seen.add(failure.path)
        settled.append(_unexplained(failure, flag))
    return settled


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
