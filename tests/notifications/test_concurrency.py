"""Two workers sweeping the same day at the same moment still remind everyone exactly once."""

import threading
from collections import Counter
from datetime import date

import pytest
from django.core import mail
from django.db import connection

from openness_portal.notifications.models import Notification, Reminder
from openness_portal.notifications.sweep import run_sweep
from tests.notifications.factories import DepartmentFactory, deadline_for, municipality_with_coordinator

DUE_DATES = [
    date(2019, 12, 20),
    date(2019, 12, 16),
    date(2019, 12, 12),
    date(2019, 12, 11),
    date(2019, 12, 10),
]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises all writers, so two sweeps cannot overlap "
            "(run with DATABASE_URL=postgres://…)"
        )
    section, coordinator = municipality_with_coordinator()
    departments = [DepartmentFactory(municipality=section.roadmap.municipality) for _ in range(4)]
    for i in range(200):
        deadline_for(section, DUE_DATES[i % len(DUE_DATES)], department=departments[i % 4], number=f"{i + 1}")
    expected = 200 + 40  # every deadline to its department, the 40 overdue ones also to the coordinator

    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(run_sweep(as_of=date(2019, 12, 11)))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    assert Reminder.objects.count() == expected
    assert sum(r.new_reminders for r in results) == expected, "each claim won by exactly one sweep"
    listed = Counter(
        (d["recipient_key"], item["subject_key"]) for r in results for d in r.digests for item in d["items"]
    )
    assert len(listed) == expected and set(listed.values()) == {1}
    # Each recipient's mails together mention each of its deadlines once.
    mentions = Counter()
    for message in mail.outbox:
        for line in message.body.splitlines():
            if line.startswith("— ") and " — до " in line:
                mentions[(message.to[0], line)] += 1
    assert sum(mentions.values()) == expected and set(mentions.values()) == {1}
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == len(mail.outbox)

    # And a third sweep afterwards finds nothing new.
    assert run_sweep(as_of=date(2019, 12, 11)).new_reminders == 0
