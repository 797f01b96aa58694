"""A schema diff laid out field by field, old and new side by side, for the diff page and the
compatibility checker. Pure Python, no Django."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts import compatibility as compat


@dataclass
class FieldRow:
    pointer: str
    depth: int
    name: str
    old: str | None
    new: str | None
    changes: list[dict[str, Any]]

    @property
    def breaking(self) -> bool:
        return any(c["breaking"] for c in self.changes)

    @property
    def state(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.changes else "same"


def _summary(schema: Any, required: bool) -> str:
    if not isinstance(schema, Mapping):
        return "anything" if schema is True else "nothing"
    parts = []
    t = schema.get("type")
    if t is not None:
        parts.append(" | ".join(t) if isinstance(t, list) else str(t))
    if "$ref" in schema:
        parts.append(f"→ {schema['$ref']}")
    for key in (
        "format",
        "enum",
        "const",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
    ):
        if key in schema:
            parts.append(f"{key} {json.dumps(schema[key])}")
    if schema.get("additionalProperties") is False:
        parts.append("closed")
    if required:
        parts.append("required")
    return ", ".join(parts) or "anything"


def _fields(schema: Any, pointer: str = "", depth: int = 0) -> dict[str, tuple[int, str, str]]:
    """pointer -> (depth, name, summary) for every property, nested ones included."""
    found: dict[str, tuple[int, str, str]] = {}
    if not isinstance(schema, Mapping):
        return found
    required = set(schema.get("required") or ())
    for name, sub in (schema.get("properties") or {}).items():
        here = f"{pointer}/properties/{name.replace('~', '~0').replace('/', '~1')}"
        found[here] = (depth, name, _summary(sub, name in required))
        found.update(_fields(sub, here, depth + 1))
        if isinstance(sub, Mapping) and isinstance(sub.get("items"), Mapping):
            found.update(_fields(sub["items"], here + "/items", depth + 1))
    return found


def _target(change: Mapping[str, Any], raw: compat.Change) -> str:
    """The schema location a change is about: required changes belong to their property."""
    if raw.type in (compat.ChangeType.REQUIRED_ADDED, compat.ChangeType.REQUIRED_REMOVED):
        parent = change["path"].rsplit("/required/", 1)[0]
        name = str(raw.new if raw.new is not None else raw.old)
        return f"{parent}/properties/{name.replace('~', '~0').replace('/', '~1')}"
    return str(change["path"])


def diff_rows(
    old_schema: Any, new_schema: Any, mode: compat.Mode
) -> tuple[list[FieldRow], list[dict[str, Any]]]:
    """Rows of fields side by side, each with the changes that belong to it; the changes
    that belong to no field (the root) are returned apart."""
    raw_changes = compat.diff_schemas(old_schema, new_schema)
    old_f, new_f = _fields(old_schema), _fields(new_schema)
    # the new schema's order, with removed fields back where they stood in the old one
    pointers = list(new_f)
    previous = None
    for p in old_f:
        if p not in new_f:
            pointers.insert(pointers.index(previous) + 1 if previous else 0, p)
        previous = p
    rows = {
        p: FieldRow(
            pointer=p,
            depth=(new_f.get(p) or old_f[p])[0],
            name=(new_f.get(p) or old_f[p])[1],
            old=old_f[p][2] if p in old_f else None,
            new=new_f[p][2] if p in new_f else None,
            changes=[],
        )
        for p in pointers
    }
    root: list[dict[str, Any]] = []
    for raw in raw_changes:
        change = {**raw.as_dict(mode), "target": ""}
        target = _target(change, raw)
        owner = max(
            (p for p in rows if target == p or target.startswith(p + "/")), key=len, default=None
        )
        if owner is None:
            root.append(change)
        else:
            rows[owner].changes.append(change)
    return list(rows.values()), root
