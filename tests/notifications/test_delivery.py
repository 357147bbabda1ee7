"""Mail that fails is retried and not marked sent; the returned-entry notice goes out once."""

from datetime import date, timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from municipalities.models import StaffRole
from openness_portal.notifications import services
from openness_portal.notifications.models import Notification, Reminder
from openness_portal.notifications.sweep import run_sweep
from openness_portal.notifications.tasks import deliver_notification, send_reminders
from roadmaps.models import Measure, ProgressEntry
from roadmaps.services import return_progress
from tests.factories import MeasureFactory, ProgressEntryFactory, UserFactory
from tests.notifications.factories import (
    DepartmentFactory,
    OfficialFactory,
    deadline_for,
    municipality_with_coordinator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_mail(monkeypatch):
    """The SMTP server is down for the first `failures` messages."""
    state = {"failures": 1, "calls": 0}
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        state["calls"] += 1
        if state["failures"]:
            state["failures"] -= 1
            raise SMTPServerDisconnected("connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def _digest():
    section, _ = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department)
    result = run_sweep(as_of=date(2019, 12, 11), deliver=False)
    return Notification.objects.get(pk__in=result.notification_ids)


def test_a_mail_failure_leaves_the_digest_unsent_and_a_retry_sends_it_once(flaky_mail):
    notification = _digest()
    assert notification.body == notification.html_body == ""  # rendered when it is sent
    with pytest.raises(SMTPServerDisconnected):
        services.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    attempted = notification.body
    assert "через 7 рабочих дней" in attempted and "<li>" in notification.html_body
    assert "SMTPServerDisconnected" in notification.error and notification.sent_at is None
    assert mail.outbox == []

    assert services.deliver(notification.pk) is True
    assert services.deliver(notification.pk) is False  # a duplicate task finds it sent
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body == notification.body == attempted  # the retry sends the stored text


def test_a_digest_sent_after_a_rename_says_what_was_claimed_and_the_log_keeps_it():
    """The sweep claims; the mail goes out later. It says what the log holds, whatever changed meanwhile."""
    notification = _digest()
    claimed = Reminder.objects.get().title
    Measure.objects.update(title="Совсем другое мероприятие")

    assert services.deliver(notification.pk) is True
    notification.refresh_from_db()
    assert claimed in mail.outbox[0].body and "Совсем другое" not in mail.outbox[0].body
    assert notification.body == mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][0] == notification.html_body


def test_the_admin_shows_a_pending_digest_as_it_will_be_sent_then_the_text_sent(client):
    notification = _digest()
    Reminder.objects.update(title="Сайт <script>alert(1)</script>")  # escaped like any text in the admin
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/notifications/notification/{notification.pk}/change/"

    pending = client.get(url).content.decode()
    assert "текст, который будет отправлен" in pending.lower()
    assert "через 7 рабочих дней" in pending and "Сайт &lt;script&gt;alert(1)&lt;/script&gt;" in pending
    assert "<script>alert(1)" not in pending

    assert services.deliver(notification.pk) is True
    sent = client.get(url).content.decode()
    assert "текст письма — в поле «текст»" in sent and "через 7 рабочих дней" in sent

    # Rows gone from the log (retention) leave a digest that cannot be written: the page says so.
    other = _digest()
    Reminder.objects.filter(run=other.batch).delete()
    gone = client.get(f"/admin/notifications/notification/{other.pk}/change/")
    assert gone.status_code == 200 and "отправка завершится ошибкой" in gone.content.decode()


def test_a_digest_to_nobody_is_rendered_by_the_sweep_for_the_log():
    section, _ = municipality_with_coordinator()
    official = OfficialFactory(municipality=section.roadmap.municipality, name="Петров П.П.", email="")
    deadline_for(section, date(2019, 12, 20), official=official)
    run_sweep(as_of=date(2019, 12, 11), deliver=False)

    unsent = Notification.objects.get(status=Notification.Status.NO_ADDRESS)
    assert "Здравствуйте, Петров П.П." in unsent.body and "через 7 рабочих дней" in unsent.body


def test_the_delivery_task_retries_with_backoff_until_sent(flaky_mail, monkeypatch):
    from openness_portal.celery import app

    # Eager tasks re-run their retries at once (the backoff applies on a real worker).
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    flaky_mail["failures"] = 2
    notification = _digest()
    assert deliver_notification.delay(notification.pk).get() is True
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.attempts == 3
    assert len(mail.outbox) == 1
    assert deliver_notification.retry_backoff and deliver_notification.max_retries >= 3


def test_the_scheduled_task_sweeps_and_reports(django_capture_on_commit_callbacks):
    section, _ = municipality_with_coordinator()
    deadline_for(
        section, date(2019, 12, 20), department=DepartmentFactory(municipality=section.roadmap.municipality)
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = send_reminders.delay("2019-12-11").get()
    assert summary["new_reminders"] == 1 and summary["digest_count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.delay("2019-12-11").get()["new_reminders"] == 0
    assert len(mail.outbox) == 1


def test_returned_progress_entry_is_told_to_its_author_once(django_capture_on_commit_callbacks):
    section, coordinator = municipality_with_coordinator()
    author = UserFactory(email="author@example.ru")
    entry = ProgressEntryFactory(
        measure=MeasureFactory(section=section, roadmap=section.roadmap),
        author=author,
        status=ProgressEntry.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return_progress(entry, user=coordinator, reason="Нет ссылки на публикацию")
    assert [m.to for m in mail.outbox] == [["author@example.ru"]]
    assert "Нет ссылки на публикацию" in mail.outbox[0].body

    # The task is retried or delivered twice by the broker: same review, same key, no second mail.
    from roadmaps.notifications import notify_progress_returned

    entry.refresh_from_db()
    assert notify_progress_returned(entry.pk, entry.reviewed_at.isoformat()) is False
    assert len(mail.outbox) == 1


def test_entries_waiting_for_review_too_long_are_reported_to_the_coordinator(
    django_capture_on_commit_callbacks, settings
):
    section, coordinator = municipality_with_coordinator()
    measure = MeasureFactory(section=section, roadmap=section.roadmap, number="7")
    submitted = timezone.make_aware(timezone.datetime(2019, 12, 2, 10, 0))  # Monday
    ProgressEntryFactory(measure=measure, status=ProgressEntry.Status.SUBMITTED, submitted_at=submitted)
    ProgressEntryFactory(measure=measure, status=ProgressEntry.Status.ACCEPTED, submitted_at=submitted)

    # 5 working days after Monday 2.12 is Monday 9.12; from Tuesday 10.12 it is overdue for review.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_sweep(as_of=date(2019, 12, 9)).new_reminders == 0
        run_sweep(as_of=date(2019, 12, 10))
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Информация о ходе реализации ждет проверки" in mail.outbox[0].body
    assert "на проверке с 02.12.2019" in mail.outbox[0].body
    assert Reminder.objects.get().kind == "progress_review"
    with django_capture_on_commit_callbacks(execute=True):
        run_sweep(as_of=date(2019, 12, 10) + timedelta(days=7))  # still waiting a week later
    assert len(mail.outbox) == 2


def test_setup_schedules_registers_the_hourly_sweep_once():
    from django_celery_beat.models import PeriodicTask

    from openness_portal.notifications.schedules import setup_schedules

    setup_schedules()
    setup_schedules()
    task = PeriodicTask.objects.get(task="openness_portal.notifications.tasks.send_reminders")
    assert task.crontab.minute == "5" and task.crontab.hour == "*"


def test_reminder_log_in_admin_is_read_only_and_scoped(client, django_assert_max_num_queries):
    mine, me = municipality_with_coordinator()
    theirs, _ = municipality_with_coordinator()
    for section, count in ((mine, 3), (theirs, 2)):
        department = DepartmentFactory(municipality=section.roadmap.municipality)
        for i in range(count):
            deadline_for(section, date(2019, 12, 20), department=department, number=f"{i + 1}")
    run_sweep(as_of=date(2019, 12, 11), deliver=False)
    assert me.staff_role.role == StaffRole.Role.COORDINATOR
    client.force_login(me)

    # 16 for the page, and five for the text of deadline rows (logged as keys): coordinators, officials,
    # departments, the deadlines, their executors.
    with django_assert_max_num_queries(21):
        page = client.get("/admin/notifications/reminder/")
    assert page.status_code == 200
    shown = page.content.decode()
    assert shown.count("— до 20.12.2019") == 3 and shown.count("через 7 рабочих дней") == 3
    assert page.context["cl"].result_count == 3  # three deadlines of its department, not overdue yet
    assert {r.municipality_id for r in page.context["cl"].result_list} == {mine.roadmap.municipality_id}
    reminder = Reminder.objects.filter(municipality=mine.roadmap.municipality).first()
    assert client.get(f"/admin/notifications/reminder/{reminder.pk}/change/").status_code == 200
    assert client.post(f"/admin/notifications/reminder/{reminder.pk}/delete/").status_code == 403
    other = Reminder.objects.exclude(municipality=mine.roadmap.municipality).first()
    assert client.get(f"/admin/notifications/reminder/{other.pk}/change/").status_code == 302

    # More rows, same number of queries.
    department = DepartmentFactory(municipality=mine.roadmap.municipality)
    for i in range(20):
        deadline_for(mine, date(2019, 12, 16), department=department, number=f"9.{i}")
    run_sweep(as_of=date(2019, 12, 11), deliver=False)
    with django_assert_max_num_queries(21):
        assert client.get("/admin/notifications/reminder/").status_code == 200
