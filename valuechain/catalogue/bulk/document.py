"""The catalogue's bulk file format (CSV, JSON, YAML): its columns and limits, reading a
document into numbered records, and writing records back. Pure: no Django.

A document is a list of records, one per asset, upserted by (kind, name). In CSV, the header
row is row 1 and the first asset is row 2; in JSON and YAML the first record is row 1.
Lineage is given by name in `upstream` (CSV: names separated by ";", a literal ";" or "\\"
escaped with a backslash; JSON/YAML: a list of names). A column that is absent leaves that
field as it is on an update (its default on a create); a column that is present sets it.

The records are parsed into rows by `parsing`, checked against the catalogue by `checks`, and
read from and written to the database by `database`, which imports all rows or none.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from valuechain import safe_yaml, spreadsheet
from valuechain.catalogue import rules
from valuechain.estimates import PARTS as ESTIMATE_PARTS
from valuechain.platform.jsonsafe import check_document, finite, refuse_constant

MAX_BYTES = 1024 * 1024
# Room for the multipart envelope around a file of the largest allowed size: a request
# longer than this is refused before anything is read.
MAX_UPLOAD = MAX_BYTES + 64 * 1024
TOO_LARGE = f"The file is larger than {MAX_BYTES // 1024} KiB."
MAX_ROWS = 5000
MAX_UPSTREAM = 1000
MAX_NAME = 200
MAX_TEXT = 10_000
# A report lists this many problems, then says how many more there are.
MAX_REPORTED_ERRORS = 100
FORMATS = ("csv", "json", "yaml")

KINDS = (rules.FEATURE, rules.CURATED_DATASET, rules.RAW_SOURCE, rules.ACQUISITION_OPTION)
KIND_LABELS = {
    "feature": "feature",
    "curated_dataset": "curated dataset",
    "raw_source": "raw source",
    "acquisition_option": "acquisition option",
}
# Upstream first, so that lineage inside one file points at rows already written.
APPLY_ORDER = (rules.ACQUISITION_OPTION, rules.RAW_SOURCE, rules.CURATED_DATASET, rules.FEATURE)

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

    @property
    def shown_errors(self) -> list[RowError]:
        """The problems a report lists: the first MAX_REPORTED_ERRORS."""
        return self.errors[:MAX_REPORTED_ERRORS]

    @property
    def unlisted_errors(self) -> int:
        return len(self.errors) - len(self.shown_errors)

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_dict(self) -> dict[str, Any]:
        if self.errors:
            shown, more = self.shown_errors, self.unlisted_errors
            detail = (
                f"{len(self.errors)} problem(s) in {len({e.row for e in self.errors})} "
                "row(s); nothing was imported."
            )
            if more:
                detail += f" The first {len(shown)} are listed; {more} more are not."
            return {
                "detail": detail,
                "errors": [error.as_dict() for error in shown],
                "error_count": len(self.errors),
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
        raise ImportFileError(TOO_LARGE, too_large=True)
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
            # Unknown columns are reported once, on the header, not on every row. A cell the
            # export kept from running as a formula (a leading apostrophe) is restored.
            record = dict(zip(header, map(spreadsheet.restore, cells), strict=True))
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
    label = "JSON" if fmt == "json" else "YAML"
    try:
        if fmt == "json":
            document = json.loads(text, parse_constant=refuse_constant)
        else:
            # Plain data only, and no anchors or aliases: a few kilobytes of nested aliases
            # would expand to millions of records.
            document = safe_yaml.load(text)
        check_document(document)
    except safe_yaml.AnchorRefused as exc:
        where = safe_yaml.where(exc.problem_mark)
        raise ImportFileError(f"{safe_yaml.ANCHORS_REFUSED} First one at {where}.") from exc
    except RecursionError as exc:
        raise ImportFileError(f"Not valid {label}: it nests too deeply.") from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise ImportFileError(f"Not valid {label}: {str(exc)[:200]}") from exc
    return list(enumerate(_records_of(document), start=1)), []


# --- names in one cell -----------------------------------------------------------------------


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


# --- writing a document ---------------------------------------------------------------------


def _value(value: Any) -> Any:
    return join_names(value) if isinstance(value, list) else value


def to_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """Through the shared writer: a name or description a spreadsheet would run as a formula
    is written as text (read_csv restores it, so the file imports back to the same names)."""
    rows = ([_value(record.get(column)) for column in COLUMNS] for record in records)
    return spreadsheet.write_csv(COLUMNS, rows)


def to_json(records: Sequence[Mapping[str, Any]]) -> str:
    document = {"format": "valuechain-catalogue", "version": 1, "assets": finite(list(records))}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
