"""Candidate documents of a schema, biased to the edges where two versions differ: lengths
and bounds of both versions (and one past them), listed values, property names either
version mentions, optional properties one at a time, extra properties, short arrays.

Candidates are only candidates: witness.py keeps those jsonschema itself finds valid under
one version and invalid under the other."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from contracts.compatibility.proof_sets import finite_values, merge, type_parts, without

PER_NODE = 32
# variants of one value: an object varies one property at a time, so it needs the most
_PER_TYPE = {"object": 400, "array": 40}
_FORMATS = {
    "date-time": "2026-01-31T12:00:00Z",
    "date": "2026-01-31",
    "time": "12:00:00Z",
    "email": "someone@example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uri": "https://example.com/a",
    "ipv4": "192.0.2.1",
    "hostname": "example.com",
}
_LITERAL = re.compile(r"^\^?([A-Za-z0-9_\-]+)\$?$")
_LENGTH_KEYS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties")
_BOUND_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


@dataclass
class Hints:
    """Constants from both versions, used at every node."""

    lengths: set[int] = field(default_factory=lambda: {0, 1, 2})
    numbers: set[float] = field(default_factory=lambda: {0, 1, -1, 0.5})
    names: set[str] = field(default_factory=set)
    values: list[Any] = field(default_factory=list)

    def collect(self, node: Any) -> None:
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, Mapping):
                self._collect_one(item)
                stack.extend(
                    v for k, v in item.items() if k not in ("enum", "const", "examples", "default")
                )

    def _collect_one(self, item: Mapping[str, Any]) -> None:
        for key in _LENGTH_KEYS:
            if isinstance(item.get(key), int) and item[key] < 64:
                self.lengths.update({item[key], item[key] + 1, max(item[key] - 1, 0)})
        for key in _BOUND_KEYS:
            v = item.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                self.numbers.update({v, v + 1, v - 1, v * 2})
        for key in ("properties", "dependentRequired", "dependentSchemas"):
            if isinstance(item.get(key), Mapping):
                self.names.update(item[key])
        for pattern in item.get("patternProperties") or {}:
            literal = _LITERAL.match(pattern)
            self.names.add(literal[1] if literal else "x")
        values = finite_values(item) or []
        self.values.extend(v for v in values[:8] if v not in self.values)


class Generator:
    def __init__(self, root: Any, hints: Hints) -> None:
        self.root = root
        self.hints = hints

    def resolve(self, node: Any) -> Any:
        for _ in range(16):
            if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
                return node
            ref = node["$ref"]
            target = _pointer(self.root, ref[1:]) if ref.startswith("#") else None
            if target is None:
                return without(node, "$ref")
            rest = without(node, "$ref")
            node = (
                target
                if not rest
                else (merge(rest, target) if isinstance(target, Mapping) else target) or rest
            )
        return node

    def candidates(self) -> Iterator[Any]:
        return self._values(self.root, 0)

    def values(self, schema: Any, depth: int = 0) -> list[Any]:
        unique = {repr(v): v for v in islice(self._values(schema, depth), PER_NODE * 2)}
        return list(unique.values())[:PER_NODE]

    def _values(self, schema: Any, depth: int) -> Iterator[Any]:
        schema = self.resolve(schema)
        if schema is False or depth > 12:
            return
        if schema is True or not isinstance(schema, Mapping):
            yield from ("x", 0, None, True, {}, [])
            return
        listed = finite_values(schema)
        if listed is not None:
            yield from listed
            return
        yield from self._composed(schema, depth)

    def _composed(self, schema: Mapping[str, Any], depth: int) -> Iterator[Any]:
        if "allOf" in schema:
            merged: Mapping[str, Any] | None = without(schema, "allOf")
            for branch in schema["allOf"]:
                branch = self.resolve(branch)
                if isinstance(branch, Mapping) and merged is not None:
                    merged = merge(merged, branch)
            yield from self._values(merged if merged is not None else schema["allOf"][0], depth)
            return
        for kw in ("anyOf", "oneOf"):
            if kw in schema:
                rest = without(schema, kw)
                for branch in schema[kw]:
                    branch = self.resolve(branch)
                    joined = merge(rest, branch) if isinstance(branch, Mapping) else None
                    yield from islice(
                        self._values(joined if joined is not None else branch, depth), 8
                    )
                return
        if "if" in schema:
            rest = without(schema, "if", "then", "else")
            for key in ("then", "else"):
                joined = merge(rest, self.resolve(schema.get(key, {})) or {})
                yield from islice(self._values(joined or rest, depth), 8)
            return
        for t in type_parts(schema):
            yield from islice(self._typed(t, schema, depth), _PER_TYPE.get(t, 12))

    def _typed(self, t: str, schema: Mapping[str, Any], depth: int) -> Iterator[Any]:
        if t == "null":
            yield None
        elif t == "boolean":
            yield from (True, False)
        elif t in ("number", "integer"):
            yield from self._numbers(t, schema)
        elif t == "string":
            yield from self._strings(schema)
        elif t == "array":
            yield from self._arrays(schema, depth)
        else:
            yield from self._objects(schema, depth)

    def _numbers(self, t: str, schema: Mapping[str, Any]) -> Iterator[Any]:
        step = schema.get("multipleOf")
        for n in sorted(self.hints.numbers, key=abs):
            if step:
                n = round(n / step) * step
            if float(n).is_integer():
                yield int(n)
            elif t == "number":
                yield n

    def _strings(self, schema: Mapping[str, Any]) -> Iterator[str]:
        if schema.get("format") in _FORMATS:
            yield _FORMATS[schema["format"]]
        for n in sorted(self.hints.lengths):
            yield ("abcdefghij" * 7)[:n]
        yield from (v for v in self.hints.values if isinstance(v, str))
        yield from sorted(self.hints.names)[:4]

    def _arrays(self, schema: Mapping[str, Any], depth: int) -> Iterator[list[Any]]:
        prefix = [self.values(p, depth + 1) for p in schema.get("prefixItems") or []]
        firsts = [v[0] for v in prefix if v]
        items = self.values(schema.get("items", True), depth + 1)[:6]
        least = schema.get("minItems", 0)
        yield firsts
        for item in items:
            yield [*firsts, *([item] * max(least - len(firsts), 1))]
        if items:
            yield [*firsts, items[0], items[0]]
        for c in self.values(schema["contains"], depth + 1)[:4] if "contains" in schema else ():
            yield [*firsts, c]
        for i, options in enumerate(prefix):
            for option in options[1:4]:
                yield [*firsts[:i], option, *firsts[i + 1 :]]

    def _objects(self, schema: Mapping[str, Any], depth: int) -> Iterator[dict[str, Any]]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        base: dict[str, Any] = {}
        for name in schema.get("required") or ():
            options = self.values(props.get(name, True), depth + 1)
            if not options:
                return
            base[name] = options[0]
        yield base
        names = [*props, *sorted(self.hints.names - set(props)), "extra_property"]
        for name in names:
            sub = props.get(name, _rest(schema, name))
            for option in self.values(sub, depth + 1)[:10]:
                if base.get(name, ...) != option:
                    yield {**base, name: option}
        yield {**base, **{n: v[0] for n in props if (v := self.values(props[n], depth + 1))}}


def _rest(schema: Mapping[str, Any], name: str) -> Any:
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        literal = _LITERAL.match(pattern)
        if literal and literal[1] == name:
            return sub
    return schema.get("additionalProperties", schema.get("unevaluatedProperties", True))


def _pointer(root: Any, pointer: str) -> Any:
    node = root
    for raw in pointer.split("/")[1:] if pointer else ():
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node
