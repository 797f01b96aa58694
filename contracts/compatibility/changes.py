"""The typed changes a diff reports, each with what it does to the accepted instances.

* ``narrows``: some document valid under the old schema is invalid under the new one;
* ``widens``: some document valid under the new schema is invalid under the old one.

A breaking change carries an example document that breaks (found and checked with jsonschema
on demand, see witness.py) or, when none is found, is ``undecided``: reported as breaking
because compatibility could not be proven, not because a break was seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contracts.compatibility.modes import Mode


class ChangeType(StrEnum):
    PROPERTY_ADDED = "property_added"
    PROPERTY_REMOVED = "property_removed"
    REQUIRED_ADDED = "required_added"
    REQUIRED_REMOVED = "required_removed"
    TYPE_CHANGED = "type_changed"
    TYPE_NARROWED = "type_narrowed"
    TYPE_WIDENED = "type_widened"
    ENUM_EXTENDED = "enum_extended"
    ENUM_NARROWED = "enum_narrowed"
    ENUM_CHANGED = "enum_changed"
    CONSTRAINT_TIGHTENED = "constraint_tightened"
    CONSTRAINT_LOOSENED = "constraint_loosened"
    CONSTRAINT_CHANGED = "constraint_changed"
    ADDITIONAL_PROPERTIES_OPENED = "additional_properties_opened"
    ADDITIONAL_PROPERTIES_CLOSED = "additional_properties_closed"
    ADDITIONAL_PROPERTIES_NARROWED = "additional_properties_narrowed"
    ADDITIONAL_PROPERTIES_WIDENED = "additional_properties_widened"
    PATTERN_PROPERTY_ADDED = "pattern_property_added"
    PATTERN_PROPERTY_REMOVED = "pattern_property_removed"
    ITEMS_RESTRICTED = "items_restricted"
    ITEMS_RELAXED = "items_relaxed"
    SUBSCHEMA_RESTRICTED = "subschema_restricted"
    SUBSCHEMA_RELAXED = "subschema_relaxed"
    COMPOSITION_BRANCH_ADDED = "composition_branch_added"
    COMPOSITION_BRANCH_REMOVED = "composition_branch_removed"
    KEYWORD_CHANGED = "keyword_changed"
    REF_CHANGED = "ref_changed"
    DESCRIPTION_CHANGED = "description_changed"
    METADATA_CHANGED = "metadata_changed"


# (narrows, widens) of each kind of constraint change.
CONSTRAINT_EFFECT = {
    ChangeType.CONSTRAINT_TIGHTENED: (True, False),
    ChangeType.CONSTRAINT_LOOSENED: (False, True),
    ChangeType.CONSTRAINT_CHANGED: (True, True),
}


@dataclass(frozen=True)
class Change:
    type: ChangeType
    path: str
    narrows: bool
    widens: bool
    message: str = ""
    old: Any = None
    new: Any = None
    # the example search of the diff this change comes from (witness.Evidence)
    evidence: Any = field(default=None, compare=False, repr=False)

    @property
    def metadata_only(self) -> bool:
        return not (self.narrows or self.widens)

    def breaking(self, mode: Mode) -> bool:
        return (mode.checks_backward and self.narrows) or (mode.checks_forward and self.widens)

    def example(self, mode: Mode) -> tuple[bool, Any]:
        """(found, document): a document that breaks under ``mode`` because of this change,
        valid under the version readers expect and invalid under the other."""
        directions = []
        if mode.checks_backward and self.narrows:
            directions.append("backward")
        if mode.checks_forward and self.widens:
            directions.append("forward")
        if not directions or self.evidence is None:
            return False, None
        found, document = self.evidence.example(self.path, directions)
        return bool(found), document

    def as_dict(self, mode: Mode) -> dict[str, Any]:
        breaking = self.breaking(mode)
        out = {
            "type": self.type.value,
            "path": self.path,
            "breaking": breaking,
            "message": self.message,
        }
        # a breaking change shows a document that breaks, or says it is undecided
        if breaking:
            found, document = self.example(mode)
            out["undecided"] = not found
            if found:
                out["example"] = document
        return out
