"""Semantic versions: reading them, and the bump a set of changes calls for."""

from __future__ import annotations

import re
from collections.abc import Iterable

from contracts.compatibility.changes import Change
from contracts.compatibility.modes import Mode, parse_mode

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)


def parse_version(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version.strip()) if isinstance(version, str) else None
    if not match:
        raise ValueError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH).")
    return int(match[1]), int(match[2]), int(match[3])


def bump_level(changes: Iterable[Change], mode: Mode | str) -> str:
    """'major', 'minor' or 'patch' for these changes under ``mode``.

    NONE switches the compatibility check off, not semantic versioning: there the default
    BACKWARD rule decides what is breaking.
    """
    mode = parse_mode(mode)
    judge = Mode.BACKWARD if mode is Mode.NONE else mode
    changes = list(changes)
    if any(c.breaking(judge) for c in changes):
        return "major"
    if any(not c.metadata_only for c in changes):
        return "minor"
    return "patch"


def suggest_next_version(old_version: str, changes: Iterable[Change], mode: Mode | str) -> str:
    major, minor, patch = parse_version(old_version)
    level = bump_level(changes, mode)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
