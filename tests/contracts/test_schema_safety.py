"""What a schema must be to be published: bounded, linear-time patterns, references that stay
inside it and terminate. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest
import re2

from contracts import odcs
from contracts import schema_safety as safety
from contracts.compatibility import InvalidSchemaError, validate_schema
from tests.contracts.factories import ORDER_SCHEMA
from tests.contracts.odcs_samples import reference_examples

TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
    "$ref": "#/$defs/node",
}


def _refusal(schema: Any) -> safety.UnsafeSchemaError:
    with pytest.raises(safety.UnsafeSchemaError) as caught:
        safety.check_schema_safety(schema)
    return caught.value


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"$ref": "file:///etc/passwd"}, "/$ref"),
        ({"properties": {"a": {"$ref": "http://127.0.0.1:8899/evil.json"}}}, "/properties/a/$ref"),
        ({"$id": "https://example.com/root.json", "$ref": "other.json"}, "/$ref"),
        ({"items": {"$dynamicRef": "https://example.com/x.json#meta"}}, "/items/$dynamicRef"),
    ],
)
def test_a_reference_outside_the_schema_is_refused(schema: Any, pointer: str) -> None:
    error = _refusal(schema)
    assert error.pointer == pointer
    assert "outside this schema" in error.message
    assert "nothing is fetched" in error.message


def test_references_inside_the_schema_by_pointer_id_and_anchor_are_allowed() -> None:
    safety.check_schema_safety(TREE)
    safety.check_schema_safety(
        {
            "$id": "https://example.com/root.json",
            "$defs": {
                "code": {"$id": "code.json", "type": "string"},
                "tag": {"$anchor": "tag", "type": "string"},
            },
            "properties": {"a": {"$ref": "code.json"}, "b": {"$ref": "#tag"}},
        }
    )


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"$ref": "#/$defs/missing"}, "/$ref"),
        ({"properties": {"a": {"$ref": "#nowhere"}}}, "/properties/a/$ref"),
    ],
)
def test_a_reference_to_nothing_is_refused(schema: Any, pointer: str) -> None:
    error = _refusal(schema)
    assert error.pointer == pointer
    assert "points at nothing" in error.message


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"$ref": "#"}, "/$ref"),
        (
            {
                "$defs": {
                    "a": {"$ref": "#/$defs/b"},
                    "b": {"type": "string", "$ref": "#/$defs/a"},
                },
                "properties": {"x": {"$ref": "#/$defs/a"}},
            },
            "/$defs/b/$ref",
        ),
        ({"anyOf": [{"type": "string"}, {"$ref": "#"}]}, "/anyOf/1"),
        ({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}}, "/$defs/a/allOf/0"),
    ],
)
def test_a_reference_cycle_that_never_reaches_the_record_is_refused(
    schema: Any, pointer: str
) -> None:
    error = _refusal(schema)
    assert "cycle" in error.message
    assert error.pointer.startswith(pointer.rsplit("/", 1)[0])


def test_recursion_through_properties_and_items_terminates_and_is_allowed() -> None:
    safety.check_schema_safety(TREE)
    safety.check_schema_safety(
        {"type": "object", "properties": {"parent": {"$ref": "#"}, "id": {"type": "integer"}}}
    )


@pytest.mark.parametrize(
    ("schema", "pointer", "reason"),
    [
        ({"pattern": "^(a)\\1$"}, "/pattern", "backreferences"),
        ({"properties": {"a": {"pattern": "^(?=x)y"}}}, "/properties/a/pattern", "lookarounds"),
        ({"patternProperties": {"^(?<!a)b": {}}}, "/patternProperties/^(?<!a)b", "lookarounds"),
    ],
)
def test_a_pattern_the_linear_engine_cannot_run_is_refused(
    schema: Any, pointer: str, reason: str
) -> None:
    error = _refusal(schema)
    assert error.pointer == pointer
    assert reason in error.message


def test_catastrophic_patterns_are_allowed_because_they_run_in_linear_time() -> None:
    safety.check_schema_safety({"pattern": "^(a+)+$"})
    assert safety.ENGINE == "re2"
    assert isinstance(safety.compile_pattern("^(a+)+$"), re2._Regexp)
    assert safety.search("^(a+)+$", "a" * 27 + "!") is False
    assert safety.search("^(a+)+$", "a" * 10_000) is True


def test_ecma_unicode_escapes_are_understood() -> None:
    assert safety.search("^[\\u0041-\\u005A]+$", "ABC") is True
    assert safety.search("^[\\u0041-\\u005A]+$", "abc") is False
    assert safety.search("^\\\\u0041$", "\\u0041") is True  # an escaped backslash stays one


def test_nesting_and_size_are_bounded() -> None:
    deep: dict[str, Any] = {}
    for _ in range(safety.MAX_DEPTH + 5):
        deep = {"not": deep}
    assert "nests more than" in _refusal(deep).message
    huge = {"enum": list(range(safety.MAX_NODES + 1))}
    assert "more than" in _refusal(huge).message


def test_nesting_thousands_deep_is_refused_without_recursion() -> None:
    deep: dict[str, Any] = {}
    for _ in range(5_000):
        deep = {"items": deep}
    with pytest.raises(InvalidSchemaError):
        validate_schema(deep)


def test_publish_time_validation_refuses_unsafe_schemas_naming_the_pointer() -> None:
    with pytest.raises(InvalidSchemaError) as caught:
        validate_schema({"properties": {"a": {"$ref": "file:///etc/passwd"}}})
    assert caught.value.path == "/properties/a/$ref"
    assert "/properties/a/$ref" in str(caught.value)


def test_the_project_schemas_stay_publishable() -> None:
    safety.check_schema_safety(ORDER_SCHEMA)
    for path in reference_examples():
        data = odcs.parse(path.read_bytes())
        validate_schema(data.json_schema)


def _node(required: list[str], min_items: int = 0) -> dict[str, Any]:
    children = {"type": "array", "minItems": min_items, "items": {"$ref": "#/$defs/node"}}
    node = {
        "type": "object",
        "required": required,
        "properties": {"name": {"type": "string"}, "children": children},
    }
    return {"$defs": {"node": node}, "$ref": "#/$defs/node"}


@pytest.mark.parametrize(
    "schema",
    [
        _node(["children"], min_items=1),
        {"type": "object", "required": ["parent"], "properties": {"parent": {"$ref": "#"}}},
        {
            "$defs": {
                "a": {
                    "type": "object",
                    "required": ["x"],
                    "properties": {"x": {"allOf": [{"$ref": "#/$defs/a"}]}},
                }
            },
            "$ref": "#/$defs/a",
        },
    ],
)
def test_recursion_through_parts_every_record_must_have_is_refused(schema: Any) -> None:
    error = _refusal(schema)
    assert "infinitely nested" in error.message
    assert error.pointer.startswith(("/$defs/", "/properties/"))


@pytest.mark.parametrize(
    "schema",
    [
        _node(["name"]),
        _node(["children"]),  # an empty list of children ends the recursion
        {"required": ["parent"], "properties": {"parent": {"$ref": "#"}}},  # 5 is valid
        {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"anyOf": [{"type": "null"}, {"$ref": "#"}]}},
        },
    ],
)
def test_recursion_that_a_finite_record_can_end_is_allowed(schema: Any) -> None:
    safety.check_schema_safety(schema)
