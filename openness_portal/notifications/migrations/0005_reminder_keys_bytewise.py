"""Reminder keys compare byte by byte on PostgreSQL (COLLATE "C").

They are machine keys («department:12», «deadline:345», «7wd:2019-12-20»), never sorted for people, and
the claim index compares them for every one of up to 200,000 rows a day: under the database's locale
(ru_RU.UTF-8 on a typical install) each comparison goes through the C library's strcoll, a quarter of
the insert here. SQLite already compares bytes (BINARY), so there is nothing to do on it.
"""

from django.db import migrations

COLUMNS = ("subject_key", "stage", "recipient_key")


def _alter(schema_editor, collation: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    changes = ", ".join(f"ALTER COLUMN {quote(c)} TYPE varchar(200) COLLATE {collation}" for c in COLUMNS)
    schema_editor.execute(f"ALTER TABLE {quote('notifications_reminder')} {changes}")


def bytewise(apps, schema_editor):
    _alter(schema_editor, '"C"')


def database_default(apps, schema_editor):
    _alter(schema_editor, '"default"')


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_reminder_keys_only")]

    operations = [migrations.RunPython(bytewise, database_default, elidable=False)]
