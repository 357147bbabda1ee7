"""A country's worth of municipalities: each group commits on its own, and the log keeps what was sent."""

from datetime import date

import pytest
from django.core import mail
from django.utils import translation

from openness_portal.notifications import digests as digests_module
from openness_portal.notifications import services
from openness_portal.notifications import sweep as sweep_module
from openness_portal.notifications.digests import MAX_DIGEST_ITEMS, render_digest
from openness_portal.notifications.models import Notification, Reminder
from openness_portal.notifications.registry import DueItem, Recipient
from openness_portal.notifications.stages import stage_label
from openness_portal.notifications.sweep import run_sweep
from roadmaps.models import Measure
from tests.notifications.factories import DepartmentFactory, deadline_for, municipality_with_coordinator

pytestmark = pytest.mark.django_db

DAY = date(2019, 12, 11)


def _municipalities_with_a_deadline(n):
    """n municipalities, each with a department reminded of one deadline 7 working days ahead."""
    departments = []
    for _ in range(n):
        section, _coordinator = municipality_with_coordinator()
        department = DepartmentFactory(municipality=section.roadmap.municipality)
        deadline_for(section, date(2019, 12, 20), department=department)
        departments.append(department)
    return departments


def _break_storing_digests(monkeypatch, *, on_call):
    """Storing digests fails once, on the `on_call`-th group that has some: that group's transaction fails."""
    store = sweep_module._store_digests
    calls = []

    def store_or_fail(digests, run):
        calls.append(digests)
        if len(calls) == on_call:
            raise RuntimeError("mail log unavailable")
        return store(digests, run)

    monkeypatch.setattr(sweep_module, "_store_digests", store_or_fail)


def test_a_failing_group_is_rolled_back_and_reported_and_a_rerun_sends_only_it(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION = 2
    departments = _municipalities_with_a_deadline(5)  # groups of 2, 2 and 1
    _break_storing_digests(monkeypatch, on_call=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_sweep(as_of=DAY)

    broken = [d.municipality_id for d in departments[2:4]]
    assert first.failed_groups == [broken]
    assert len(first.groups) == 3 and first.new_reminders == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.email for d in departments[:2] + departments[4:])
    # Nothing of the failed group is half-saved: no claim, no digest.
    assert not Reminder.objects.filter(municipality_id__in=broken).exists()
    assert not Notification.objects.filter(municipality_id__in=broken).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = run_sweep(as_of=DAY)
    assert again.failed_groups == [] and again.new_reminders == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.email for d in departments[2:4])


def test_the_sweep_reports_each_transaction_and_the_longest(settings):
    settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION = 2
    _municipalities_with_a_deadline(3)
    summary = run_sweep(as_of=DAY, deliver=False).as_dict()
    assert summary["transactions"] == 2 and summary["failed_groups"] == []
    assert summary["longest_transaction_seconds"] > 0


def test_renaming_a_measure_after_the_sweep_leaves_the_logged_text_as_sent(
    client, django_capture_on_commit_callbacks
):
    (department,) = _municipalities_with_a_deadline(1)
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep(as_of=DAY)
    (sent,) = [m for m in mail.outbox if m.to == [department.email]]
    logged = Reminder.objects.get(recipient_key=f"department:{department.pk}")
    assert logged.title in sent.body and logged.title.endswith(" — до 20.12.2019")
    assert logged.recipient_name == department.name and logged.email == department.email
    as_sent = logged.title

    Measure.objects.update(title="Совсем другое мероприятие")
    logged.refresh_from_db()
    assert logged.title == as_sent and "Совсем другое" not in logged.title

    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.ru", "x")
    client.force_login(admin)
    page = client.get("/admin/notifications/reminder/").content.decode()
    assert as_sent.split(" — ")[0] in page and "Совсем другое" not in page


def test_rows_behind_the_link_keep_their_text_in_the_log(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(digests_module, "MAX_DIGEST_ITEMS", 1)
    section, _coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 11), department=department, number="1")  # listed: due today
    deadline_for(section, date(2019, 12, 20), department=department, number="2")  # behind the link
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep(as_of=DAY)
    (sent,) = [m for m in mail.outbox if m.to == [department.email]]
    listed, behind = Reminder.objects.order_by("due_date")
    assert listed.title.startswith("1. ") and listed.title in sent.body
    # Not in the mail, but the log the mail links to says what it is and whose, as of the sweep.
    assert behind.title.startswith("2. ") and behind.title not in sent.body
    assert behind.recipient_name == department.name and behind.email == department.email
    Measure.objects.update(title="Совсем другое мероприятие")
    behind.refresh_from_db()
    assert behind.title.startswith("2. ") and "Совсем другое" not in behind.title


def _digest_of(n_items, hidden=0):
    item = {"title": "Пункт", "details": "", "stage_label": "срок сегодня", "group": "", "link": ""}
    return {
        "recipient": "Отдел",
        "recipient_key": "department:1",
        "municipality": "",
        "day": "2019-12-11",
        "item_count": n_items + hidden,
        "items": [dict(item) for _ in range(n_items + hidden)],
    }


@pytest.mark.parametrize(
    ("hidden", "words"),
    [(1, "еще 1 пункт:"), (2, "еще 2 пункта:"), (5, "еще 5 пунктов:"), (21, "еще 21 пункт:")],
)
def test_the_rest_of_a_long_digest_is_counted_in_russian_plurals(hidden, words):
    text, html = render_digest(_digest_of(MAX_DIGEST_ITEMS, hidden))
    assert f"…и {words} " in text
    assert f"…и {words[:-1]}</a>" in html


@pytest.mark.parametrize(
    ("count", "subject"),
    [
        (1, "1 пункт"),
        (2, "2 пункта"),
        (5, "5 пунктов"),
        (11, "11 пунктов"),
        (21, "21 пункт"),
        (22, "22 пункта"),
    ],
)
def test_digest_subject_counts_items_in_russian_plurals(count, subject, monkeypatch):
    row = digests_module.Row(
        kind="x",
        subject_key="x:1",
        stage="day:2019-12-11",
        recipient_key="name:Отдел",
        day=DAY,
        municipality_id=None,
        recipient_name="Отдел",
        email="o@example.ru",
        due_date=DAY,
        title="Пункт",
        link="",
        details="",
        group="",
    )
    digest = digests_module.build_digest([row], {}, count)
    assert digest["subject"] == f"Напоминание о сроках на 11.12.2019: {subject}"


def test_stage_labels_use_russian_plurals():
    assert stage_label("1wd") == "через 1 рабочий день"
    assert stage_label("3wd") == "через 3 рабочих дня"
    assert stage_label("7wd") == "через 7 рабочих дней"
    assert stage_label("21wd") == "через 21 рабочий день"
    assert stage_label("overdue+1w") == "просрочено больше 1 недели"
    assert stage_label("overdue+2w") == "просрочено больше 2 недель"


def test_mailing_counts_use_russian_plurals():
    from django.utils.translation import ngettext

    def queued(n):
        return ngettext(
            "«%(subject)s»: поставлено в очередь %(count)d письмо.",
            "«%(subject)s»: поставлено в очередь %(count)d писем.",
            n,
        ) % {"subject": "Итоги", "count": n}

    with translation.override("ru"):
        assert [queued(n) for n in (1, 2, 5, 21)] == [
            "«Итоги»: поставлено в очередь 1 письмо.",
            "«Итоги»: поставлено в очередь 2 письма.",
            "«Итоги»: поставлено в очередь 5 писем.",
            "«Итоги»: поставлено в очередь 21 письмо.",
        ]


def test_the_hourly_task_asks_for_a_retry_when_a_group_failed_and_the_retry_sends_only_it(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.exceptions import Retry

    from openness_portal.notifications.tasks import send_reminders

    settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION = 1
    departments = _municipalities_with_a_deadline(2)
    _break_storing_digests(monkeypatch, on_call=1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Retry):
        send_reminders.delay(DAY.isoformat())
    assert [m.to[0] for m in mail.outbox] == [departments[1].email]  # the other group was sent

    with django_capture_on_commit_callbacks(execute=True):
        summary = send_reminders.delay(DAY.isoformat()).get()  # what the retry runs
    assert summary["failed_groups"] == [] and summary["new_reminders"] == 1  # only what was missing
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.email for d in departments)


def test_the_log_keeps_quotes_commas_line_breaks_and_empty_text_exactly(monkeypatch):
    """What the mail said is what the log says, whichever way the rows reached the database."""

    section, _coordinator = municipality_with_coordinator()
    municipality_id = section.roadmap.municipality_id
    tricky = 'Итоги «обсуждения» "бюджета", 2019\nвторая строка; обратная косая \\ и запятая,'

    def source(*, dates, municipality_ids):
        yield DueItem(
            kind="test",
            subject_key="test:1",
            due_date=DAY,
            title=tricky,
            link="/admin/?a=1,b=2",
            municipality_id=municipality_id,
            recipients=(Recipient(name='Отдел "А", кадры', email="a@example.ru", department_id=1),),
        )

    monkeypatch.setattr(sweep_module, "reminder_sources", lambda: {"test": source})
    result = run_sweep(as_of=DAY, deliver=False)

    assert result.new_reminders == 1
    logged = Reminder.objects.get()
    assert (logged.title, logged.link, logged.details, logged.group) == (tricky, "/admin/?a=1,b=2", "", "")
    assert logged.recipient_name == 'Отдел "А", кадры' and logged.email == "a@example.ru"
    # The digest is rendered from the log when sent, and the text sent is what the log keeps.
    notification = Notification.objects.get()
    assert notification.body == "" and services.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert tricky in notification.body and tricky in mail.outbox[0].body
    assert notification.body == mail.outbox[0].body
