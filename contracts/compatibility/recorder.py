"""The part of the diff every keyword rule shares: recording changes and measuring the effect
of a nested comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.compatibility.changes import CONSTRAINT_EFFECT, Change, ChangeType
from contracts.compatibility.schema import json_pointer


class ChangeRecorder:
    """Collects the changes of one diff. ``compare`` is the schema walk (see walk.py)."""

    changes: list[Change]
    _defs_equal: bool

    def compare(self, old: Any, new: Any, path: Sequence[object]) -> None:
        raise NotImplementedError

    def emit(
        self,
        kind: ChangeType,
        path: Sequence[object],
        *,
        narrows: bool,
        widens: bool,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        self.changes.append(
            Change(kind, json_pointer(path), narrows, widens, message, old=old, new=new)
        )

    def constraint(
        self,
        kind: ChangeType,
        path: Sequence[object],
        *,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        """A constraint tightened narrows the accepted values, one loosened widens them, and
        one changed otherwise may do both."""
        narrows, widens = CONSTRAINT_EFFECT[kind]
        self.emit(kind, path, narrows=narrows, widens=widens, message=message, old=old, new=new)

    def effect_of(self, old: Any, new: Any, path: Sequence[object]) -> tuple[bool, bool]:
        """Narrows/widens of old -> new without recording the detailed changes."""
        saved = self.changes
        self.changes = []
        try:
            self.compare(old, new, path)
            return any(c.narrows for c in self.changes), any(c.widens for c in self.changes)
        finally:
            self.changes = saved
