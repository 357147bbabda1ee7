"""Reads of the notification log."""

from .models import Reminder
from .recipients import coordinator_recipients
from .registry import row_sources
from .sweep import People, Row, describe_rows


def fill_in_text(reminders: list[Reminder]) -> None:
    """Give logged reminders that a digest did not list (stored as keys: the rest behind its link) their
    title, link, details, group and recipient from their source, for a page of the log; rows a digest
    listed keep the text as sent. A constant number of queries."""
    sources_by_kind = row_sources()
    bare = [r for r in reminders if not r.title and r.kind in sources_by_kind]
    if not bare:
        return
    ids = sorted({r.municipality_id for r in bare if r.municipality_id})
    people = People(coordinator_recipients(ids), sources_by_kind, ids)
    rows = [Row(**{f: getattr(r, f) for f in Row._fields}) for r in bare]
    for reminder, row in zip(bare, describe_rows(rows, sources_by_kind, people), strict=True):
        reminder.title, reminder.link, reminder.details, reminder.group = (
            row.title,
            row.link,
            row.details,
            row.group,
        )
        reminder.recipient_name, reminder.email = people.of(row)
