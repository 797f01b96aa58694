"""jsonschema-rs, the validator written in Rust, as the fast path of record validation, with the
errors users have always seen. Pure Python, no Django.

``compile_rs`` compiles a (2020-12) schema once; ``rs_errors`` turns jsonschema-rs's errors
of a record into jsonschema's: for each error, jsonschema's own function of the broken keyword
is run on that keyword alone (the value at the error's instance path, the rule at its schema
path), so pointers, keywords and messages are exactly those of a full jsonschema pass.

What jsonschema-rs is not asked to do, and why (the caller falls back to the safe jsonschema
validator, contracts.enforcement.safe_validator):

* Patterns run on Rust's ``regex`` crate (``RegexOptions``), whose matching is linear in the
  text, never the backtracking ``fancy-regex`` default: a user's pattern must never run in
  exponential time. A pattern that needs backtracking (backreferences, lookarounds) does not
  compile there; the schema then goes to the safe validator, which says the pattern cannot be
  checked safely, as it always did.
* References resolve inside the schema only: the retriever refuses every URI, so a schema
  reaching outside does not compile here and the safe validator explains why.
* Formats are checked as jsonschema's format checker checks them, no more: a format it does not
  check (``date-time`` without its optional library, ``uri``...) is accepted by jsonschema-rs too,
  and one it checks is checked by the same function. Records valid yesterday stay valid.
* A record jsonschema-rs cannot take (an integer beyond 64 bits, for instance) or an error it
  reports that jsonschema does not confirm is judged by jsonschema alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from contracts.schema_safety import UnsafeSchemaError, check_schema_safety

# The formats of JSON Schema 2020-12: jsonschema-rs checks each unless told otherwise.
_FORMATS = (
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
)  # fmt: skip


class _Untranslatable(Exception):
    """An error jsonschema-rs reports that cannot be matched to jsonschema's: judge the whole
    record with jsonschema."""


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri!r} is outside the schema; nothing is fetched")


def _accept(_value: str) -> bool:
    return True


def _email(value: str) -> bool:
    return "@" in value  # jsonschema's own email check, without a Python-level detour


def _format_checks() -> dict[str, Callable[[str], bool]]:
    """Each format checked exactly as jsonschema's format checker checks it."""
    checker = Draft202012Validator.FORMAT_CHECKER
    checks: dict[str, Callable[[str], bool]] = {}
    for name in _FORMATS:
        if name not in checker.checkers:
            checks[name] = _accept
        elif name in ("email", "idn-email"):
            checks[name] = _email
        else:
            checks[name] = _conforms(checker, name)
    return checks


def _conforms(checker: Any, name: str) -> Callable[[str], bool]:
    return lambda value: bool(checker.conforms(value, name))


# Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_SCHEMA_KEYWORDS = frozenset((
    "not", "if", "then", "else", "contains", "additionalProperties", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "items",
))  # fmt: skip
_SCHEMA_LIST_KEYWORDS = frozenset(("allOf", "anyOf", "oneOf", "prefixItems", "items"))
_SCHEMA_MAP_KEYWORDS = frozenset(
    ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
)


# jsonschema checks these formats by looking for an "@" in a string, as the pattern "@" does.
_AT_SIGN_FORMATS = frozenset(("email", "idn-email"))


def _rs_form(node: Any, unchecked: frozenset[str]) -> Any:
    """The schema as jsonschema-rs is given it, each format check it would call back into
    Python for (once per value) done without Python or not at all: a format jsonschema does not
    check is dropped, and an email format becomes the pattern "@" (jsonschema's whole email
    check) where the schema has no pattern of its own. The verdicts are the same; an error of
    such a pattern names a keyword the schema does not have, so its record is phrased by
    jsonschema itself, as "is not a 'email'". Only keywords in schema positions are rewritten
    (a property named ``format`` stays); a format anywhere else keeps its call."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "format" and isinstance(value, str):
            if value in unchecked:
                continue
            if value in _AT_SIGN_FORMATS and "pattern" not in node:
                out["pattern"] = "@"
                continue
        if key in _SCHEMA_MAP_KEYWORDS and isinstance(value, Mapping):
            value = {k: _rs_form(v, unchecked) for k, v in value.items()}
        elif key in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            value = [_rs_form(v, unchecked) for v in value]
        elif key in _SCHEMA_KEYWORDS:
            value = _rs_form(value, unchecked)
        out[key] = value
    return out


def compile_rs(schema: Mapping[str, Any] | bool) -> Any | None:
    """The jsonschema-rs validator of a 2020-12 schema, or None when it cannot hold the
    schema safely (see the module's notes): the caller uses jsonschema then. A schema the
    registry would refuse today (a pattern RE2 cannot run, a reference outside or looping) is
    left to jsonschema, whose safe validator fails its records with the reason."""
    try:
        check_schema_safety(schema)
    except UnsafeSchemaError:
        return None
    checks = _format_checks()
    unchecked = frozenset(name for name, check in checks.items() if check is _accept)
    try:
        return jsonschema_rs.Draft202012Validator(
            _rs_form(schema, unchecked),  # type: ignore[arg-type]
            validate_formats=True,
            formats=checks,
            retriever=_refuse,
            pattern_options=jsonschema_rs.RegexOptions(),
        )
    except (jsonschema_rs.ValidationError, ValueError, TypeError, OverflowError, RecursionError):
        return None
    except Exception:
        return None


def _walk(node: Any, path: Iterable[Any]) -> Any:
    for step in path:
        if isinstance(node, Mapping) or (isinstance(node, list) and isinstance(step, int)):
            node = node[step]
        else:
            raise _Untranslatable(step)
    return node


def _order(schema: Any, path: tuple[Any, ...]) -> tuple[int, ...]:
    """Where a schema path lies in the schema's own order: jsonschema reports errors in it."""
    key: list[int] = []
    node = schema
    for step in path:
        if isinstance(node, Mapping):
            key.append(list(node).index(step) if step in node else len(node))
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            key.append(step)
            node = node[step]
        else:
            break
    return tuple(key)


def pointer(parts: Iterable[object]) -> str:
    """The JSON pointer of a path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# (place in the schema's order, the rule's schema, keyword, its function, its schema pointer)
_Rule = tuple[tuple[int, ...], Mapping[str, Any], str, Callable[..., Any], str]
# (pointer, schema pointer, keyword, message): one error as users read it
Phrased = tuple[str, str, str, str]


class ErrorPhrasing:
    """Turns jsonschema-rs's errors of one schema into jsonschema's; what it learns of each rule
    (where it lies, its keyword's function) is kept, as a schema's rules repeat across records."""

    def __init__(self, safe: Any, schema: Any) -> None:
        self.safe = safe  # the jsonschema validator of the same schema
        self.schema = schema
        self._rules: dict[tuple[Any, ...], _Rule | None] = {}

    def _rule(self, schema_path: tuple[Any, ...]) -> _Rule | None:
        if schema_path in self._rules:
            return self._rules[schema_path]
        rule: _Rule | None = None
        if schema_path and "$ref" not in schema_path and "$dynamicRef" not in schema_path:
            keyword = schema_path[-1]
            try:
                parent = _walk(self.schema, schema_path[:-1])
            except (_Untranslatable, KeyError, IndexError, TypeError):
                parent = None
            check = self.safe.VALIDATORS.get(keyword)
            if isinstance(parent, Mapping) and keyword in parent and check is not None:
                order = _order(self.schema, schema_path)
                rule = (order, parent, keyword, check, pointer(schema_path))
        self._rules[schema_path] = rule
        return rule

    def errors(self, found: Sequence[Any], record: Any, limit: int) -> list[Phrased] | None:
        """jsonschema's errors of an invalid record from the errors jsonschema-rs ``found``.
        None when they cannot be matched: the caller asks jsonschema for the whole record."""
        groups: dict[tuple[tuple[Any, ...], tuple[Any, ...]], _Rule] = {}
        for error in found:
            schema_path = tuple(error.schema_path)
            rule = self._rule(schema_path)
            if rule is None:
                return None  # behind a reference, or unknown: jsonschema resolves it
            groups[(tuple(error.instance_path), schema_path)] = rule
        ordered = list(groups.items())
        if len(ordered) > 1:
            ordered.sort(key=lambda g: (g[1][0], [str(p) for p in g[0][0]]))
        out: list[Phrased] = []
        try:
            for (instance_path, _), (_, parent, keyword, check, where) in ordered:
                instance = _walk(record, instance_path)
                errors = list(check(self.safe, parent[keyword], instance, parent))
                if not errors:
                    return None  # the two disagree: jsonschema's verdict wins
                at = pointer(instance_path)
                for error in errors:
                    out.append(
                        (
                            at + pointer(error.path) if error.path else at,
                            where + pointer(error.schema_path) if error.schema_path else where,
                            keyword,
                            error.message,
                        )
                    )
                    if len(out) >= limit:
                        return out
        except (_Untranslatable, KeyError, IndexError, TypeError, RecursionError):
            return None
        return out
