"""Reading uploaded batches: a JSON array, NDJSON (one JSON value per line) or CSV with a header
row; CSV cells and flat stream fields converted to the schema's types. Pure Python, no Django."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any


class BatchFormatError(ValueError):
    """An uploaded batch that cannot be read; the message names the problem and where."""


BATCH_FORMATS = ("json", "ndjson", "csv")


def batch_format(filename: str, content_type: str = "") -> str | None:
    name = filename.lower()
    for suffix, fmt in ((".ndjson", "ndjson"), (".jsonl", "ndjson"), (".json", "json")):
        if name.endswith(suffix):
            return fmt
    if name.endswith(".csv"):
        return "csv"
    kind = content_type.split(";")[0].strip().lower()
    return {
        "application/json": "json",
        "application/x-ndjson": "ndjson",
        "application/jsonl": "ndjson",
        "text/csv": "csv",
    }.get(kind)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchFormatError(f"The file is not UTF-8 text (byte {exc.start}).") from None


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        raise BatchFormatError(f"{where}: not JSON ({exc.msg}, column {exc.colno}).") from None
    except RecursionError:
        raise BatchFormatError(f"{where}: the JSON nests too deeply.") from None


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def finite_float(text: str) -> float:
    """A number beyond a float's range (1e999) would be stored as infinity: refused."""
    number = float(text)
    if not math.isfinite(number):
        raise json.JSONDecodeError(f"the number {text[:40]} is out of range", text, 0)
    return number


def coerce_text(value: str, schema: Any) -> Any:
    """A CSV cell (or a flat stream field) as the schema's type wants it; text that does not
    convert stays text (and fails validation, naming the field)."""
    types = schema.get("type") if isinstance(schema, Mapping) else None
    names = [types] if isinstance(types, str) else list(types or [])
    for name in names:
        try:
            if name == "integer":
                return int(value)
            if name == "number":
                number = float(value)
                if math.isfinite(number):
                    return int(number) if re.fullmatch(r"-?\d+", value.strip()) else number
            if name == "boolean" and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            if name in ("object", "array"):
                parsed = json.loads(value)
                if isinstance(parsed, dict if name == "object" else list):
                    return parsed
        except (ValueError, RecursionError):
            continue
    if "null" in names and value == "":
        return None
    return value


def coerce_fields(fields: Mapping[str, str], schema: Any) -> dict[str, Any]:
    """Text fields of a flat record (a CSV row, a stream message) as the schema's types."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    props = props if isinstance(props, Mapping) else {}
    return {name: coerce_text(value, props.get(name)) for name, value in fields.items()}


def _json_records(text: str, schema: Any, max_records: int) -> list[Any]:
    data = _loads(text, "The file")
    if not isinstance(data, list):
        raise BatchFormatError("A JSON batch is an array of records.")
    return data


def _ndjson_records(text: str, schema: Any, max_records: int) -> list[Any]:
    records: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(_loads(line, f"Line {number}"))
            if len(records) > max_records:
                break
    return records


def _csv_records(text: str, schema: Any, max_records: int) -> list[Any]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise BatchFormatError("A CSV batch starts with a header row of field names.")
        names = [h.strip() for h in header]
        if len(set(names)) != len(names):
            raise BatchFormatError("The CSV header names a field twice.")
        records: list[Any] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise BatchFormatError(
                    f"Line {reader.line_num}: {len(row)} cells for {len(names)} columns."
                )
            cells = {n: c for n, c in zip(names, row, strict=True) if c != ""}
            records.append(coerce_fields(cells, schema))
            if len(records) > max_records:
                break
    except csv.Error as exc:
        raise BatchFormatError(f"Line {reader.line_num}: not CSV ({exc}).") from None
    return records


_READERS: dict[str, Callable[[str, Any, int], list[Any]]] = {
    "json": _json_records,
    "ndjson": _ndjson_records,
    "csv": _csv_records,
}


def read_batch(raw: bytes, fmt: str, schema: Any, max_records: int) -> list[Any]:
    """Records of an uploaded file: a JSON array, NDJSON (one JSON value per line) or CSV with a
    header row (an empty cell is an absent value; cells convert to the schema's types)."""
    text = _decode(raw)
    reader = _READERS.get(fmt)
    if reader is None:
        raise BatchFormatError(f"Unknown format {fmt!r}; send {', '.join(BATCH_FORMATS)}.")
    records = reader(text, schema, max_records)
    if not records:
        raise BatchFormatError("The file holds no records.")
    if len(records) > max_records:
        raise BatchFormatError(f"A batch holds at most {max_records} records.")
    return records
