"""Judging a candidate schema against the earlier versions under a mode."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.compatibility.changes import Change
from contracts.compatibility.judge import judged_diff
from contracts.compatibility.modes import Mode, compared_versions, parse_mode
from contracts.compatibility.schema import JsonSchema


@dataclass(frozen=True)
class VersionCheck:
    """The changes from one earlier version (``index`` into the history) to the candidate."""

    index: int
    changes: tuple[Change, ...]
    breaking: tuple[Change, ...]


@dataclass(frozen=True)
class CompatibilityResult:
    mode: Mode
    compatible: bool
    changes: tuple[Change, ...]  # against the latest earlier version
    checks: tuple[VersionCheck, ...] = field(default_factory=tuple)

    @property
    def breaking(self) -> tuple[Change, ...]:
        seen: dict[tuple[str, str], Change] = {}
        for check in self.checks:
            for change in check.breaking:
                seen.setdefault((change.type.value, change.path), change)
        return tuple(seen.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "compatible": self.compatible,
            "changes": [c.as_dict(self.mode) for c in self.changes],
        }


def check_compatibility(
    new: JsonSchema, previous: Sequence[JsonSchema], mode: Mode | str
) -> CompatibilityResult:
    """Judge ``new`` against the earlier versions (oldest first) under ``mode``.

    Non-transitive modes look at the latest earlier version only; transitive ones at all.
    Compatible means proven: no document valid under an earlier version is invalid under
    ``new`` (backward), and/or the reverse (forward); see judge.py.
    """
    mode = parse_mode(mode)
    if not previous:
        return CompatibilityResult(mode=mode, compatible=True, changes=(), checks=())
    indexes = compared_versions(mode, len(previous))
    checks = []
    latest: tuple[Change, ...] = ()
    backward = mode.checks_backward or mode is Mode.NONE  # NONE still suggests a bump
    for i in indexes:
        changes = tuple(
            judged_diff(previous[i], new, backward=backward, forward=mode.checks_forward)
        )
        breaking = tuple(c for c in changes if c.breaking(mode))
        checks.append(VersionCheck(index=i, changes=changes, breaking=breaking))
        if i == len(previous) - 1:
            latest = changes
    compatible = all(not c.breaking for c in checks)
    return CompatibilityResult(
        mode=mode, compatible=compatible, changes=latest, checks=tuple(checks)
    )
