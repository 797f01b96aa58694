"""JSON Schema (draft 2020-12) diff and compatibility modes. Pure Python, no Django.

Every change is classified by what it does to the set of instances the schema accepts:

* ``narrows``: some document valid under the old schema is invalid under the new one;
* ``widens``: some document valid under the new schema is invalid under the old one.

The modes follow the Confluent Schema Registry rules for JSON Schema:

* BACKWARD: consumers on the new schema read data written with the old one, so the new
  schema must accept everything the old one did: a narrowing breaks it.
* FORWARD: consumers on the old schema read data written with the new one: a widening
  breaks it.
* FULL: both. The ``*_TRANSITIVE`` forms check against every earlier version, not only the
  latest. NONE checks nothing.

Content models: an object whose ``additionalProperties`` is absent or ``true`` is *open*
(old data may carry any extra property), ``false`` is *closed*, and a schema (or
``patternProperties``) makes it *partially open*. A property added to or removed from an
object is judged against the schema that governed that name on the other side, so adding
a property to an open model narrows (old data may have had it with any value), adding it to
a closed model widens (old readers reject it), and adding it to a partially open model is
safe when its schema matches the one that covered it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

JsonSchema = Mapping[str, Any] | bool


class Mode(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))


class UnknownModeError(ValueError):
    pass


class InvalidSchemaError(ValueError):
    """The input is not a valid draft 2020-12 JSON Schema; ``path`` points at the culprit."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.message} (at {self.path or '/'})"


class SchemaTooComplexError(InvalidSchemaError):
    """References make the comparison explode (e.g. definitions that each use the previous
    one twice); refused rather than letting one request take the server."""


MAX_COMPARISONS = 50_000


def parse_mode(value: object) -> Mode:
    if isinstance(value, Mode):
        return value
    text = str(value).strip().upper() if isinstance(value, str) else ""
    try:
        return Mode(text)
    except ValueError:
        allowed = ", ".join(m.value for m in Mode)
        raise UnknownModeError(
            f"Unknown compatibility mode {value!r}; use one of {allowed}."
        ) from None


class ChangeType(StrEnum):
    PROPERTY_ADDED = "property_added"
    PROPERTY_REMOVED = "property_removed"
    REQUIRED_ADDED = "required_added"
    REQUIRED_REMOVED = "required_removed"
    TYPE_CHANGED = "type_changed"
    TYPE_NARROWED = "type_narrowed"
    TYPE_WIDENED = "type_widened"
    ENUM_EXTENDED = "enum_extended"
    ENUM_NARROWED = "enum_narrowed"
    ENUM_CHANGED = "enum_changed"
    CONSTRAINT_TIGHTENED = "constraint_tightened"
    CONSTRAINT_LOOSENED = "constraint_loosened"
    CONSTRAINT_CHANGED = "constraint_changed"
    ADDITIONAL_PROPERTIES_OPENED = "additional_properties_opened"
    ADDITIONAL_PROPERTIES_CLOSED = "additional_properties_closed"
    ADDITIONAL_PROPERTIES_NARROWED = "additional_properties_narrowed"
    ADDITIONAL_PROPERTIES_WIDENED = "additional_properties_widened"
    PATTERN_PROPERTY_ADDED = "pattern_property_added"
    PATTERN_PROPERTY_REMOVED = "pattern_property_removed"
    ITEMS_RESTRICTED = "items_restricted"
    ITEMS_RELAXED = "items_relaxed"
    SUBSCHEMA_RESTRICTED = "subschema_restricted"
    SUBSCHEMA_RELAXED = "subschema_relaxed"
    COMPOSITION_BRANCH_ADDED = "composition_branch_added"
    COMPOSITION_BRANCH_REMOVED = "composition_branch_removed"
    KEYWORD_CHANGED = "keyword_changed"
    REF_CHANGED = "ref_changed"
    DESCRIPTION_CHANGED = "description_changed"
    METADATA_CHANGED = "metadata_changed"


# (narrows, widens) of each kind of constraint change.
_CONSTRAINT_EFFECT = {
    ChangeType.CONSTRAINT_TIGHTENED: (True, False),
    ChangeType.CONSTRAINT_LOOSENED: (False, True),
    ChangeType.CONSTRAINT_CHANGED: (True, True),
}


@dataclass(frozen=True)
class Change:
    type: ChangeType
    path: str
    narrows: bool
    widens: bool
    message: str = ""
    old: Any = None
    new: Any = None

    @property
    def metadata_only(self) -> bool:
        return not (self.narrows or self.widens)

    def breaking(self, mode: Mode) -> bool:
        return (mode.checks_backward and self.narrows) or (mode.checks_forward and self.widens)

    def as_dict(self, mode: Mode) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "path": self.path,
            "breaking": self.breaking(mode),
            "message": self.message,
        }


@dataclass(frozen=True)
class VersionCheck:
    """The changes from one earlier version (``index`` into the history) to the candidate."""

    index: int
    changes: tuple[Change, ...]
    breaking: tuple[Change, ...]


@dataclass(frozen=True)
class CompatibilityResult:
    mode: Mode
    compatible: bool
    changes: tuple[Change, ...]  # against the latest earlier version
    checks: tuple[VersionCheck, ...] = field(default_factory=tuple)

    @property
    def breaking(self) -> tuple[Change, ...]:
        seen: dict[tuple[str, str], Change] = {}
        for check in self.checks:
            for change in check.breaking:
                seen.setdefault((change.type.value, change.path), change)
        return tuple(seen.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "compatible": self.compatible,
            "changes": [c.as_dict(self.mode) for c in self.changes],
        }


# --- validation ----------------------------------------------------------------------------


def _pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def resolve_pointer(root: Any, pointer: str) -> Any:
    """Follow a JSON pointer (without the leading ``#``); KeyError if it leads nowhere."""
    node = root
    if pointer in ("", "/"):
        return node
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    for raw in pointer[1:].split("/"):
        token = _unescape(raw)
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def _iter_refs(node: Any, path: tuple[object, ...] = ()) -> Iterable[tuple[str, tuple]]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref, (*path, "$ref")
        for key, value in node.items():
            if key in ("enum", "const", "default", "examples"):
                continue  # data, not subschemas
            yield from _iter_refs(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _iter_refs(value, (*path, i))


MAX_NESTING = 64


def _too_deep(node: Any, limit: int = MAX_NESTING) -> tuple[object, ...] | None:
    """The path to the first value nested deeper than ``limit`` levels, if any (no recursion,
    so hostile input cannot exhaust the stack)."""
    stack: list[tuple[Any, tuple[object, ...]]] = [(node, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > limit:
            return path
        if isinstance(value, Mapping):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return None


def validate_schema(schema: Any) -> None:
    """Raise InvalidSchemaError unless ``schema`` is a valid draft 2020-12 schema whose local
    ``$ref``s all resolve."""
    if not isinstance(schema, (Mapping, bool)):
        raise InvalidSchemaError("A JSON Schema must be an object or a boolean.", "")
    deep = _too_deep(schema)
    if deep is not None:
        raise InvalidSchemaError(
            f"The schema nests more than {MAX_NESTING} levels deep.", _pointer(deep[:MAX_NESTING])
        )
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise InvalidSchemaError(
            f"Not a valid JSON Schema: {exc.message}", _pointer(exc.absolute_path)
        ) from None
    for ref, where in _iter_refs(schema):
        if ref == "#" or ref.startswith("#/"):
            try:
                resolve_pointer(schema, ref[1:])
            except KeyError:
                raise InvalidSchemaError(
                    f"$ref {ref!r} points at nothing in this schema.", _pointer(where)
                ) from None


# --- diff ----------------------------------------------------------------------------------

_METADATA = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)
_HANDLED = frozenset(
    {
        "$ref",
        "type",
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
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minContains",
        "maxContains",
        "contains",
        "items",
        "prefixItems",
        "unevaluatedItems",
        "minProperties",
        "maxProperties",
        "properties",
        "required",
        "additionalProperties",
        "unevaluatedProperties",
        "patternProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
    }
)
_LOWER_COUNTS = ("minLength", "minItems", "minProperties", "minContains")
_UPPER_COUNTS = ("maxLength", "maxItems", "maxProperties", "maxContains")
_ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


def _is_metadata_key(key: str) -> bool:
    return key in _METADATA or key.startswith("x-")


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return frozenset([t]) if isinstance(t, str) else frozenset(t)


def _covers(types: frozenset[str] | None, t: str) -> bool:
    return types is None or t in types or (t == "integer" and "number" in types)


def _subset(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    if a is None:
        return b is None
    return all(_covers(b, t) for t in a)


def _overlaps(a: frozenset[str] | None, b: frozenset[str] | None, *family: str) -> bool:
    """True when both sides may hold a value of one of the ``family`` types."""
    return any(_covers(a, t) and _covers(b, t) for t in family)


def _trivially_true(schema: Any) -> bool:
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(_is_metadata_key(k) for k in schema)


def _content_model(schema: Mapping[str, Any]) -> str:
    extra = _additional(schema)
    if schema.get("patternProperties"):
        return "partially open"
    if extra is False:
        return "closed"
    return "open" if _trivially_true(extra) else "partially open"


def _additional(schema: Mapping[str, Any]) -> Any:
    if "additionalProperties" in schema:
        return schema["additionalProperties"]
    return schema.get("unevaluatedProperties", True)


def _lower_bound(schema: Mapping[str, Any]) -> tuple[float, bool] | None:
    """(value, exclusive) of the tightest lower bound, or None."""
    bounds: list[tuple[float, bool]] = []
    if isinstance(schema.get("minimum"), (int, float)):
        bounds.append((schema["minimum"], False))
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        bounds.append((schema["exclusiveMinimum"], True))
    return max(bounds) if bounds else None


def _upper_bound(schema: Mapping[str, Any]) -> tuple[float, bool] | None:
    bounds: list[tuple[float, bool]] = []
    if isinstance(schema.get("maximum"), (int, float)):
        bounds.append((schema["maximum"], False))
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        bounds.append((schema["exclusiveMaximum"], True))
    # the smallest value wins; at equal values an exclusive bound is tighter
    return min(bounds, key=lambda b: (b[0], not b[1])) if bounds else None


class _Differ:
    def __init__(self, old_root: Any, new_root: Any) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.changes: list[Change] = []
        self._active_refs: set[tuple[str, str]] = set()
        self._comparisons = 0
        defs = ("$defs", "definitions")
        # Equal subtrees can be skipped when every $ref they hold means the same on both
        # sides: true when the definitions are equal and no ref points elsewhere (e.g. "#").
        self._defs_equal = all(_get(old_root, k) == _get(new_root, k) for k in defs) and all(
            ref.startswith(("#/$defs/", "#/definitions/"))
            for root in (old_root, new_root)
            for ref, _ in _iter_refs(root)
        )

    # --- helpers

    def emit(
        self,
        kind: ChangeType,
        path: Sequence[object],
        *,
        narrows: bool,
        widens: bool,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        self.changes.append(
            Change(kind, _pointer(path), narrows, widens, message, old=old, new=new)
        )

    def constraint(
        self,
        kind: ChangeType,
        path: Sequence[object],
        *,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        """A constraint tightened narrows the accepted values, one loosened widens them, and
        one changed otherwise may do both."""
        narrows, widens = _CONSTRAINT_EFFECT[kind]
        self.emit(kind, path, narrows=narrows, widens=widens, message=message, old=old, new=new)

    def _resolve(self, node: Any, root: Any) -> tuple[Any, str | None]:
        ref_seen = None
        for _ in range(32):
            if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
                break
            ref = node["$ref"]
            if not ref.startswith("#"):
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

    def effect_of(self, old: Any, new: Any, path: Sequence[object]) -> tuple[bool, bool]:
        """Narrows/widens of old -> new without recording the detailed changes."""
        saved = self.changes
        self.changes = []
        try:
            self.compare(old, new, path)
            return any(c.narrows for c in self.changes), any(c.widens for c in self.changes)
        finally:
            self.changes = saved

    # --- main walk

    def compare(self, old: Any, new: Any, path: Sequence[object]) -> None:
        self._comparisons += 1
        if self._comparisons > MAX_COMPARISONS:
            raise SchemaTooComplexError(
                f"The schemas are too complex to compare (over {MAX_COMPARISONS} subschema "
                "comparisons, usually from references used many times).",
                _pointer(path),
            )
        old, old_ref = self._resolve(old, self.old_root)
        new, new_ref = self._resolve(new, self.new_root)
        if old == new and (self._defs_equal or not any(True for _ in _iter_refs(old))):
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
                if not _trivially_false(old):
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
        old_types, new_types = _types(old), _types(new)
        if not self._type(old_types, new_types, path):
            return  # nothing in common: the type change says it all
        self._enum(old, new, path)
        if _overlaps(old_types, new_types, "number", "integer"):
            self._numeric(old, new, path)
        if _overlaps(old_types, new_types, "string"):
            self._counts(old, new, path, ("minLength",), ("maxLength",))
            self._assertion("pattern", old, new, path)
            self._assertion("format", old, new, path)
        if _overlaps(old_types, new_types, "array"):
            self._counts(old, new, path, ("minItems", "minContains"), ("maxItems", "maxContains"))
            self._unique_items(old, new, path)
            self._array(old, new, path)
        if _overlaps(old_types, new_types, "object"):
            self._counts(old, new, path, ("minProperties",), ("maxProperties",))
            self._object(old, new, path)
        self._composition(old, new, path)
        self._unknown(old, new, path)

    def _metadata(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if not _is_metadata_key(key) or key in ("$defs", "definitions"):
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
        wider = _subset(old_t, new_t)
        narrower = _subset(new_t, old_t)
        if wider and narrower:
            return True  # e.g. ["number", "integer"] vs "number"
        if wider:
            self.emit(
                ChangeType.TYPE_WIDENED,
                p,
                narrows=False,
                widens=True,
                message=f"type widened from {_types_text(old_v)} to {_types_text(new_v)}",
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
                message=f"type narrowed from {_types_text(old_v)} to {_types_text(new_v)}",
                old=old_v,
                new=new_v,
            )
            return True
        self.emit(
            ChangeType.TYPE_CHANGED,
            p,
            narrows=True,
            widens=True,
            message=f"type changed from {_types_text(old_v)} to {_types_text(new_v)}",
            old=old_v,
            new=new_v,
        )
        common = {t for t in _ALL_TYPES if _covers(old_t, t) and _covers(new_t, t)}
        return bool(common)

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]) -> None:
        def allowed(s: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
            if "const" in s:
                return "const", {_canon(s["const"]): s["const"]}
            if isinstance(s.get("enum"), list):
                return "enum", {_canon(v): v for v in s["enum"]}
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
                message=_bound_text(keyword, "tightened", old_v, new_v),
                old=old_v,
                new=new_v,
            )
        else:
            self.constraint(
                ChangeType.CONSTRAINT_LOOSENED,
                p,
                message=_bound_text(keyword, "loosened", old_v, new_v),
                old=old_v,
                new=new_v,
            )

    def _numeric(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        def keyword(b: tuple[float, bool] | None, plain: str, excl: str) -> str:
            return excl if b and b[1] else plain

        ol, nl = _lower_bound(old), _lower_bound(new)
        self._bound(keyword(nl or ol, "minimum", "exclusiveMinimum"), ol, nl, path, lower=True)
        ou, nu = _upper_bound(old), _upper_bound(new)
        self._bound(keyword(nu or ou, "maximum", "exclusiveMaximum"), ou, nu, path, lower=False)
        om, nm = old.get("multipleOf"), new.get("multipleOf")
        if om != nm:
            p = (*path, "multipleOf")
            if om is None or (nm is not None and _is_multiple(nm, om)):
                self.constraint(
                    ChangeType.CONSTRAINT_TIGHTENED,
                    p,
                    message=f"multipleOf tightened from {om} to {nm}",
                    old=om,
                    new=nm,
                )
            elif nm is None or _is_multiple(om, nm):
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
            try:
                if re.search(pattern, name):
                    return sub, ["patternProperties", pattern]
            except re.error:
                continue
        key = (
            "additionalProperties" if "additionalProperties" in schema else "unevaluatedProperties"
        )
        return _additional(schema), [key]

    def _object(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
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
            model = _content_model(old)
            self.emit(
                ChangeType.PROPERTY_ADDED,
                (*path, "properties", name),
                narrows=narrows,
                widens=widens,
                new=n_props[name],
                message=f"property {name!r} added to {_article(model)} {model} content model"
                + ("" if narrows or widens else " that already allowed it"),
            )
        for name in o_props:
            if name in n_props:
                continue
            covering, _ = self._governing(new, name)
            narrows, widens = self.effect_of(o_props[name], covering, (*path, "properties", name))
            model = _content_model(new)
            self.emit(
                ChangeType.PROPERTY_REMOVED,
                (*path, "properties", name),
                narrows=narrows,
                widens=widens,
                old=o_props[name],
                message=f"property {name!r} removed; now covered by "
                f"{_article(model)} {model} content model",
            )

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

        o_pat: Mapping[str, Any] = old.get("patternProperties") or {}
        n_pat: Mapping[str, Any] = new.get("patternProperties") or {}
        for pat in o_pat:
            if pat in n_pat:
                self.compare(o_pat[pat], n_pat[pat], (*path, "patternProperties", pat))
        for pat in n_pat:
            if pat not in o_pat:
                narrows, widens = self.effect_of(
                    _additional(old), n_pat[pat], (*path, "patternProperties", pat)
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
                    o_pat[pat], _additional(new), (*path, "patternProperties", pat)
                )
                self.emit(
                    ChangeType.PATTERN_PROPERTY_REMOVED,
                    (*path, "patternProperties", pat),
                    narrows=narrows,
                    widens=widens,
                    old=o_pat[pat],
                    message=f"properties matching {pat!r} lost their own schema",
                )

        self._additional_properties(old, new, path)

        if "propertyNames" in old or "propertyNames" in new:
            self.compare(
                old.get("propertyNames", True),
                new.get("propertyNames", True),
                (*path, "propertyNames"),
            )
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
        o_ds: Mapping[str, Any] = old.get("dependentSchemas") or {}
        n_ds: Mapping[str, Any] = new.get("dependentSchemas") or {}
        for name in sorted(set(o_ds) | set(n_ds)):
            self.compare(
                o_ds.get(name, True), n_ds.get(name, True), (*path, "dependentSchemas", name)
            )

    def _additional_properties(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        o, n = _additional(old), _additional(new)
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
        o_open, n_open = _trivially_true(o), _trivially_true(n)
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
            if kw not in old and kw not in new:
                continue
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
                continue
            if union and not n_list:
                self.constraint(
                    ChangeType.CONSTRAINT_LOOSENED,
                    p,
                    message=f"{kw} removed",
                    old=o_list,
                )
                continue
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
                continue
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
        if "not" in old or "not" in new:
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

    def _unknown(
        self, old: Mapping[str, Any], new: Mapping[str, Any], path: Sequence[object]
    ) -> None:
        for key in sorted(set(old) | set(new)):
            if key in _HANDLED or _is_metadata_key(key):
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


def _get(root: Any, key: str) -> Any:
    return root.get(key) if isinstance(root, Mapping) else None


def _types_text(types: list[str] | None) -> str:
    return " | ".join(types) if types else "any"


def _bound_text(keyword: str, verb: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{keyword} {new} introduced"
    if new is None:
        return f"{keyword} {old} dropped"
    return f"{keyword} {verb} from {old} to {new}"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _trivially_false(schema: Any) -> bool:
    return schema is False or (isinstance(schema, Mapping) and schema.get("not") in ({}, True))


def _is_multiple(a: float, b: float) -> bool:
    """True if every multiple of ``a`` is a multiple of ``b`` (a is a multiple of b)."""
    if b == 0:
        return False
    try:
        # decimal fractions of what was written, so 0.3 is a multiple of 0.1 as users mean it
        q = Fraction(repr(a)) / Fraction(repr(b))
    except (ValueError, OverflowError, TypeError):
        return False
    return q.denominator == 1


def diff_schemas(old: JsonSchema, new: JsonSchema) -> list[Change]:
    """All changes from ``old`` to ``new``, each with a JSON pointer into the schema."""
    differ = _Differ(old, new)
    differ.compare(old, new, ())
    return differ.changes


def check_compatibility(
    new: JsonSchema, previous: Sequence[JsonSchema], mode: Mode | str
) -> CompatibilityResult:
    """Judge ``new`` against the earlier versions (oldest first) under ``mode``.

    Non-transitive modes look at the latest earlier version only; transitive ones at all.
    """
    mode = parse_mode(mode)
    if not previous:
        return CompatibilityResult(mode=mode, compatible=True, changes=(), checks=())
    indexes = range(len(previous)) if mode.transitive else [len(previous) - 1]
    checks = []
    latest: tuple[Change, ...] = ()
    for i in indexes:
        changes = tuple(diff_schemas(previous[i], new))
        breaking = tuple(c for c in changes if c.breaking(mode))
        checks.append(VersionCheck(index=i, changes=changes, breaking=breaking))
        if i == len(previous) - 1:
            latest = changes
    compatible = all(not c.breaking for c in checks)
    return CompatibilityResult(
        mode=mode, compatible=compatible, changes=latest, checks=tuple(checks)
    )


# --- semantic versions ---------------------------------------------------------------------

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)


def parse_version(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version.strip()) if isinstance(version, str) else None
    if not match:
        raise ValueError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH).")
    return int(match[1]), int(match[2]), int(match[3])


def bump_level(changes: Iterable[Change], mode: Mode | str) -> str:
    """'major', 'minor' or 'patch' for these changes under ``mode``.

    NONE switches the compatibility check off, not semantic versioning: there the default
    BACKWARD rule decides what is breaking.
    """
    mode = parse_mode(mode)
    judge = Mode.BACKWARD if mode is Mode.NONE else mode
    changes = list(changes)
    if any(c.breaking(judge) for c in changes):
        return "major"
    if any(not c.metadata_only for c in changes):
        return "minor"
    return "patch"


def suggest_next_version(old_version: str, changes: Iterable[Change], mode: Mode | str) -> str:
    major, minor, patch = parse_version(old_version)
    level = bump_level(changes, mode)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
