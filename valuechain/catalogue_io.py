"""Bulk import and export of the catalogue (CSV, JSON, YAML).

The first part is pure: it reads a document into records, parses each record into an
`AssetRow`, and checks the rows against a `CatalogueSnapshot` (plain data about what the
database already holds). Nothing is written unless every row is valid. The last part reads
the snapshot from the database and applies the rows through the services, in one transaction.

A document is a list of records, one per asset, upserted by (kind, name). In CSV, the header
row is row 1 and the first asset is row 2; in JSON and YAML the first record is row 1.
Lineage is given by name in `upstream` (CSV: names separated by ";", a literal ";" or "\\"
escaped with a backslash; JSON/YAML: a list of names). A column that is absent leaves that
field as it is on an update (its default on a create); a column that is present sets it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from valuechain import models as m
from valuechain import services

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_UPSTREAM = 1000
MAX_MONEY = 1e15
MAX_NAME = 200
MAX_TEXT = 10_000
FORMATS = ("csv", "json", "yaml")

KINDS = ("feature", "curated_dataset", "raw_source", "acquisition_option")
KIND_LABELS = {
    "feature": "feature",
    "curated_dataset": "curated dataset",
    "raw_source": "raw source",
    "acquisition_option": "acquisition option",
}
# What a kind's `upstream` names, and whether it may name more than one.
UPSTREAM_OF: dict[str, tuple[str, bool]] = {
    "feature": ("curated_dataset", True),
    "curated_dataset": ("raw_source", True),
    "raw_source": ("acquisition_option", False),
}
LINEAGE_FIELD = {
    "feature": "curated_datasets",
    "curated_dataset": "raw_sources",
    "raw_source": "acquisition_option",
}
# Upstream first, so that lineage inside one file points at rows already written.
APPLY_ORDER = ("acquisition_option", "raw_source", "curated_dataset", "feature")

ESTIMATE_PARTS = ("low", "likely", "high")
ESTIMATES = ("build", "run")
READINESS = ("is_current", "arrives_regularly", "quality_ensurable", "sla_establishable")
TEXT_FIELDS = {"description": MAX_TEXT, "feature_group": 200, "system": 200, "provider": 200}
KIND_ONLY: dict[str, frozenset[str]] = {
    "feature_group": frozenset({"feature"}),
    "online": frozenset({"feature"}),
    "system": frozenset({"raw_source"}),
    **{name: frozenset({"raw_source"}) for name in READINESS},
    "provider": frozenset({"acquisition_option"}),
}
COLUMNS = (
    "kind",
    "name",
    "description",
    "owner",
    "available",
    "feasibility",
    *(f"build_{part}" for part in ESTIMATE_PARTS),
    "build_days_role",
    *(f"run_{part}" for part in ESTIMATE_PARTS),
    "run_days_role",
    "upstream",
    "feature_group",
    "online",
    "system",
    *READINESS,
    "provider",
)
KNOWN_COLUMNS = frozenset(COLUMNS)
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})
UNKNOWN_WORDS = frozenset({"", "unknown", "null", "none"})

Format = Literal["csv", "json", "yaml"]


class ImportFileError(Exception):
    """The document as a whole cannot be read: too big, not text, not the right shape."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem}


@dataclass(frozen=True, slots=True)
class EstimateRow:
    low: float
    likely: float
    high: float
    days_role: str | None = None  # a role name: the values are person-days of it


@dataclass(frozen=True, slots=True)
class AssetRow:
    """One parsed record. `values` holds only the plain fields the record gives."""

    row: int
    kind: str
    name: str
    values: Mapping[str, Any] = field(default_factory=dict)
    build: EstimateRow | None = None
    run: EstimateRow | None = None
    upstream: tuple[str, ...] | None = None  # None: not given

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name)


@dataclass(frozen=True, slots=True)
class CatalogueSnapshot:
    """What the database holds, as plain data: assets by (kind, name), their current state
    (as parsed rows, to tell an update from no change), role names and usernames."""

    assets: Mapping[tuple[str, str], Sequence[AssetRow]] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    usernames: frozenset[str] = frozenset()


Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True, slots=True)
class PlannedRow:
    row: int
    kind: str
    name: str
    action: Action

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "kind": self.kind, "name": self.name, "action": self.action}


@dataclass(slots=True)
class ImportReport:
    dry_run: bool
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_dict(self) -> dict[str, Any]:
        if self.errors:
            return {
                "detail": (
                    f"{len(self.errors)} problem(s) in {len({e.row for e in self.errors})} "
                    "row(s); nothing was imported."
                ),
                "errors": [error.as_dict() for error in self.errors],
            }
        return {
            "dry_run": self.dry_run,
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "rows": [row.as_dict() for row in self.rows],
        }


# --- reading a document ---------------------------------------------------------------------


def detect_format(filename: str = "", content_type: str = "", data: bytes = b"") -> Format:
    """The format from the file name, then the content type, then the first character."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    media = content_type.split(";")[0].strip().lower()
    if media in {"text/csv", "application/csv"}:
        return "csv"
    if media == "application/json":
        return "json"
    if media in {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}:
        return "yaml"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in {b"[", b"{"} else "csv"


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_BYTES // 1024} KiB.", too_large=True)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"The file is not UTF-8 text (byte {exc.start}).") from exc
    if "\x00" in text:
        raise ImportFileError("The file contains NUL characters: it is not a text file.")
    return text


def _bounded(records: list[Any]) -> list[Any]:
    if len(records) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(records)} rows; at most {MAX_ROWS} are allowed.")
    return records


def read_csv(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Records with their row numbers (the header is row 1), and header problems."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("The file is empty: a header row is needed.")
        header = [name.strip() for name in header]
        errors = [
            RowError(1, name or f"column {index + 1}", "Unknown column.")
            for index, name in enumerate(header)
            if name not in KNOWN_COLUMNS
        ]
        errors += [
            RowError(1, name, "This column appears more than once.")
            for name, times in Counter(header).items()
            if times > 1
        ]
        records: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(records) >= MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS} rows.")
            if len(cells) != len(header):
                errors.append(
                    RowError(number, "", f"{len(cells)} cells where the header has {len(header)}.")
                )
                continue
            # Unknown columns are reported once, on the header, not on every row.
            record = dict(zip(header, cells, strict=True))
            records.append((number, {k: v for k, v in record.items() if k in KNOWN_COLUMNS}))
    except csv.Error as exc:
        raise ImportFileError(f"Not readable as CSV: {exc}.") from exc
    return records, errors


def _records_of(document: Any) -> list[Any]:
    if isinstance(document, Mapping):
        extra = sorted(str(key) for key in document if key not in {"assets", "format", "version"})
        if extra:
            raise ImportFileError(f"Unknown top-level keys: {', '.join(extra)}.")
        document = document.get("assets")
    if not isinstance(document, list):
        raise ImportFileError('Expected a list of assets, or an object with an "assets" list.')
    return _bounded(document)


def read_document(data: bytes, fmt: str) -> tuple[list[tuple[int, Any]], list[RowError]]:
    """The records of a document with their row numbers, and any header problems.
    Raises ImportFileError when the document as a whole is unreadable."""
    if fmt not in FORMATS:
        raise ImportFileError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    text = _text(data)
    if fmt == "csv":
        return read_csv(text)
    try:
        # safe_load builds plain data only; never yaml.load.
        document = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(f"Not valid JSON: {str(exc)[:200]}") from exc
    except yaml.YAMLError as exc:
        raise ImportFileError(f"Not valid YAML: {str(exc)[:200]}") from exc
    return list(enumerate(_records_of(document), start=1)), []


# --- parsing records --------------------------------------------------------------------------


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


def split_names(cell: str) -> list[str]:
    """Names separated by ";", where "\\;" is a literal semicolon and "\\\\" a backslash."""
    names, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ";":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return [name.strip() for name in names if name.strip()]


def join_names(names: Iterable[str]) -> str:
    return ";".join(name.replace("\\", "\\\\").replace(";", "\\;") for name in names)


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


def _estimate(
    record: Mapping[str, Any], prefix: str, errors: list[RowError], row: int
) -> EstimateRow | None:
    columns = [f"{prefix}_{part}" for part in ESTIMATE_PARTS]
    role_column = f"{prefix}_days_role"
    given = [column for column in columns if column in record]
    if not given and role_column not in record:
        return None
    if not given or all(_is_blank(record[column]) for column in given):
        if role_column in record and not _is_blank(record[role_column]):
            errors.append(RowError(row, columns[1], "A unit of days needs low, likely and high."))
        return None
    values: list[float] = []
    for column in columns:
        if column not in record or _is_blank(record[column]):
            errors.append(RowError(row, column, "low, likely and high are all needed."))
            continue
        try:
            values.append(_number(record[column]))
        except _CellError as exc:
            errors.append(RowError(row, column, str(exc)))
    role: str | None = None
    if role_column in record and not _is_blank(record[role_column]):
        try:
            role = _string(record[role_column], 100)
        except _CellError as exc:
            errors.append(RowError(row, role_column, str(exc)))
    if len(values) != 3:
        return None
    low, likely, high = values
    if not low <= likely <= high:
        errors.append(RowError(row, columns[1], "An estimate must satisfy low <= likely <= high."))
        return None
    return EstimateRow(low, likely, high, role)


def parse_record(row: int, record: Any) -> tuple[AssetRow | None, list[RowError]]:
    """One record into an AssetRow, or the list of what is wrong with it."""
    if not isinstance(record, Mapping):
        return None, [RowError(row, "", "Expected an object with the asset's columns.")]
    errors = [
        RowError(row, str(column)[:100], "Unknown column.")
        for column in record
        if column not in KNOWN_COLUMNS
    ]
    kind = record.get("kind")
    kind = kind.strip() if isinstance(kind, str) else kind
    if kind not in KINDS:
        errors.append(RowError(row, "kind", f"Expected one of {', '.join(KINDS)}."))
        kind = None
    name = ""
    try:
        name = _string(record.get("name"), MAX_NAME)
    except _CellError as exc:
        errors.append(RowError(row, "name", str(exc)))
    else:
        if not name:
            errors.append(RowError(row, "name", "A name is required."))
    values: dict[str, Any] = {}
    for column, limit in TEXT_FIELDS.items():
        if column in record:
            try:
                values[column] = _string(record[column], limit)
            except _CellError as exc:
                errors.append(RowError(row, column, str(exc)))
    if "owner" in record:
        try:
            values["owner"] = _string(record["owner"], 150) or None
        except _CellError as exc:
            errors.append(RowError(row, "owner", str(exc)))
    for column in ("available", "online"):
        if column in record and not _is_blank(record[column]):
            try:
                values[column] = _boolean(record[column])
            except _CellError as exc:
                errors.append(RowError(row, column, str(exc)))
    for column in READINESS:
        if column in record:
            try:
                values[column] = _boolean(record[column], unknown=True)
            except _CellError as exc:
                errors.append(RowError(row, column, str(exc)))
    if "feasibility" in record:
        try:
            values["feasibility"] = (
                None
                if _is_blank(record["feasibility"])
                else _number(record["feasibility"], high=1.0)
            )
        except _CellError as exc:
            errors.append(RowError(row, "feasibility", str(exc)))
    build = _estimate(record, "build", errors, row)
    run = _estimate(record, "run", errors, row)
    upstream: tuple[str, ...] | None = None
    if "upstream" in record:
        try:
            upstream = _upstream(record["upstream"])
        except _CellError as exc:
            errors.append(RowError(row, "upstream", str(exc)))
    if kind is not None:
        errors += _kind_problems(row, kind, record, values, upstream)
        # Fields of another kind are dropped once checked to be empty.
        values = {
            key: value
            for key, value in values.items()
            if key not in KIND_ONLY or kind in KIND_ONLY[key]
        }
    if errors or kind is None:
        return None, errors
    return AssetRow(row, kind, name, values, build, run, upstream), []


def _kind_problems(
    row: int,
    kind: str,
    record: Mapping[str, Any],
    values: Mapping[str, Any],
    upstream: tuple[str, ...] | None,
) -> list[RowError]:
    label = KIND_LABELS[kind]
    errors = []
    for column, kinds in KIND_ONLY.items():
        if kind not in kinds and column in record and not _is_blank(record[column]):
            errors.append(RowError(row, column, f"A {label} has no {column}."))
    if kind == "acquisition_option" and values.get("available"):
        errors.append(RowError(row, "available", "An acquisition option is never available."))
    if upstream:
        if kind not in UPSTREAM_OF:
            errors.append(RowError(row, "upstream", f"A {label} has no upstream inputs."))
        elif not UPSTREAM_OF[kind][1] and len(upstream) > 1:
            errors.append(
                RowError(row, "upstream", "A raw source comes from one acquisition option.")
            )
    return errors


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


# --- checking rows against each other and the catalogue ----------------------------------------


def check_rows(rows: Sequence[AssetRow], snapshot: CatalogueSnapshot) -> list[RowError]:
    """Duplicates, ambiguous names, owners, roles and lineage, for every row."""
    errors: list[RowError] = []
    first_row: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.key in first_row:
            label = KIND_LABELS[row.kind]
            message = f"Row {first_row[row.key]} already has the {label} {row.name!r}."
            errors.append(RowError(row.row, "name", message))
            continue
        first_row[row.key] = row.row
        if len(snapshot.assets.get(row.key, ())) > 1:
            errors.append(
                RowError(
                    row.row,
                    "name",
                    f"The catalogue has {len(snapshot.assets[row.key])} "
                    f"{KIND_LABELS[row.kind]}s named {row.name!r}; rename one before importing.",
                )
            )
        owner = row.values.get("owner")
        if owner is not None and owner not in snapshot.usernames:
            errors.append(RowError(row.row, "owner", f"No user named {owner!r}."))
        for prefix in ESTIMATES:
            estimate: EstimateRow | None = getattr(row, prefix)
            if estimate and estimate.days_role and estimate.days_role not in snapshot.roles:
                errors.append(
                    RowError(
                        row.row, f"{prefix}_days_role", f"No role named {estimate.days_role!r}."
                    )
                )
    in_file = {row.key for row in rows}
    for row in rows:
        errors += _lineage_problems(row, in_file, snapshot)
    return sorted(
        errors,
        key=lambda error: (
            error.row,
            COLUMNS.index(error.column) if error.column in COLUMNS else len(COLUMNS),
        ),
    )


def _lineage_problems(
    row: AssetRow, in_file: set[tuple[str, str]], snapshot: CatalogueSnapshot
) -> list[RowError]:
    if not row.upstream or row.kind not in UPSTREAM_OF:
        return []
    wanted = UPSTREAM_OF[row.kind][0]
    errors = []
    for name in row.upstream:
        key = (wanted, name)
        if key in in_file:
            continue
        found = len(snapshot.assets.get(key, ()))
        if found == 1:
            continue
        if found > 1:
            errors.append(
                RowError(
                    row.row,
                    "upstream",
                    f"The catalogue has {found} {KIND_LABELS[wanted]}s named {name!r}.",
                )
            )
            continue
        others = [
            KIND_LABELS[kind]
            for kind in KINDS
            if kind != wanted and ((kind, name) in in_file or (kind, name) in snapshot.assets)
        ]
        if others:
            problem = (
                f"{name!r} is a {others[0]}, but a {KIND_LABELS[row.kind]}'s inputs are "
                f"{KIND_LABELS[wanted]}s."
            )
        else:
            problem = f"No {KIND_LABELS[wanted]} named {name!r} in the file or the catalogue."
        errors.append(RowError(row.row, "upstream", problem))
    return errors


def _changes_anything(row: AssetRow, current: AssetRow) -> bool:
    for key, value in row.values.items():
        if current.values.get(key) != value:
            return True
    for prefix in ESTIMATES:
        given = getattr(row, prefix)
        if given is not None and given != getattr(current, prefix):
            return True
    return row.upstream is not None and set(row.upstream) != set(current.upstream or ())


def plan(rows: Sequence[AssetRow], snapshot: CatalogueSnapshot) -> list[PlannedRow]:
    """What each (valid) row would do."""
    planned = []
    for row in rows:
        existing = snapshot.assets.get(row.key, ())
        action: Action
        if not existing:
            action = "create"
        elif _changes_anything(row, existing[0]):
            action = "update"
        else:
            action = "unchanged"
        planned.append(PlannedRow(row.row, row.kind, row.name, action))
    return planned


def validate_document(
    data: bytes, fmt: str, snapshot: CatalogueSnapshot
) -> tuple[list[AssetRow], list[PlannedRow], list[RowError]]:
    """Everything short of writing. Raises ImportFileError for an unreadable document."""
    records, errors = read_document(data, fmt)
    rows, row_errors = parse_records(records)
    errors += row_errors
    errors += check_rows(rows, snapshot)
    errors.sort(key=lambda error: error.row)
    if errors:
        return rows, [], errors
    return rows, plan(rows, snapshot), []


# --- export (pure) ---------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, list):
        return join_names(value)
    return str(value)


def to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in COLUMNS])
    return out.getvalue()


def to_json(records: Sequence[Mapping[str, Any]]) -> str:
    document = {"format": "valuechain-catalogue", "version": 1, "assets": list(records)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- the database side -----------------------------------------------------------------------


def _upstream_names(asset: m.Asset) -> list[str]:
    if isinstance(asset, m.Feature):
        return sorted(row.name for row in asset.curated_datasets.all())
    if isinstance(asset, m.CuratedDataset):
        return sorted(row.name for row in asset.raw_sources.all())
    if isinstance(asset, m.RawSource):
        return [asset.acquisition_option.name] if asset.acquisition_option else []
    return []


def _record(asset: m.Asset, role_names: Mapping[int, str]) -> dict[str, Any]:
    kind = asset.asset_type
    record: dict[str, Any] = {
        "kind": kind,
        "name": asset.name,
        "description": asset.description,
        "owner": asset.owner.get_username() if asset.owner else None,
        "available": asset.available,
        "feasibility": asset.feasibility,
    }
    for prefix in ESTIMATES:
        for part in ESTIMATE_PARTS:
            record[f"{prefix}_{part}"] = getattr(asset, f"{prefix}_{part}")
        role_id = getattr(asset, f"{prefix}_days_role_id")
        record[f"{prefix}_days_role"] = role_names[role_id] if role_id is not None else None
    if kind in UPSTREAM_OF:
        record["upstream"] = _upstream_names(asset)
    for column, kinds in KIND_ONLY.items():
        if kind in kinds:
            record[column] = getattr(asset, column)
    return record


def _querysets() -> dict[str, Any]:
    return {
        "acquisition_option": m.AcquisitionOption.objects.select_related("owner"),
        "raw_source": m.RawSource.objects.select_related("owner", "acquisition_option"),
        "curated_dataset": m.CuratedDataset.objects.select_related("owner").prefetch_related(
            "raw_sources"
        ),
        "feature": m.Feature.objects.select_related("owner").prefetch_related("curated_datasets"),
    }


def export_records() -> list[dict[str, Any]]:
    """The whole catalogue as records, upstream kinds first: what `import` reads back."""
    role_names = dict(m.Role.objects.values_list("id", "name"))
    records = []
    for kind in APPLY_ORDER:
        for asset in _querysets()[kind].order_by("name", "id"):
            records.append(_record(asset, role_names))
    return records


def load_snapshot() -> tuple[CatalogueSnapshot, dict[tuple[str, str], list[m.Asset]]]:
    """The catalogue as plain data for the checks, and the rows by (kind, name) for writing."""
    records = export_records()
    rows_by_key: dict[tuple[str, str], list[m.Asset]] = defaultdict(list)
    for kind in APPLY_ORDER:
        for asset in m.ASSET_MODELS[kind]._default_manager.order_by("id"):
            rows_by_key[(kind, asset.name)].append(asset)
    parsed: dict[tuple[str, str], list[AssetRow]] = defaultdict(list)
    for number, record in enumerate(records, start=1):
        row, _ = parse_record(number, record)
        if row is not None:
            parsed[row.key].append(row)
    # Names stored with surrounding spaces or over-long would not parse; keep them counted.
    for key, assets in rows_by_key.items():
        while len(parsed[key]) < len(assets):
            parsed[key].append(AssetRow(0, key[0], key[1]))
    snapshot = CatalogueSnapshot(
        assets=dict(parsed),
        roles=frozenset(m.Role.objects.values_list("name", flat=True)),
        usernames=frozenset(get_user_model().objects.values_list("username", flat=True)),
    )
    return snapshot, dict(rows_by_key)


def _changes(
    row: AssetRow,
    roles: Mapping[str, int],
    users: Mapping[str, Any],
    ids: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    changes: dict[str, Any] = {"name": row.name}
    for key, value in row.values.items():
        changes[key] = users[value] if key == "owner" and value is not None else value
    for prefix in ESTIMATES:
        estimate: EstimateRow | None = getattr(row, prefix)
        if estimate is not None:
            changes[prefix] = services.EstimateInput(
                estimate.low,
                estimate.likely,
                estimate.high,
                days_role_id=roles[estimate.days_role] if estimate.days_role else None,
            )
    if row.upstream is not None and row.kind in UPSTREAM_OF:
        wanted, many = UPSTREAM_OF[row.kind]
        upstream_ids = [ids[(wanted, name)] for name in row.upstream]
        changes[LINEAGE_FIELD[row.kind]] = (
            upstream_ids if many else (upstream_ids[0] if upstream_ids else None)
        )
    return changes


@transaction.atomic
def import_catalogue(*, data: bytes, fmt: str, dry_run: bool) -> ImportReport:
    """Validate every row against the catalogue as it is now, then write all or nothing.

    Raises ImportFileError when the document as a whole is unreadable.
    """
    snapshot, existing = load_snapshot()
    rows, planned, errors = validate_document(data, fmt, snapshot)
    report = ImportReport(dry_run=dry_run, rows=planned, errors=errors)
    if errors or dry_run:
        return report
    roles = dict(m.Role.objects.values_list("name", "id"))
    wanted_users = {row.values["owner"] for row in rows if row.values.get("owner")}
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=wanted_users)
    }
    ids = {key: assets[0].pk for key, assets in existing.items()}
    action_of = {(p.kind, p.name): p.action for p in planned}
    by_kind: dict[str, list[AssetRow]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind in APPLY_ORDER:
        for row in by_kind[kind]:
            action = action_of[row.key]
            if action == "unchanged":
                continue
            changes = _changes(row, roles, users, ids)
            try:
                if action == "create":
                    asset = services.create_asset(asset_type=kind, changes=changes)  # type: ignore[arg-type]
                    ids[row.key] = asset.pk
                else:
                    services.update_asset(
                        asset=existing[row.key][0],
                        changes=changes,  # type: ignore[arg-type]
                    )
            except ValidationError as exc:
                # The checks above should have caught it; report it on the row all the same.
                transaction.set_rollback(True)
                report.rows = []
                problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                report.errors = [
                    RowError(row.row, name, "; ".join(messages))
                    for name, messages in problems.items()
                ]
                return report
    return report
