"""Checking parsed rows against each other and the catalogue, and planning what each would
do. Pure: no Django; the catalogue arrives as a `CatalogueSnapshot` of plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from valuechain.catalogue import rules
from valuechain.catalogue.bulk.document import (
    COLUMNS,
    ESTIMATES,
    KIND_LABELS,
    KINDS,
    Action,
    AssetRow,
    CatalogueSnapshot,
    EstimateRow,
    PlannedRow,
    RowError,
    read_document,
)
from valuechain.catalogue.bulk.parsing import parse_records


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
    if not row.upstream or row.kind not in rules.LINEAGE:
        return []
    wanted = rules.LINEAGE[row.kind].upstream
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


def names_of(rows: Iterable[AssetRow]) -> set[str]:
    """Every asset name the rows give or name as an input: all of the catalogue they touch."""
    names = set()
    for row in rows:
        names.add(row.name)
        names.update(row.upstream or ())
    return names


def parse_document(data: bytes, fmt: str) -> tuple[list[AssetRow], list[RowError]]:
    """The rows of a document and the problems of those that do not read.
    Raises ImportFileError for an unreadable document."""
    records, errors = read_document(data, fmt)
    rows, row_errors = parse_records(records)
    return rows, errors + row_errors


def check_document(
    rows: Sequence[AssetRow], errors: list[RowError], snapshot: CatalogueSnapshot
) -> tuple[list[PlannedRow], list[RowError]]:
    """The parsed rows against each other and the catalogue: the plan, or every problem."""
    errors = errors + check_rows(rows, snapshot)
    errors.sort(key=lambda error: error.row)
    if errors:
        return [], errors
    return plan(rows, snapshot), []


def validate_document(
    data: bytes, fmt: str, snapshot: CatalogueSnapshot
) -> tuple[list[AssetRow], list[PlannedRow], list[RowError]]:
    """Everything short of writing. Raises ImportFileError for an unreadable document."""
    rows, errors = parse_document(data, fmt)
    errors += check_rows(rows, snapshot)
    errors.sort(key=lambda error: error.row)
    if errors:
        return rows, [], errors
    return rows, plan(rows, snapshot), []
