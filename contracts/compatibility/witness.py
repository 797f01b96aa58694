"""Example documents that break: valid under one version, invalid under the other, each
checked with jsonschema (the schema's own dialect, patterns through RE2) before it is shown.

Searched on demand (when a result is rendered), once per direction, and attributed to the
changes whose schema location the document trips on the stricter side."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from referencing.exceptions import Unresolvable

from contracts.compatibility.dialects import internal_form, safe_validator
from contracts.compatibility.examples import Generator, Hints
from contracts.compatibility.schema import json_pointer, owner_of

MAX_CANDIDATES = 600


@dataclass(frozen=True)
class Witness:
    document: Any
    pointers: tuple[str, ...]  # schema locations it fails on the stricter side


def related(a: str, b: str) -> bool:
    """One JSON pointer is the other or lies under it (the root relates to every pointer)."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/") or not a or not b


def _error_pointers(validator: Any, document: Any) -> tuple[str, ...]:
    out = set()
    stack = list(validator.iter_errors(document))
    while stack:
        error = stack.pop()
        out.add(json_pointer(p for p in error.absolute_schema_path if p != "$ref"))
        stack.extend(error.context or ())
    return tuple(sorted(out))


def _explains(change_path: str, pointer: str) -> bool:
    """The document fails at ``pointer``, at or under the subschema the change is about (or
    the change lies under the failing keyword, e.g. a oneOf branch under /oneOf)."""
    owner = owner_of(change_path)
    if pointer == owner or pointer.startswith(owner + "/") or not owner:
        return True
    return bool(pointer) and change_path.startswith(pointer + "/")


class Evidence:
    """The example search of one old/new pair: candidates are tried lazily, once each, until
    a document explains the change asked about."""

    def __init__(self, old: Any, new: Any) -> None:
        self.schemas = (old, new)
        self._found: dict[str, list[Witness]] = {}
        self._pending: dict[str, Iterator[Witness]] = {}
        # per direction, how many changes break that way: a document that breaks when only
        # one change does is that change's example wherever the validator points
        self.flagged: dict[str, int] = {}

    def _witnesses(self, direction: str) -> Iterator[Witness]:
        """``backward``: valid under old, invalid under new; ``forward``: the reverse."""
        found = self._found.setdefault(direction, [])
        yield from list(found)
        if direction not in self._pending:
            source, target = self.schemas if direction == "backward" else self.schemas[::-1]
            self._pending[direction] = _search(source, target)
        for witness in self._pending[direction]:
            found.append(witness)
            yield witness

    def example(self, path: str, directions: list[str]) -> tuple[bool, Any]:
        for direction in directions:
            sole = self.flagged.get(direction) == 1
            for witness in self._witnesses(direction):
                if sole or any(_explains(path, p) for p in witness.pointers):
                    return True, witness.document
        return False, None


def _search(source: Any, target: Any) -> Iterator[Witness]:
    hints = Hints()
    hints.collect(internal_form(source))
    hints.collect(internal_form(target))
    generator = Generator(internal_form(source), hints)
    accepts, rejects = safe_validator(source), safe_validator(target)
    seen: set[str] = set()
    for candidate in islice(generator.candidates(), MAX_CANDIDATES):
        key = repr(candidate)
        if key in seen:
            continue
        seen.add(key)
        try:
            if accepts.is_valid(candidate) and not rejects.is_valid(candidate):
                yield Witness(candidate, _error_pointers(rejects, candidate))
        except Unresolvable:
            continue  # the document reaches a remote $ref: it cannot be checked here
