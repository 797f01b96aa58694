"""A schema of the common keywords compiled into a plain-Python "is this record valid?".

Most records are valid, so the fast predicate answers for them and jsonschema is asked only for
the records it rejects (for their errors) and for schemas it cannot express. The predicate is
exact for what it accepts: it never calls a record valid that jsonschema would reject. Each
keyword has its compiler in KEYWORD_COMPILERS, applied in that order. Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from contracts.schema_safety import UnsafePatternError, compile_pattern

Predicate = Callable[[Any], bool]
FormatCheck = Callable[[Any, str], bool]
# A keyword's check for the schema that holds it: None when it checks nothing; raises
# _Unsupported when the predicate cannot express it.
KeywordCompiler = Callable[[Mapping[str, Any], FormatCheck | None], Predicate | None]

# Keywords of the 2020-12 vocabularies the fast predicate does not express: a schema using any
# of them anywhere is validated by jsonschema alone. Other unknown keywords are annotations
# (jsonschema ignores them too).
_UNSUPPORTED = frozenset(
    {
        "$ref", "$dynamicRef", "$recursiveRef", "allOf", "anyOf", "oneOf", "not", "if", "then",
        "else", "dependentSchemas", "dependentRequired", "dependencies", "prefixItems",
        "contains", "minContains", "maxContains", "patternProperties", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "multipleOf", "uniqueItems",
        "minProperties", "maxProperties",
    }
)  # fmt: skip


class _Unsupported(Exception):
    pass


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPE_CHECKS: dict[str, Predicate] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": is_number,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _any_of(predicates: tuple[Predicate, ...]) -> Predicate:
    return lambda v: any(p(v) for p in predicates)


def _bounded(bound: float, test: Callable[[Any, Any], bool]) -> Predicate:
    return lambda v: not is_number(v) or test(v, bound)


# --- one compiler per keyword ----------------------------------------------------------------


def _type(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate | None:
    t = schema["type"]
    if t is None:
        return None
    names = [t] if isinstance(t, str) else list(t)
    if not names or any(n not in _TYPE_CHECKS for n in names):
        raise _Unsupported
    type_checks = [_TYPE_CHECKS[n] for n in names]
    if len(type_checks) == 1:
        return type_checks[0]
    return _any_of(tuple(type_checks))


def _enum(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
    values = schema["enum"]
    if not isinstance(values, list) or not all(isinstance(x, str) for x in values):
        raise _Unsupported  # jsonschema's equality of numbers and booleans is subtle
    allowed = frozenset(values)
    return lambda v: isinstance(v, str) and v in allowed


def _const(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
    const = schema["const"]
    if isinstance(const, str):
        return lambda v: isinstance(v, str) and v == const
    if const is None or isinstance(const, bool):
        return lambda v: v is const
    raise _Unsupported


def _bound(key: str, test: Callable[[Any, Any], bool]) -> KeywordCompiler:
    """minimum, maximum and their exclusive forms: numbers only, other values pass."""

    def compile_bound(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
        bound = schema[key]
        if not is_number(bound):
            raise _Unsupported
        return _bounded(bound, test)

    return compile_bound


def _size(key: str, kind: type[str] | type[list[Any]], *, at_least: bool) -> KeywordCompiler:
    """minLength, maxLength, minItems, maxItems: values of ``kind`` only, others pass."""

    def compile_size(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
        limit = schema[key]
        if at_least:
            return lambda v: not isinstance(v, kind) or len(v) >= limit
        return lambda v: not isinstance(v, kind) or len(v) <= limit

    return compile_size


def _pattern(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
    """Matched by RE2 in linear time, as the validator does (safe_validator)."""
    pattern = schema["pattern"]
    if not isinstance(pattern, str):
        raise _Unsupported
    try:
        search = compile_pattern(pattern).search
    except UnsafePatternError:
        raise _Unsupported from None
    return lambda v: not isinstance(v, str) or search(v) is not None


def _format(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate | None:
    if format_check is None:
        return None
    fmt = schema["format"]
    return lambda v: format_check(v, fmt)


def _items(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate:
    item = _compile(schema["items"], format_check)
    return lambda v: not isinstance(v, list) or all(item(x) for x in v)


def _required(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate | None:
    required = schema["required"]
    if not required:
        return None
    needed = tuple(required)
    return lambda v: not isinstance(v, dict) or all(k in v for k in needed)


def _declared(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = schema.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise _Unsupported
    return properties


def _properties(schema: Mapping[str, Any], format_check: FormatCheck | None) -> Predicate | None:
    compiled = {name: _compile(sub, format_check) for name, sub in _declared(schema).items()}
    if not compiled:
        return None
    pairs = tuple(compiled.items())

    def check_properties(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for name, predicate in pairs:  # noqa: SIM110 - a loop is faster than all()
            if name in v and not predicate(v[name]):
                return False
        return True

    return check_properties


def _additional_properties(
    schema: Mapping[str, Any], format_check: FormatCheck | None
) -> Predicate:
    extra = _compile(schema["additionalProperties"], format_check)
    known = frozenset(_declared(schema))
    return lambda v: (
        not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
    )


KEYWORD_COMPILERS: tuple[tuple[str, KeywordCompiler], ...] = (
    ("type", _type),
    ("enum", _enum),
    ("const", _const),
    ("minimum", _bound("minimum", lambda v, b: v >= b)),
    ("maximum", _bound("maximum", lambda v, b: v <= b)),
    ("exclusiveMinimum", _bound("exclusiveMinimum", lambda v, b: v > b)),
    ("exclusiveMaximum", _bound("exclusiveMaximum", lambda v, b: v < b)),
    ("minLength", _size("minLength", str, at_least=True)),
    ("maxLength", _size("maxLength", str, at_least=False)),
    ("pattern", _pattern),
    ("format", _format),
    ("minItems", _size("minItems", list, at_least=True)),
    ("maxItems", _size("maxItems", list, at_least=False)),
    ("items", _items),
    ("required", _required),
    ("properties", _properties),
    ("additionalProperties", _additional_properties),
)


def _compile(schema: Any, format_check: FormatCheck | None) -> Predicate:
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, Mapping):
        raise _Unsupported
    if _UNSUPPORTED.intersection(schema):
        raise _Unsupported
    checks: list[Predicate] = []
    for keyword, compile_keyword in KEYWORD_COMPILERS:
        if keyword in schema:
            check = compile_keyword(schema, format_check)
            if check is not None:
                checks.append(check)
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    all_checks = tuple(checks)
    return lambda v: all(c(v) for c in all_checks)


def compile_predicate(schema: Any, format_check: FormatCheck | None = None) -> Predicate | None:
    """A fast "is this record valid?" for schemas of the common keywords; None otherwise."""
    try:
        return _compile(schema, format_check)
    except (_Unsupported, TypeError):
        return None
