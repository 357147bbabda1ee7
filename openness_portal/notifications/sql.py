"""SQL pieces shared by reminder statements, written once for SQLite and PostgreSQL."""

from collections.abc import Iterable, Sequence

from django.db import connection

# How a parameter of each type is written so PostgreSQL types it without guessing (SQLite stores dates as
# ISO text and needs no cast: CAST(… AS date) would even turn it into a number there).
_CASTS = {"date": "CAST(%s AS date)", "text": "CAST(%s AS text)", "int": "CAST(%s AS bigint)"}


def placeholder(kind: str) -> str:
    return "%s" if connection.vendor == "sqlite" else _CASTS[kind]


def adapt(kind: str, value):
    if kind == "date" and value is not None:
        return connection.ops.adapt_datefield_value(value)
    return value


def values_table(name: str, columns: dict[str, str], rows: Iterable[Sequence]) -> tuple[str, list]:
    """`name(col, …) AS (VALUES (…), …)` for a WITH clause; `columns` maps each name to date/text/int."""
    kinds = list(columns.values())
    row_sql = "(" + ", ".join(placeholder(k) for k in kinds) + ")"
    params: list = []
    count = 0
    for row in rows:
        params.extend(adapt(k, v) for k, v in zip(kinds, row, strict=True))
        count += 1
    if not count:
        raise ValueError("a VALUES table needs at least one row")
    head = f"{name}({', '.join(columns)})"
    return f"{head} AS (VALUES {', '.join([row_sql] * count)})", params


def string_agg(expression: str, order_by: str) -> str:
    """Join `expression` with the separator given as the next parameter, in `order_by` order.

    SQLite before 3.44 has no ORDER BY inside an aggregate: callers feed it rows already sorted in a
    subquery, which GROUP_CONCAT keeps.
    """
    if connection.vendor == "postgresql":
        return f"STRING_AGG({expression}, %s ORDER BY {order_by})"
    return f"GROUP_CONCAT({expression}, %s)"


def first_value(expression: str, order_by: tuple[str, str], alias: str) -> str:
    """Select-list SQL naming as `alias` the value of `expression` in the group's first row by `order_by`.

    SQLite takes a bare column from the row where the query's single min() is found (a documented rule),
    so the two integer sort columns are packed into one min() key there.
    """
    first, second = order_by
    if connection.vendor == "postgresql":
        return f"(ARRAY_AGG({expression} ORDER BY {first}, {second}))[1] AS {alias}"
    return f"MIN({first} * 4294967296 + {second}) AS {alias}_order, {expression} AS {alias}"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)
