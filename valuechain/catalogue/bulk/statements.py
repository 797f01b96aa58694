"""Many rows in one or a few SQL statements, for the bulk import's writes.

Django's `bulk_create` compiles every value through the query compiler, and `bulk_update`
builds a CASE per field over every row, which SQLite takes seconds to run for a few thousand
rows. These write the same rows with values already prepared by each field
(`get_db_prep_save`):
  - PostgreSQL: one statement per table, each column sent as one array (`UNNEST`), as
    Django's own `bulk_create` does there; a statement with a placeholder per value would be
    re-parsed by the driver for every value;
  - SQLite (in process, no round trips): multi-row INSERTs within its limit on parameters,
    and one prepared UPDATE or INSERT run for every row (`executemany`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

Field = models.Field


def _quote(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


def _arrays(
    fields: Sequence[Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """`UNNEST(%s::type[], ...)` over the columns, and the columns as lists."""
    casts = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    return f"UNNEST({casts})", [list(column) for column in zip(*rows, strict=True)]


def among(queryset: QuerySet[Any], column: str, values: Collection[Any]) -> QuerySet[Any]:
    """The rows whose column (of the queryset's own table) is one of the values, sent as one
    parameter: an IN list of thousands costs Django and the driver a step per value."""
    where = f"{_quote(queryset.model._meta.db_table)}.{_quote(column)}"
    if connection.vendor == "postgresql":
        return queryset.extra(where=[f"{where} = ANY(%s)"], params=[list(values)])
    if connection.vendor == "sqlite":
        return queryset.extra(
            where=[f"{where} IN (SELECT value FROM json_each(%s))"],
            params=[json.dumps(list(values))],
        )
    return queryset.filter(**{f"{column}__in": values})


def prepared(instance: models.Model, fields: Sequence[Field[Any, Any]]) -> list[Any]:
    """The instance's values of the fields, as the database stores them."""
    return [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]


def insert(
    model: type[models.Model], fields: Sequence[Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    """Insert the rows (prepared values of `fields`); their new primary keys, in order."""
    if not rows:
        return []
    table, pk = _quote(model._meta.db_table), _quote(model._meta.pk.column)  # type: ignore[union-attr]
    columns = ", ".join(_quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, params = _arrays(fields, rows)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM {source} RETURNING {pk}", params
            )
            return [new_id for (new_id,) in cursor.fetchall()]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, (connection.features.max_query_params or 30_000) // len(fields))
        ids: list[Any] = []
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = ", ".join([one] * len(chunk))
            flat = [value for row in chunk for value in row]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}", flat)
            ids += [new_id for (new_id,) in cursor.fetchall()]
        return ids


def update(
    model: type[models.Model],
    fields: Sequence[Field[Any, Any]],
    rows: Sequence[Sequence[Any]],
    keys: Sequence[Any],
) -> None:
    """Set `fields` to the rows' prepared values on the rows with these primary keys."""
    if not rows:
        return
    pk_field = model._meta.pk
    table, pk = _quote(model._meta.db_table), _quote(pk_field.column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, params = _arrays(
                [pk_field, *fields],  # type: ignore[list-item]
                [[key, *row] for key, row in zip(keys, rows, strict=True)],
            )
            names = ", ".join(["key", *(f"v{index}" for index in range(len(fields)))])
            assignments = ", ".join(
                f"{_quote(field.column)} = given.v{index}" for index, field in enumerate(fields)
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {source} AS given({names}) "
                f"WHERE {table}.{pk} = given.key",
                params,
            )
            return
        assignments = ", ".join(f"{_quote(field.column)} = %s" for field in fields)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
            [[*row, key] for key, row in zip(keys, rows, strict=True)],
        )


def insert_links(
    through: type[models.Model], names: tuple[str, str], pairs: Sequence[tuple[Any, Any]]
) -> None:
    """Rows of a many-to-many through table: pairs of ids for its two fields, no ids back."""
    if not pairs:
        return
    fields = [field for name in names if isinstance(field := through._meta.get_field(name), Field)]
    table = _quote(through._meta.db_table)
    columns = ", ".join(_quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, params = _arrays(fields, pairs)  # type: ignore[arg-type]
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM {source}", params)
            return
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s)", pairs)
