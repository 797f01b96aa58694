from __future__ import annotations

from typing import Any

import pytest

from contracts.compatibility import (
    ChangeType,
    InvalidSchemaError,
    Mode,
    UnknownModeError,
    bump_level,
    check_compatibility,
    diff_schemas,
    parse_mode,
    suggest_next_version,
    validate_schema,
)
from tests.contracts.compatibility.cases import CASES, INT, NUM, Case, S, field_schema, obj


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_schemas_are_valid(case: Case) -> None:
    validate_schema(case.old)
    validate_schema(case.new)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_diff_reports_typed_changes_with_pointers(case: Case) -> None:
    got = {(c.type.value, c.path) for c in diff_schemas(case.old, case.new)}
    assert got == case.changes


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_modes_judge_the_change(case: Case) -> None:
    expected = {
        Mode.BACKWARD: case.backward,
        Mode.FORWARD: case.forward,
        Mode.FULL: case.full,
        Mode.NONE: True,
        # with a single earlier version the transitive forms agree with the plain ones
        Mode.BACKWARD_TRANSITIVE: case.backward,
        Mode.FORWARD_TRANSITIVE: case.forward,
        Mode.FULL_TRANSITIVE: case.full,
    }
    got = {mode: check_compatibility(case.new, [case.old], mode).compatible for mode in Mode}
    assert got == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reversing_a_change_swaps_backward_and_forward(case: Case) -> None:
    # old -> new narrows exactly when new -> old widens
    back = check_compatibility(case.old, [case.new], Mode.BACKWARD).compatible
    fwd = check_compatibility(case.old, [case.new], Mode.FORWARD).compatible
    assert (back, fwd) == (case.forward, case.backward)


def test_breaking_flag_in_the_api_shape() -> None:
    result = check_compatibility(obj({"a": S, "b": INT}, ["b"]), [obj({"a": S})], "BACKWARD")
    body = result.as_dict()
    assert body["compatible"] is False
    assert {(c["type"], c["path"], c["breaking"]) for c in body["changes"]} == {
        ("property_added", "/properties/b", True),
        ("required_added", "/required/0", True),
    }
    assert all(c["message"] for c in body["changes"])


# --- transitive modes


def test_transitive_modes_check_every_earlier_version() -> None:
    # "note" dropped into a partially open model, then brought back wider than in v1
    w1 = obj({"id": S, "note": S}, additionalProperties={"type": ["string", "integer"]})
    w2 = obj({"id": S}, additionalProperties={"type": ["string", "integer"]})
    w3 = obj(
        {"id": S, "note": {"type": ["string", "integer"]}},
        additionalProperties={"type": ["string", "integer"]},
    )
    assert check_compatibility(w3, [w1, w2], Mode.BACKWARD).compatible is True
    assert check_compatibility(w3, [w1, w2], Mode.BACKWARD_TRANSITIVE).compatible is True
    assert check_compatibility(w3, [w1, w2], Mode.FORWARD).compatible is True
    result = check_compatibility(w3, [w1, w2], Mode.FORWARD_TRANSITIVE)
    # v1 readers expect "note" to be a string: v3 may write an integer
    assert result.compatible is False
    assert [c.index for c in result.checks if c.breaking] == [0]
    assert {c.path for c in result.breaking} == {"/properties/note/type"}


def test_full_transitive_catches_drift_that_each_step_allows() -> None:
    versions = [field_schema(type="string", maxLength=n) for n in (10, 10, 10)]
    candidate = field_schema(type="string", maxLength=10, description="same")
    assert check_compatibility(candidate, versions, Mode.FULL_TRANSITIVE).compatible
    drifting = [field_schema(type="integer"), field_schema(type="number")]
    assert check_compatibility(field_schema(type="number"), drifting, Mode.FORWARD).compatible
    assert not check_compatibility(
        field_schema(type="number"), drifting, Mode.FORWARD_TRANSITIVE
    ).compatible


def test_first_version_is_always_compatible() -> None:
    result = check_compatibility(obj({"a": S}), [], Mode.FULL_TRANSITIVE)
    assert result.compatible and result.changes == ()


# --- semantic versions


@pytest.mark.parametrize(
    ("old", "new", "mode", "current", "expected"),
    [
        (obj({"a": S}), obj({"a": S}, ["a"]), "BACKWARD", "1.4.2", "2.0.0"),
        (obj({"a": S}), obj({"a": S}, ["a"]), "FORWARD", "1.4.2", "1.5.0"),
        (obj({"a": S}, ["a"]), obj({"a": S}), "BACKWARD", "1.4.2", "1.5.0"),
        (obj({"a": S}, ["a"]), obj({"a": S}), "FULL", "1.4.2", "2.0.0"),
        (obj({"a": S}), obj({"a": {**S, "description": "id"}}), "FULL", "1.4.2", "1.4.3"),
        (obj({"a": S}), obj({"a": S}), "BACKWARD", "0.1.0", "0.1.1"),
        (field_schema(type="integer"), field_schema(type="number"), "BACKWARD", "3.0.0", "3.1.0"),
        (field_schema(type="integer"), field_schema(type="number"), "FORWARD", "3.0.0", "4.0.0"),
        # NONE still versions by the default rule
        (field_schema(type="string"), field_schema(type="integer"), "NONE", "1.0.0", "2.0.0"),
        (
            field_schema(type="string"),
            field_schema(type=["string", "null"]),
            "NONE",
            "1.0.0",
            "1.1.0",
        ),
    ],
)
def test_suggest_next_version(old, new, mode, current, expected) -> None:  # type: ignore[no-untyped-def]
    assert suggest_next_version(current, diff_schemas(old, new), mode) == expected


def test_bump_level_names() -> None:
    changes = diff_schemas(field_schema(type="integer"), field_schema(type="number"))
    assert bump_level(changes, Mode.FULL) == "major"
    assert bump_level([], Mode.FULL) == "patch"


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "01.2.3", "", "1.2.x"])
def test_suggest_refuses_non_semver(bad: str) -> None:
    with pytest.raises(ValueError, match="semantic version"):
        suggest_next_version(bad, [], Mode.BACKWARD)


# --- bad input


@pytest.mark.parametrize("value", ["backward", " FULL_TRANSITIVE ", Mode.NONE])
def test_parse_mode_accepts_any_case(value: object) -> None:
    assert isinstance(parse_mode(value), Mode)


@pytest.mark.parametrize("value", ["SIDEWAYS", "", None, 3])
def test_unknown_mode_is_refused_with_the_allowed_list(value: object) -> None:
    with pytest.raises(UnknownModeError, match="BACKWARD_TRANSITIVE"):
        parse_mode(value)


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ({"type": "strin"}, "/type"),
        ({"properties": {"a": {"minLength": -1}}}, "/properties/a/minLength"),
        ({"properties": {"a": {"$ref": "#/$defs/missing"}}}, "/properties/a/$ref"),
        ({"required": "a"}, "/required"),
        ([1, 2], ""),
    ],
)
def test_invalid_schema_names_the_place(schema: object, path: str) -> None:
    with pytest.raises(InvalidSchemaError) as exc:
        validate_schema(schema)
    assert exc.value.path == path
    assert exc.value.message


def test_changes_carry_old_and_new_values() -> None:
    (change,) = diff_schemas(
        field_schema(type="number", maximum=5), field_schema(type="number", maximum=3)
    )
    assert change.type is ChangeType.CONSTRAINT_TIGHTENED
    assert (change.old, change.new) == (5, 3)
    assert "maximum" in change.message


def test_numbers_and_integers_overlap_for_numeric_constraints() -> None:
    changes = diff_schemas(
        field_schema(type="number", minimum=0), field_schema(type="integer", minimum=1)
    )
    assert {c.type for c in changes} == {ChangeType.TYPE_NARROWED, ChangeType.CONSTRAINT_TIGHTENED}
    assert NUM["type"] == "number"


def test_hostile_nesting_is_refused_without_recursion() -> None:
    schema: dict = {}
    node = schema
    for _ in range(5000):
        node["items"] = {}
        node = node["items"]
    with pytest.raises(InvalidSchemaError, match="nests more than") as exc:
        validate_schema(schema)
    assert exc.value.path.startswith("/items/items")


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        (1e-300, 1e300, ChangeType.CONSTRAINT_TIGHTENED),
        (0.1, 0.3, ChangeType.CONSTRAINT_TIGHTENED),
        (0.3, 0.1, ChangeType.CONSTRAINT_LOOSENED),
        (2.5, 6, ChangeType.CONSTRAINT_CHANGED),
    ],
)
def test_multiple_of_is_compared_exactly(old: float, new: float, kind: ChangeType) -> None:
    (change,) = diff_schemas({"multipleOf": old}, {"multipleOf": new})
    assert change.type is kind


def test_circular_refs_terminate() -> None:
    old = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "properties": {"x": {"$ref": "#/$defs/a"}}}
    new = {"$defs": {"b": {"$ref": "#/$defs/b"}}, "properties": {"x": {"$ref": "#/$defs/b"}}}
    changes = diff_schemas(old, new)
    assert [c.type for c in changes] == [ChangeType.REF_CHANGED]
    assert changes[0].narrows and changes[0].widens


def _ref_bomb(leaf_type: str, levels: int = 40) -> dict:
    defs: dict[str, Any] = {"d0": {"type": leaf_type}}
    for i in range(1, levels):
        defs[f"d{i}"] = {"allOf": [{"$ref": f"#/$defs/d{i - 1}"}, {"$ref": f"#/$defs/d{i - 1}"}]}
    return {"$defs": defs, "properties": {"x": {"$ref": f"#/$defs/d{levels - 1}"}}}


def test_reference_bombs_are_refused_not_explored() -> None:
    from contracts.compatibility import SchemaTooComplexError

    old, new = _ref_bomb("string"), _ref_bomb("integer")
    validate_schema(old)
    with pytest.raises(SchemaTooComplexError, match="too complex"):
        diff_schemas(old, new)
