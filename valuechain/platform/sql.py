"""Filters on long lists of values (thousands of ids or names) with the list as one parameter.

An IN list of thousands costs Django and the driver a step per value (compiling, adapting,
quoting), more than the database spends answering; one array or JSON parameter costs one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet


def quote(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


def one_of(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """SQL for "the column (already quoted) is one of the values", and its parameters."""
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        # As one text parameter where possible: the driver quotes a list of thousands of
        # names value by value in Python, a string in one step.
        if all(value.__class__ is int for value in values):
            return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, values)) + "}"]
        if all(value.__class__ is str for value in values):
            elements = "SELECT json_array_elements_text(%s::json)"
            return f"{column} = ANY(ARRAY({elements}))", [json.dumps(list(values))]
        return f"{column} = ANY(%s)", [list(values)]
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def among(queryset: QuerySet[Any], column: str, values: Collection[Any]) -> QuerySet[Any]:
    """The rows whose column (of the queryset's own table) is one of the values."""
    return any_among(queryset, {column: values})


def any_among(queryset: QuerySet[Any], wanted: Mapping[str, Collection[Any]]) -> QuerySet[Any]:
    """The rows where any of the columns (of the queryset's own table) is one of its values."""
    if connection.vendor not in ("postgresql", "sqlite"):
        found = Q(pk__in=[])
        for column, values in wanted.items():
            found |= Q(**{f"{column}__in": values})
        return queryset.filter(found)
    table = quote(queryset.model._meta.db_table)
    clauses, params = [], []
    for column, values in wanted.items():
        if values:
            clause, given = one_of(f"{table}.{quote(column)}", values)
            clauses.append(clause)
            params += given
    if not clauses:
        return queryset.none()
    return queryset.extra(where=[" OR ".join(f"({c})" for c in clauses)], params=params)
