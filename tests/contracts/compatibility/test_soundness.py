"""Verdicts a producer's CI can trust: never "compatible" when a document breaks, no false
alarm on the rewrites real schemas go through, and every example document really breaks."""

from __future__ import annotations

import time
from typing import Any

import pytest
from jsonschema import validators

from contracts.compatibility import (
    Mode,
    SchemaTooComplexError,
    UnsupportedPatternError,
    check_compatibility,
    validate_schema,
)
from tests.contracts.compatibility.cases import CASES, Case

D7 = "http://json-schema.org/draft-07/schema#"
S = {"type": "string"}


def _valid(schema: Any, document: Any) -> bool:
    return bool(validators.validator_for(schema)(schema).is_valid(document))


def _breaking(old: Any, new: Any, mode: str = "BACKWARD") -> list[dict[str, Any]]:
    result = check_compatibility(new, [old], mode)
    changes = [c for c in result.as_dict()["changes"] if c["breaking"]]
    assert result.compatible is not bool(changes)
    return changes


# --- the three unsound verdicts of the old engine

UNSOUND = {
    "oneOf gains an overlapping branch": (
        {"oneOf": [S]},
        {"oneOf": [S, {"maxLength": 3}]},
    ),
    "oneOf branch loosened into its sibling": (
        {"oneOf": [{**S, "maxLength": 3}, {**S, "minLength": 5}]},
        {"oneOf": [{**S, "maxLength": 10}, {**S, "minLength": 5}]},
    ),
    "pattern property narrows a listed property of a closed model": (
        {"type": "object", "properties": {"a": S}, "additionalProperties": False},
        {
            "type": "object",
            "properties": {"a": S},
            "additionalProperties": False,
            "patternProperties": {"^a$": {"maxLength": 1}},
        },
    ),
}


@pytest.mark.parametrize("pair", UNSOUND.values(), ids=list(UNSOUND))
def test_a_break_hidden_in_composition_is_reported_with_a_document_that_breaks(pair: tuple) -> None:
    old, new = pair
    breaking = _breaking(old, new)
    assert breaking, "a document valid under the old schema fails the new one"
    shown = [c for c in breaking if "example" in c]
    assert shown and not any(c["undecided"] for c in shown)
    for change in shown:
        assert _valid(old, change["example"]) and not _valid(new, change["example"])
        assert change["message"]


# --- rewrites that break nothing

SAFE_BACKWARD = {
    "union introduced over the old type": (S, {"oneOf": [{"type": "number"}, S]}),
    "oneOf branches re-ordered and one added": (
        {"oneOf": [S, {"type": "integer"}]},
        {"oneOf": [{"type": "boolean"}, S, {"type": "integer"}]},
    ),
    "removed draft-07 dependencies entry": (
        {"$schema": D7, "type": "object", "dependencies": {"a": ["b"], "c": {"required": ["d"]}}},
        {"$schema": D7, "type": "object"},
    ),
    "distinct consts as a oneOf": (
        {"const": "a"},
        {"oneOf": [{"const": "a"}, {"const": "b"}]},
    ),
    "if/then/else replaced by what it implies": (
        {"if": S, "then": {"maxLength": 2}, "else": {"type": "integer"}},
        {"anyOf": [S, {"type": "integer"}]},
    ),
    "not excluding less": ({"not": {"type": ["string", "null"]}}, {"not": S}),
    "contains loosened": (
        {"type": "array", "contains": {**S, "maxLength": 2}, "minContains": 2},
        {"type": "array", "contains": S},
    ),
    "local $ref inlined": (
        {"$defs": {"name": S}, "properties": {"n": {"$ref": "#/$defs/name"}}},
        {"properties": {"n": S}},
    ),
}

SAFE_BOTH_WAYS = {
    "oneOf -> anyOf of one branch": ({"oneOf": [S]}, {"anyOf": [S]}),
    "anyOf -> allOf of one branch": ({"anyOf": [S]}, {"allOf": [S]}),
    "allOf -> oneOf of one branch": ({"allOf": [S]}, {"oneOf": [S]}),
    "duplicated allOf branch": (
        {"allOf": [{"type": "object", "required": ["a"]}]},
        {"allOf": [{"type": "object", "required": ["a"]}, {"type": "object", "required": ["a"]}]},
    ),
    "removed property still covered by additionalProperties": (
        {"type": "object", "properties": {"x": S}, "additionalProperties": S},
        {"type": "object", "additionalProperties": S},
    ),
    "draft-07 tuple items read as prefixItems": (
        {
            "$schema": D7,
            "type": "array",
            "items": [S, {"type": "integer"}],
            "additionalItems": False,
        },
        {"type": "array", "prefixItems": [S, {"type": "integer"}], "items": False},
    ),
    "draft-07 dependencies read as dependentRequired": (
        {"$schema": D7, "type": "object", "dependencies": {"a": ["b"]}},
        {"type": "object", "dependentRequired": {"a": ["b"]}},
    ),
}


@pytest.mark.parametrize("pair", SAFE_BACKWARD.values(), ids=list(SAFE_BACKWARD))
def test_rewrites_that_keep_every_old_document_valid_pass_backward(pair: tuple) -> None:
    old, new = pair
    assert _breaking(old, new) == []


@pytest.mark.parametrize("pair", SAFE_BOTH_WAYS.values(), ids=list(SAFE_BOTH_WAYS))
def test_equivalent_schemas_pass_full_both_ways(pair: tuple) -> None:
    old, new = pair
    assert _breaking(old, new, "FULL") == []
    assert _breaking(new, old, "FULL") == []


def test_a_false_alarm_of_the_keyword_diff_is_listed_but_not_breaking() -> None:
    result = check_compatibility({"oneOf": [{"type": "number"}, S]}, [S], Mode.BACKWARD)
    assert result.compatible
    assert [c.type.value for c in result.changes]  # what changed is still shown
    assert not any(c.breaking(Mode.BACKWARD) for c in result.changes)


# --- dialects


def test_draft_07_tuple_items_are_accepted() -> None:
    schema = {"$schema": D7, "type": "array", "items": [S], "additionalItems": False}
    validate_schema(schema)
    assert check_compatibility(schema, [schema], Mode.FULL).compatible


def test_dialects_mix_and_a_tightened_tuple_position_breaks_with_an_example() -> None:
    old = {"$schema": D7, "type": "array", "items": [S, {"type": "integer"}]}
    new = {"type": "array", "prefixItems": [S, {"type": "integer", "minimum": 0}]}
    breaking = _breaking(old, new)
    example = next(c["example"] for c in breaking if "example" in c)
    assert _valid(old, example) and not _valid(new, example)


def test_2019_09_tuple_items_are_read_as_prefix_items() -> None:
    old = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "type": "array",
        "items": [S],
        "additionalItems": {"type": "integer"},
    }
    new = {"type": "array", "prefixItems": [S], "items": {"type": "number"}}
    assert _breaking(old, new) == []
    assert _breaking(old, new, "FORWARD")  # 1.5 at position 1 was not accepted before


# --- regular expressions


def test_a_changed_pattern_that_cannot_be_decided_is_breaking_and_says_so() -> None:
    old = {"type": "string", "pattern": "^[a-z]+$"}
    new = {"type": "string", "pattern": "^[a-z]*$"}  # wider in fact; not provable here
    breaking = _breaking(old, new)
    assert breaking and all(c["undecided"] and "example" not in c for c in breaking)
    assert any("cannot be decided" in c["message"] for c in breaking)


def test_a_changed_pattern_with_a_found_break_is_decided() -> None:
    breaking = _breaking({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^ab"})
    assert breaking[0]["undecided"] is False and breaking[0]["example"] == "a"


def test_catastrophic_patterns_run_in_linear_time() -> None:
    name = "a" * 28 + "!"
    old = {
        "type": "object",
        "properties": {name: S},
        "patternProperties": {"^(a+)+$": {"type": "string"}},
    }
    new = {**old, "patternProperties": {"^(a+)+$": {"type": "string", "maxLength": 3}}}
    start = time.perf_counter()
    result = check_compatibility(new, [old], Mode.FULL)
    result.as_dict()
    assert time.perf_counter() - start < 2
    assert not result.compatible


def test_patterns_the_linear_engine_cannot_run_are_refused_clearly() -> None:
    old = {"type": "string"}
    new = {"type": "string", "pattern": "^(?=a)"}
    with pytest.raises(UnsupportedPatternError, match=r"look-arounds") as info:
        check_compatibility(new, [old], Mode.BACKWARD)
    assert isinstance(info.value, SchemaTooComplexError)  # the API answers 400
    assert info.value.path == "/pattern"


# --- every example shown really breaks (the keyword table, both ways)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_example_document_really_breaks(case: Case) -> None:
    for mode, (reader, writer) in (
        (Mode.BACKWARD, (case.new, case.old)),
        (Mode.FORWARD, (case.old, case.new)),
    ):
        for change in check_compatibility(case.new, [case.old], mode).as_dict()["changes"]:
            if "example" in change:
                assert _valid(writer, change["example"]), change
                assert not _valid(reader, change["example"]), change


def test_unevaluated_properties_counts_what_its_all_of_evaluates() -> None:
    base = {"allOf": [{"properties": {"a": S}}], "unevaluatedProperties": False}
    old = {"type": "object", **base}
    new = {"type": "object", **base, "properties": {"b": S}}
    assert _breaking(old, new) == []  # "a" stays allowed, "b" is new
    forward = _breaking(old, new, "FORWARD")
    example = forward[0]["example"]
    assert _valid(new, example) and not _valid(old, example)


def test_a_remote_ref_leaves_the_rest_of_the_check_working() -> None:
    remote = {"$ref": "https://example.com/schemas/money.json"}
    old = {"properties": {"price": remote, "status": {"enum": ["open", "closed"]}}}
    new = {"properties": {"price": remote, "status": {"enum": ["open"]}}}
    (change,) = _breaking(old, new)
    assert change["path"] == "/properties/status/enum"
    assert change["example"] == {"status": "closed"}
