"""Schema validation (in the dialect ``$schema`` names, 2020-12 when absent; local ``$ref``s
resolved) and JSON pointers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError

from contracts.schema_safety import UnsafeSchemaError, check_schema_safety

JsonSchema = Mapping[str, Any] | bool


class InvalidSchemaError(ValueError):
    """The input is not a valid JSON Schema of its dialect; ``path`` points at the culprit."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.message} (at {self.path or '/'})"


class SchemaTooComplexError(InvalidSchemaError):
    """References make the comparison explode (e.g. definitions that each use the previous
    one twice); refused rather than letting one request take the server."""


def json_pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# keywords that hold no subschema: a change and a failure on any of them at the same place
# are about the same values (e.g. maximum vs exclusiveMaximum, required/0 vs required)
VALUE_KEYWORDS = frozenset(
    {
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
        "minProperties",
        "maxProperties",
        "required",
        "dependentRequired",
    }
)


def owner_of(pointer: str) -> str:
    """The subschema a pointer is about: trailing value keywords (and their index) dropped."""
    parts = pointer.split("/")
    for _ in range(2):
        if len(parts) > 1 and parts[-1] in VALUE_KEYWORDS:
            return "/".join(parts[:-1])
        if len(parts) > 2 and parts[-2] in VALUE_KEYWORDS:
            return "/".join(parts[:-2])
    return pointer


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def resolve_pointer(root: Any, pointer: str) -> Any:
    """Follow a JSON pointer (without the leading ``#``); KeyError if it leads nowhere."""
    node = root
    if pointer in ("", "/"):
        return node
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    for raw in pointer[1:].split("/"):
        token = unescape(raw)
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def iter_refs(node: Any, path: tuple[object, ...] = ()) -> Iterable[tuple[str, tuple]]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref, (*path, "$ref")
        for key, value in node.items():
            if key in ("enum", "const", "default", "examples"):
                continue  # data, not subschemas
            yield from iter_refs(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_refs(value, (*path, i))


MAX_NESTING = 64


def too_deep(node: Any, limit: int = MAX_NESTING) -> tuple[object, ...] | None:
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
    """Raise InvalidSchemaError unless ``schema`` is a valid schema of the dialect its
    ``$schema`` names (draft-07, 2019-09, 2020-12 when absent) whose local ``$ref``s all
    resolve, and which is safe to validate records with (contracts.schema_safety: bounded,
    linear-time patterns, references inside the schema that resolve and terminate)."""
    if not isinstance(schema, (Mapping, bool)):
        raise InvalidSchemaError("A JSON Schema must be an object or a boolean.", "")
    deep = too_deep(schema)
    if deep is not None:
        raise InvalidSchemaError(
            f"The schema nests more than {MAX_NESTING} levels deep.",
            json_pointer(deep[:MAX_NESTING]),
        )
    try:
        validators.validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        raise InvalidSchemaError(
            f"Not a valid JSON Schema: {exc.message}", json_pointer(exc.absolute_path)
        ) from None
    for ref, where in iter_refs(schema):
        if ref == "#" or ref.startswith("#/"):
            try:
                resolve_pointer(schema, ref[1:])
            except KeyError:
                raise InvalidSchemaError(
                    f"$ref {ref!r} points at nothing in this schema.", json_pointer(where)
                ) from None
    try:
        check_schema_safety(schema)
    except UnsafeSchemaError as exc:
        raise InvalidSchemaError(exc.message, exc.pointer) from None
