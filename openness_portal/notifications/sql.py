"""SQL pieces shared by reminder statements, written once for SQLite and PostgreSQL."""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

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


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def batched(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of at most `size` rows: what one statement takes (itertools.batched from Python 3.12 on)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
