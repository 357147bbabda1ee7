"""Two workers sweeping the same day at the same moment still remind everyone exactly once (PostgreSQL)."""

import threading
import time
from collections import Counter
from datetime import date

import pytest
from django.core import mail
from django.db import connection, transaction

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


@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_loses_a_claim_to_another_claims_the_rest():
    """The other sweep's row is not yet committed when this one inserts: the insert waits for it, skips it
    once it commits (the conflict is ignored), and this sweep claims and sends only the rest."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers (run with DATABASE_URL=postgres://…)")
    section, _coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadlines = [deadline_for(section, date(2019, 12, 20), department=department) for _ in range(3)]
    raced = deadlines[0]
    holding, errors = threading.Event(), []

    def other_sweep():
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    kind="deadline",
                    subject_key=f"deadline:{raced.pk}",
                    stage="7wd:2019-12-20",
                    recipient_key=f"department:{department.pk}",
                    day=date(2019, 12, 11),
                    due_date=date(2019, 12, 20),
                    municipality_id=section.roadmap.municipality_id,
                    run="other",
                )
                holding.set()
                # Commit only once this test's sweep waits on the row: then it has already looked.
                with connection.cursor() as cursor:
                    for _ in range(300):
                        # Activity is read once per transaction unless the snapshot is cleared.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock' AND query LIKE %s",
                            ["COPY notifications_reminder %"],
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
                    else:
                        raise AssertionError("the sweep never waited on the other sweep's row")
        except Exception as exc:
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    other = threading.Thread(target=other_sweep)
    other.start()
    assert holding.wait(timeout=10)
    result = run_sweep(as_of=date(2019, 12, 11))
    other.join(timeout=30)

    assert errors == []
    assert result.failed_sources == [] and result.new_reminders == 2
    assert Reminder.objects.filter(run__in=[g.run for g in result.groups]).count() == 2
    assert Reminder.objects.filter(run="other").count() == 1
    # The department's digest lists the two deadlines this sweep claimed, not the one the other holds.
    (digest,) = result.digests
    assert {item["subject_key"] for item in digest["items"]} == {f"deadline:{d.pk}" for d in deadlines[1:]}


@pytest.mark.django_db
def test_the_claim_keys_compare_bytewise_on_postgresql():
    """Migration 0005: a later AlterField of a key column must not quietly bring the locale back."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares bytes already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns "
            "WHERE table_name = 'notifications_reminder' AND column_name IN ('subject_key', 'stage', "
            "'recipient_key', 'title')"
        )
        collations = dict(cursor.fetchall())
    assert collations == {"subject_key": "C", "stage": "C", "recipient_key": "C", "title": None}
