"""Composition as sets: ``allOf`` is an intersection, ``anyOf`` a union, ``oneOf`` a union of
branches that must not overlap, ``if/then/else`` a union of two guarded cases, ``not`` a
complement. Rules of the prover (proof.py); each one sound on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from contracts.compatibility.keywords import is_metadata_key, types_of
from contracts.compatibility.proof import NEW, OLD, ProofBase, is_false, is_true

CONCRETE_TYPES = ("null", "boolean", "object", "array", "number", "string")
_UNION = ("anyOf", "oneOf")
_SHARED = ("allOf", "anyOf", "oneOf", "not", "dependentSchemas", "contains")


def without(schema: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in keys}


def loosened(schema: Any) -> Any:
    """``schema`` without its unevaluated* keywords: taken apart from its siblings it must not
    get stricter, and those keywords depend on the siblings."""
    if isinstance(schema, Mapping):
        return without(schema, "unevaluatedProperties", "unevaluatedItems")
    return schema


# keywords that only act together: split between two schemas they do nothing, merged into
# one they would start to act (e.g. maxContains without contains), so such schemas stay apart
_TOGETHER = (
    frozenset({"contains", "minContains", "maxContains"}),
    frozenset({"if", "then", "else"}),
)


_READS_SIBLINGS = frozenset(
    {
        "additionalProperties",
        "patternProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "items",
        "prefixItems",
        "contains",
        "minContains",
        "maxContains",
        "if",
        "then",
        "else",
        "$ref",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "dependentSchemas",
    }
)


def merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any] | None:
    """One schema accepting at least what ``a`` and ``b`` together accept (exactly that for
    the keywords that act alone; looser where a keyword reads its siblings, such as
    additionalProperties), or None when their keywords clash."""
    for group in _TOGETHER:
        mine, theirs = group & set(a), group & set(b)
        if mine and theirs and mine != theirs:
            return None
    out = dict(a)
    for key, value in b.items():
        if key not in out or out[key] == value or is_metadata_key(key):
            out.setdefault(key, value)
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "properties" and not set(out[key]) & set(value):
            out[key] = {**out[key], **value}
        elif key == "type":
            both = [t for t in (*CONCRETE_TYPES, "integer") if t in _types(out) and t in _types(b)]
            if not both:
                return None
            out[key] = both
        else:
            return None
    return out


def _types(schema: Mapping[str, Any]) -> set[str]:
    t = types_of(schema)
    if t is None:
        return set(CONCRETE_TYPES) | {"integer"}
    return set(t) | ({"integer"} if "number" in t else set())


def type_parts(schema: Mapping[str, Any]) -> list[str]:
    """The concrete types an instance of ``schema`` may have (integer inside number)."""
    t = types_of(schema)
    if t is None:
        return list(CONCRETE_TYPES)
    return [x for x in CONCRETE_TYPES if x in t] + (
        ["integer"] if "integer" in t and "number" not in t else []
    )


class SetRules(ProofBase):
    def compositions(self, a: Any, b: Any, path: Sequence[object], depth: int) -> bool | None:
        """The verdict when a composition decides it, else None (compare keywords)."""
        a, b = self._drop_shared(a, b)
        if "allOf" in a:
            return self._left_all(a, b, path, depth)
        for kw in _UNION:
            if kw in a:
                rest = without(a, kw)
                return all(self._left_branch(rest, br, b, path, depth) for br in a[kw])
        if "if" in a:
            # (if and then) or else: the else case kept without "not if" (looser, so sound)
            rest = without(a, "if", "then", "else")
            guarded = {"allOf": [a["if"], a.get("then", True)]}
            return self._left_branch(rest, guarded, b, path, depth) and self._left_branch(
                rest, a.get("else", True), b, path, depth
            )
        if "allOf" in b:
            merged = self._exact_merge(b)
            if merged is not None:
                return self.sub(a, merged, path, depth)
            rest = without(b, "allOf")
            results = [self.sub(a, rest, path, depth)]
            results += [
                self.sub(a, br, (*path, "allOf", i), depth) for i, br in enumerate(b["allOf"])
            ]
            return all(results)
        for kw in _UNION:
            if kw in b:
                return self._right_union(kw, a, b, path, depth)
        return None

    def _exact_merge(self, b: Mapping[str, Any]) -> dict[str, Any] | None:
        """``b`` with its ``allOf`` folded in when that means exactly the same: needed where
        ``unevaluatedProperties`` sees the properties its allOf branches evaluate. Only
        branches whose keywords read no sibling qualify."""
        if "unevaluatedProperties" not in b:
            return None
        merged: dict[str, Any] | None = without(b, "allOf")
        for branch in b["allOf"]:
            branch, _ = self.resolve(branch, NEW)
            if not isinstance(branch, Mapping) or set(branch) & _READS_SIBLINGS or merged is None:
                return None
            merged = merge(merged, branch)
        return merged

    def _drop_shared(self, a: Mapping, b: Mapping) -> tuple[Mapping, Mapping]:
        """A conjunct both sides hold can be left out of both (``x ∧ c ⊆ y ∧ c`` when
        ``x ⊆ y``)."""
        if any(k in s for s in (a, b) for k in ("unevaluatedProperties", "unevaluatedItems")):
            return a, b  # there the shared part decides what counts as evaluated
        shared = [k for k in _SHARED if k in a and k in b and self.same(a[k], b[k])]
        if "if" in a and all(self.same(a.get(k), b.get(k)) for k in ("if", "then", "else")):
            shared += ["if", "then", "else"]
        if not shared:
            return a, b
        return without(a, *shared), without(b, *shared)

    def _left_all(self, a: Mapping, b: Any, path: Sequence[object], depth: int) -> bool:
        merged: dict[str, Any] | None = without(a, "allOf")
        apart: list[Any] = []
        for branch in a["allOf"]:
            branch, _ = self.resolve(branch, OLD)
            if is_false(branch):
                return True
            if is_true(branch):
                continue
            joined = (
                merge(merged, branch)
                if isinstance(branch, Mapping) and merged is not None
                else None
            )
            if joined is None:
                apart.append(branch)
            else:
                merged = joined
        if not apart:
            return self.sub(merged, b, path, depth)
        # the intersection is inside each of its parts
        candidates = [loosened(merged), *(loosened(x) for x in apart)]
        for candidate in candidates:
            if self.quietly(partial(self.sub, candidate, b, path, depth)):
                return True
        return self.sub(candidates[0], b, path, depth)

    def _left_branch(
        self, rest: Mapping, branch: Any, b: Any, path: Sequence[object], depth: int
    ) -> bool:
        branch, _ = self.resolve(branch, OLD)
        if is_false(branch):
            return True
        if is_true(branch):
            return self.sub(rest, b, path, depth)
        joined = merge(rest, branch) if isinstance(branch, Mapping) else None
        if joined is not None:
            return self.sub(joined, b, path, depth)
        return self.sub({"allOf": [rest, branch]}, b, path, depth)

    def _right_union(
        self, kw: str, a: Mapping, b: Mapping, path: Sequence[object], depth: int
    ) -> bool:
        if not self.sub(a, without(b, kw), path, depth):
            return False
        parts = type_parts(a)
        if len(parts) > 1 and "enum" not in a and "const" not in a:
            # split the old side by type: each part may go to a different branch
            return all(self._right_union(kw, {**a, "type": t}, b, path, depth) for t in parts)
        branches = list(b[kw])
        for i, branch in enumerate(branches):
            if not self.quietly(partial(self.sub, a, branch, (*path, kw, i), depth)):
                continue
            if kw == "anyOf" or self._exclusive(a, branch, branches, i):
                return True
            return self.fail(
                (*path, kw),
                "a value the old schema accepts may now match several oneOf branches, which "
                "oneOf rejects",
            )
        return self.fail(
            (*path, kw),
            f"a value the old schema accepts may match none of the {kw} branches",
        )

    def _exclusive(self, a: Mapping, chosen: Any, branches: list[Any], index: int) -> bool:
        return all(
            self.disjoint(a, OLD, other, NEW) or self.disjoint(chosen, NEW, other, NEW)
            for j, other in enumerate(branches)
            if j != index
        )

    # --- disjointness: no instance satisfies both

    def disjoint(self, x: Any, xr: int, y: Any, yr: int, depth: int = 0) -> bool:
        if depth > 6:
            return False
        x, _ = self.resolve(x, xr)
        y, _ = self.resolve(y, yr)
        if is_false(x) or is_false(y):
            return True
        if not isinstance(x, Mapping) or not isinstance(y, Mapping):
            return False
        if not _types(x) & _types(y):
            return True
        if self._finite_disjoint(x, xr, y, yr) or self._finite_disjoint(y, yr, x, xr):
            return True
        return self._branch_disjoint(x, xr, y, yr, depth) or self._branch_disjoint(
            y, yr, x, xr, depth
        )

    def _finite_disjoint(self, x: Mapping, xr: int, y: Mapping, yr: int) -> bool:
        values = finite_values(x)
        if values is None:
            return False
        return all(self.valid(v, x, xr) is False or self.valid(v, y, yr) is False for v in values)

    def _branch_disjoint(self, x: Mapping, xr: int, y: Mapping, yr: int, depth: int) -> bool:
        for kw in _UNION:
            if kw in x and all(self.disjoint(br, xr, y, yr, depth + 1) for br in x[kw]):
                return True
        if "allOf" in x and any(self.disjoint(br, xr, y, yr, depth + 1) for br in x["allOf"]):
            return True
        for name in x.get("required") or ():
            props = y.get("properties") or {}
            if name in props and is_false(self.resolve(props[name], yr)[0]):
                return True
        return False


def finite_values(schema: Mapping[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    return None
