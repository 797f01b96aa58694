"""Diff rules for the keywords that hold subschemas: array items, object properties and the
content model, composition (anyOf, oneOf, allOf, not, if/then/else), unknown keywords."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.compatibility.changes import Change, ChangeType
from contracts.compatibility.keywords import (
    HANDLED,
    additional,
    article,
    content_model,
    is_metadata_key,
    trivially_true,
)
from contracts.compatibility.recorder import ChangeRecorder
from contracts.compatibility.regexes import search


class ContainerRules(ChangeRecorder):
    def _array(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        o_prefix = old.get("prefixItems") or []
        n_prefix = new.get("prefixItems") or []
        o_items = old.get("items", old.get("unevaluatedItems", True))
        n_items = new.get("items", new.get("unevaluatedItems", True))
        for i in range(max(len(o_prefix), len(n_prefix))):
            o_i = o_prefix[i] if i < len(o_prefix) else o_items
            n_i = n_prefix[i] if i < len(n_prefix) else n_items
            self.compare(o_i, n_i, (*path, "prefixItems", i))
        if (
            "items" in old
            or "items" in new
            or "unevaluatedItems" in old
            or "unevaluatedItems" in new
        ):
            if isinstance(o_items, bool) and isinstance(n_items, bool):
                if o_items != n_items:
                    kind = ChangeType.ITEMS_RELAXED if n_items else ChangeType.ITEMS_RESTRICTED
                    self.emit(
                        kind,
                        (*path, "items"),
                        narrows=not n_items,
                        widens=n_items,
                        message="items "
                        + ("allowed" if n_items else "forbidden")
                        + " beyond the listed positions",
                        old=o_items,
                        new=n_items,
                    )
            else:
                self.compare(o_items, n_items, (*path, "items"))
        if "contains" in old or "contains" in new:
            o_c, n_c = old.get("contains"), new.get("contains")
            p = (*path, "contains")
            if o_c is None:
                self.constraint(
                    ChangeType.CONSTRAINT_TIGHTENED,
                    p,
                    message="contains added",
                    new=n_c,
                )
            elif n_c is None:
                self.constraint(
                    ChangeType.CONSTRAINT_LOOSENED,
                    p,
                    message="contains removed",
                    old=o_c,
                )
            else:
                self.compare(o_c, n_c, p)

    def _governing(self, schema: Mapping[str, Any], name: str) -> tuple[Any, list[object]]:
        """The subschema that validates property ``name`` and its location in ``schema``."""
        props = schema.get("properties") or {}
        if name in props:
            return props[name], ["properties", name]
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            if search(pattern, name):
                return sub, ["patternProperties", pattern]
        key = (
            "additionalProperties" if "additionalProperties" in schema else "unevaluatedProperties"
        )
        return additional(schema), [key]

    def _object(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        self._properties(old, new, path)
        self._required(old, new, path)
        self._pattern_properties(old, new, path)
        self._additional_properties(old, new, path)
        if "propertyNames" in old or "propertyNames" in new:
            self.compare(
                old.get("propertyNames", True),
                new.get("propertyNames", True),
                (*path, "propertyNames"),
            )
        self._dependent_required(old, new, path)
        o_ds: Mapping[str, Any] = old.get("dependentSchemas") or {}
        n_ds: Mapping[str, Any] = new.get("dependentSchemas") or {}
        for name in sorted(set(o_ds) | set(n_ds)):
            self.compare(
                o_ds.get(name, True), n_ds.get(name, True), (*path, "dependentSchemas", name)
            )

    def _properties(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        """Properties kept, added and removed, each judged against the schema that covers
        its name on the other side."""
        o_props: Mapping[str, Any] = old.get("properties") or {}
        n_props: Mapping[str, Any] = new.get("properties") or {}
        for name in o_props:
            if name in n_props:
                self.compare(o_props[name], n_props[name], (*path, "properties", name))
        for name in n_props:
            if name in o_props:
                continue
            covering, _ = self._governing(old, name)
            narrows, widens = self.effect_of(covering, n_props[name], (*path, "properties", name))
            model = content_model(old)
            self.emit(
                ChangeType.PROPERTY_ADDED,
                (*path, "properties", name),
                narrows=narrows,
                widens=widens,
                new=n_props[name],
                message=f"property {name!r} added to {article(model)} {model} content model"
                + ("" if narrows or widens else " that already allowed it"),
            )
        for name in o_props:
            if name in n_props:
                continue
            covering, _ = self._governing(new, name)
            narrows, widens = self.effect_of(o_props[name], covering, (*path, "properties", name))
            model = content_model(new)
            self.emit(
                ChangeType.PROPERTY_REMOVED,
                (*path, "properties", name),
                narrows=narrows,
                widens=widens,
                old=o_props[name],
                message=f"property {name!r} removed; now covered by "
                f"{article(model)} {model} content model",
            )

    def _required(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        """Names that became required or stopped being required."""
        o_req, n_req = set(old.get("required") or ()), set(new.get("required") or ())
        n_req_list, o_req_list = list(new.get("required") or ()), list(old.get("required") or ())
        for name in sorted(n_req - o_req):
            self.emit(
                ChangeType.REQUIRED_ADDED,
                (*path, "required", n_req_list.index(name)),
                narrows=True,
                widens=False,
                message=f"property {name!r} is now required",
                new=name,
            )
        for name in sorted(o_req - n_req):
            self.emit(
                ChangeType.REQUIRED_REMOVED,
                (*path, "required", o_req_list.index(name)),
                narrows=False,
                widens=True,
                message=f"property {name!r} is no longer required",
                old=name,
            )

    def _pattern_properties(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        """Patterns kept, added and removed, judged against the content model they
        replace or fall back to."""
        o_pat: Mapping[str, Any] = old.get("patternProperties") or {}
        n_pat: Mapping[str, Any] = new.get("patternProperties") or {}
        for pat in o_pat:
            if pat in n_pat:
                self.compare(o_pat[pat], n_pat[pat], (*path, "patternProperties", pat))
        for pat in n_pat:
            if pat not in o_pat:
                narrows, widens = self.effect_of(
                    additional(old), n_pat[pat], (*path, "patternProperties", pat)
                )
                self.emit(
                    ChangeType.PATTERN_PROPERTY_ADDED,
                    (*path, "patternProperties", pat),
                    narrows=narrows,
                    widens=widens,
                    new=n_pat[pat],
                    message=f"properties matching {pat!r} now have their own schema",
                )
        for pat in o_pat:
            if pat not in n_pat:
                narrows, widens = self.effect_of(
                    o_pat[pat], additional(new), (*path, "patternProperties", pat)
                )
                self.emit(
                    ChangeType.PATTERN_PROPERTY_REMOVED,
                    (*path, "patternProperties", pat),
                    narrows=narrows,
                    widens=widens,
                    old=o_pat[pat],
                    message=f"properties matching {pat!r} lost their own schema",
                )

    def _dependent_required(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        """Properties required alongside another: more narrow, fewer widen."""
        o_dep: Mapping[str, Any] = old.get("dependentRequired") or {}
        n_dep: Mapping[str, Any] = new.get("dependentRequired") or {}
        for name in sorted(set(o_dep) | set(n_dep)):
            o_set, n_set = set(o_dep.get(name, ())), set(n_dep.get(name, ()))
            if o_set == n_set:
                continue
            p = (*path, "dependentRequired", name)
            narrows, widens = bool(n_set - o_set), bool(o_set - n_set)
            kind = (
                ChangeType.CONSTRAINT_CHANGED
                if narrows and widens
                else ChangeType.CONSTRAINT_TIGHTENED
                if narrows
                else ChangeType.CONSTRAINT_LOOSENED
            )
            self.emit(
                kind,
                p,
                narrows=narrows,
                widens=widens,
                old=sorted(o_set),
                new=sorted(n_set),
                message=f"properties required alongside {name!r} changed",
            )

    def _additional_properties(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        o, n = additional(old), additional(new)
        if "additionalProperties" in new or "additionalProperties" not in old:
            key = (
                "additionalProperties"
                if "additionalProperties" in new
                else (
                    "unevaluatedProperties"
                    if "unevaluatedProperties" in new
                    else "additionalProperties"
                )
            )
        else:
            key = "additionalProperties"
        p = (*path, key)
        o_open, n_open = trivially_true(o), trivially_true(n)
        if o_open and n_open:
            return
        if n is False:
            if o is not False:
                self.emit(
                    ChangeType.ADDITIONAL_PROPERTIES_CLOSED,
                    p,
                    narrows=True,
                    widens=False,
                    message="content model closed: undeclared properties are rejected now",
                    old=o,
                    new=n,
                )
            return
        if n_open:
            self.emit(
                ChangeType.ADDITIONAL_PROPERTIES_OPENED,
                p,
                narrows=False,
                widens=True,
                message="content model opened: undeclared properties are accepted now",
                old=o,
                new=n,
            )
            return
        if o is False:
            self.emit(
                ChangeType.ADDITIONAL_PROPERTIES_WIDENED,
                p,
                narrows=False,
                widens=True,
                message="content model partially opened",
                old=o,
                new=n,
            )
            return
        if o_open:
            self.emit(
                ChangeType.ADDITIONAL_PROPERTIES_NARROWED,
                p,
                narrows=True,
                widens=False,
                message="content model partially closed: undeclared properties must match "
                "a schema now",
                old=o,
                new=n,
            )
            return
        self.compare(o, n, p)

    def _composition(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        for kw in ("anyOf", "oneOf", "allOf"):
            if kw in old or kw in new:
                self._branches(kw, old, new, path)
        if "not" in old or "not" in new:
            self._not(old, new, path)
        for kw in ("if", "then", "else"):
            if old.get(kw) != new.get(kw):
                self.emit(
                    ChangeType.KEYWORD_CHANGED,
                    (*path, kw),
                    narrows=True,
                    widens=True,
                    message=f"conditional {kw} changed",
                    old=old.get(kw),
                    new=new.get(kw),
                )

    def _branches(
        self, kw: str, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        """The branches of ``anyOf``, ``oneOf`` or ``allOf``: equal ones pair up, the rest are
        compared in order when their counts match, else reported as added and removed."""
        p = (*path, kw)
        o_list, n_list = list(old.get(kw) or []), list(new.get(kw) or [])
        union = kw != "allOf"  # more branches widen a union and narrow an intersection
        if union and not o_list:
            self.constraint(
                ChangeType.CONSTRAINT_TIGHTENED,
                p,
                message=f"{kw} introduced",
                new=n_list,
            )
            return
        if union and not n_list:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message=f"{kw} removed",
                old=o_list,
            )
            return
        o_left = [(i, s) for i, s in enumerate(o_list)]
        n_left = [(i, s) for i, s in enumerate(n_list)]
        for j, s in list(n_left):
            match = next((item for item in o_left if item[1] == s), None)
            if match is not None and self._defs_equal:
                o_left.remove(match)
                n_left.remove((j, s))
        if len(o_left) == len(n_left):
            for (_, o_s), (j, n_s) in zip(o_left, n_left, strict=True):
                self.compare(o_s, n_s, (*p, j))
            return
        for j, s in n_left:
            self.emit(
                ChangeType.COMPOSITION_BRANCH_ADDED,
                (*p, j),
                narrows=not union,
                widens=union,
                message=f"{kw} branch added",
                new=s,
            )
        for i, s in o_left:
            self.emit(
                ChangeType.COMPOSITION_BRANCH_REMOVED,
                (*p, i),
                narrows=union,
                widens=not union,
                message=f"{kw} branch removed",
                old=s,
            )

    def _not(self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]) -> None:
        p = (*path, "not")
        if "not" not in old:
            self.constraint(
                ChangeType.CONSTRAINT_TIGHTENED,
                p,
                message="not added",
                new=new["not"],
            )
        elif "not" not in new:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message="not removed",
                old=old["not"],
            )
        else:
            saved = self.changes
            self.changes = []
            self.compare(old["not"], new["not"], p)
            inner, self.changes = self.changes, saved
            # "not" flips the direction: narrowing the excluded set widens the schema
            for c in inner:
                self.changes.append(
                    Change(
                        c.type,
                        c.path,
                        c.widens,
                        c.narrows,
                        c.message + " (under not)",
                        c.old,
                        c.new,
                    )
                )

    def _unknown(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if key in HANDLED or is_metadata_key(key):
                continue
            if old.get(key) != new.get(key):
                self.emit(
                    ChangeType.KEYWORD_CHANGED,
                    (*path, key),
                    narrows=True,
                    widens=True,
                    message=f"keyword {key!r} changed; judged as breaking both ways",
                    old=old.get(key),
                    new=new.get(key),
                )
