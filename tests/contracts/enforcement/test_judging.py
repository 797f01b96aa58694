"""Record validation and SLA judgement, without a database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts.enforcement import judging as enf

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

ORDER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": "^O[0-9]+$", "maxLength": 8},
        "amount": {"type": "number", "minimum": 0, "exclusiveMaximum": 1e6},
        "quantity": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "enum": ["open", "paid"]},
        "email": {"type": ["string", "null"], "format": "email"},
        "placed_at": {"type": "string", "format": "date-time"},
        "customer": {
            "type": "object",
            "properties": {"country": {"type": "string", "minLength": 2, "maxLength": 2}},
            "required": ["country"],
            "additionalProperties": False,
        },
        "lines": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
    },
    "required": ["order_id", "amount"],
    "x-odcs": {"quality": []},
}


def test_errors_name_the_value_and_the_rule_by_json_pointer() -> None:
    validator = enf.RecordValidator(ORDER_SCHEMA)
    errors = validator.errors({"order_id": "O1", "amount": -5, "customer": {"country": "FRA"}})
    by_pointer = {e.pointer: e for e in errors}
    assert set(by_pointer) == {"/amount", "/customer/country"}
    assert by_pointer["/amount"].schema_pointer == "/properties/amount/minimum"
    assert by_pointer["/customer/country"].keyword == "maxLength"
    assert "-5" in by_pointer["/amount"].message


def test_a_missing_required_field_is_an_error_at_the_record() -> None:
    errors = enf.RecordValidator(ORDER_SCHEMA).errors({"order_id": "O1"})
    assert [(e.pointer, e.keyword) for e in errors] == [("", "required")]
    assert "'amount' is a required property" in errors[0].message


def test_valid_records_have_no_errors_and_non_objects_are_invalid() -> None:
    validator = enf.RecordValidator(ORDER_SCHEMA)
    assert validator.errors({"order_id": "O12", "amount": 3, "lines": [1, 2]}) == []
    assert validator.errors("O12")[0].keyword == "type"


def test_errors_per_record_are_capped() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    record = {f"f{i}": "x" for i in range(100)}
    assert len(enf.RecordValidator(schema).errors(record)) == enf.MAX_ERRORS_PER_RECORD


def _as_jsonschema_says(reference: Draft202012Validator, record: Any) -> list[tuple[str, str, str]]:
    """jsonschema's errors of the record as (pointer, schema pointer, message), sorted."""
    return sorted(
        (enf.json_pointer(e.absolute_path), enf.json_pointer(e.absolute_schema_path), e.message)
        for e in reference.iter_errors(record)
    )


def _variants() -> list[Any]:
    """Records around every rule of ORDER_SCHEMA: each field valid, invalid, absent, odd."""
    values: dict[str, list[Any]] = {
        "order_id": ["O1", "O123456", "O1234567", "X1", 5, None],
        "amount": [0, 1.5, -0.01, 1e6, 999999.9, True, "3"],
        "quantity": [1, 2.0, 2.5, 0, False],
        "status": ["open", "paid", "OPEN", 1],
        "email": ["a@b.c", "nobody", None, 3],
        "placed_at": ["2026-01-01T00:00:00Z", "yesterday", 0],
        "customer": [{"country": "FR"}, {"country": "FRA"}, {}, {"country": "FR", "x": 1}, []],
        "lines": [[1], [], [1, 2, 3, 4], [1.0, "2"], "1"],
    }
    rng = random.Random(7)
    records: list[Any] = [[], "text", None, 3, {}]
    for _ in range(3000):
        record = {}
        for name, options in values.items():
            if rng.random() < 0.8:
                record[name] = rng.choice(options)
        records.append(record)
    return records


@pytest.mark.parametrize(
    "schema",
    [
        ORDER_SCHEMA,
        {"type": ["object", "array"], "items": False, "properties": {"a": {"const": "x"}}},
        {"properties": {"a": {"const": None}, "b": {"const": True}}, "required": ["a"]},
        True,
        False,
    ],
)
@pytest.mark.parametrize("rust", [True, False])
def test_the_fast_check_agrees_with_jsonschema(schema: Any, rust: bool) -> None:
    """jsonschema-rs (or, without it, the compiled check) and jsonschema give the same verdict
    and the same errors on every record."""
    validator = enf.RecordValidator(schema, rust=rust)
    assert (validator.rs is not None) if rust else (validator.predicate is not None)
    reference = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    records = _variants()
    disagreements = [r for r in records if validator.is_valid(r) != reference.is_valid(r)]
    assert disagreements == []
    for record in records:
        expected = _as_jsonschema_says(reference, record)
        got = sorted((e.pointer, e.schema_pointer, e.message) for e in validator.errors(record))
        assert got == expected[: enf.MAX_ERRORS_PER_RECORD]
    assert any(validator.is_valid(r) for r in records) or schema is False
    assert not all(validator.is_valid(r) for r in records) or schema is True


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {}}},
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"type": "integer", "multipleOf": 3},
        {"enum": [1, True]},
    ],
)
def test_schemas_beyond_the_fast_check_are_validated_by_jsonschema(schema: Any) -> None:
    validator = enf.RecordValidator(schema, rust=False)
    assert validator.predicate is None
    reference = Draft202012Validator(schema)
    for record in [1, 3, True, "a", {"a": 1}, None, 6.0]:
        assert validator.is_valid(record) == reference.is_valid(record)
        assert (validator.errors(record) == []) == reference.is_valid(record)


def test_validate_records_splits_a_batch() -> None:
    records = [{"order_id": "O1", "amount": 1}, {"order_id": "O2"}, {"order_id": "O3", "amount": 2}]
    result = enf.validate_records(enf.RecordValidator(ORDER_SCHEMA), records)
    assert result.valid == [0, 2]
    assert list(result.invalid) == [1]
    assert result.received == 3


# --- SLA terms ---------------------------------------------------------------------------------


def test_terms_read_thresholds_lateness_and_freshness_from_a_version() -> None:
    terms = enf.SlaTerms.from_version(
        ORDER_SCHEMA,
        {"max_lateness": {"value": 1, "unit": "h"}, "freshness": {"value": 1, "unit": "d"}},
        [
            {"field": "/properties/customer/properties/country", "metric": "nullValues",
             "max_ratio": 0.1, "max_count": None, "window": "1h"},
            {"field": "", "metric": "missingValues", "max_ratio": 0.5, "window": None},
        ],
    )  # fmt: skip
    assert terms.event_time == ("placed_at",)  # the first date-time property
    assert terms.max_lateness_seconds == 3600
    assert terms.freshness_seconds == 86400
    (threshold,) = terms.thresholds  # the dataset-level rule has no field to measure
    assert threshold.path == ("customer", "country")
    assert threshold.window_seconds == 3600


def test_the_event_time_field_follows_the_odcs_latency_element() -> None:
    sla = {"properties": [{"property": "latency", "value": 4, "unit": "d", "element": "t.amount"}]}
    assert enf.event_time_path(ORDER_SCHEMA, sla) == ("amount",)
    assert enf.event_time_path(ORDER_SCHEMA, {"event_time_field": "/properties/x"}) == ("x",)
    assert enf.event_time_path({"properties": {"a": {"type": "string"}}}, {}) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01T11:00:00+01:00", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        (1772359200, datetime(2026, 3, 1, 10, tzinfo=UTC)),
        (1772359200000, datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("soon", None),
        (True, None),
    ],
)
def test_parse_time(value: Any, expected: datetime | None) -> None:
    assert enf.parse_time(value) == expected


# --- judging -----------------------------------------------------------------------------------


def _terms(**sla: Any) -> enf.SlaTerms:
    thresholds = sla.pop("thresholds", [])
    return enf.SlaTerms.from_version(ORDER_SCHEMA, sla, thresholds)


def test_missing_ratio_over_the_batch_breaches_above_the_limit() -> None:
    terms = _terms(thresholds=[{"field": "/properties/email", "max_ratio": 0.25}])
    records = [{"email": "a@b.c"}, {"email": None}, {"email": "  "}, {}, {"email": "d@e.f"}]
    (breach,) = enf.judge(terms, records, [NOW] * 5, NOW)
    assert breach.kind is enf.BreachKind.MISSING_RATIO
    assert breach.field == "/properties/email"
    assert breach.observed == pytest.approx(3 / 5)  # null, blank and absent are missing
    assert breach.limit == 0.25
    assert breach.window_start is None  # no window: the batch
    assert "3 of 5" in breach.detail
    at_limit = _terms(thresholds=[{"field": "/properties/email", "max_ratio": 0.6}])
    assert enf.judge(at_limit, records, [NOW] * 5, NOW) == []


def test_null_values_do_not_count_blank_strings() -> None:
    terms = _terms(
        thresholds=[{"field": "/properties/email", "metric": "nullValues", "max_count": 1}]
    )
    records = [{"email": ""}, {"email": " "}, {"email": None}]
    assert enf.judge(terms, records, [NOW] * 3, NOW) == []
    records.append({})
    (breach,) = enf.judge(terms, records, [NOW] * 4, NOW)
    assert (breach.observed, breach.limit, breach.unit) == (2, 1, "records")


def test_missing_ratio_is_judged_per_event_time_window() -> None:
    terms = _terms(thresholds=[{"field": "/properties/email", "max_ratio": 0.5, "window": "1h"}])
    records = [
        {"placed_at": "2026-03-01T09:10:00Z", "email": None},
        {"placed_at": "2026-03-01T09:50:00Z", "email": None},
        {"placed_at": "2026-03-01T10:05:00Z", "email": None},
        {"placed_at": "2026-03-01T10:06:00Z", "email": "a@b.c"},
        {"placed_at": "2026-03-01T10:07:00Z", "email": "a@b.c"},
    ]
    (breach,) = enf.judge(terms, records, [NOW] * 5, NOW)  # the 10h window is 1 of 3
    assert breach.window_start == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert breach.window_end == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert breach.records == 2


def test_a_field_inside_array_items_is_missing_when_any_item_lacks_it() -> None:
    schema = {"properties": {"lines": {"items": {"properties": {"sku": {"type": "string"}}}}}}
    terms = enf.SlaTerms.from_version(
        schema, {}, [{"field": "/properties/lines/items/properties/sku", "max_count": 0}]
    )
    records = [{"lines": [{"sku": "a"}, {"sku": "b"}]}, {"lines": [{"sku": "a"}, {}]}]
    (breach,) = enf.judge(terms, records, [NOW, NOW], NOW)
    assert breach.observed == 1


def test_lateness_compares_event_time_with_arrival() -> None:
    terms = _terms(max_lateness={"value": 30, "unit": "min"})
    records = [
        {"placed_at": (NOW - timedelta(minutes=10)).isoformat()},
        {"placed_at": (NOW - timedelta(minutes=45)).isoformat()},
        {"placed_at": "not a time"},
    ]
    (breach,) = enf.judge(terms, records, [NOW] * 3, NOW)
    assert breach.kind is enf.BreachKind.LATENESS
    assert breach.observed == 45 * 60
    assert breach.limit == 30 * 60
    assert breach.field == "/properties/placed_at"
    assert "1 of 2 records" in breach.detail
    on_time = [{"placed_at": (NOW - timedelta(minutes=45)).isoformat()}]
    assert enf.judge(terms, on_time, [NOW - timedelta(minutes=20)], NOW) == []


def test_freshness_judges_the_newest_event() -> None:
    terms = _terms(freshness={"value": 1, "unit": "d"})
    stale = [{"placed_at": "2026-02-27T00:00:00Z"}, {"placed_at": "2026-02-28T00:00:00Z"}]
    (breach,) = enf.judge(terms, stale, [NOW, NOW], NOW)
    assert breach.kind is enf.BreachKind.FRESHNESS
    assert breach.observed == pytest.approx(36 * 3600)
    fresh = [*stale, {"placed_at": "2026-03-01T01:00:00Z"}]
    assert enf.judge(terms, fresh, [NOW] * 3, NOW) == []


def test_a_quiet_stream_goes_stale() -> None:
    terms = _terms(freshness={"value": 2, "unit": "h"})
    assert enf.judge_staleness(terms, NOW - timedelta(hours=1), NOW) is None
    breach = enf.judge_staleness(terms, NOW - timedelta(hours=3), NOW)
    assert breach is not None and breach.observed == 3 * 3600
    assert enf.judge_staleness(_terms(), NOW - timedelta(days=9), NOW) is None


def test_no_terms_no_breaches() -> None:
    records: list[Any] = [{}, {}, {}]
    assert enf.judge(_terms(), records, [NOW] * 3, NOW) == []


def test_a_threshold_without_a_window_takes_the_default_one_when_given() -> None:
    """The stream path counts a day's records for a rule with a cron schedule."""
    terms = _terms(thresholds=[{"field": "/properties/email", "max_count": 0,
                                "window": "0 20 * * *"}])  # fmt: skip
    records = [
        {"placed_at": "2026-03-01T09:00:00Z", "email": None},
        {"placed_at": "2026-03-02T09:00:00Z", "email": "a@b.c"},
    ]
    per_batch = enf.measure_missing(terms, records, [NOW, NOW])
    assert [(m.window_start, m.records) for m in per_batch] == [(None, 2)]
    per_day = enf.measure_missing(terms, records, [NOW, NOW], default_window_seconds=86400)
    assert [(m.window_start, m.missing) for m in per_day] == [
        (datetime(2026, 3, 1, tzinfo=UTC), 1),
        (datetime(2026, 3, 2, tzinfo=UTC), 0),
    ]
    assert [enf.judge_missing(m) is not None for m in per_day] == [True, False]


def test_a_draft_07_tuple_schema_judges_records_by_position() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
        "additionalItems": False,
    }
    validator = enf.RecordValidator(schema)
    assert validator.is_valid(["sku-1", 3])
    assert not validator.is_valid([3, "sku-1"])
    assert not validator.is_valid(["sku-1", 3, "extra"])
    assert validator.errors(["sku-1", 3, "extra"])


def test_a_schema_is_compiled_once_and_judged_by_jsonschema_rs() -> None:
    first = enf.validator_for(ORDER_SCHEMA)
    assert enf.validator_for(dict(ORDER_SCHEMA)) is first  # the same schema, the same validator
    assert first.rs is not None
    (error,) = first.errors({"order_id": "O1", "amount": -1})
    assert (error.pointer, error.schema_pointer, error.keyword) == (
        "/amount",
        "/properties/amount/minimum",
        "minimum",
    )
    assert error.message == "-1 is less than the minimum of 0"  # jsonschema's words


def test_formats_are_checked_as_jsonschema_checks_them() -> None:
    """jsonschema checks no date-time without its optional library: neither does the product,
    so records valid yesterday stay valid; an email without "@" fails both."""
    schema = {
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "email": {"type": "string", "format": "email"},
        }
    }
    validator = enf.RecordValidator(schema)
    reference = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert validator.rs is not None
    for record in ({"at": "yesterday"}, {"email": "nobody"}, {"email": "a@b"}):
        assert validator.is_valid(record) == reference.is_valid(record)


def test_formats_are_judged_as_jsonschema_judges_them_wherever_they_stand() -> None:
    """An email format beside a pattern of its own, one behind a reference, one in array items
    and a property that happens to be named "format": verdicts, pointers and messages are
    jsonschema's for each."""
    schema = {
        "type": "object",
        "properties": {
            "contact": {"type": "string", "format": "email", "pattern": "[.]fr$"},
            "emails": {"type": "array", "items": {"$ref": "#/$defs/email"}},
            "cc": {"type": "array", "items": {"type": "string", "format": "email"}},
            "format": {"type": "string", "format": "date-time"},
        },
        "$defs": {"email": {"type": "string", "format": "idn-email"}},
    }
    validator = enf.RecordValidator(schema)
    reference = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert validator.rs is not None
    records = [
        {"contact": "a@b.fr", "emails": ["x@y"], "cc": ["c@d"], "format": "now"},
        {"contact": "nobody.fr", "emails": ["x@y", "nobody"], "cc": ["c@d", "nobody", 3]},
        {"contact": "a@b.com", "format": 5},
        {"contact": "nobody", "cc": []},
    ]
    for record in records:
        expected = _as_jsonschema_says(reference, record)
        got = sorted((e.pointer, e.schema_pointer, e.message) for e in validator.errors(record))
        assert got == expected
        assert validator.is_valid(record) == reference.is_valid(record)
    assert enf.validate_records(validator, records).valid == [0]
