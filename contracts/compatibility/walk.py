"""The schema walk: follows local ``$ref``s, stops on recursion and on reference bombs, and
hands each pair of subschemas to the keyword rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.compatibility.changes import Change, ChangeType
from contracts.compatibility.containers import ContainerRules
from contracts.compatibility.index import SchemaIndex, refs_within, stable_refs
from contracts.compatibility.keywords import overlaps, trivially_false, types_of
from contracts.compatibility.scalars import ScalarRules
from contracts.compatibility.schema import (
    JsonSchema,
    SchemaTooComplexError,
    json_pointer,
    resolve_pointer,
)

MAX_COMPARISONS = 50_000


class SchemaDiffer(ScalarRules, ContainerRules):
    """One diff of an old and a new schema; ``changes`` holds what ``compare`` found."""

    def __init__(
        self,
        old_root: Any,
        new_root: Any,
        indexes: tuple[SchemaIndex, SchemaIndex] | None = None,
    ) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.changes: list[Change] = []
        self._active_refs: set[tuple[str, str]] = set()
        self._comparisons = 0
        # Equal subtrees can be skipped when every $ref they hold leads to equal targets on
        # both sides (the "stable" refs, see index.py).
        if indexes is None:
            indexes = (SchemaIndex(old_root), SchemaIndex(new_root))
        self._stable = stable_refs(*indexes)
        self._defs_equal = all(i.refs <= self._stable for i in indexes)

    def _resolve(self, node: Any, root: Any) -> tuple[Any, str | None]:
        ref_seen = None
        for _ in range(32):
            if not ((type(node) is dict or isinstance(node, Mapping)) and "$ref" in node):
                break
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                break  # remote refs are compared as opaque strings
            try:
                target = resolve_pointer(root, ref[1:])
            except KeyError:
                break
            ref_seen = ref_seen or ref
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if isinstance(target, bool):
                node = target if not siblings else {**siblings, "allOf": [target]}
            else:
                node = {**target, **siblings}
        return node, ref_seen

    # --- main walk

    def _unchanged(self, old: Any, new: Any) -> bool:
        return (old is new or old == new) and (self._defs_equal or refs_within(old, self._stable))

    def compare(self, old: Any, new: Any, path: Sequence[object]) -> None:
        self._comparisons += 1
        if self._comparisons > MAX_COMPARISONS:
            raise SchemaTooComplexError(
                f"The schemas are too complex to compare (over {MAX_COMPARISONS} subschema "
                "comparisons, usually from references used many times).",
                json_pointer(path),
            )
        if self._unchanged(old, new):
            return  # before following refs: equal stable refs mean the same on both sides
        old, old_ref = self._resolve(old, self.old_root)
        new, new_ref = self._resolve(new, self.new_root)
        if self._unchanged(old, new):
            return
        if old_ref and new_ref:
            key = (old_ref, new_ref)
            if key in self._active_refs:
                return  # recursive schema: this pair is already being compared higher up
            self._active_refs.add(key)
            try:
                self._compare_resolved(old, new, path)
            finally:
                self._active_refs.discard(key)
        else:
            self._compare_resolved(old, new, path)

    def _compare_resolved(self, old: Any, new: Any, path: Sequence[object]) -> None:
        if old is True:
            old = {}
        if new is True:
            new = {}
        if old is False or new is False:
            if old is False and new is False:
                return
            if new is False:
                if not trivially_false(old):
                    self.emit(
                        ChangeType.SUBSCHEMA_RESTRICTED,
                        path,
                        narrows=True,
                        widens=False,
                        message="now accepts no value at all",
                        old=old,
                        new=False,
                    )
            else:
                self.emit(
                    ChangeType.SUBSCHEMA_RELAXED,
                    path,
                    narrows=False,
                    widens=True,
                    message="used to accept no value, now accepts some",
                    old=False,
                    new=new,
                )
            return
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return
        self._metadata(old, new, path)
        if ("$ref" in old or "$ref" in new) and old.get("$ref") != new.get("$ref"):
            self.emit(
                ChangeType.REF_CHANGED,
                (*path, "$ref"),
                narrows=True,
                widens=True,
                message="$ref changed and cannot be followed (remote or circular)",
                old=old.get("$ref"),
                new=new.get("$ref"),
            )
        old_types, new_types = types_of(old), types_of(new)
        if not self._type(old_types, new_types, path):
            return  # nothing in common: the type change says it all
        self._enum(old, new, path)
        if overlaps(old_types, new_types, "number", "integer"):
            self._numeric(old, new, path)
        if overlaps(old_types, new_types, "string"):
            self._counts(old, new, path, ("minLength",), ("maxLength",))
            self._assertion("pattern", old, new, path)
            self._assertion("format", old, new, path)
        if overlaps(old_types, new_types, "array"):
            self._counts(old, new, path, ("minItems", "minContains"), ("maxItems", "maxContains"))
            self._unique_items(old, new, path)
            self._array(old, new, path)
        if overlaps(old_types, new_types, "object"):
            self._counts(old, new, path, ("minProperties",), ("maxProperties",))
            self._object(old, new, path)
        self._composition(old, new, path)
        self._unknown(old, new, path)


def diff_schemas(
    old: JsonSchema,
    new: JsonSchema,
    indexes: tuple[SchemaIndex, SchemaIndex] | None = None,
) -> list[Change]:
    """All changes from ``old`` to ``new``, each with a JSON pointer into the schema, as the
    keywords suggest them (judge.py settles them by proof)."""
    differ = SchemaDiffer(old, new, indexes)
    differ.compare(old, new, ())
    return differ.changes
