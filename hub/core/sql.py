"""Statements the ORM writes slowly.

``bulk_update`` and ``Case(When(...))`` build one CASE branch per row for every column: for a batch
of 50 rows and 9 columns, 450 branches compiled in Python and evaluated by the database row by row
(a fifth of a sync worker's time went to acknowledging pushes that way). A ``VALUES`` list joined to
the table is one row per row.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import connection


def values_update(
    model,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    assignments: str,
    *,
    condition: str = "",
    params: Sequence = (),
) -> None:
    """Update many rows of ``model``'s table in one statement, each with values of its own (``values_update_sql``)."""
    if not rows:
        return
    sql, values = values_update_sql(model, columns, rows, assignments, condition=condition, params=params)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def values_update_sql(
    model,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    assignments: str,
    *,
    condition: str = "",
    params: Sequence = (),
) -> tuple[str, list]:
    """The statement and parameters that update many rows of ``model``'s table, each with values of its own.

    ``columns`` name each row's values, the primary key first. ``assignments`` (the SET list) and
    ``condition`` are SQL in which ``t`` is the table and ``v.<column>`` a row's value; their ``%s``
    placeholders take ``params``, the assignments' first. A value of None in every row would reach
    PostgreSQL untyped: write NULL in the assignments instead. PostgreSQL and SQLite (3.33+); on
    PostgreSQL the statement may also stand in a ``WITH`` of data-modifying statements.
    """
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(quote(column) for column in columns)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Every name comes from the model or the caller's code; every value is a parameter.
    sql = f"WITH v ({names}) AS (VALUES {', '.join([row] * len(rows))}) UPDATE {table} AS t SET {assignments} "  # noqa: S608
    sql += f"FROM v WHERE t.{key} = v.{quote(columns[0])}"
    if condition:
        sql += f" AND ({condition})"
    values = [_adapt(value) for row_values in rows for value in row_values]
    return sql, [*values, *(_adapt(value) for value in params)]


def _adapt(value):
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
