"""What is known about a schema before it is compared: the local ``$ref``s it uses (so that
an unchanged subtree is recognised quickly: it means the same on both sides when the
definitions its refs reach are equal on both sides), and every user pattern checked against
the linear-time engine (regexes.py), refused with a clear error otherwise.

Both come from the schema's serialised form (C speed); only schemas that hold patterns are
walked."""

from __future__ import annotations

import marshal
import re
import struct
from collections.abc import Mapping
from typing import Any

from contracts.compatibility.regexes import compile_pattern
from contracts.compatibility.schema import iter_refs, json_pointer, resolve_pointer

_DATA = ("enum", "const", "default", "examples")
_REF = re.compile(rb"u\x04\x00\x00\x00\$refu[\x00-\xff]{4}")


class SchemaIndex:
    def __init__(self, root: Any) -> None:
        self.root = root
        try:
            # marshal format 0 writes every string in full, each "$ref" key followed by its
            # value: a C-speed way to list the refs (a "$ref" inside enum/const data may be
            # listed too, which only makes the checker more careful)
            data = marshal.dumps(root, 0)
        except ValueError:  # not plain JSON types: the slow way
            self.refs = {ref for ref, _ in iter_refs(root)}
            has_patterns = True
        else:
            self.refs = set()
            for match in _REF.finditer(data):
                start = match.end()
                (size,) = struct.unpack_from("<i", data, start - 4)
                self.refs.add(data[start : start + size].decode("utf-8", "surrogatepass"))
            has_patterns = b"pattern" in data
        if has_patterns:
            _check_patterns(root)


def _check_patterns(root: Any) -> None:
    stack: list[tuple[Any, tuple[object, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node))
        elif isinstance(node, Mapping):
            if isinstance(node.get("pattern"), str):
                compile_pattern(node["pattern"], json_pointer((*path, "pattern")))
            patterns = node.get("patternProperties")
            for key in patterns if isinstance(patterns, Mapping) else ():
                compile_pattern(key, json_pointer((*path, "patternProperties", key)))
            stack.extend((v, (*path, k)) for k, v in node.items() if k not in _DATA)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def refs_within(node: Any, allowed: frozenset[str]) -> bool:
    """Every ``$ref`` inside ``node`` is one of ``allowed`` (plain dicts and lists, as JSON
    decodes them; anything else is walked the slow way)."""
    kind = type(node)
    if kind is dict:
        ref = node.get("$ref")
        if ref is not None and ref not in allowed:
            return False
        for key, value in node.items():
            inner = type(value)
            if (
                (inner is dict or inner is list)
                and key not in _DATA
                and not refs_within(value, allowed)
            ):
                return False
        return True
    if kind is list:
        for value in node:
            inner = type(value)
            if (inner is dict or inner is list) and not refs_within(value, allowed):
                return False
        return True
    if kind in _SCALARS:
        return True
    if isinstance(node, (Mapping, list)):
        return all(ref in allowed for ref, _ in iter_refs(node))
    return True


def stable_refs(old: SchemaIndex, new: SchemaIndex) -> frozenset[str]:
    """The refs that mean the same in both schemas: their local targets are equal and every
    ref inside those targets is stable too (a fixpoint, so a change deep in a chain of
    definitions unsettles every ref that reaches it)."""
    targets: dict[str, Any] = {}
    for ref in old.refs | new.refs:
        if not ref.startswith("#"):
            continue
        try:
            target = resolve_pointer(old.root, ref[1:])
            if target == resolve_pointer(new.root, ref[1:]):
                targets[ref] = target
        except KeyError:
            continue
    inner = {ref: {r for r, _ in iter_refs(t)} for ref, t in targets.items()}
    stable = set(targets)
    changed = True
    while changed:
        unsettled = {ref for ref in stable if not inner[ref] <= stable}
        stable -= unsettled
        changed = bool(unsettled)
    return frozenset(stable)
