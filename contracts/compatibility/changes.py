"""The typed changes a diff reports, each with what it does to the accepted instances.

* ``narrows``: some document valid under the old schema is invalid under the new one;
* ``widens``: some document valid under the new schema is invalid under the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def metadata_only(self) -> bool:
        return not (self.narrows or self.widens)

    def breaking(self, mode: Mode) -> bool:
        return (mode.checks_backward and self.narrows) or (mode.checks_forward and self.widens)

    def as_dict(self, mode: Mode) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "path": self.path,
            "breaking": self.breaking(mode),
            "message": self.message,
        }
