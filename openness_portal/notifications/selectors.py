"""Reads of the notification log."""

from .models import Reminder
from .recipients import coordinator_recipients
from .registry import row_sources
from .sweep import FIELDS, People, describe_rows

_TEXT = FIELDS.index("title")  # title, link, details, group: the last four FIELDS


def fill_in_text(reminders: list[Reminder]) -> None:
    """Give logged reminders of ROWS sources (stored as keys) their title, link, details, group and
    recipient, as their digest showed them, for a page of the log: a constant number of queries."""
    sources_by_kind = row_sources()
    bare = [r for r in reminders if not r.title and r.kind in sources_by_kind]
    if not bare:
        return
    ids = sorted({r.municipality_id for r in bare if r.municipality_id})
    people = People(coordinator_recipients(ids), sources_by_kind, ids)
    rows = [tuple(getattr(r, f) for f in FIELDS) for r in bare]
    for reminder, row in zip(bare, describe_rows(rows, sources_by_kind, people), strict=True):
        reminder.title, reminder.link, reminder.details, reminder.group = row[_TEXT:]
        reminder.recipient_name, reminder.email = people.of(row)
