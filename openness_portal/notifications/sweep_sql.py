"""The one step of the reminder sweep written in SQL, for PostgreSQL only (SQLite claims with bulk_create).

Why: a worst-case day claims 196,060 rows. bulk_create spends its time in Python, building a model
instance per row and preparing each of its 15 values through its field; PostgreSQL's own way to load many
rows is COPY (https://www.postgresql.org/docs/15/populate.html), here into a temporary table, from which
one INSERT claims them. The semantics are bulk_create's with ignore_conflicts: the unique constraint
decides. The INSERT is a plain one first, in a savepoint (the sweep has left out what the log held, so
only a concurrent sweep can own one of these claims); only a unique violation sends it again with ON
CONFLICT DO NOTHING, whose speculative insertion per row is the slower half of the INSERT. Its row count
says whether every row went in (then all are the run's); otherwise the sweep reads back its run's rows.

Measured on the benchmark's worst day (bench/reminders.py, PostgreSQL 15, the 2-core machine shared with
other work, load average 2-4; the same 196,060 rows in one process, one way after the other, twice):
    bulk_create, 2,000 rows per statement              12.9 s, 14.4 s
    INSERT … SELECT FROM unnest(one array per column)   6.0 s,  6.0 s (2.2 s of it adapting the arrays)
    COPY into a temporary table, then INSERT … SELECT   2.9 s,  3.0 s (csv 0.8, COPY 0.6, INSERT 1.5)
    COPY straight into the log (07.12.2026, load 2-2.5) 2.5 s; the two steps above 2.4 s in the run before
07.12.2026 afternoon (psql on the same rows, then whole sweeps alternating, load 2.3-2.5):
    INSERT … SELECT ON CONFLICT DO NOTHING, psql        1.34 s; plain INSERT 0.79 s (into no index: 0.40)
    whole sweeps, ON CONFLICT / plain first             insert step 3.18, 4.51, 3.49 / 3.14, 2.91, 2.65 s
    COPY straight into the log / temporary table and    insert step 3.14, 3.39, 3.54 / 2.74, 2.99, 3.77 s:
    plain INSERT                                        no gain, the temporary table stays
    a narrower row (recipient, e-mail, details, group   COPY into the log 0.99 s against 1.01 s: the
    left out), psql                                     unique index is the cost, not the row's width
"""

import csv
import io

from django.db import IntegrityError, connection, transaction

# The columns of the sweep's rows (sweep.Row), in their order.
CREATE_CLAIMS = """CREATE TEMPORARY TABLE reminder_claim (
    kind varchar, subject_key varchar, stage varchar, recipient_key varchar, day date,
    municipality_id bigint, recipient_name varchar, email varchar, due_date date, title varchar,
    link varchar, details varchar, "group" varchar
)"""

# CSV writes an empty text as nothing, which COPY would read as NULL: the text columns say it is text.
COPY_CLAIMS = """COPY reminder_claim FROM STDIN WITH (
    FORMAT csv, FORCE_NOT_NULL (kind, subject_key, stage, recipient_key, recipient_name, email, title, link,
    details, "group")
)"""

# Rows are inserted as COPY wrote them, in the order the sweep sorted them (that of the unique index).
INSERT_REMINDERS = """INSERT INTO notifications_reminder (
    kind, subject_key, stage, recipient_key, day, municipality_id, recipient_name, email, due_date, title,
    link, details, "group", run, created_at
)
SELECT *, %s, now() FROM reminder_claim"""
# Only when the plain insert met a claim another sweep took meanwhile (the sweep left out the ones the log
# held when it looked): each row then goes in unless the unique constraint already holds it.
IGNORING_CONFLICTS = " ON CONFLICT DO NOTHING"

DROP_CLAIMS = "DROP TABLE reminder_claim"


def insert_reminders(rows, run: str) -> int:
    """Insert the sweep's rows (dicts of reminder_claim's columns, in its order) stamped with `run`,
    ignoring conflicts; how many were inserted (all of them, the usual case: nothing to read back).

    First as a plain INSERT in a savepoint: the usual case, no other sweep at work, skips the speculative
    insertion ON CONFLICT makes per row (1.34 → 0.79 s for 196,060 rows). A unique violation means a
    concurrent sweep committed some of these claims first: back to the savepoint, and again ignoring them.
    """
    data = io.StringIO()
    csv.writer(data).writerows(row.values() for row in rows)
    data.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(CREATE_CLAIMS)
        cursor.copy_expert(COPY_CLAIMS, data)
        try:
            with transaction.atomic():
                cursor.execute(INSERT_REMINDERS, [run])
        except IntegrityError:
            cursor.execute(INSERT_REMINDERS + IGNORING_CONFLICTS, [run])
        inserted = cursor.rowcount
        cursor.execute(DROP_CLAIMS)
    return inserted
