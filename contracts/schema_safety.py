"""What makes a JSON Schema safe to publish and to validate records with. Pure Python, no Django.

* Patterns (``pattern`` and the keys of ``patternProperties``) are matched with RE2, a
  linear-time engine: no pattern can make one record take seconds (``^(a+)+$`` included).
  Patterns RE2 cannot run (backreferences, lookarounds) are refused when a version is
  published. ECMA-262's ``\\uXXXX`` escapes are understood.
* ``$ref`` and ``$dynamicRef`` resolve inside the schema only: a reference to a file or a URL is
  refused, and nothing is ever fetched (``refusing_registry``).
* A reference that points at nothing, or a cycle of references that never reaches a part of the
  record (``{"$ref": "#"}``), is refused: validation would fail or never end. So is recursion
  through parts every valid record must have (a required child at every level): only an
  infinite record could be valid. Recursion through optional properties or items (a tree)
  terminates on any record and stays allowed.
* A schema nests at most MAX_DEPTH levels and holds at most MAX_NODES values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin

import re2
import referencing
import referencing.exceptions
import referencing.jsonschema
from referencing.jsonschema import DRAFT202012

MAX_DEPTH = 64
MAX_NODES = 50_000
MAX_PATTERN_CHARS = 4_000

# keywords whose value is one subschema, a list of them, or a map of names to them
_ONE = (
    "not", "if", "then", "else", "items", "contains", "additionalProperties",
    "unevaluatedProperties", "unevaluatedItems", "propertyNames", "additionalItems",
)  # fmt: skip
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("$defs", "definitions", "properties", "patternProperties", "dependentSchemas")
# applied to the very value the schema applies to: a cycle of these never ends
_SAME_VALUE_ONE = ("not", "if", "then", "else")
_SAME_VALUE_LIST = ("allOf", "anyOf", "oneOf")


class UnsafeSchemaError(ValueError):
    """A schema that cannot be validated safely; ``pointer`` points at the culprit."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer

    def __str__(self) -> str:
        return f"{self.message} (at {self.pointer or '/'})"


class UnsafePatternError(ValueError):
    """A pattern the linear-time engine cannot run; the message says why."""


def json_pointer(parts: tuple[object, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- the linear-time pattern engine ------------------------------------------------------------

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.never_capture = True
ENGINE = "re2"


def _translate(pattern: str) -> str:
    """ECMA-262 escapes RE2 spells differently: ``\\uXXXX`` becomes ``\\x{XXXX}``."""
    if "\\u" not in pattern:
        return pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            code = pattern[i + 2 : i + 6]
            if pattern[i + 1] == "u" and len(code) == 4 and all(c in _HEX for c in code):
                out.append("\\x{" + code + "}")
                i += 6
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_HEX = frozenset("0123456789abcdefABCDEF")


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The pattern compiled by RE2 (cached); UnsafePatternError when RE2 cannot run it."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePatternError(f"a pattern holds at most {MAX_PATTERN_CHARS} characters")
    try:
        return re2.compile(_translate(pattern), _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsafePatternError(
            f"{reason}; patterns run on a linear-time engine, so backreferences and "
            "lookarounds (?=, ?!, ?<=, ?<!) are not supported"
        ) from None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text``, in time linear in ``text``."""
    return compile_pattern(pattern).search(text) is not None


# --- references: inside the schema only -------------------------------------------------------


def _refuse(uri: str) -> referencing.Resource[Any]:
    raise LookupError(f"{uri!r} is outside the schema; nothing is fetched")


def refusing_registry() -> referencing.Registry[Any]:
    """A registry that never retrieves anything: no network, no files."""
    return referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]


# --- walking a schema --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    schema: Mapping[str, Any]
    path: tuple[object, ...]
    base: str


def _children(node: _Node) -> Iterator[_Node]:
    schema, path = node.schema, node.path
    for key in _ONE:
        sub = schema.get(key)
        if isinstance(sub, Mapping):
            yield _node(sub, (*path, key), node.base)
    for key in _LIST:
        subs = schema.get(key)
        if isinstance(subs, list):
            for i, sub in enumerate(subs):
                if isinstance(sub, Mapping):
                    yield _node(sub, (*path, key, i), node.base)
    for key in _MAP:
        subs = schema.get(key)
        if isinstance(subs, Mapping):
            for name, sub in subs.items():
                if isinstance(sub, Mapping):
                    yield _node(sub, (*path, key, name), node.base)


def _node(schema: Mapping[str, Any], path: tuple[object, ...], base: str) -> _Node:
    own = schema.get("$id")
    return _Node(schema, path, urljoin(base, own) if isinstance(own, str) else base)


def _walk(root: Mapping[str, Any], base: str, path: tuple[object, ...] = ()) -> Iterator[_Node]:
    stack = [_node(root, path, base)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _check_size(schema: Any) -> None:
    stack: list[tuple[Any, tuple[object, ...]]] = [(schema, ())]
    count = 0
    while stack:
        value, path = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise UnsafeSchemaError(f"The schema holds more than {MAX_NODES} values.", "")
        if len(path) > MAX_DEPTH:
            raise UnsafeSchemaError(
                f"The schema nests more than {MAX_DEPTH} levels deep.",
                json_pointer(path[:MAX_DEPTH]),
            )
        if isinstance(value, Mapping):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))


def _check_patterns(node: _Node) -> None:
    pattern = node.schema.get("pattern")
    if isinstance(pattern, str):
        _try_pattern(pattern, (*node.path, "pattern"))
    props = node.schema.get("patternProperties")
    if isinstance(props, Mapping):
        for key in props:
            _try_pattern(str(key), (*node.path, "patternProperties", key))


def _try_pattern(pattern: str, path: tuple[object, ...]) -> None:
    try:
        compile_pattern(pattern)
    except UnsafePatternError as exc:
        message = f"Pattern {pattern!r} is refused: {exc}."
        raise UnsafeSchemaError(message, json_pointer(path)) from None


class _References:
    """Resolves the references of one schema without ever fetching anything."""

    def __init__(self, root: Mapping[str, Any], base: str) -> None:
        # Each dialect walks its own keywords (draft-07's tuple `items` is a list).
        dialect = root.get("$schema") if isinstance(root, Mapping) else None
        specification = referencing.jsonschema.specification_with(
            dialect if isinstance(dialect, str) else "", default=DRAFT202012
        )
        resource = specification.create_resource(root)
        self.registry = refusing_registry().with_resource(base, resource).crawl()

    def target(self, node: _Node, key: str) -> Any:
        ref = node.schema[key]
        where = json_pointer((*node.path, key))
        try:
            return self.registry.resolver(node.base).lookup(ref).contents
        except referencing.exceptions.Unresolvable as exc:
            if isinstance(exc, referencing.exceptions.Unretrievable) or isinstance(
                exc.__cause__, referencing.exceptions.Unretrievable
            ):
                uri, _ = urldefrag(urljoin(node.base, ref))
                raise UnsafeSchemaError(
                    f"{key} {ref!r} points outside this schema ({uri}). Only references inside "
                    "the schema (like '#/$defs/name') are followed; nothing is fetched from "
                    "files or the network.",
                    where,
                ) from None
            message = f"{key} {ref!r} points at nothing in this schema."
            raise UnsafeSchemaError(message, where) from None
        except (ValueError, TypeError, LookupError) as exc:
            raise UnsafeSchemaError(f"{key} {ref!r} cannot be resolved ({exc}).", where) from None


def _same_value_targets(node: _Node, refs: _References) -> Iterator[tuple[Any, str, bool]]:
    """The subschemas applied to the same value as ``node``: each with the pointer of the
    keyword, and whether every valid value must satisfy it ($ref and allOf)."""
    for key in ("$ref", "$dynamicRef"):
        if isinstance(node.schema.get(key), str):
            yield refs.target(node, key), json_pointer((*node.path, key)), key == "$ref"
    for key in _SAME_VALUE_ONE:
        if key in node.schema:
            yield node.schema[key], json_pointer((*node.path, key)), False
    for key in _SAME_VALUE_LIST:
        subs = node.schema.get(key)
        if isinstance(subs, list):
            for i, sub in enumerate(subs):
                yield sub, json_pointer((*node.path, key, i)), key == "allOf"
    dependent = node.schema.get("dependentSchemas")
    if isinstance(dependent, Mapping):
        for name, sub in dependent.items():
            yield sub, json_pointer((*node.path, "dependentSchemas", name)), False


def _only_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list) and len(kind) == 1:
        kind = kind[0]
    return kind if isinstance(kind, str) else None


def _required_parts(node: _Node) -> Iterator[tuple[Any, str]]:
    """The parts of the value every valid value must have, with the subschema each must
    satisfy: required properties of an object, the first minItems items of an array."""
    schema = node.schema
    kind = _only_type(schema)
    if kind == "object":
        props = schema.get("properties")
        required = schema.get("required")
        if isinstance(props, Mapping) and isinstance(required, list):
            for name in required:
                if isinstance(name, str) and isinstance(props.get(name), Mapping):
                    yield props[name], json_pointer((*node.path, "properties", name))
    elif kind == "array":
        least = schema.get("minItems")
        if not isinstance(least, int) or least < 1:
            return
        prefix = schema.get("prefixItems")
        prefix = prefix if isinstance(prefix, list) else []
        for i, sub in enumerate(prefix[:least]):
            if isinstance(sub, Mapping):
                yield sub, json_pointer((*node.path, "prefixItems", i))
        if len(prefix) < least and isinstance(schema.get("items"), Mapping):
            yield schema["items"], json_pointer((*node.path, "items"))


_ENDLESS = (
    "This reference starts a cycle that never reaches a part of the record (a property or an "
    "item), so validating any record would never end. Recursion must go through properties "
    "or items."
)
_INFINITE = (
    "This part is required at every level of a recursion, so only an infinitely nested "
    "record could be valid and every record would fail. Make the recursive part optional "
    "(not required, or minItems 0)."
)


def _check_cycles(edges: dict[int, list[tuple[int, str]]], message: str) -> None:
    """Refuse a cycle in ``edges`` with ``message`` at the edge that closes it (iterative DFS)."""
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if start in state:
            continue
        stack: list[tuple[int, Iterator[tuple[int, str]]]] = [(start, iter(edges[start]))]
        state[start] = 1
        while stack:
            current, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[current] = 2
                stack.pop()
                continue
            target, where = step
            if state.get(target) == 1:
                raise UnsafeSchemaError(message, where)
            if target not in state:
                state[target] = 1
                stack.append((target, iter(edges.get(target, ()))))


def check_schema_safety(schema: Any) -> None:
    """Raise UnsafeSchemaError unless the schema is bounded, its patterns run in linear time and
    its references stay inside it and terminate. Run after the schema itself was checked to be a
    valid draft 2020-12 schema."""
    _check_size(schema)
    if not isinstance(schema, Mapping):
        return
    own = schema.get("$id")
    base = own if isinstance(own, str) else ""
    refs = _References(schema, base)
    nodes: dict[int, _Node] = {}
    for node in _walk(schema, base):
        nodes.setdefault(id(node.schema), node)
    queue = list(nodes.values())
    edges: dict[int, list[tuple[int, str]]] = {}
    must: dict[int, list[tuple[int, str]]] = {}  # what every valid value must also satisfy
    while queue:
        node = queue.pop()
        if id(node.schema) in edges:
            continue
        _check_patterns(node)
        found = edges.setdefault(id(node.schema), [])
        needed = must.setdefault(id(node.schema), [])
        needed.extend((id(part), where) for part, where in _required_parts(node))
        for target, where, mandatory in _same_value_targets(node, refs):
            if isinstance(target, Mapping):
                found.append((id(target), where))
                if mandatory:
                    needed.append((id(target), where))
                if id(target) not in nodes:  # a part of the schema no keyword reaches
                    for sub in _walk(target, node.base, (*node.path, "$ref")):
                        if id(sub.schema) not in nodes:
                            nodes[id(sub.schema)] = sub
                            queue.append(sub)
    _check_cycles(edges, _ENDLESS)
    _check_cycles(must, _INFINITE)
