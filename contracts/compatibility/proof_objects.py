"""Prover rules for objects: each property judged by the schemas that govern its name on
both sides (``properties``, every matching ``patternProperties``, else
``additionalProperties``/``unevaluatedProperties``), required names, dependentRequired,
dependentSchemas, propertyNames and the property counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from contracts.compatibility.proof import NEW, OLD, is_false, is_true
from contracts.compatibility.proof_sets import without
from contracts.compatibility.proof_values import ValueRules, _at_most
from contracts.compatibility.regexes import search

_IN_PLACE = ("allOf", "anyOf", "oneOf", "if", "dependentSchemas", "$ref", "not")


def rest_schema(schema: Mapping[str, Any], role: int) -> Any:
    """The schema of names neither listed nor matching a pattern. ``unevaluatedProperties``
    stands for it when nothing else evaluates properties in place; on the old side it is
    otherwise ignored (looser), on the new side taken as is (stricter): both sound."""
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    if "unevaluatedProperties" not in schema:
        return True
    if role == OLD and any(k in schema for k in _IN_PLACE):
        return True
    return schema["unevaluatedProperties"]


def governing_parts(
    schema: Mapping[str, Any], name: str, role: int
) -> list[tuple[Any, tuple[str, ...]]]:
    """The schemas every value of property ``name`` must satisfy, with where they stand."""
    parts: list[tuple[Any, tuple[str, ...]]] = []
    props = schema.get("properties") or {}
    if name in props:
        parts.append((props[name], ("properties", name)))
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        if search(pattern, name):
            parts.append((sub, ("patternProperties", pattern)))
    if not parts:
        # named after the property: the change is about it, whichever side lists it
        parts.append((rest_schema(schema, role), ("properties", name)))
    return parts


def governing(schema: Mapping[str, Any], name: str, role: int) -> Any:
    """The schema every value of property ``name`` must satisfy."""
    parts = [s for s, _ in governing_parts(schema, name, role)]
    return parts[0] if len(parts) == 1 else {"allOf": parts}


class ObjectRules(ValueRules):
    def objects(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        checks = [
            self._required(a, b, path),
            self._counts(a, b, path),
            self._named(a, b, path, depth),
            self._patterns(a, b, path, depth),
            self._rest(a, b, path, depth),
            self._dependent_required(a, b, path),
            self._dependent_schemas(a, b, path, depth),
            self._property_names(a, b, path, depth),
        ]
        return all(checks)

    def _forbidden(self, a: Mapping, name: str) -> bool:
        return is_false(self.resolve(governing(a, name, OLD), OLD)[0])

    def _required(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        have = set(a.get("required") or ())
        for i, name in enumerate(b.get("required") or ()):
            if name not in have:
                ok = self.fail((*path, "required", i), f"property {name!r} is now required")
        return ok

    def _counts(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        least = max(a.get("minProperties", 0), len(set(a.get("required") or ())))
        if b.get("minProperties", 0) > least:
            ok = self.fail(
                (*path, "minProperties"),
                f"objects need at least {b['minProperties']} properties now",
            )
        if not _at_most(a.get("maxProperties"), b.get("maxProperties")):
            ok = self.fail(
                (*path, "maxProperties"),
                f"objects may have at most {b['maxProperties']} properties now",
            )
        return ok

    def _named(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        a_props: Mapping[str, Any] = a.get("properties") or {}
        b_props: Mapping[str, Any] = b.get("properties") or {}
        plain = not a.get("patternProperties") and not b.get("patternProperties")
        results = []
        for name in dict.fromkeys([*a_props, *b_props]):
            if plain and name in a_props and name in b_props:
                # the common case, kept quick: listed on both sides, no pattern applies
                pa, pb = a_props[name], b_props[name]
                if pa is pb or (pa == pb and (self.all_stable or self.same(pa, pb))):
                    continue
                results.append(self.sub(pa, pb, (*path, "properties", name), depth + 1))
                continue
            old_side = governing(a, name, OLD)
            for part, where in governing_parts(b, name, NEW):
                results.append(self.sub(old_side, part, (*path, *where), depth + 1))
        return all(results)

    def _patterns(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        """Names matching a new pattern: governed on the old side by the same pattern, or by
        any old pattern or the old rest schema (which names two patterns share is not
        decided, so each must fit)."""
        a_pat: Mapping[str, Any] = a.get("patternProperties") or {}
        ok = True
        for pattern, sb in (b.get("patternProperties") or {}).items():
            p = (*path, "patternProperties", pattern)
            if pattern in a_pat:
                ok = self.sub(a_pat[pattern], sb, p, depth + 1) and ok
                continue
            sources = [rest_schema(a, OLD), *a_pat.values()]
            if not all(self.quietly(partial(self.sub, s, sb, p, depth + 1)) for s in sources):
                ok = self.fail(
                    p,
                    f"properties matching {pattern!r} must now fit a new schema",
                    undecided=not is_true(sb) and len(sources) > 1,
                )
        return ok

    def _rest(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        rb = rest_schema(b, NEW)
        if is_true(self.resolve(rb, NEW)[0]):
            return True
        key = "additionalProperties" if "additionalProperties" in b else "unevaluatedProperties"
        p = (*path, key)
        ok = self.sub(rest_schema(a, OLD), rb, p, depth + 1)
        b_pat = b.get("patternProperties") or {}
        for pattern, sa in (a.get("patternProperties") or {}).items():
            where = (*path, "patternProperties", pattern)
            if pattern not in b_pat and not self.sub(sa, rb, where, depth + 1):
                ok = False
        return ok

    def _dependent_required(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        a_dep: Mapping[str, Any] = a.get("dependentRequired") or {}
        required = set(a.get("required") or ())
        for name, needs in (b.get("dependentRequired") or {}).items():
            missing = set(needs) - required - set(a_dep.get(name, ()))
            if missing and not self._forbidden(a, name):
                ok = self.fail(
                    (*path, "dependentRequired", name),
                    f"with {name!r}, {sorted(missing)} are now required too",
                )
        return ok

    def _dependent_schemas(
        self, a: Mapping, b: Mapping, path: Sequence[object], depth: int
    ) -> bool:
        ok = True
        a_dep: Mapping[str, Any] = a.get("dependentSchemas") or {}
        for name, sb in (b.get("dependentSchemas") or {}).items():
            p = (*path, "dependentSchemas", name)
            if (name in a_dep and self.same(a_dep[name], sb)) or self._forbidden(a, name):
                continue
            tries = [partial(self.sub, without(a, "dependentSchemas"), sb, p, depth)]
            if name in a_dep:
                tries.append(partial(self.sub, a_dep[name], sb, p, depth))
            if not any(self.quietly(t) for t in tries):
                ok = self.fail(p, f"objects with {name!r} must now also match a new schema")
        return ok

    def _property_names(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        if "propertyNames" not in b:
            return True
        sb = b["propertyNames"]
        p = (*path, "propertyNames")
        if "propertyNames" in a and self.quietly(lambda: self.sub(a["propertyNames"], sb, p, 1)):
            return True
        closed = is_false(rest_schema(a, OLD)) and not a.get("patternProperties")
        if closed and all(self.valid(n, sb, NEW) is True for n in a.get("properties") or {}):
            return True
        return self.fail(p, "property names must now fit a new schema")
