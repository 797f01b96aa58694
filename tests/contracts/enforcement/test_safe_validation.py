"""Record validation cannot be made to hang or to fetch: patterns run on RE2 and references
resolve inside the schema only, in batches and on the stream path alike. Versions stored before
publishing refused such schemas (made here with the factory, past the publish checks) are
validated safely too."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import re2
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from contracts import schema_safety
from contracts.enforcement import safe_validator, selectors, services, streams
from contracts.enforcement.judging import RecordValidator, SlaTerms
from contracts.enforcement.predicates import compile_predicate
from contracts.models import DeadLetter, ValidRecord
from tests.contracts.factories import (
    GOOD,
    NEGATIVE,
    NO_AMOUNT,
    ORDER_SCHEMA,
    ContractVersionFactory,
)

EVIL = "a" * 27 + "!"
BACKTRACKING = {
    "type": "object",
    "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}},
    "patternProperties": {"^(x+)+$": {"type": "integer"}},
    "required": ["code"],
}


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets: its base URL and the hits."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _remote(base: str) -> dict[str, Any]:
    schema = copy.deepcopy(ORDER_SCHEMA)
    schema["properties"]["order_id"] = {"$ref": f"{base}/evil.json"}
    return schema


# --- the engine --------------------------------------------------------------------------------


def test_patterns_run_on_the_linear_time_engine_everywhere() -> None:
    assert schema_safety.ENGINE == "re2"
    assert isinstance(schema_safety.compile_pattern("^(a+)+$"), re2._Regexp)
    keywords = safe_validator.SafeValidator.VALIDATORS
    assert keywords["pattern"] is safe_validator.pattern
    assert keywords["patternProperties"] is safe_validator.pattern_properties
    assert keywords["additionalProperties"] is safe_validator.additional_properties
    assert keywords["unevaluatedProperties"] is safe_validator.unevaluated_properties
    validator = RecordValidator(BACKTRACKING)
    assert isinstance(validator.validator, safe_validator.SafeValidator)


@pytest.mark.parametrize("fast", [True, False])
def test_a_backtracking_pattern_answers_for_an_evil_record(fast: bool) -> None:
    validator = RecordValidator(BACKTRACKING, fast=fast)
    (error,) = validator.errors({"code": EVIL})
    assert (error.pointer, error.schema_pointer) == ("/code", "/properties/code/pattern")
    assert validator.errors({"code": "a" * 50_000}) == []
    assert validator.is_valid({"code": EVIL}) is False
    (key_error,) = validator.errors({"code": "a", "x" * 40 + "!": "ignored", "xxx": "text"})
    assert key_error.pointer == "/xxx"


def test_the_compiled_predicate_uses_the_linear_engine() -> None:
    predicate = compile_predicate({"type": "string", "pattern": "^(a+)+$"})
    assert predicate is not None
    assert predicate(EVIL) is False and predicate("aaaa") is True


def test_property_matching_of_additional_and_unevaluated_properties_uses_the_engine() -> None:
    closed = {"patternProperties": {"^(x+)+$": {}}, "additionalProperties": False}
    (error,) = RecordValidator(closed).errors({"x" * 30 + "!": 1, "xx": 2})
    assert "does not match any of the regexes" in error.message
    unevaluated = {"patternProperties": {"^(x+)+$": {}}, "unevaluatedProperties": False}
    (error,) = RecordValidator(unevaluated).errors({"x" * 30 + "!": 1, "xx": 2})
    assert "Unevaluated properties are not allowed" in error.message


SAMPLES = [
    (ORDER_SCHEMA, [GOOD, NEGATIVE, NO_AMOUNT, {"order_id": 5, "amount": "x", "note": 1}]),
    (
        {
            "type": "object",
            "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"}},
            "patternProperties": {"^tag_": {"type": "string"}},
            "additionalProperties": {"type": "integer"},
        },
        [{"sku": "ABC-12"}, {"sku": "abc"}, {"tag_a": 1, "n": "x"}, {"other": 3}],
    ),
    (
        {
            "$defs": {"code": {"type": "string", "pattern": "^[a-z]+$"}},
            "properties": {"a": {"$ref": "#/$defs/code"}},
            "patternProperties": {"^p": {"type": "string"}},
            "unevaluatedProperties": False,
        },
        [{"a": "ok"}, {"a": "NO"}, {"pa": "x", "z": 1}, {"pa": 1}],
    ),
]


@pytest.mark.parametrize(("schema", "records"), SAMPLES)
def test_ordinary_schemas_give_exactly_the_errors_they_always_gave(
    schema: Any, records: list[Any]
) -> None:
    plain = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator = RecordValidator(schema)
    for record in records:
        before = sorted((list(e.absolute_path), e.message) for e in plain.iter_errors(record))
        after = sorted(
            (list(e.absolute_path), e.message) for e in validator.validator.iter_errors(record)
        )
        assert after == before


# --- references --------------------------------------------------------------------------------


def test_the_listener_would_see_a_fetch_by_jsonschemas_default(listener) -> None:
    """The check below can fail: plain jsonschema does fetch the reference."""
    base, hits = listener
    with pytest.warns(DeprecationWarning):
        Draft202012Validator(_remote(base)).is_valid(GOOD)
    assert hits == ["/evil.json"]


def test_a_remote_reference_is_never_fetched_and_fails_the_record(listener) -> None:
    base, hits = listener
    validator = RecordValidator(_remote(base))
    for record in (GOOD, NEGATIVE):
        (error,) = validator.errors(record)
        assert "does not resolve inside the schema" in error.message
    assert hits == []


def test_a_file_reference_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "string"}')
    validator = RecordValidator({"$ref": secret.as_uri()})
    (error,) = validator.errors("anything")
    assert "does not resolve inside the schema" in error.message
    assert secret.as_uri() in error.message


def test_a_looping_reference_fails_the_record_instead_of_the_run() -> None:
    validator = RecordValidator({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})
    (error,) = validator.errors({"x": 1})
    assert "loop" in error.message


# --- batches and the stream path --------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_of_a_stored_remote_reference_schema_fetches_nothing(
    listener, api_client_for
) -> None:
    base, hits = listener
    version = ContractVersionFactory(json_schema=_remote(base))
    client: APIClient = api_client_for(version.contract.owner)
    response = client.post(
        f"/api/contracts/{version.contract_id}/validate/", [GOOD, GOOD], format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["valid_count"], body["dead_letter_count"]) == ("succeeded", 0, 2)
    assert hits == []


@pytest.mark.django_db
def test_a_batch_with_a_backtracking_pattern_is_judged(api_client_for) -> None:
    version = ContractVersionFactory(json_schema=BACKTRACKING)
    client: APIClient = api_client_for(version.contract.owner)
    response = client.post(
        f"/api/contracts/{version.contract_id}/validate/",
        [{"code": EVIL}, {"code": "aaa"}],
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["valid_count"], body["dead_letter_count"]) == (1, 1)
    (letter,) = body["result"]["dead_letters"]
    assert letter["errors"][0]["schema_pointer"] == "/properties/code/pattern"


def _stream_batch(version: Any, records: list[Any]) -> None:
    run = services.start_stream_run(contract=version.contract, stream="s", consumer_name="c")
    entries = [
        streams.entry_of(f"{1_700_000_000_000 + i}-0", {"record": record}, version.json_schema)
        for i, record in enumerate(records)
    ]
    services.store_stream_batch(
        run=run,
        entries=entries,
        plan=selectors.judging_plan(version.contract),
        terms=SlaTerms.from_version(version.json_schema, version.sla, version.missing_thresholds),
    )


@pytest.mark.django_db
def test_the_stream_path_judges_evil_records_and_fetches_nothing(listener) -> None:
    base, hits = listener
    hostile = ContractVersionFactory(json_schema=BACKTRACKING)
    _stream_batch(hostile, [json.dumps({"code": EVIL}), '{"code": "aaaa"}'])
    assert DeadLetter.objects.filter(contract=hostile.contract).count() == 1
    assert ValidRecord.objects.filter(contract=hostile.contract).count() == 1
    remote = ContractVersionFactory(json_schema=_remote(base))
    _stream_batch(remote, ['{"order_id": "A1", "amount": 1}'])
    (letter,) = DeadLetter.objects.filter(contract=remote.contract)
    assert "does not resolve inside the schema" in letter.errors[0]["message"]
    assert hits == []
    assert datetime.now(UTC) > letter.received_at
