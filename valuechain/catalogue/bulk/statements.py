"""Many rows in one or a few SQL statements, for the bulk import's writes.

Django's `bulk_create` compiles every value through the query compiler, and `bulk_update`
builds a CASE per field over every row, which SQLite takes seconds to run for a few thousand
rows. These write the same rows, given column by column, with values prepared by each field
(`get_db_prep_save`, once per distinct value of a column):
  - PostgreSQL: COPY, binary where the driver knows every column's type (new primary keys
    drawn first from the table's sequence, in one query; updates copied to a scratch table and
    applied with one UPDATE): the driver encodes the rows in C, where any INSERT of thousands
    of rows has it quote or adapt every value in Python;
  - SQLite (in process, no round trips): multi-row INSERTs within its limit on parameters
    where the new ids are wanted, and one prepared UPDATE or INSERT run for every row
    (`executemany`) elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.db import connection, models

from valuechain.platform import sql

Field = models.Field


def prepared(field: Field[Any, Any], values: list[Any]) -> list[Any]:
    """A column of Python values as the database stores them (`get_db_prep_save`), each
    distinct value prepared once; the column itself when preparing changes nothing (text,
    numbers and ids mostly: only dates become text on SQLite)."""
    prepare = field.get_db_prep_save
    try:
        distinct = {(value.__class__, value) for value in values}
    except TypeError:  # unhashable values: each on its own
        return [prepare(value, connection) for value in values]
    done = {key: prepare(key[1], connection) for key in distinct}
    if all(out.__class__ is kind and out == value for (kind, value), out in done.items()):
        return values
    out = []
    for value in values:
        try:
            out.append(done[(value.__class__, value)])
        except KeyError:  # a value not equal to itself (NaN)
            out.append(prepare(value, connection))
    return out


def _copy_types(fields: Sequence[Field[Any, Any]]) -> list[str] | None:
    """The PostgreSQL type names of the columns for a binary COPY; None when one is not a
    type the driver knows by name (then COPY goes as text)."""
    from psycopg.postgres import types

    names = [re.sub(r"\(.*\)$", "", field.db_type(connection) or "").strip() for field in fields]
    return names if all(types.get(name) is not None for name in names) else None


def _copy(table: str, fields: Sequence[Field[Any, Any]], columns: Sequence[list[Any]]) -> None:
    """PostgreSQL: the rows into the table with COPY, the driver encoding each row in C: a
    fraction of the cost of any INSERT of thousands of rows."""
    names = ", ".join(sql.quote(field.column) for field in fields)
    types = _copy_types(fields)
    binary = " (FORMAT BINARY)" if types is not None else ""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN{binary}") as copy,
    ):
        if types is not None:
            copy.set_types(types)
        for row in zip(*columns, strict=True):
            copy.write_row(row)


def _new_ids(model: type[models.Model], count: int) -> list[Any]:
    """PostgreSQL: `count` new primary keys from the table's own sequence, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [sql.quote(model._meta.db_table), model._meta.pk.column, count],  # type: ignore[union-attr]
        )
        return [new_id for (new_id,) in cursor.fetchall()]


def insert(
    model: type[models.Model],
    fields: Sequence[Field[Any, Any]],
    columns: Sequence[list[Any]],
    *,
    ids: bool,
) -> list[Any]:
    """Insert rows given column by column (Python values of `fields`, in order); with `ids`,
    their new primary keys in row order."""
    count = len(columns[0]) if columns else 0
    if not count:
        return []
    columns = [prepared(field, column) for field, column in zip(fields, columns, strict=True)]
    table, pk = sql.quote(model._meta.db_table), model._meta.pk
    if connection.vendor == "postgresql":
        drawn = _new_ids(model, count) if ids else []
        if ids:
            fields, columns = [pk, *fields], [drawn, *columns]  # type: ignore[list-item]
        _copy(table, fields, columns)
        return drawn
    names = ", ".join(sql.quote(field.column) for field in fields)
    rows = list(zip(*columns, strict=True))
    with connection.cursor() as cursor:
        if not ids:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
            return []
        # One statement per chunk, within SQLite's limit on parameters, returning the ids.
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, (connection.features.max_query_params or 30_000) // len(fields))
        new_ids: list[Any] = []
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = ", ".join([one] * len(chunk))
            flat = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values} RETURNING {sql.quote(pk.column)}",  # type: ignore[union-attr]
                flat,
            )
            new_ids += [new_id for (new_id,) in cursor.fetchall()]
        return new_ids


def update(
    model: type[models.Model],
    fields: Sequence[Field[Any, Any]],
    columns: Sequence[list[Any]],
    keys: list[Any],
) -> None:
    """Set `fields` to the values given column by column on the rows with these primary
    keys."""
    if not keys:
        return
    pk_field = model._meta.pk
    columns = [prepared(field, column) for field, column in zip(fields, columns, strict=True)]
    table, pk = sql.quote(model._meta.db_table), sql.quote(pk_field.column)  # type: ignore[union-attr]
    if connection.vendor == "postgresql":
        # The new values go to a scratch table by COPY, then one UPDATE joins it.
        given = sql.quote(f"import_{model._meta.db_table}")
        names = ", ".join([pk, *(sql.quote(field.column) for field in fields)])
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {given}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {given} ON COMMIT DROP AS "
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            _copy(given, [pk_field, *fields], [keys, *columns])  # type: ignore[list-item]
            assignments = ", ".join(
                f"{sql.quote(field.column)} = {given}.{sql.quote(field.column)}" for field in fields
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {given} WHERE {table}.{pk} = {given}.{pk}"
            )
            cursor.execute(f"DROP TABLE {given}")
        return
    assignments = ", ".join(f"{sql.quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
            [[*row, key] for row, key in zip(zip(*columns, strict=True), keys, strict=True)],
        )


def insert_links(
    through: type[models.Model], names: tuple[str, str], pairs: Sequence[tuple[Any, Any]]
) -> None:
    """Rows of a many-to-many through table: pairs of ids for its two fields, no ids back."""
    if not pairs:
        return
    fields = [field for name in names if isinstance(field := through._meta.get_field(name), Field)]
    table = sql.quote(through._meta.db_table)
    if connection.vendor == "postgresql":
        _copy(table, fields, [list(column) for column in zip(*pairs, strict=True)])
        return
    columns = ", ".join(sql.quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s)", pairs)


def insert_copies(
    target: type[models.Model],
    source: type[models.Model],
    keys: Collection[Any],
    constants: Mapping[str, Any],
) -> None:
    """Rows of `target` copied by the database from the rows of `source` with these primary
    keys, in one statement: each field of `target` from the `source` field of the same name,
    or from `constants` (field name -> value)."""
    if not keys:
        return
    fields = [field for field in target._meta.concrete_fields if not field.primary_key]
    selected, params = [], []
    for field in fields:
        if field.name in constants:
            selected.append("%s")
            params.append(field.get_db_prep_save(constants[field.name], connection))
        else:
            selected.append(sql.quote(source._meta.get_field(field.name).column))  # type: ignore[union-attr]
    table, pk = sql.quote(source._meta.db_table), sql.quote(source._meta.pk.column)  # type: ignore[union-attr]
    where, key_params = sql.one_of(f"{table}.{pk}", keys)
    names = ", ".join(sql.quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sql.quote(target._meta.db_table)} ({names}) "
            f"SELECT {', '.join(selected)} FROM {table} WHERE {where} ORDER BY {table}.{pk}",
            [*params, *key_params],
        )
