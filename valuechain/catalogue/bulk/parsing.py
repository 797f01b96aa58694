"""Parsing the records of a bulk document into catalogue rows. Pure: no Django.

Each record becomes an `AssetRow` holding only the fields it gives, or the list of what is
wrong with it, cell by cell (`RowError`: row, column, problem).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from valuechain.catalogue import rules
from valuechain.catalogue.bulk.document import (
    ESTIMATE_PARTS,
    FALSE_WORDS,
    KIND_LABELS,
    KIND_ONLY,
    KINDS,
    KNOWN_COLUMNS,
    MAX_NAME,
    MAX_UPSTREAM,
    READINESS,
    TEXT_FIELDS,
    TRUE_WORDS,
    UNKNOWN_WORDS,
    AssetRow,
    EstimateRow,
    RowError,
    split_names,
)
from valuechain.engine.chain import availability_problem, estimate_problem
from valuechain.estimates import MAX_MONEY


class _CellError(ValueError):
    pass


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, *, low: float = 0.0, high: float = MAX_MONEY) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _CellError("Expected a number.")
    if isinstance(value, str) and len(value) > 64:
        raise _CellError("Expected a number.")
    try:
        number = float(value)
    except (ValueError, OverflowError) as exc:
        raise _CellError(f"Expected a number, got {str(value)[:40]!r}.") from exc
    if not math.isfinite(number):
        raise _CellError("Expected a finite number.")
    if not low <= number <= high:
        raise _CellError(f"Must be between {low:g} and {high:g}.")
    return number


def _boolean(value: Any, *, unknown: bool = False) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None and unknown:
        return None
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        if unknown and word in UNKNOWN_WORDS:
            return None
    expected = "true, false or empty (unknown)" if unknown else "true or false"
    raise _CellError(f"Expected {expected}.")


def _string(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _CellError("Expected text.")
    value = value.strip()
    if len(value) > limit:
        raise _CellError(f"At most {limit} characters.")
    if "\x00" in value:
        raise _CellError("Contains a NUL character.")
    return value


def _upstream(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        names = split_names(value)
    elif isinstance(value, list):
        if len(value) > MAX_UPSTREAM:
            raise _CellError(f"At most {MAX_UPSTREAM} upstream names.")
        if not all(isinstance(name, str) for name in value):
            raise _CellError("Expected a list of names.")
        names = [name.strip() for name in value if name.strip()]
    else:
        raise _CellError("Expected names separated by ';' or a list of names.")
    if len(names) > MAX_UPSTREAM:
        raise _CellError(f"At most {MAX_UPSTREAM} upstream names.")
    for name in names:
        _string(name, MAX_NAME)
    return tuple(dict.fromkeys(names))


# Column names per estimate, named once rather than on every row of a large import.
ESTIMATE_COLUMNS = {
    prefix: (tuple(f"{prefix}_{part}" for part in ESTIMATE_PARTS), f"{prefix}_days_role")
    for prefix in ("build", "run")
}


def _estimate(
    record: Mapping[str, Any], prefix: str, errors: list[RowError], row: int
) -> EstimateRow | None:
    columns, role_column = ESTIMATE_COLUMNS[prefix]
    # An absent cell reads as a blank one; each cell is looked at once (5,000 rows per file).
    cells = [record.get(column) for column in columns]
    blank = [_is_blank(cell) for cell in cells]
    role_cell = record.get(role_column)
    role_given = not _is_blank(role_cell)
    if all(blank):
        if role_given:
            errors.append(RowError(row, columns[1], "A unit of days needs low, likely and high."))
        return None
    values: list[float] = []
    for column, cell, empty in zip(columns, cells, blank, strict=True):
        if empty:
            errors.append(RowError(row, column, "low, likely and high are all needed."))
            continue
        try:
            values.append(_number(cell))
        except _CellError as exc:
            errors.append(RowError(row, column, str(exc)))
    role: str | None = None
    if role_given:
        try:
            role = _string(role_cell, 100)
        except _CellError as exc:
            errors.append(RowError(row, role_column, str(exc)))
    if len(values) != 3:
        return None
    low, likely, high = values
    problem = estimate_problem(low, likely, high)
    if problem is not None:
        errors.append(RowError(row, columns[1], problem))
        return None
    return EstimateRow(low, likely, high, role)


def _owner(value: Any) -> str | None:
    return _string(value, 150) or None


def _feasibility(value: Any) -> float | None:
    return None if _is_blank(value) else _number(value, high=1.0)


# The plain cells in the order their problems are listed: the column, how to read it, and
# whether a blank cell counts as absent.
PLAIN_CELLS: tuple[tuple[str, Callable[[Any], Any], bool], ...] = (
    *((column, partial(_string, limit=limit), False) for column, limit in TEXT_FIELDS.items()),
    ("owner", _owner, False),
    ("available", _boolean, True),
    ("online", _boolean, True),
    *((column, partial(_boolean, unknown=True), False) for column in READINESS),
    ("feasibility", _feasibility, False),
)


def _unknown_columns(row: int, record: Mapping[Any, Any]) -> list[RowError]:
    return [
        RowError(row, str(column)[:100], "Unknown column.")
        for column in record
        if column not in KNOWN_COLUMNS
    ]


def _kind(row: int, record: Mapping[str, Any], errors: list[RowError]) -> str | None:
    kind = record.get("kind")
    kind = kind.strip() if isinstance(kind, str) else kind
    if kind not in KINDS:
        errors.append(RowError(row, "kind", f"Expected one of {', '.join(KINDS)}."))
        return None
    return str(kind)


def _name(row: int, record: Mapping[str, Any], errors: list[RowError]) -> str:
    try:
        name = _string(record.get("name"), MAX_NAME)
    except _CellError as exc:
        errors.append(RowError(row, "name", str(exc)))
        return ""
    if not name:
        errors.append(RowError(row, "name", "A name is required."))
    return name


def _plain_values(row: int, record: Mapping[str, Any], errors: list[RowError]) -> dict[str, Any]:
    """The plain fields the record gives; a cell that does not read is noted and left out."""
    values: dict[str, Any] = {}
    for column, read, blank_is_absent in PLAIN_CELLS:
        if column not in record or (blank_is_absent and _is_blank(record[column])):
            continue
        try:
            values[column] = read(record[column])
        except _CellError as exc:
            errors.append(RowError(row, column, str(exc)))
    return values


def _upstream_names(
    row: int, record: Mapping[str, Any], errors: list[RowError]
) -> tuple[str, ...] | None:
    """The upstream names the record gives; None when it gives none (or they do not read)."""
    if "upstream" not in record:
        return None
    try:
        return _upstream(record["upstream"])
    except _CellError as exc:
        errors.append(RowError(row, "upstream", str(exc)))
        return None


# The columns of the other kinds, per kind, in the order their problems are listed.
OTHER_KINDS_COLUMNS = {
    kind: tuple(column for column, kinds in KIND_ONLY.items() if kind not in kinds)
    for kind in KINDS
}


def _kind_problems(
    row: int,
    kind: str,
    record: Mapping[str, Any],
    values: Mapping[str, Any],
    upstream: tuple[str, ...] | None,
) -> list[RowError]:
    label = KIND_LABELS[kind]
    errors = []
    for column in OTHER_KINDS_COLUMNS[kind]:
        if column in record and not _is_blank(record[column]):
            errors.append(RowError(row, column, f"A {label} has no {column}."))
    problem = availability_problem(kind, values.get("available"))
    if problem is not None:
        errors.append(RowError(row, "available", problem))
    if upstream:
        lineage = rules.LINEAGE.get(kind)
        if lineage is None:
            errors.append(RowError(row, "upstream", f"A {label} has no upstream inputs."))
        elif not lineage.many and len(upstream) > 1:
            errors.append(
                RowError(row, "upstream", "A raw source comes from one acquisition option.")
            )
    return errors


def _own_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values without the fields of another kind (checked to be empty by then); the
    record's own dict, trimmed in place."""
    for key in KIND_ONLY.keys() & values.keys():
        if kind not in KIND_ONLY[key]:
            del values[key]
    return values


def parse_record(row: int, record: Any) -> tuple[AssetRow | None, list[RowError]]:
    """One record into an AssetRow, or the list of what is wrong with it."""
    if not isinstance(record, Mapping):
        return None, [RowError(row, "", "Expected an object with the asset's columns.")]
    errors = _unknown_columns(row, record)
    kind = _kind(row, record, errors)
    name = _name(row, record, errors)
    values = _plain_values(row, record, errors)
    build = _estimate(record, "build", errors, row)
    run = _estimate(record, "run", errors, row)
    upstream = _upstream_names(row, record, errors)
    if kind is None:
        return None, errors
    errors += _kind_problems(row, kind, record, values, upstream)
    if errors:
        return None, errors
    return AssetRow(row, kind, name, _own_values(kind, values), build, run, upstream), []


def parse_records(
    records: Iterable[tuple[int, Any]],
) -> tuple[list[AssetRow], list[RowError]]:
    rows: list[AssetRow] = []
    errors: list[RowError] = []
    for number, record in records:
        parsed, problems = parse_record(number, record)
        errors += problems
        if parsed is not None:
            rows.append(parsed)
    return rows, errors
