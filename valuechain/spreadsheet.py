"""CSV that a spreadsheet opens as text: the one writer of every CSV export. Pure: no Django.

Spreadsheet programs run a cell that starts with =, +, -, @, a tab or a carriage return as a
formula (CSV injection: a catalogue name such as ``=HYPERLINK(...)`` would become a live link
or a command). Such text is written with a leading apostrophe, which spreadsheets show as text.
`restore` undoes it exactly, so an exported file imports back to the same names: text that
already starts with apostrophes before a formula character gets one more on the way out and
loses one on the way in; any other text is left exactly as it is.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def _needs_escape(text: str) -> bool:
    return text.lstrip(ESCAPE).startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return ESCAPE + text if _needs_escape(text) else text


def restore(text: str) -> str:
    """The text `neutralise` was given: the inverse of neutralise on every string."""
    return text[1:] if text.startswith(ESCAPE) and _needs_escape(text) else text


def _plain(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def cell(value: Any, float_format: Callable[[float], str] = _plain) -> str:
    """One value as a CSV cell: empty for None or a non-finite number, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_format(value) if math.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


class _Lines:
    """Where csv.writer writes: each row ends in "\n". The writer is told "\r\n" so that it
    quotes any cell holding a carriage return (it only quotes characters of its line
    terminator), which a reader would otherwise take for the end of the row."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, line: str) -> int:
        self.lines.append(line[:-2] + "\n" if line.endswith("\r\n") else line)
        return len(line)


def write_csv(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    float_format: Callable[[float], str] = _plain,
    column_formats: Mapping[str, Callable[[float], str]] | None = None,
) -> str:
    """A header row and one line per row, every cell written by `cell`; numbers in a column
    named in `column_formats` with that column's format, others with `float_format`."""
    out = _Lines()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in columns])
    special = column_formats or {}
    formats = [special.get(name, float_format) for name in columns]
    for row in rows:
        writer.writerow(
            [
                cell(value, formats[i] if i < len(formats) else float_format)
                for i, value in enumerate(row)
            ]
        )
    return "".join(out.lines)
