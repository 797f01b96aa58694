"""Diff rules for the keywords about values: metadata, type, enum and const, numeric bounds,
length and count bounds, pattern and format, uniqueItems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts.compatibility.changes import ChangeType
from contracts.compatibility.keywords import (
    ALL_TYPES,
    bound_text,
    canon,
    covers,
    is_metadata_key,
    is_multiple,
    lower_bound,
    subset,
    types_text,
    upper_bound,
)
from contracts.compatibility.recorder import ChangeRecorder


class ScalarRules(ChangeRecorder):
    def _metadata(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if not is_metadata_key(key) or key in ("$defs", "definitions"):
                continue
            if old.get(key) != new.get(key):
                kind = (
                    ChangeType.DESCRIPTION_CHANGED
                    if key in ("description", "title")
                    else ChangeType.METADATA_CHANGED
                )
                self.emit(
                    kind,
                    (*path, key),
                    narrows=False,
                    widens=False,
                    message=f"{key} changed",
                    old=old.get(key),
                    new=new.get(key),
                )

    def _type(
        self, old_t: frozenset[str] | None, new_t: frozenset[str] | None, path: Sequence[object]
    ) -> bool:
        if old_t == new_t:
            return True
        p = (*path, "type")
        old_v = sorted(old_t) if old_t is not None else None
        new_v = sorted(new_t) if new_t is not None else None
        wider = subset(old_t, new_t)
        narrower = subset(new_t, old_t)
        if wider and narrower:
            return True  # e.g. ["number", "integer"] vs "number"
        if wider:
            self.emit(
                ChangeType.TYPE_WIDENED,
                p,
                narrows=False,
                widens=True,
                message=f"type widened from {types_text(old_v)} to {types_text(new_v)}",
                old=old_v,
                new=new_v,
            )
            return True
        if narrower:
            self.emit(
                ChangeType.TYPE_NARROWED,
                p,
                narrows=True,
                widens=False,
                message=f"type narrowed from {types_text(old_v)} to {types_text(new_v)}",
                old=old_v,
                new=new_v,
            )
            return True
        self.emit(
            ChangeType.TYPE_CHANGED,
            p,
            narrows=True,
            widens=True,
            message=f"type changed from {types_text(old_v)} to {types_text(new_v)}",
            old=old_v,
            new=new_v,
        )
        common = {t for t in ALL_TYPES if covers(old_t, t) and covers(new_t, t)}
        return bool(common)

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]) -> None:
        def allowed(s: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
            if "const" in s:
                return "const", {canon(s["const"]): s["const"]}
            if isinstance(s.get("enum"), list):
                return "enum", {canon(v): v for v in s["enum"]}
            return None

        a, b = allowed(old), allowed(new)
        if a is None and b is None:
            return
        if a is None:
            assert b is not None
            key = b[0]
            p = (*path, key)
            self.emit(
                ChangeType.ENUM_NARROWED,
                p,
                narrows=True,
                widens=False,
                message=f"{key} introduced: only listed values are accepted now",
                new=list(b[1].values()),
            )
            return
        if b is None:
            self.emit(
                ChangeType.ENUM_EXTENDED,
                (*path, a[0]),
                narrows=False,
                widens=True,
                message=f"{a[0]} removed: any value is accepted now",
                old=list(a[1].values()),
            )
            return
        p = (*path, b[0])
        old_vals, new_vals = set(a[1]), set(b[1])
        if old_vals == new_vals:
            return
        added = [b[1][k] for k in sorted(new_vals - old_vals)]
        removed = [a[1][k] for k in sorted(old_vals - new_vals)]
        if not removed:
            self.emit(
                ChangeType.ENUM_EXTENDED,
                p,
                narrows=False,
                widens=True,
                message=f"values added: {added}",
                old=list(a[1].values()),
                new=list(b[1].values()),
            )
        elif not added:
            self.emit(
                ChangeType.ENUM_NARROWED,
                p,
                narrows=True,
                widens=False,
                message=f"values removed: {removed}",
                old=list(a[1].values()),
                new=list(b[1].values()),
            )
        else:
            self.emit(
                ChangeType.ENUM_CHANGED,
                p,
                narrows=True,
                widens=True,
                message=f"values added {added} and removed {removed}",
                old=list(a[1].values()),
                new=list(b[1].values()),
            )

    def _bound(
        self,
        keyword: str,
        old_b: tuple[float, bool] | None,
        new_b: tuple[float, bool] | None,
        path: Sequence[object],
        *,
        lower: bool,
    ) -> None:
        if old_b == new_b:
            return
        if old_b is None:
            tighter = True
        elif new_b is None:
            tighter = False
        else:
            # compare as (value, exclusive): for a lower bound bigger is tighter
            o = (old_b[0], old_b[1]) if lower else (-old_b[0], old_b[1])
            n = (new_b[0], new_b[1]) if lower else (-new_b[0], new_b[1])
            tighter = n > o
        p = (*path, keyword)
        old_v = old_b[0] if old_b else None
        new_v = new_b[0] if new_b else None
        if tighter:
            self.constraint(
                ChangeType.CONSTRAINT_TIGHTENED,
                p,
                message=bound_text(keyword, "tightened", old_v, new_v),
                old=old_v,
                new=new_v,
            )
        else:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message=bound_text(keyword, "loosened", old_v, new_v),
                old=old_v,
                new=new_v,
            )

    def _numeric(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        def keyword(b: tuple[float, bool] | None, plain: str, excl: str) -> str:
            return excl if b and b[1] else plain

        ol, nl = lower_bound(old), lower_bound(new)
        self._bound(keyword(nl or ol, "minimum", "exclusiveMinimum"), ol, nl, path, lower=True)
        ou, nu = upper_bound(old), upper_bound(new)
        self._bound(keyword(nu or ou, "maximum", "exclusiveMaximum"), ou, nu, path, lower=False)
        om, nm = old.get("multipleOf"), new.get("multipleOf")
        if om != nm:
            p = (*path, "multipleOf")
            if om is None or (nm is not None and is_multiple(nm, om)):
                self.constraint(
                    ChangeType.CONSTRAINT_TIGHTENED,
                    p,
                    message=f"multipleOf tightened from {om} to {nm}",
                    old=om,
                    new=nm,
                )
            elif nm is None or is_multiple(om, nm):
                self.constraint(
                    ChangeType.CONSTRAINT_LOOSENED,
                    p,
                    message=f"multipleOf loosened from {om} to {nm}",
                    old=om,
                    new=nm,
                )
            else:
                self.constraint(
                    ChangeType.CONSTRAINT_CHANGED,
                    p,
                    message=f"multipleOf changed from {om} to {nm}",
                    old=om,
                    new=nm,
                )

    def _counts(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: Sequence[object],
        lowers: tuple[str, ...],
        uppers: tuple[str, ...],
    ) -> None:
        for kw in lowers:
            o, n = old.get(kw), new.get(kw)
            # minContains defaults to 1, the others to 0
            default = 1 if kw == "minContains" else 0
            o_b = (o, False) if o not in (None, default) else None
            n_b = (n, False) if n not in (None, default) else None
            self._bound(kw, o_b, n_b, path, lower=True)
        for kw in uppers:
            o, n = old.get(kw), new.get(kw)
            self._bound(
                kw,
                (o, False) if o is not None else None,
                (n, False) if n is not None else None,
                path,
                lower=False,
            )

    def _assertion(
        self,
        keyword: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        path: Sequence[object],
    ) -> None:
        """`pattern` and `format`: adding one tightens, removing loosens, and a change may
        break either way (inclusion of regular languages or formats is not decided here;
        formats count as assertions since producers and consumers do check them)."""
        o, n = old.get(keyword), new.get(keyword)
        if o == n:
            return
        p = (*path, keyword)
        if o is None:
            self.constraint(
                ChangeType.CONSTRAINT_TIGHTENED,
                p,
                message=f"{keyword} {n!r} added",
                new=n,
            )
        elif n is None:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message=f"{keyword} {o!r} removed",
                old=o,
            )
        else:
            self.constraint(
                ChangeType.CONSTRAINT_CHANGED,
                p,
                message=f"{keyword} changed from {o!r} to {n!r}",
                old=o,
                new=n,
            )

    def _unique_items(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        o, n = bool(old.get("uniqueItems")), bool(new.get("uniqueItems"))
        if o == n:
            return
        p = (*path, "uniqueItems")
        if n:
            self.constraint(
                ChangeType.CONSTRAINT_TIGHTENED,
                p,
                message="items must now be unique",
                old=o,
                new=n,
            )
        else:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message="items no longer need to be unique",
                old=o,
                new=n,
            )
