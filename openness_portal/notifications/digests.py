"""Reminder digests: one recipient's reminders of a day, as one mail.

The sweep groups the rows it claimed into digests and stores each as a notification with the few facts
it is made from (`stored_context`); the delivery task renders its text and HTML when it sends it
(`render_stored_digest`), from the rows of the log, and stores them with the mail: the notification log
keeps the text as sent. Like healthchecks, which claims a flip in `sendalerts` and renders each alert in
its transport when sending, rendering is no part of the claim: a worst-case day's 550 digests of 100
items cost 1.1-1.4 s of templates, which now run in the delivery workers, one digest each, outside the
sweep's transaction (measured in bench/reminders.py).
"""

import heapq
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import TypedDict
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification, Reminder
from .stages import stage_code, stage_label

MAX_DIGEST_ITEMS = 100  # a digest lists at most this many; the rest is one link to the reminder log


class Row(TypedDict):
    """One reminder as the log stores it (the columns of Reminder the sweep writes, in this order).

    A dict of texts, numbers and dates, which the garbage collector does not track: a worst-case day keeps
    196,060 of them, and as named tuples they made it walk the heap again and again (0.4-0.6 s of the day).
    """

    kind: str
    subject_key: str
    stage: str
    recipient_key: str
    day: date
    municipality_id: int | None
    recipient_name: str
    email: str
    due_date: date
    title: str
    link: str
    details: str
    group: str


def _nearness(row: Row) -> int:
    """Days between the due date and the day swept: a digest lists the nearest first."""
    return abs(row["due_date"].toordinal() - row["day"].toordinal())


def _display_order(row: Row):
    return (row["group"], row["due_date"], row["title"], row["stage"])


def build_digest(rows: list[Row], names: dict[int, str], count: int) -> dict:
    """The digest of one recipient's day: `rows` are the listed ones, `count` all of them."""
    first = rows[0]
    subject = ngettext(
        "Напоминание о сроках на %(day)s: %(n)d пункт",
        "Напоминание о сроках на %(day)s: %(n)d пунктов",
        count,
    ) % {"day": f"{first['day']:%d.%m.%Y}", "n": count}
    labels: dict[str, str] = {}  # the same few stage labels recur in every digest
    items = []
    for row in sorted(rows, key=_display_order):
        code = stage_code(row["stage"])
        if code not in labels:
            labels[code] = stage_label(code)
        items.append(
            {
                "kind": row["kind"],
                "subject_key": row["subject_key"],
                "stage": code,
                "stage_label": labels[code],
                "due_date": row["due_date"].isoformat(),
                "title": row["title"],
                "details": row["details"],
                "group": row["group"],
                "link": row["link"],
            }
        )
    return {
        "recipient": first["recipient_name"] or first["recipient_key"],
        "recipient_key": first["recipient_key"],
        "email": first["email"],
        "municipality": names.get(first["municipality_id"], ""),
        "municipality_id": first["municipality_id"],
        "day": first["day"].isoformat(),
        "subject": subject,
        "item_count": count,
        "items": items,
    }


def digests_of(claimed: list[Row], names: dict[int, str]) -> Iterator[dict]:
    """One digest per recipient and day, listing the MAX_DIGEST_ITEMS rows nearest their due date."""
    by_recipient: dict[tuple[str, date], list[Row]] = defaultdict(list)
    for row in claimed:
        by_recipient[(row["recipient_key"], row["day"])].append(row)
    for _key, rows in sorted(by_recipient.items()):
        digest = build_digest(heapq.nsmallest(MAX_DIGEST_ITEMS, rows, key=_nearness), names, len(rows))
        digest["municipality_ids"] = sorted({row["municipality_id"] for row in rows})
        yield digest


def render_digest(digest: dict) -> tuple[str, str]:
    """Plain text and HTML of a digest, from templates/notifications/email/digest.txt and .html.

    The Django template language, as every other page and mail: the worst day's 550 digests of 100 items
    render in 1.1 s of CPU (1.4 s before each item's link and details were joined here), where Jinja2 took
    0.65-0.70 s: not what decides the day's time. Words are translated here, in Python, under the msgids
    the catalogue already has.
    """
    shown = digest["items"][:MAX_DIGEST_ITEMS]
    sections: list[dict] = []
    for item in shown:
        if not sections or sections[-1]["name"] != item["group"]:
            sections.append({"name": item["group"], "entries": []})
        # Joined here, once, rather than by four {% if %} and variables per item in each template: the
        # worst day renders 55,000 items twice (1.39 s → see the bench docstring).
        url = settings.PORTAL_URL + item["link"] if item["link"] else ""
        details = f". {item['details']}" if item["details"] else ""
        sections[-1]["entries"].append(
            {"title": item["title"], "url": url, "stage_label": item["stage_label"], "details": details}
        )
    log_link = reverse("admin:notifications_reminder_changelist") + (
        f"?recipient_key={quote(digest['recipient_key'])}&day={digest['day']}"
    )
    hidden = digest["item_count"] - len(shown)
    heading = _("Сроки, о которых нужно помнить")
    if digest["municipality"]:
        heading = f"{heading} ({digest['municipality']})"
    context = {
        "greeting": _("Здравствуйте, %(name)s!") % {"name": digest["recipient"]},
        "heading": heading + ":",
        "sections": sections,
        "more": ngettext("…и еще %(counter)s пункт", "…и еще %(counter)s пунктов", hidden)
        % {"counter": hidden}
        if hidden
        else "",
        "log_url": settings.PORTAL_URL + log_link,
        "footer": _(
            "Все напоминания и уведомления видны в разделе «Напоминания и уведомления» панели управления."
        ),
        "PORTAL_URL": settings.PORTAL_URL,
        "PORTAL_NAME": settings.PORTAL_NAME,
    }
    text = render_to_string("notifications/email/digest.txt", context)
    html = render_to_string("notifications/email/digest.html", context)
    return text, html


def stored_context(digest: dict) -> dict:
    """What a stored digest is rendered from when sent: its rows are those of its run (the
    notification's batch), recipient and day in the log."""
    return {
        "recipient_key": digest["recipient_key"],
        "day": digest["day"],
        "municipality": digest["municipality"],
        "item_count": digest["item_count"],
        "municipality_ids": digest["municipality_ids"],
    }


def render_stored_digest(notification: Notification) -> tuple[str, str]:
    """Text and HTML of a digest notification, from the reminder rows its run claimed for its recipient.

    Reads only the rows it lists: the MAX_DIGEST_ITEMS nearest the day on either side of it, in two
    queries (a coordinator's worst-case day has 2,000 rows, and reading them all took 36 ms a digest).
    The municipalities keep both on an index's prefix even when the planner's statistics are a day old
    (right after a sweep doubled the log, by day alone it read all 196,060 of its rows: 79 ms a query).
    """
    context = notification.render_context
    day = date.fromisoformat(context["day"])
    rows = Reminder.objects.filter(
        municipality_id__in=context["municipality_ids"],
        day=day,
        recipient_key=context["recipient_key"],
        run=notification.batch,
    )
    ahead = rows.filter(due_date__gte=day).order_by("due_date", "subject_key", "stage")
    behind = rows.filter(due_date__lt=day).order_by("-due_date", "subject_key", "stage")
    nearest = [
        *ahead.values(*Row.__annotations__)[:MAX_DIGEST_ITEMS],
        *behind.values(*Row.__annotations__)[:MAX_DIGEST_ITEMS],
    ]
    if not nearest:
        raise ValueError(f"no reminder rows for digest notification {notification.pk}")
    # The sweep's order: nearest first, ties in the order it claimed them (by duty, then stage).
    nearest.sort(key=lambda row: (_nearness(row), row["subject_key"], row["stage"]))
    names = {nearest[0]["municipality_id"]: context["municipality"]}
    return render_digest(build_digest(nearest[:MAX_DIGEST_ITEMS], names, context["item_count"]))
