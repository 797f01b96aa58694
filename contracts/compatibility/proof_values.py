"""Prover rules for the keywords about values: enum/const, type, numeric bounds, string
length, pattern and format, arrays, conditionals, ``not`` and keywords unknown to the rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.compatibility.keywords import (
    HANDLED,
    covers,
    is_metadata_key,
    is_multiple,
    lower_bound,
    types_of,
    upper_bound,
)
from contracts.compatibility.proof import NEW, OLD, is_true
from contracts.compatibility.proof_sets import SetRules, finite_values, type_parts


def _lower_ok(a: tuple[float, bool] | None, b: tuple[float, bool] | None) -> bool:
    """The old lower bound ``a`` is at least as tight as the new one ``b``."""
    if b is None:
        return True
    if a is None:
        return False
    return a[0] > b[0] or (a[0] == b[0] and (a[1] or not b[1]))


def _upper_ok(a: tuple[float, bool] | None, b: tuple[float, bool] | None) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return a[0] < b[0] or (a[0] == b[0] and (a[1] or not b[1]))


def _at_most(a: Any, b: Any) -> bool:
    """An old maximum count ``a`` within the new maximum ``b`` (None: unbounded)."""
    return b is None or (a is not None and a <= b)


class ValueRules(SetRules):
    def keywords(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        if finite_values(a) is not None:
            return self._finite(a, b, path)
        ok = True
        tb = types_of(b)
        live = []
        for t in type_parts(a):
            if covers(tb, t):
                live.append(t)
            else:
                ok = self.fail((*path, "type"), f"{t} values are no longer accepted")
        if "number" in live or "integer" in live:
            ok = self._numeric(a, b, path) and ok
        if "string" in live:
            ok = self._strings(a, b, path) and ok
        if "array" in live:
            ok = self.arrays(a, b, path, depth) and ok
        if "object" in live:
            ok = self.objects(a, b, path, depth) and ok
        if finite_values(b) is not None and live:
            ok = self.fail(
                (*path, "enum" if "enum" in b else "const"), "only listed values are accepted now"
            )
        ok = self._conditions(a, b, path, depth) and ok
        return self._unknown(a, b, path) and ok

    def objects(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        raise NotImplementedError

    def _finite(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        """An enum or const on the old side: every listed value it accepts is tried on the
        new side (exact)."""
        for value in finite_values(a) or ():
            if self.valid(value, a, OLD) is not False and self.valid(value, b, NEW) is not True:
                kw = "enum" if "enum" in b or "enum" in a else "const"
                return self.fail((*path, kw), f"value {value!r} is no longer accepted")
        return True

    def _numeric(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        if not _lower_ok(lower_bound(a), lower_bound(b)):
            kw = "exclusiveMinimum" if "exclusiveMinimum" in b else "minimum"
            ok = self.fail((*path, kw), f"{kw} tightened")
        if not _upper_ok(upper_bound(a), upper_bound(b)):
            kw = "exclusiveMaximum" if "exclusiveMaximum" in b else "maximum"
            ok = self.fail((*path, kw), f"{kw} tightened")
        nm = b.get("multipleOf")
        if nm is not None:
            am = a.get("multipleOf")
            integers = type_parts(a) == ["integer"] and float(nm) == 1
            if not integers and (am is None or not is_multiple(am, nm)):
                ok = self.fail((*path, "multipleOf"), f"values must now be multiples of {nm}")
        return ok

    def _strings(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        if b.get("minLength", 0) > a.get("minLength", 0):
            ok = self.fail(
                (*path, "minLength"), f"strings must now have at least {b['minLength']} characters"
            )
        if not _at_most(a.get("maxLength"), b.get("maxLength")):
            ok = self.fail(
                (*path, "maxLength"), f"strings may now have at most {b['maxLength']} characters"
            )
        if "pattern" in b and a.get("pattern") != b["pattern"]:
            ok = self.fail(
                (*path, "pattern"),
                f"strings must now match {b['pattern']!r}; whether every string the old schema "
                "accepts does cannot be decided here (regular expression inclusion)",
                undecided="pattern" in a,
            )
        if "format" in b and a.get("format") != b["format"]:
            ok = self.fail((*path, "format"), f"strings must now be in the {b['format']} format")
        return ok

    def arrays(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        ok = True
        if b.get("minItems", 0) > a.get("minItems", 0):
            ok = self.fail(
                (*path, "minItems"), f"arrays must now have at least {b['minItems']} items"
            )
        if not _at_most(a.get("maxItems"), b.get("maxItems")):
            ok = self.fail(
                (*path, "maxItems"), f"arrays may now have at most {b['maxItems']} items"
            )
        if b.get("uniqueItems") and not a.get("uniqueItems") and not _at_most(a.get("maxItems"), 1):
            ok = self.fail((*path, "uniqueItems"), "items must now be unique")
        ok = self._items(a, b, path, depth) and ok
        ok = self._contains(a, b, path) and ok
        unevaluated = b.get("unevaluatedItems", True)
        if not is_true(unevaluated) and not all(
            self.same(a.get(k), b.get(k))
            for k in ("unevaluatedItems", "prefixItems", "items", "contains")
        ):
            ok = self.fail((*path, "unevaluatedItems"), "unevaluatedItems changed", undecided=True)
        return ok

    def _items(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        pa, pb = a.get("prefixItems") or [], b.get("prefixItems") or []
        ia, ib = a.get("items", True), b.get("items", True)
        limit = a.get("maxItems")
        results = []
        for i in range(max(len(pa), len(pb))):
            if limit is not None and i >= limit:
                break
            xa = pa[i] if i < len(pa) else ia
            xb = pb[i] if i < len(pb) else ib
            results.append(self.sub(xa, xb, (*path, "prefixItems", i), depth + 1))
        if limit is None or limit > max(len(pa), len(pb)):
            results.append(self.sub(ia, ib, (*path, "items"), depth + 1))
        return all(results)

    def _contains(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        if "contains" not in b:
            return True
        p = (*path, "contains")
        least, most = b.get("minContains", 1), b.get("maxContains")
        same = "contains" in a and self.same(a["contains"], b["contains"])
        inside = same or (
            "contains" in a and self.quietly(lambda: self.sub(a["contains"], b["contains"], p, 1))
        )
        if least > 0 and not (inside and a.get("minContains", 1) >= least):
            return self.fail(p, "arrays must now contain a matching item")
        if most is not None and not (
            (same and _at_most(a.get("maxContains"), most)) or _at_most(a.get("maxItems"), most)
        ):
            return self.fail((*path, "maxContains"), f"at most {most} matching items allowed now")
        return True

    def _conditions(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        ok = True
        if "not" in b and not self._excluded(a, b):
            ok = self.fail(
                (*path, "not"),
                "values the old schema accepts may match what the new one excludes with not",
                undecided=True,
            )
        if "if" in b:
            ok = self._conditional(a, b, path, depth) and ok
        return ok

    def _excluded(self, a: Mapping, b: Mapping) -> bool:
        """Nothing ``a`` accepts is excluded by ``b``'s ``not``: disjoint from it, or ``a``
        excludes at least as much itself (``b.not ⊆ a.not``, proven the other way round)."""
        if self.disjoint(a, OLD, b["not"], NEW):
            return True
        if "not" not in a:
            return False
        reverse = type(self)(self.roots[NEW], self.roots[OLD], self._indexes[::-1])
        return bool(reverse.sub(b["not"], a["not"], ()))

    def _conditional(self, a: Mapping, b: Mapping, path: Sequence[object], depth: int) -> bool:
        then, other = b.get("then", True), b.get("else", True)
        tries = [lambda: self.sub(a, then, path, depth) and self.sub(a, other, path, depth)]
        if self.quietly(lambda: self.sub(a, b["if"], path, depth)):
            tries.append(lambda: self.sub(a, then, path, depth))
        if self.disjoint(a, OLD, b["if"], NEW):
            tries.append(lambda: self.sub(a, other, path, depth))
        if any(self.quietly(t) for t in tries):
            return True
        return self.fail(
            path,
            "the new conditional (if/then/else) may reject values the old schema accepts",
            undecided=True,
        )

    def _unknown(self, a: Mapping, b: Mapping, path: Sequence[object]) -> bool:
        ok = True
        for key in b:
            if (key in HANDLED and key != "$ref") or is_metadata_key(key):
                continue
            if not self.same(a.get(key), b[key]):
                ok = self.fail(
                    (*path, key),
                    f"keyword {key!r} changed; its effect is not known to the checker",
                    undecided=True,
                )
        return ok
