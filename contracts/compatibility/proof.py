"""A sound proof that every instance of one schema is an instance of another (``old ⊆ new``).

Each rule is sound on its own: it answers "yes" only when the inclusion holds for every JSON
document. When no rule applies the prover says "not proven" and records a ``Failure`` at the
keyword that stopped it, flagged ``undecided`` when the question is beyond the rules (regular
expression inclusion, changed conditionals...) rather than known to break. The caller then
reports the change as breaking; an example document (witness.py) turns it into a proven
break. Composition is reasoned about as sets (proof_sets.py), values and containers keyword by
keyword (proof_values.py, proof_objects.py).

Both schemas are in the internal (2020-12) form (dialects.py). ``$ref``s are followed on the
fly; a pair of references met again deeper in the instance is assumed included (induction on
the depth of the document), met again at the same depth it is undecided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from contracts.compatibility.dialects import re2_validator_class
from contracts.compatibility.index import SchemaIndex, refs_within, stable_refs
from contracts.compatibility.keywords import is_metadata_key
from contracts.compatibility.schema import json_pointer, resolve_pointer

OLD, NEW = 0, 1
MAX_STEPS = 50_000


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str
    undecided: bool = False


def is_true(schema: Any) -> bool:
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(is_metadata_key(k) for k in schema)


def is_false(schema: Any) -> bool:
    return schema is False or (isinstance(schema, Mapping) and is_true(schema.get("not", False)))


class ProofBase:
    """State of one proof: the two roots (``OLD`` for the smaller side, ``NEW`` for the one
    that must contain it), the failures found and the guards against loops and blow-ups."""

    def __init__(
        self, old_root: Any, new_root: Any, indexes: tuple[SchemaIndex, SchemaIndex] | None = None
    ) -> None:
        self.roots = (old_root, new_root)
        self.failures: list[Failure] = []
        self._active: dict[tuple[str, str], int] = {}
        self._steps = 0
        self._validators: dict[int, Any] = {}
        if indexes is None:
            indexes = (SchemaIndex(old_root), SchemaIndex(new_root))
        self._indexes = indexes
        self._stable = stable_refs(*indexes)
        self.all_stable = all(i.refs <= self._stable for i in indexes)

    # --- hooks the rule mixins provide
    def compositions(self, a: Any, b: Any, path: Sequence[object], depth: int) -> bool | None:
        raise NotImplementedError

    def keywords(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        raise NotImplementedError

    # --- shared helpers

    def fail(self, path: Sequence[object], reason: str, *, undecided: bool = False) -> bool:
        self.failures.append(Failure(json_pointer(path), reason, undecided))
        return False

    def quietly(self, attempt: Callable[[], bool]) -> bool:
        """Run a proof attempt whose failures are not reported (one of several tries)."""
        saved = self.failures
        self.failures = []
        try:
            return attempt()
        finally:
            self.failures = saved

    def same(self, a: Any, b: Any) -> bool:
        """Equal subschemas that mean the same on both sides (their refs agree)."""
        if a is not b and a != b:
            return False
        return self.all_stable or refs_within(a, self._stable)

    def resolve(self, node: Any, role: int) -> tuple[Any, str | None]:
        ref_seen = None
        for _ in range(32):
            if not ((type(node) is dict or isinstance(node, Mapping)) and "$ref" in node):
                break
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                break  # remote refs stay opaque (compared as keywords)
            try:
                target = resolve_pointer(self.roots[role], ref[1:])
            except KeyError:
                break
            ref_seen = ref_seen or ref
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if isinstance(target, bool):
                node = target if not siblings else {**siblings, "allOf": [target]}
            elif siblings:
                node = (
                    {**siblings, "allOf": [target]}
                    if set(siblings) & set(target)
                    else {**target, **siblings}
                )
            else:
                node = target
        return node, ref_seen

    def valid(self, instance: Any, schema: Any, role: int) -> bool | None:
        """jsonschema's verdict on ``instance`` against a subschema of a root (refs resolve
        against that root; patterns run through RE2); None when it cannot tell (a remote
        ``$ref``), which every caller takes as "not proven"."""
        validator = self._validators.get(role)
        if validator is None:
            cls = re2_validator_class(Draft202012Validator)
            validator = self._validators[role] = cls(self.roots[role])
        try:
            return bool(validator.evolve(schema=schema).is_valid(instance))
        except Unresolvable:
            return None

    # --- the entry point of every comparison

    def sub(self, a: Any, b: Any, path: Sequence[object], depth: int = 0) -> bool:
        """True when every instance of ``a`` (old side) is an instance of ``b`` (new side)."""
        if self.same(a, b):
            return True
        self._steps += 1
        if self._steps > MAX_STEPS:
            return self.fail(path, "the schemas are too complex to compare", undecided=True)
        a, a_ref = self.resolve(a, OLD)
        b, b_ref = self.resolve(b, NEW)
        if not (a_ref and b_ref):
            return self._sub(a, b, path, depth)
        key = (a_ref, b_ref)
        seen = self._active.get(key)
        if seen is not None:
            if depth > seen:
                return True  # induction on the depth of the document
            return self.fail(path, f"circular reference {a_ref} cannot be compared", undecided=True)
        self._active[key] = depth
        try:
            return self._sub(a, b, path, depth)
        finally:
            del self._active[key]

    def _sub(self, a: Any, b: Any, path: Sequence[object], depth: int) -> bool:
        if is_true(b) or is_false(a):
            return True
        if a is True:
            a = {}
        if b is False or is_false(b):
            return self.fail(path, "now accepts no value at all")
        if not isinstance(a, Mapping) or not isinstance(b, Mapping):
            return self.fail(path, "not a schema", undecided=True)
        if self.same(a, b):
            return True
        decided = self.compositions(a, b, path, depth)
        if decided is not None:
            return decided
        return self.keywords(a, b, path, depth)
