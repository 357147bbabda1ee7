"""The reminder sweep as the people reminded see it: who gets which digest, once."""

import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from openness_portal.notifications.models import Notification, Reminder
from openness_portal.notifications.stages import normalise_offsets, stage_dates
from openness_portal.notifications.sweep import run_sweep
from roadmaps.models import Deadline, MeasureExecutor, Roadmap
from roadmaps.services import move_deadline
from tests.notifications.factories import (
    DepartmentFactory,
    OfficialFactory,
    deadline_for,
    municipality_with_coordinator,
)

pytestmark = pytest.mark.django_db


def sweep(day, capture, **kwargs):
    """A real sweep whose mail is delivered after the commit, as in production."""
    with capture(execute=True):
        result = run_sweep(as_of=day, **kwargs)
    assert result.failed_sources == [] and result.failed_groups == []
    return result


def test_stage_dates_count_working_days_and_skip_days_off():
    stages = stage_dates(date(2019, 12, 11), normalise_offsets([]))
    assert stages[date(2019, 12, 20)] == "7wd"
    assert stages[date(2019, 12, 12)] == "1wd"
    assert stages[date(2019, 12, 11)] == "day"
    assert stages[date(2019, 12, 10)] == "overdue"
    assert stages[date(2019, 12, 3)] == "overdue+1w"
    # 14 working days from Wed 11.12.2019 cross the New Year holidays: Saturday 28.12 is no working day
    assert stages[date(2019, 12, 31)] == "14wd"
    assert len(stages) < 80  # the sources are asked about a few dates, not every row
    assert stage_dates(date(2019, 12, 14), normalise_offsets([])) == {}  # Saturday: nobody is reminded
    assert normalise_offsets([10, "5", 5, -1, "x"]) == (10, 5)


def test_demo_dry_run_shows_the_personnel_department_reminded_of_measure_3(demo_data, all_sources):
    out = StringIO()
    call_command("send_reminders", "--date", "2019-12-11", "--dry-run", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert not {"deadline", "deadline_overdue", "progress_review"} & set(result["failed_sources"])
    kadry = [
        d
        for d in result["digests"]
        if d["recipient"].startswith("отдел кадровой работы и муниципальной службы")
    ]
    assert len(kadry) == 1, "one digest per recipient and day"
    digest = kadry[0]
    assert digest["email"] == "kadry@khmrn.example.ru"
    assert digest["municipality"] == "Ханты-Мансийский район"
    measure_3 = [i for i in digest["items"] if i["title"].startswith("3. Участие в обучающих мероприятиях")]
    assert measure_3 == [measure_3[0]]
    assert measure_3[0]["due_date"] == "2019-12-20"
    assert measure_3[0]["stage"] == "7wd"
    assert measure_3[0]["stage_label"] == "через 7 рабочих дней"
    # The second executor is free text: the coordinator is reminded in the department's stead.
    coordinator = [d for d in result["digests"] if d["email"] == "coordinator-khmr@example.ru"]
    assert any(i["title"].startswith("3. ") for i in coordinator[0]["items"])
    # A dry run sends and records nothing.
    assert mail.outbox == []
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_second_sweep_of_the_same_day_sends_nothing(django_capture_on_commit_callbacks):
    section, _ = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department)
    deadline_for(section, date(2019, 12, 16), department=department)  # 3 working days ahead

    first = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert first.new_reminders == 2
    assert len(mail.outbox) == 1, "both deadlines in one digest"
    message = mail.outbox[0]
    assert message.to == [department.email]
    assert "через 7 рабочих дней" in message.body and "через 3 рабочих дня" in message.body
    assert message.alternatives and "<a href=" in message.alternatives[0][0]
    assert Notification.objects.get().status == Notification.Status.SENT

    second = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert second.new_reminders == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 2


def test_a_moved_deadline_is_reminded_for_its_new_date(django_capture_on_commit_callbacks):
    section, coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline = deadline_for(section, date(2019, 12, 20), department=department)
    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert Reminder.objects.get().stage == "7wd:2019-12-20"

    move_deadline(deadline, date(2019, 12, 27), reason="перенос семинара", user=coordinator)
    # 17.12 was the 3-working-day stage of the old date: nothing about it now.
    assert sweep(date(2019, 12, 17), django_capture_on_commit_callbacks).new_reminders == 0
    # 18.12 is 7 working days before the new date.
    result = sweep(date(2019, 12, 18), django_capture_on_commit_callbacks)
    assert result.new_reminders == 1
    assert Reminder.objects.filter(day=date(2019, 12, 18)).get().stage == "7wd:2019-12-27"
    assert "до 27.12.2019" in mail.outbox[-1].body


def test_an_official_without_email_is_reported_to_the_coordinator(django_capture_on_commit_callbacks):
    section, coordinator = municipality_with_coordinator()
    official = OfficialFactory(municipality=section.roadmap.municipality, name="Петров П.П.", email="")
    deadline_for(section, date(2019, 12, 20), official=official)

    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    assert result.missing_addresses == 1
    unsent = Notification.objects.get(email="")
    assert unsent.status == Notification.Status.NO_ADDRESS and "Петров П.П." in unsent.recipient
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "у получателя «Петров П.П., главный специалист» нет e-mail" in mail.outbox[0].body


def test_free_text_executor_goes_to_the_coordinator(django_capture_on_commit_callbacks):
    section, coordinator = municipality_with_coordinator()
    deadline_for(section, date(2019, 12, 20), text="руководители органов администрации")
    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "руководители органов администрации" in mail.outbox[0].body


def test_coordinator_digest_lists_overdue_by_department(django_capture_on_commit_callbacks):
    section, coordinator = municipality_with_coordinator()
    municipality = section.roadmap.municipality
    finance = DepartmentFactory(municipality=municipality, name="финансовое управление")
    culture = DepartmentFactory(municipality=municipality, name="управление культуры")
    deadline_for(section, date(2019, 12, 10), department=finance)
    deadline_for(section, date(2019, 12, 3), department=culture)  # a week overdue
    done = deadline_for(section, date(2019, 12, 10), department=culture)
    Deadline.objects.filter(pk=done.pk).update(completed_on=date(2019, 12, 9))

    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    to_coordinator = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert len(to_coordinator) == 1
    body = to_coordinator[0].body
    assert "финансовое управление:" in body and "управление культуры:" in body
    assert "срок истек" in body and "просрочено больше 1 недели" in body
    assert body.count("— до ") == 2, "a completed deadline is not reminded"
    assert {m.to[0] for m in mail.outbox} == {coordinator.email, finance.email, culture.email}


def test_offsets_are_per_municipality(django_capture_on_commit_callbacks):
    section, _ = municipality_with_coordinator(reminder_offsets=[10])
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department)  # 7 working days: not a stage here
    deadline_for(section, date(2019, 12, 25), department=department)  # 10 working days
    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert [r.stage for r in Reminder.objects.all()] == ["10wd:2019-12-25"]
    assert result.new_reminders == 1


def test_each_municipality_is_swept_on_its_local_day(django_capture_on_commit_callbacks, time_machine):
    east, _ = municipality_with_coordinator(time_zone="Asia/Yekaterinburg")
    west, _ = municipality_with_coordinator(time_zone="Europe/Kaliningrad")
    for section in (east, west):
        department = DepartmentFactory(municipality=section.roadmap.municipality)
        deadline_for(section, date(2019, 12, 20), department=department)
    # 10.12 21:00 UTC: already 11.12 02:00 in Yekaterinburg, still 10.12 23:00 in Kaliningrad.
    time_machine.move_to(datetime(2019, 12, 10, 21, 0, tzinfo=UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = run_sweep()
    assert result.days == {
        east.roadmap.municipality_id: date(2019, 12, 11),
        west.roadmap.municipality_id: date(2019, 12, 10),
    }
    assert [r.municipality_id for r in Reminder.objects.all()] == [east.roadmap.municipality_id]
    # The hourly task only sweeps municipalities between 08:00 and 21:00 local time.
    with django_capture_on_commit_callbacks(execute=True):
        assert run_sweep(local_hours=(8, 21)).days == {}


def test_send_reminders_command_sends_and_reports(django_capture_on_commit_callbacks):
    section, _ = municipality_with_coordinator()
    deadline_for(
        section, date(2019, 12, 20), department=DepartmentFactory(municipality=section.roadmap.municipality)
    )
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2019-12-11", stdout=out)
    assert "Создано: 1 напоминание, 1 письмо; без адреса: 0." in out.getvalue()
    assert len(mail.outbox) == 1
    with pytest.raises(Exception, match="ГГГГ-ММ-ДД"):
        call_command("send_reminders", "--date", "11.12.2019")


def _digest(n_items, *, title="3. Участие в <семинарах> & тренингах"):
    items = [
        {
            "title": title,
            "details": "Ответственные: отдел",
            "stage_label": "через 7 рабочих дней",
            "group": "",
            "link": "/admin/roadmaps/deadline/1/change/",
        }
        for _ in range(n_items)
    ]
    return {
        "recipient": "Отдел кадров",
        "recipient_key": "department:1",
        "municipality": "Ханты-Мансийский район",
        "day": "2019-12-11",
        "item_count": n_items,
        "items": items,
    }


def test_digest_text_and_html_greet_list_escape_and_point_to_the_rest():
    from django.utils import translation

    from openness_portal.notifications.digests import MAX_DIGEST_ITEMS, render_digest

    text, html = render_digest(_digest(MAX_DIGEST_ITEMS + 3))
    assert text.startswith("Здравствуйте, Отдел кадров!")
    assert "Сроки, о которых нужно помнить (Ханты-Мансийский район):" in text
    assert "— 3. Участие в <семинарах> & тренингах" in text  # plain text is not HTML-escaped
    assert "…и еще 3 пункта: " in text and "recipient_key=department%3A1" in text
    assert "&lt;семинарах&gt; &amp; тренингах" in html and "<семинарах>" not in html
    assert html.count("<li>") == MAX_DIGEST_ITEMS
    with translation.override("en"):
        english, _html = render_digest(_digest(1))
    assert english.startswith("Hello, Отдел кадров!") and "Deadlines to keep in mind" in english
    assert "more item" not in english  # nothing hidden when everything fits


def test_a_measure_with_two_executors_reminds_both_and_groups_the_overdue_under_the_lead(
    django_capture_on_commit_callbacks,
):
    section, coordinator = municipality_with_coordinator()
    municipality = section.roadmap.municipality
    culture = DepartmentFactory(municipality=municipality, name="управление культуры")
    finance = DepartmentFactory(municipality=municipality, name="финансовое управление")
    deadline = deadline_for(section, date(2019, 12, 10), department=finance)  # overdue on 11.12
    # The co-executor was added first but comes second in the measure's order: order decides the lead.
    MeasureExecutor.objects.filter(measure=deadline.measure).update(order=1)
    MeasureExecutor.objects.create(measure=deadline.measure, order=0, department=culture)

    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    assert {m.to[0] for m in mail.outbox} == {coordinator.email, finance.email, culture.email}
    overdue = Reminder.objects.get(kind="deadline_overdue")
    to_finance = Reminder.objects.get(kind="deadline", recipient_key=f"department:{finance.pk}")
    # The log keeps the text the digests showed, not only the keys.
    assert overdue.group == "управление культуры"
    assert overdue.details == "Ответственные: управление культуры; финансовое управление"
    assert to_finance.recipient_name == "финансовое управление" and to_finance.email == finance.email
    assert to_finance.details == "Ответственные: управление культуры; финансовое управление"
    assert to_finance.link == f"/admin/roadmaps/deadline/{deadline.pk}/change/"
    assert to_finance.title.endswith(" — до 10.12.2019")


def test_a_sweep_in_english_words_the_deadline_items_in_english(django_capture_on_commit_callbacks):
    section, _ = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality, name="отдел кадров")
    deadline = deadline_for(section, date(2019, 12, 20), department=department)
    MeasureExecutor.objects.create(measure=deadline.measure, order=1, text="руководители органов")

    with translation.override("en"):
        sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    to_department = next(m for m in mail.outbox if m.to == [department.email])
    assert " — by 20.12.2019" in to_department.body and "— до " not in to_department.body
    assert "Responsible: отдел кадров; руководители органов" in to_department.body
    assert "Executor not found in the directory" in to_department.body


def test_municipalities_swept_in_separate_groups_each_get_their_own_reminders(
    django_capture_on_commit_callbacks, settings
):
    settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION = 2  # three municipalities: two groups
    expected = set()
    for _ in range(3):
        section, coordinator = municipality_with_coordinator()
        department = DepartmentFactory(municipality=section.roadmap.municipality)
        deadline_for(section, date(2019, 12, 20), department=department)  # 7 working days ahead
        deadline_for(section, date(2019, 12, 10), text="руководители органов")  # overdue, nobody to write to
        expected |= {department.email, coordinator.email}

    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    # Per municipality: the department's reminder, and the coordinator's about the overdue deadline nobody
    # else can be told of (one row: the same duty, stage, person and day is claimed once).
    assert result.new_reminders == 6 and result.digest_count == 6
    assert {m.to[0] for m in mail.outbox} == expected
    assert sweep(date(2019, 12, 11), django_capture_on_commit_callbacks).new_reminders == 0


def test_a_coordinator_who_executes_an_overdue_deadline_is_reminded_of_it_once(
    django_capture_on_commit_callbacks,
):
    section, coordinator = municipality_with_coordinator()
    official = OfficialFactory(municipality=section.roadmap.municipality, user=coordinator, email="")
    deadline_for(section, date(2019, 12, 10), official=official, number="4")  # overdue on 11.12

    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    # As executor and as coordinator the same person, duty, stage and day: one row, one line in one mail.
    assert result.new_reminders == 1
    assert Reminder.objects.get().recipient_key == f"official:{official.pk}"
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].body.count("— 4. ") == 1


def test_an_overdue_deadline_of_a_free_text_executor_reaches_the_coordinator_under_that_executor(
    django_capture_on_commit_callbacks,
):
    section, coordinator = municipality_with_coordinator()
    deadline_for(section, date(2019, 12, 10), text="руководители органов администрации")  # overdue

    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    assert list(Reminder.objects.values_list("kind", flat=True)) == ["deadline_overdue"]
    body = mail.outbox[0].body
    assert "руководители органов администрации:" in body and "срок истек" in body


def test_a_digest_too_long_to_list_lists_what_is_nearest_its_due_date(
    django_capture_on_commit_callbacks, monkeypatch
):
    from openness_portal.notifications import digests

    monkeypatch.setattr(digests, "MAX_DIGEST_ITEMS", 2)
    section, _ = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    far_ahead = deadline_for(section, date(2019, 12, 31), department=department, number="1")  # 14 wd
    long_overdue = deadline_for(section, date(2019, 11, 26), department=department, number="2")  # 2 weeks
    today = deadline_for(section, date(2019, 12, 11), department=department, number="3")
    tomorrow = deadline_for(section, date(2019, 12, 12), department=department, number="4")

    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    (digest,) = [d for d in result.digests if d["recipient_key"] == f"department:{department.pk}"]
    assert digest["item_count"] == 4
    assert {item["subject_key"] for item in digest["items"]} == {
        f"deadline:{today.pk}",
        f"deadline:{tomorrow.pk}",
    }
    body = next(m.body for m in mail.outbox if m.to == [department.email])
    assert "— 3. " in body and "— 4. " in body
    assert "— 1. " not in body and "— 2. " not in body  # behind the link to the log
    # All four are still logged, and the log is where the link leads.
    logged = Reminder.objects.filter(recipient_key=f"department:{department.pk}")
    assert set(logged.values_list("subject_key", flat=True)) == {
        f"deadline:{d.pk}" for d in (far_ahead, long_overdue, today, tomorrow)
    }


def test_only_open_deadlines_of_live_roadmaps_are_reminded(django_capture_on_commit_callbacks):
    section, _coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    reminded = deadline_for(section, date(2019, 12, 20), department=department, number="1")
    dropped = deadline_for(section, date(2019, 12, 20), department=department, number="2")
    Deadline.objects.filter(pk=dropped.pk).update(not_applicable=True)
    archived, _other = municipality_with_coordinator()
    archived.roadmap.status = Roadmap.Status.ARCHIVED
    archived.roadmap.save(update_fields=["status"])
    deadline_for(
        archived, date(2019, 12, 20), department=DepartmentFactory(municipality=archived.roadmap.municipality)
    )

    result = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    assert list(Reminder.objects.values_list("subject_key", flat=True)) == [f"deadline:{reminded.pk}"]
    assert result.new_reminders == 1 and [m.to for m in mail.outbox] == [[department.email]]


def test_a_second_sweep_writes_nothing_yet_reminds_a_deadline_added_in_between(
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    section, _coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department, number="1")
    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    with CaptureQueriesContext(connection) as queries:
        again = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert again.new_reminders == 0
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "COPY"))]
    assert writes == [], "what the log already holds is neither copied nor inserted again"

    deadline_for(section, date(2019, 12, 16), department=department, number="2")
    later = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert later.new_reminders == 1
    assert len(mail.outbox) == 2
    assert "— 2. " in mail.outbox[1].body and "— 1. " not in mail.outbox[1].body


def test_an_executor_added_during_the_day_is_reminded_and_the_first_is_not_again(
    django_capture_on_commit_callbacks,
):
    section, _coordinator = municipality_with_coordinator()
    first = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline = deadline_for(section, date(2019, 12, 20), department=first)
    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)

    second = DepartmentFactory(municipality=section.roadmap.municipality)
    MeasureExecutor.objects.create(measure=deadline.measure, order=1, department=second)
    later = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert later.new_reminders == 1
    assert [m.to for m in mail.outbox] == [[first.email], [second.email]]


def test_a_claim_taken_after_the_sweep_looked_is_not_sent_twice(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Another run commits a claim between this sweep's look at the log and its insert: the insert skips
    it, and only what this run inserted is sent."""
    from openness_portal.notifications import sweep as sweep_module

    section, _coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department, number="1")
    sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    deadline_for(section, date(2019, 12, 16), department=department, number="2")

    monkeypatch.setattr(sweep_module, "_held_today", lambda group: set())  # looked before the other run
    later = sweep(date(2019, 12, 11), django_capture_on_commit_callbacks)
    assert later.new_reminders == 1
    assert len(mail.outbox) == 2
    assert "— 2. " in mail.outbox[1].body and "— 1. " not in mail.outbox[1].body
    assert Reminder.objects.count() == 2


def test_digest_items_without_link_or_details_have_no_empty_lines():
    from openness_portal.notifications.digests import render_digest

    item = {"title": "Пункт", "details": "", "stage_label": "срок сегодня", "group": "", "link": ""}
    digest = _digest(1)
    digest["items"] = [item, {**item, "title": "Второй", "details": "Ответственные: отдел", "link": "/x/"}]
    text, html = render_digest(digest)
    assert "— Пункт\n  срок сегодня\n— Второй\n  срок сегодня. Ответственные: отдел\n  http" in text
    assert "<li>Пункт<br><strong>срок сегодня</strong></li>" in html
    assert '/x/">Второй</a><br><strong>срок сегодня</strong>. Ответственные: отдел</li>' in html
