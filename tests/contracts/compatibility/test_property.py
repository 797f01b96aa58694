"""Property: every "compatible" verdict survives documents generated from the schemas.

Schema pairs are generated (small schemas with composition, objects, arrays, bounds, enums;
the new side either drawn afresh or rewritten from the old one the way producers do), and
whenever the checker says BACKWARD compatible, every generated JSON document (drawn by
hypothesis, independently of the schemas and of the checker's own example search) that the
old schema accepts must be accepted by the new one; the same the other way for FORWARD.
Derandomised and bounded so CI stays within a few seconds."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from contracts.compatibility import Mode, check_compatibility

NAMES = st.sampled_from(["a", "b", "c"])
SMALL = st.integers(min_value=0, max_value=4)

LEAVES = st.one_of(
    st.sampled_from(
        [
            {"type": "string"},
            {"type": "integer"},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "null"},
            {"type": ["string", "null"]},
            {},
        ]
    ),
    SMALL.map(lambda n: {"type": "string", "maxLength": n}),
    SMALL.map(lambda n: {"type": "string", "minLength": n}),
    SMALL.map(lambda n: {"type": "integer", "minimum": n}),
    SMALL.map(lambda n: {"type": "integer", "maximum": n}),
    st.lists(st.sampled_from(["x", "y", 1, None]), min_size=1, max_size=3, unique=True).map(
        lambda v: {"enum": v}
    ),
    st.sampled_from(["x", 1]).map(lambda v: {"const": v}),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    branches = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        branches.map(lambda b: {"anyOf": b}),
        branches.map(lambda b: {"oneOf": b}),
        branches.map(lambda b: {"allOf": b}),
        st.builds(
            lambda props, req, extra: {
                "type": "object",
                "properties": props,
                "required": sorted(set(req)),
                "additionalProperties": extra,
            },
            st.dictionaries(NAMES, children, max_size=3),
            st.lists(NAMES, max_size=2),
            st.one_of(st.booleans(), children),
        ),
        st.builds(
            lambda items, most: {"type": "array", "items": items, "maxItems": most},
            children,
            SMALL,
        ),
        st.builds(
            lambda prefix, rest: {"type": "array", "prefixItems": prefix, "items": rest},
            st.lists(children, min_size=1, max_size=2),
            st.one_of(st.booleans(), children),
        ),
        children.map(lambda c: {"not": c}),
    )


SCHEMAS = st.recursive(LEAVES, _extend, max_leaves=5)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    old = draw(SCHEMAS)
    other = draw(SCHEMAS)
    new = draw(
        st.sampled_from(
            [
                other,
                {"anyOf": [old, other]},
                {"oneOf": [old, other]},
                {"allOf": [old, other]},
                {"allOf": [old]},
                {"oneOf": [old]},
                {"type": "object", "properties": {"a": old}} if old else other,
            ]
        )
    )
    return old, new


TEXT = st.sampled_from(["", "x", "y", "ab", "abc", "abcd", "abcde"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=6),
    st.sampled_from([0.5, -1.5, 2.0]),
    TEXT,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "c", "x"]), inner, max_size=4),
    ),
    max_leaves=6,
)


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(pair=pairs(), data=st.data())
def test_compatible_verdicts_hold_for_generated_documents(pair: tuple[Any, Any], data: Any) -> None:
    old, new = pair
    backward = check_compatibility(new, [old], Mode.BACKWARD).compatible
    forward = check_compatibility(new, [old], Mode.FORWARD).compatible
    assume(backward or forward)
    old_ok, new_ok = Draft202012Validator(old).is_valid, Draft202012Validator(new).is_valid
    for document in data.draw(st.lists(DOCUMENTS, min_size=8, max_size=8)):
        if backward and old_ok(document):
            assert new_ok(document), ("BACKWARD", old, new, document)
        if forward and new_ok(document):
            assert old_ok(document), ("FORWARD", old, new, document)
