"""Judging records against a published version: its schema, and its SLA. Pure Python, no Django.

* ``RecordValidator`` checks records against a version's Draft 2020-12 JSON Schema and gives
  each invalid record its errors, each with the JSON pointer of the offending value and of the
  schema rule it broke. jsonschema-rs (rs_validator.py) judges records and finds the errors,
  phrased as jsonschema phrases them; a schema jsonschema-rs cannot hold safely (a pattern
  needing backtracking, a reference outside the schema) is judged by a compiled predicate of
  the common keywords (predicates.py) for validity and jsonschema for the errors.
  ``validator_for`` compiles each version's schema once per process.
* ``SlaTerms`` reads the measurable promises of a version: the most missing values per field
  per window, the maximum lateness of an event-time field against the arrival time, and the
  freshness of the newest event (durations read by contracts.sla).
* ``judge`` measures a batch of records against those terms and returns the breaches.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import compress, count
from operator import not_
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaValidationError
from referencing.exceptions import Unresolvable

from contracts.compatibility.dialects import internal_form
from contracts.enforcement.predicates import compile_predicate, is_number
from contracts.enforcement.rs_validator import ErrorPhrasing, compile_rs
from contracts.enforcement.safe_validator import safe_validator
from contracts.sla import duration_seconds

MAX_ERRORS_PER_RECORD = 20
MAX_MESSAGE_CHARS = 300

# --- record validation -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordError:
    """One broken rule: where in the record (``pointer``) and which rule (``schema_pointer``)."""

    pointer: str
    schema_pointer: str
    keyword: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "pointer": self.pointer,
            "schema_pointer": self.schema_pointer,
            "keyword": self.keyword,
            "message": self.message,
        }


def json_pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _record_error(error: SchemaValidationError) -> RecordError:
    message = error.message
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return RecordError(
        pointer=json_pointer(error.absolute_path),
        schema_pointer=json_pointer(error.absolute_schema_path),
        keyword=str(error.validator),
        message=message,
    )


def _phrased(pointer: str, schema_pointer: str, keyword: str, message: str) -> RecordError:
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return RecordError(pointer, schema_pointer, keyword, message)


def _unjudgeable(message: str) -> RecordError:
    return RecordError(pointer="", schema_pointer="", keyword="$ref", message=message)


def judged_form(schema: Mapping[str, Any] | bool) -> Mapping[str, Any] | bool:
    """Records are judged in one dialect, 2020-12: a draft-07 or 2019-09 schema (the dialect
    its `$schema` names) has its keywords rewritten first, e.g. tuple `items` to `prefixItems`,
    `dependencies` to `dependentRequired`/`dependentSchemas`."""
    form = internal_form(schema)
    if form is schema or not isinstance(form, Mapping):
        return form
    return {key: value for key, value in form.items() if key != "$schema"}


class RecordValidator:
    """Validates records against one JSON Schema (in its dialect, formats checked), safely:
    patterns run on a linear-time engine and references resolve inside the schema only
    (safe_validator). A version published before unsafe schemas were refused cannot hang or
    fetch: a reference that leads outside or loops fails the record with a message."""

    def __init__(
        self, schema: Mapping[str, Any] | bool, *, fast: bool = True, rust: bool = True
    ) -> None:
        schema = judged_form(schema)
        self.schema = schema
        self.validator = safe_validator(schema)
        self.rs = compile_rs(schema) if rust else None
        self.phrasing = ErrorPhrasing(self.validator, schema)
        checker = Draft202012Validator.FORMAT_CHECKER
        fast = fast and self.rs is None  # jsonschema-rs's yes is quicker still
        self.predicate = compile_predicate(schema, checker.conforms) if fast else None

    def rs_accepts(self, record: Any) -> bool:
        """jsonschema-rs's quick yes. No means "ask errors()": a record it cannot take (a value
        JSON has no type for) is judged there, with the messages users see."""
        try:
            return self.rs is not None and bool(self.rs.is_valid(record))
        except Exception:
            return False

    def rs_verdicts(self, records: Sequence[Any]) -> list[bool]:
        """jsonschema-rs's quick yes for each record, in one pass with no Python per record
        (``rs_accepts`` record by record when one of them it cannot take)."""
        if self.rs is None:
            return [False] * len(records)
        try:
            return list(map(self.rs.is_valid, records))
        except Exception:
            return [self.rs_accepts(record) for record in records]

    def is_valid(self, record: Any) -> bool:
        if self.rs is not None:
            return self.rs_accepts(record) or not self.errors(record, limit=1)
        if self.predicate is not None:
            return self.predicate(record)
        return not self.errors(record, limit=1)

    def errors(self, record: Any, limit: int = MAX_ERRORS_PER_RECORD) -> list[RecordError]:
        """The record's errors (at most ``limit``), empty for a valid record."""
        if self.rs is not None:
            try:
                found = list(self.rs.iter_errors(record))
            except Exception:
                return self._python_errors(record, limit)
            if not found:
                return []
            translated = self.phrasing.errors(found, record, limit)
            if translated is not None:
                return [_phrased(*e) for e in translated]
            return self._python_errors(record, limit)
        if self.predicate is not None and self.predicate(record):
            return []
        return self._python_errors(record, limit)

    def _python_errors(self, record: Any, limit: int) -> list[RecordError]:
        found: list[RecordError] = []
        try:
            for error in self.validator.iter_errors(record):
                found.append(_record_error(error))
                if len(found) >= limit:
                    break
        except Unresolvable as exc:
            ref = getattr(exc, "ref", "") or str(exc)
            return [
                _unjudgeable(
                    f"The schema's reference {ref!r} does not resolve inside the schema; "
                    "nothing is fetched, so the record cannot be validated."
                )
            ]
        except RecursionError:
            return [
                _unjudgeable(
                    "The schema's references loop without reaching a part of the record; "
                    "the record cannot be validated."
                )
            ]
        return found


_COMPILED: OrderedDict[str, RecordValidator] = OrderedDict()
_COMPILED_MAX = 64


def validator_for(schema: Any) -> RecordValidator:
    """The validator of a schema, compiled once per process (a published version's schema
    never changes, so its text is its key); the least recently used are dropped."""
    key = json.dumps(schema, sort_keys=False, ensure_ascii=False, default=str)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = RecordValidator(schema)
        while len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    return found


@dataclass
class BatchResult:
    valid: list[int] = field(default_factory=list)
    invalid: dict[int, list[RecordError]] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return len(self.valid) + len(self.invalid)


def validate_records(validator: RecordValidator, records: Sequence[Any]) -> BatchResult:
    """Indices of the valid records and the errors of the invalid ones."""
    result = BatchResult()
    # the common case: jsonschema-rs says yes, and no errors are looked for
    verdicts = validator.rs_verdicts(records)
    for index in compress(count(), map(not_, verdicts)):
        errors = validator.errors(records[index])
        if errors:
            result.invalid[index] = errors
        else:
            verdicts[index] = True
    result.valid = list(compress(range(len(records)), verdicts))
    return result


# --- SLA terms ---------------------------------------------------------------------------------


class Metric(StrEnum):
    MISSING = "missingValues"  # absent, null or blank
    NULL = "nullValues"  # absent or null


@dataclass(frozen=True, slots=True)
class MissingThreshold:
    field: str  # JSON pointer into the schema, e.g. /properties/customer/properties/email
    path: tuple[str, ...]  # the record path it names: ("customer", "email"); "*" = each item
    metric: Metric
    max_ratio: float | None
    max_count: int | None
    window_seconds: float | None  # None: the whole batch is one window

    def is_missing(self, value: Any) -> bool:
        if value is None:
            return True
        return self.metric is Metric.MISSING and isinstance(value, str) and not value.strip()


_ABSENT = object()


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def record_path(schema_pointer: str) -> tuple[str, ...] | None:
    """The record path a schema pointer names: /properties/a/items/properties/b -> a, *, b."""
    if not schema_pointer.startswith("/"):
        return None
    tokens = [_unescape(t) for t in schema_pointer[1:].split("/")]
    path: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "properties" and i + 1 < len(tokens):
            path.append(tokens[i + 1])
            i += 2
        elif tokens[i] == "items":
            path.append("*")
            i += 1
        else:
            return None
    return tuple(path) if path else None


def _values_at(record: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Every value at the path (``_ABSENT`` where a step is missing); "*" fans out over lists."""
    if not path:
        yield record
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(record, list) and record:
            for item in record:
                yield from _values_at(item, rest)
        else:
            yield _ABSENT
        return
    if isinstance(record, Mapping) and head in record:
        yield from _values_at(record[head], rest)
    else:
        yield _ABSENT


def _first_value(record: Any, path: tuple[str, ...]) -> Any:
    return next(_values_at(record, path), _ABSENT)


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """The measurable promises of a contract version."""

    thresholds: tuple[MissingThreshold, ...] = ()
    event_time: tuple[str, ...] | None = None
    max_lateness_seconds: float | None = None
    freshness_seconds: float | None = None

    @classmethod
    def from_version(
        cls,
        json_schema: Any,
        sla: Mapping[str, Any] | None,
        missing_thresholds: Sequence[Mapping[str, Any]] | None,
    ) -> SlaTerms:
        sla = sla or {}
        thresholds = []
        for raw in missing_thresholds or ():
            path = record_path(str(raw.get("field") or ""))
            if path is None:
                continue  # a dataset-level rule: nothing per field to measure
            try:
                metric = Metric(raw.get("metric") or Metric.MISSING)
            except ValueError:
                continue
            ratio: Any = raw.get("max_ratio")
            count: Any = raw.get("max_count")
            thresholds.append(
                MissingThreshold(
                    field=str(raw["field"]),
                    path=path,
                    metric=metric,
                    max_ratio=float(ratio) if is_number(ratio) else None,
                    max_count=int(count) if is_number(count) else None,
                    window_seconds=duration_seconds(raw.get("window")),
                )
            )
        return cls(
            thresholds=tuple(thresholds),
            event_time=event_time_path(json_schema, sla),
            max_lateness_seconds=duration_seconds(sla.get("max_lateness")),
            freshness_seconds=duration_seconds(sla.get("freshness")),
        )

    @property
    def measures_time(self) -> bool:
        return self.event_time is not None and (
            self.max_lateness_seconds is not None or self.freshness_seconds is not None
        )


_TIME_FORMATS = ("date-time", "date")


def event_time_path(json_schema: Any, sla: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Which record field holds the event time: the SLA's ``event_time_field`` (a name or a
    schema pointer), else the element of the ODCS latency property, else the first top-level
    property with a date-time format."""
    props = json_schema.get("properties") if isinstance(json_schema, Mapping) else None
    props = props if isinstance(props, Mapping) else {}
    named = sla.get("event_time_field")
    if isinstance(named, str) and named:
        return record_path(named) if named.startswith("/") else (named,)
    for item in sla.get("properties") or ():
        if isinstance(item, Mapping) and item.get("property") == "latency":
            element = str(item.get("element") or "").split(",")[0].strip()
            obj, _, name = element.rpartition(".")
            if name in props:
                return (name,)
            sub = props.get(obj)  # a multi-object schema: one property per object
            if isinstance(sub, Mapping) and name in (sub.get("properties") or {}):
                return (obj, name)
    for name, sub in props.items():
        if isinstance(sub, Mapping) and sub.get("format") in _TIME_FORMATS:
            return (name,)
    return None


def parse_time(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text or epoch seconds (milliseconds when huge)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if is_number(value) and math.isfinite(value):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


# --- measuring and judging ---------------------------------------------------------------------


class BreachKind(StrEnum):
    MISSING_RATIO = "missing_ratio"
    LATENESS = "lateness"
    FRESHNESS = "freshness"


@dataclass(frozen=True, slots=True)
class Breach:
    kind: BreachKind
    field: str  # schema pointer of the field, "" for the whole record
    observed: float
    limit: float
    unit: str  # "ratio", "records" or "seconds"
    window_start: datetime | None
    window_end: datetime | None
    records: int  # records measured in the window
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "field": self.field,
            "observed": self.observed,
            "limit": self.limit,
            "unit": self.unit,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "records": self.records,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class MissingMeasure:
    threshold: MissingThreshold
    window_start: datetime | None
    window_end: datetime | None
    records: int
    missing: int

    @property
    def ratio(self) -> float:
        return self.missing / self.records if self.records else 0.0


def _window(moment: datetime, seconds: float) -> tuple[datetime, datetime]:
    epoch = moment.timestamp()
    start = math.floor(epoch / seconds) * seconds
    return (
        datetime.fromtimestamp(start, tz=UTC),
        datetime.fromtimestamp(start + seconds, tz=UTC),
    )


def measure_missing(
    terms: SlaTerms,
    records: Sequence[Any],
    arrivals: Sequence[datetime],
    default_window_seconds: float | None = None,
) -> list[MissingMeasure]:
    """Missing values per threshold per window. A windowed threshold groups records by event
    time (arrival time when the record has none) into tumbling windows; a threshold without
    one uses ``default_window_seconds``, or, when None, takes the batch as one window. A
    record counts once, as missing when any value at the path is missing."""
    measures: list[MissingMeasure] = []
    for threshold in terms.thresholds:
        counts: dict[tuple[datetime | None, datetime | None], list[int]] = {}
        seconds = threshold.window_seconds or default_window_seconds
        for record, arrival in zip(records, arrivals, strict=True):
            key: tuple[datetime | None, datetime | None] = (None, None)
            if seconds:
                moment = None
                if terms.event_time is not None:
                    moment = parse_time(_first_value(record, terms.event_time))
                key = _window(moment or arrival, seconds)
            missing = any(
                v is _ABSENT or threshold.is_missing(v) for v in _values_at(record, threshold.path)
            )
            slot = counts.setdefault(key, [0, 0])
            slot[0] += 1
            slot[1] += missing
        for (start, end), (total, missing_count) in sorted(
            counts.items(), key=lambda kv: kv[0][0] or datetime.min.replace(tzinfo=UTC)
        ):
            measures.append(MissingMeasure(threshold, start, end, total, missing_count))
    return measures


@dataclass(frozen=True, slots=True)
class TimeMeasure:
    records_with_time: int
    max_lateness_seconds: float | None
    late_records: int
    newest_event: datetime | None


def measure_time(
    terms: SlaTerms, records: Sequence[Any], arrivals: Sequence[datetime]
) -> TimeMeasure:
    """Lateness (arrival minus event time) and the newest event time of the records."""
    if terms.event_time is None:
        return TimeMeasure(0, None, 0, None)
    worst: float | None = None
    late = counted = 0
    newest: datetime | None = None
    for record, arrival in zip(records, arrivals, strict=True):
        moment = parse_time(_first_value(record, terms.event_time))
        if moment is None:
            continue
        counted += 1
        lateness = (arrival - moment).total_seconds()
        worst = lateness if worst is None else max(worst, lateness)
        if terms.max_lateness_seconds is not None and lateness > terms.max_lateness_seconds:
            late += 1
        newest = moment if newest is None else max(newest, moment)
    return TimeMeasure(counted, worst, late, newest)


def _seconds_text(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def judge_missing(m: MissingMeasure) -> Breach | None:
    """A window's missing values against its threshold: a ratio limit, else a count limit."""
    t = m.threshold
    what = "missing" if t.metric is Metric.MISSING else "null"
    if t.max_ratio is not None and m.ratio > t.max_ratio:
        return Breach(
            BreachKind.MISSING_RATIO, t.field, m.ratio, t.max_ratio, "ratio",
            m.window_start, m.window_end, m.records,
            f"{m.missing} of {m.records} records have {t.field} {what} "
            f"({m.ratio:.1%}; at most {t.max_ratio:.1%} allowed).",
        )  # fmt: skip
    if t.max_count is not None and m.missing > t.max_count:
        return Breach(
            BreachKind.MISSING_RATIO, t.field, float(m.missing), float(t.max_count),
            "records", m.window_start, m.window_end, m.records,
            f"{m.missing} of {m.records} records have {t.field} {what} "
            f"(at most {t.max_count} allowed).",
        )  # fmt: skip
    return None


def judge(
    terms: SlaTerms,
    records: Sequence[Any],
    arrivals: Sequence[datetime],
    now: datetime,
    *,
    missing: bool = True,
) -> list[Breach]:
    """The SLA breaches of a batch of received records (valid or not) at time ``now``.
    ``missing=False`` leaves missing values out (a stream counts them per window instead)."""
    breaches: list[Breach] = []
    for m in measure_missing(terms, records, arrivals) if missing else ():
        found = judge_missing(m)
        if found is not None:
            breaches.append(found)
    if not terms.measures_time or not records:
        return breaches
    timing = measure_time(terms, records, arrivals)
    field_ptr = json_pointer(p for name in terms.event_time or () for p in ("properties", name))
    first, last = min(arrivals), max(arrivals)
    if (
        terms.max_lateness_seconds is not None
        and timing.max_lateness_seconds is not None
        and timing.max_lateness_seconds > terms.max_lateness_seconds
    ):
        breaches.append(
            Breach(
                BreachKind.LATENESS, field_ptr, timing.max_lateness_seconds,
                terms.max_lateness_seconds, "seconds", first, last, timing.records_with_time,
                f"{timing.late_records} of {timing.records_with_time} records arrived later "
                f"than {_seconds_text(terms.max_lateness_seconds)} after their event time "
                f"(the latest by {_seconds_text(timing.max_lateness_seconds)}).",
            )
        )  # fmt: skip
    if terms.freshness_seconds is not None and timing.newest_event is not None:
        age = (now - timing.newest_event).total_seconds()
        if age > terms.freshness_seconds:
            breaches.append(
                Breach(
                    BreachKind.FRESHNESS, field_ptr, age, terms.freshness_seconds, "seconds",
                    first, last, timing.records_with_time,
                    f"The newest record is {_seconds_text(age)} old; the contract promises "
                    f"data no older than {_seconds_text(terms.freshness_seconds)}.",
                )
            )  # fmt: skip
    return breaches


def judge_staleness(terms: SlaTerms, last_arrival: datetime | None, now: datetime) -> Breach | None:
    """Freshness of a stream that has gone quiet: nothing arrived for longer than promised."""
    if terms.freshness_seconds is None or last_arrival is None:
        return None
    age = (now - last_arrival).total_seconds()
    if age <= terms.freshness_seconds:
        return None
    return Breach(
        BreachKind.FRESHNESS, "", age, terms.freshness_seconds, "seconds", last_arrival, now, 0,
        f"Nothing has arrived for {_seconds_text(age)}; the contract promises data no older "
        f"than {_seconds_text(terms.freshness_seconds)}.",
    )  # fmt: skip
