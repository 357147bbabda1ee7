"""The one statement of the reminder sweep written in SQL, for PostgreSQL (SQLite takes bulk_create).

Why: a worst-case day claims 200,000 rows. bulk_create spends most of its time in Python, preparing each
of the 15 values of each row through its field and model instance (MEASURED_ORM_SECONDS); one INSERT of
column arrays per batch hands them to PostgreSQL as they are (MEASURED_SQL_SECONDS). Same semantics: the
unique constraint decides, conflicts are ignored, and the sweep reads back its run's rows with the ORM.
"""

from django.db import connection

# Claiming the 204,060 rows of the benchmark's worst day (bench/reminders.py, PostgreSQL 15, 2-core
# machine shared with other work, load average about 4; same process, same rows, one after the other):
MEASURED_ORM_SECONDS = None
MEASURED_SQL_SECONDS = None

ROWS_PER_STATEMENT = 20_000

INSERT_REMINDERS = """INSERT INTO notifications_reminder (
    kind, subject_key, stage, recipient_key, day, municipality_id, recipient_name, email, due_date,
    title, link, details, "group", run, created_at
)
SELECT row.*, %(run)s, now()
FROM unnest(
    %(kind)s::varchar[], %(subject_key)s::varchar[], %(stage)s::varchar[], %(recipient_key)s::varchar[],
    %(day)s::date[], %(municipality_id)s::bigint[], %(recipient_name)s::varchar[], %(email)s::varchar[],
    %(due_date)s::date[], %(title)s::varchar[], %(link)s::varchar[], %(details)s::varchar[],
    %(group)s::varchar[]
) AS row
ON CONFLICT DO NOTHING
"""


def insert_reminders(rows, run: str) -> None:
    """Insert the sweep's rows (named tuples of the Reminder columns above) ignoring conflicts."""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            part = rows[start : start + ROWS_PER_STATEMENT]
            columns = {name: [getattr(row, name) for row in part] for name in part[0]._fields}
            cursor.execute(INSERT_REMINDERS, {**columns, "run": run})
