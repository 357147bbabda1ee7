"""The one step of the reminder sweep written in SQL, for PostgreSQL only (SQLite claims with bulk_create).

Why: a worst-case day claims 196,060 rows. bulk_create spends its time in Python, building a model
instance per row and preparing each of its 15 values through its field; PostgreSQL's own way to load many
rows is COPY (https://www.postgresql.org/docs/15/populate.html). The semantics are bulk_create's with
ignore_conflicts: the unique constraint decides. The sweep has left out what the log held, so only a
concurrent sweep can own one of these claims: the rows are copied straight into the log in a savepoint,
and only a unique violation sends them again through a temporary table with INSERT … ON CONFLICT DO
NOTHING. Its row count says whether every row went in (then all are the run's); otherwise the sweep reads
back its run's rows. The CSV is written as COPY reads it (CsvStream), so PostgreSQL loads one part while
Python writes the next.

Measured on the benchmark's worst day (bench/reminders.py, PostgreSQL 15, the 2-core machine):
    bulk_create, 2,000 rows per statement                   12.9 s, 14.4 s
    INSERT … SELECT FROM unnest(one array per column)        6.0 s,  6.0 s (2.2 s of it adapting arrays)
    all the CSV, then COPY into a temporary table, then      2.7-3.4 s (07.12.2026 morning: csv 0.9-1.5,
    a plain INSERT … SELECT (ON CONFLICT only after a race)  COPY 0.65, INSERT 1.2)
    all the CSV, then COPY straight into the log              3.0-3.4 s (csv 1.1-1.5, COPY 1.8-2.1)
    the CSV written as COPY reads it, straight into the log   1.5-2.1 s (07.12.2026 evening)
Index upkeep is not what is left: the same COPY (psql, 196,060 rows) into the log with the unique index
took 1.26-1.79 s, with a narrower (day, recipient) index in its place 1.16-1.31 s, so the constraint
stays.
"""

import csv
import io
from itertools import islice

import psycopg2
from django.db import connection, transaction

# The columns of the sweep's rows (digests.Row), in their order, and the run that claims them.
COLUMNS = """kind, subject_key, stage, recipient_key, day, municipality_id, recipient_name, email, due_date,
    title, link, details, "group", run"""
# CSV writes an empty text as nothing, which COPY would read as NULL: the text columns say it is text.
COPY_OPTIONS = """(FORMAT csv, FORCE_NOT_NULL (kind, subject_key, stage, recipient_key, recipient_name, email,
    title, link, details, "group", run))"""

COPY_PART = 1 << 16  # characters of CSV written and sent at a time

# Rows go in as the sweep sorted them, in the order of the unique index.
COPY_REMINDERS = f"COPY notifications_reminder ({COLUMNS}) FROM STDIN WITH {COPY_OPTIONS}"

# Only after a concurrent sweep committed one of these claims first: through a temporary table, from
# which each row goes in unless the unique constraint already holds it.
CREATE_CLAIMS = """CREATE TEMPORARY TABLE reminder_claim (
    kind varchar, subject_key varchar, stage varchar, recipient_key varchar, day date,
    municipality_id bigint, recipient_name varchar, email varchar, due_date date, title varchar,
    link varchar, details varchar, "group" varchar, run varchar
)"""
COPY_CLAIMS = f"COPY reminder_claim FROM STDIN WITH {COPY_OPTIONS}"
INSERT_IGNORING_CONFLICTS = f"""INSERT INTO notifications_reminder ({COLUMNS})
SELECT * FROM reminder_claim ON CONFLICT DO NOTHING"""  # noqa: S608 — constants only
DROP_CLAIMS = "DROP TABLE reminder_claim"


class CsvStream:
    """The rows as CSV, written as COPY reads them (psycopg2's copy_expert reads a file-like object):
    PostgreSQL loads one part while the next is written, rather than after all 46 MB of them."""

    def __init__(self, rows, run: str):
        self._rows = iter(rows)
        self._run = run
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def read(self, size: int = -1) -> str:
        while size < 0 or self._buffer.tell() < size:
            part = list(islice(self._rows, 256))
            if not part:
                break
            self._writer.writerows((*row.values(), self._run) for row in part)
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


def insert_reminders(rows, run: str) -> int:
    """Insert the sweep's rows (dicts of the columns above, in their order) stamped with `run`, ignoring
    conflicts; how many were inserted (all of them, the usual case: nothing to read back).

    First COPY straight into the log, in a savepoint: the usual case, no other sweep at work. COPY knows no
    ON CONFLICT, so a unique violation means a concurrent sweep committed some of these claims first: back
    to the savepoint, and again through a temporary table, ignoring them.
    """
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.copy_expert(COPY_REMINDERS, CsvStream(rows, run), size=COPY_PART)
        except psycopg2.IntegrityError:  # raised by psycopg2's COPY itself, which Django does not wrap
            cursor.execute(CREATE_CLAIMS)
            cursor.copy_expert(COPY_CLAIMS, CsvStream(rows, run), size=COPY_PART)
            cursor.execute(INSERT_IGNORING_CONFLICTS)
            inserted = cursor.rowcount
            cursor.execute(DROP_CLAIMS)
            return inserted
        return cursor.rowcount
