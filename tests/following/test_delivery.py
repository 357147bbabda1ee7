"""Events reach the right followers exactly once: retried tasks, bursts, every kind of event."""

from datetime import UTC, date, datetime, timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db.models import Count
from django.utils import timezone

from following import services, tasks
from following.models import Delivery, Digest, FollowEvent, Subscription
from reports.models import Report
from reports.services import publish_report
from roadmaps.services import move_deadline
from surveys import services as surveys_services
from tests.factories import DeadlineFactory
from tests.reports.factories import ReportFactory, ReportFileFactory
from tests.surveys.factories import open_discussion

from .factories import SubscriptionFactory, accept

pytestmark = pytest.mark.django_db


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_progress_acceptance_mails_each_confirmed_follower_once_even_when_the_task_runs_twice(
    world, on_commit
):
    roadmap, measure = world["roadmap"], world["measure"]
    SubscriptionFactory(roadmap=roadmap, email="a@example.ru")
    SubscriptionFactory(measure=measure, email="b@example.ru")
    # The same address following the roadmap and the measure: told once.
    SubscriptionFactory(roadmap=roadmap, email="c@example.ru")
    SubscriptionFactory(measure=measure, email="c@example.ru")
    SubscriptionFactory(roadmap=roadmap, email="pending@example.ru", status=Subscription.Status.PENDING)
    SubscriptionFactory(roadmap=roadmap, email="gone@example.ru", status=Subscription.Status.UNSUBSCRIBED)
    SubscriptionFactory(measure=world["other"], email="other-measure@example.ru")

    on_commit(accept, measure, world["coordinator"])
    assert _recipients() == ["a@example.ru", "b@example.ru", "c@example.ru"]
    event = FollowEvent.objects.get()
    assert (
        event.kind == FollowEvent.Kind.PROGRESS_ACCEPTED
        and event.measure == measure
        and event.roadmap == roadmap
    )

    # The whole pipeline again, and each step again: nothing new is sent.
    on_commit(tasks.deliver)
    assert services.fan_out(event.pk) == 0
    for digest in Digest.objects.all():
        assert services.send_digest(digest.pk) is False
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 3
    assert set(Digest.objects.values_list("status", flat=True)) == {Digest.Status.SENT}


def test_a_signal_delivered_twice_records_one_event(world, on_commit):
    from roadmaps.signals import progress_accepted

    SubscriptionFactory(roadmap=world["roadmap"])
    entry = on_commit(accept, world["measure"], world["coordinator"])
    on_commit(progress_accepted.send, sender=type(entry), entry=entry)
    assert FollowEvent.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_burst_of_events_is_one_mail_per_follower(world, on_commit):
    SubscriptionFactory(roadmap=world["roadmap"], email="a@example.ru")
    with mock.patch.object(services, "schedule_delivery"):  # a worker would wait the digest delay
        for i in range(3):
            on_commit(accept, world["measure"], world["coordinator"], text=f"Сделано {i}.")
        deadline = DeadlineFactory(measure=world["other"], due_date=date(2022, 12, 20))
        on_commit(
            move_deadline,
            deadline,
            date(2023, 2, 1),
            reason="Перенос по распоряжению № 5-р",
            user=world["coordinator"],
        )
    assert not mail.outbox
    on_commit(tasks.deliver)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Новое по подписке (4): План открытости на 2022–2023 годы"
    for i in range(3):
        assert f"Сделано {i}." in message.body
    assert "Срок перенесен с 20.12.2022 на 01.02.2023. Причина: Перенос по распоряжению № 5-р" in message.body


def test_moved_deadline_tells_measure_followers_the_reason(world, on_commit):
    SubscriptionFactory(measure=world["other"], email="m@example.ru")
    SubscriptionFactory(measure=world["measure"], email="not-this-one@example.ru")
    deadline = DeadlineFactory(measure=world["other"], due_date=date(2022, 12, 20))
    on_commit(
        move_deadline, deadline, date(2023, 2, 1), reason="Ожидается решение Думы", user=world["coordinator"]
    )
    assert _recipients() == ["m@example.ru"]
    assert mail.outbox[0].subject == "Перенесен срок мероприятия 2.5 Опрос жителей"
    assert "Причина: Ожидается решение Думы" in mail.outbox[0].body


def test_report_in_three_formats_is_one_event(world, on_commit):
    SubscriptionFactory(roadmap=world["roadmap"], email="r@example.ru")
    report = ReportFactory(roadmap=world["roadmap"], status=Report.Status.READY)
    for fmt in (Report.Format.XLSX, Report.Format.PDF, Report.Format.DOCX):
        ReportFileFactory(report=report, format=fmt, status=Report.Status.READY)
    on_commit(publish_report, report, user=world["coordinator"])
    report_events = FollowEvent.objects.filter(kind=FollowEvent.Kind.REPORT_PUBLISHED)
    assert report_events.count() == 1
    # One mail: the report, and the discussion its publication opened (roadmap followers hear of it too).
    assert _recipients() == ["r@example.ru"]
    body = mail.outbox[0].body
    assert body.count("Опубликован отчет:") == 1
    assert "Опубликован отчет: полугодовой отчет о ходе реализации за I полугодие 2022 года" in body
    assert "Открыто общественное обсуждение" in body


def test_discussion_followers_hear_of_closing_and_summary(world, on_commit, settings):
    municipality = world["roadmap"].municipality
    discussion = on_commit(open_discussion, municipality, measure=world["measure"])
    SubscriptionFactory(discussion=discussion, email="d@example.ru")
    SubscriptionFactory(measure=world["measure"], email="m@example.ru")
    assert not mail.outbox  # opened before they followed: not told

    after_close = discussion.closes_at + timedelta(minutes=5)
    with time_machine.travel(after_close, tick=False):
        on_commit(surveys_services.process_closed_discussion, discussion, now=after_close)
        told = [m for m in mail.outbox if "Общественное обсуждение завершено" in m.subject]
        assert sorted(address for m in told for address in m.to) == ["d@example.ru", "m@example.ru"]
        assert len(mail.outbox) == 3  # and the coordinator's own notice to prepare the summary
        mail.outbox.clear()
        summary = discussion.summary
        on_commit(
            surveys_services.publish_summary,
            summary,
            user=world["coordinator"],
            text="Замечаний не поступало.",
        )
    assert sorted(_recipients()) == ["d@example.ru", "m@example.ru"]
    assert "Опубликованы итоги обсуждения" in mail.outbox[0].subject
    assert "Замечаний не поступало." in mail.outbox[0].body


def test_scheduled_discussion_is_told_when_it_opens(world, on_commit):
    SubscriptionFactory(roadmap=world["roadmap"], email="r@example.ru")
    opens = timezone.now() + timedelta(days=2)
    on_commit(open_discussion, world["roadmap"].municipality, measure=world["measure"], opens_at=opens)
    on_commit(tasks.deliver)
    assert not mail.outbox
    with time_machine.travel(opens + timedelta(minutes=1), tick=False):
        on_commit(tasks.deliver)
    assert len(mail.outbox) == 1 and "Открыто общественное обсуждение" in mail.outbox[0].subject


def test_a_failed_send_is_retried_and_sent_once(world, on_commit):
    SubscriptionFactory(roadmap=world["roadmap"], email="a@example.ru")
    with mock.patch.object(services, "schedule_delivery"):
        on_commit(accept, world["measure"], world["coordinator"])
    services.fan_out_due_events()
    (digest_id,) = services.collect_digests()
    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send", side_effect=SMTPServerDisconnected("down")
        ),
        pytest.raises(SMTPServerDisconnected),
    ):
        services.send_digest(digest_id)
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.FAILED and "down" in digest.error
    assert services.send_digest(digest_id) is True
    assert services.send_digest(digest_id) is False
    assert len(mail.outbox) == 1


def test_unsubscribed_between_fan_out_and_sending_gets_nothing(world, on_commit):
    subscription = SubscriptionFactory(roadmap=world["roadmap"])
    with mock.patch.object(services, "schedule_delivery"):
        on_commit(accept, world["measure"], world["coordinator"])
    services.fan_out_due_events()
    services.unsubscribe(subscription)
    (digest_id,) = services.collect_digests()
    assert services.send_digest(digest_id) is False
    assert Digest.objects.get().status == Digest.Status.SKIPPED
    assert not mail.outbox


def test_followers_confirmed_after_the_event_are_not_told_of_it(world, on_commit):
    with mock.patch.object(services, "schedule_delivery"):
        on_commit(accept, world["measure"], world["coordinator"])
    SubscriptionFactory(roadmap=world["roadmap"], confirmed_at=timezone.now() + timedelta(seconds=1))
    on_commit(tasks.deliver)
    assert not mail.outbox


def test_draft_roadmap_events_are_not_recorded(world, on_commit):
    roadmap = world["roadmap"]
    SubscriptionFactory(roadmap=roadmap)
    roadmap.status = roadmap.Status.DRAFT
    roadmap.save()
    on_commit(accept, world["measure"], world["coordinator"])
    assert not FollowEvent.objects.exists() and not mail.outbox


def test_a_failing_follower_never_undoes_the_acceptance(world, on_commit, caplog):
    from roadmaps.models import ProgressEntry

    with mock.patch("following.services.record_event", side_effect=RuntimeError("boom")):
        entry = on_commit(accept, world["measure"], world["coordinator"])
    entry.refresh_from_db()
    assert entry.status == ProgressEntry.Status.ACCEPTED
    assert "receiver" in caplog.text and "boom" in caplog.text


def test_time_of_occurrence_keeps_a_retry_of_the_same_move_apart(world):
    """Two real moves of one deadline are two events; one move recorded twice is one."""
    kwargs = {
        "kind": FollowEvent.Kind.DEADLINE_MOVED,
        "object_key": "deadline:1",
        "title": "x",
        "link": "/",
        "roadmap_id": world["roadmap"].pk,
    }
    at = datetime(2024, 5, 6, 10, 0, tzinfo=timezone.get_current_timezone())
    assert services.record_event(occurrence=at.isoformat(), occurred_at=at, **kwargs)
    assert services.record_event(occurrence=at.isoformat(), occurred_at=at, **kwargs) is None
    later = at + timedelta(hours=1)
    assert services.record_event(occurrence=later.isoformat(), occurred_at=later, **kwargs)


def test_stale_subscriptions_are_forgotten(world):
    now = timezone.now()
    old = now - timedelta(days=8)
    never_confirmed = SubscriptionFactory(
        roadmap=world["roadmap"], status=Subscription.Status.PENDING, requested_at=old, confirmed_at=None
    )
    waiting = SubscriptionFactory(
        measure=world["measure"], status=Subscription.Status.PENDING, confirmed_at=None
    )
    long_gone = SubscriptionFactory(
        measure=world["other"],
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at=now - timedelta(days=31),
    )
    recently_gone = SubscriptionFactory(
        roadmap=world["roadmap"],
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at=now - timedelta(days=2),
    )
    confirmed = SubscriptionFactory(roadmap=world["roadmap"], confirmed_at=old)
    assert tasks.forget_stale_subscriptions() == 2
    left = set(Subscription.objects.values_list("pk", flat=True))
    assert left == {waiting.pk, recently_gone.pk, confirmed.pk}
    assert never_confirmed.pk not in left and long_gone.pk not in left


@pytest.mark.parametrize("followers", [3, 40])
def test_collecting_letters_costs_the_same_queries_for_3_or_40_followers(
    world, on_commit, followers, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(services, "DIGEST_BATCH", 25)  # 40 followers: two batches, still a fixed count each
    for n in range(followers):
        SubscriptionFactory(roadmap=world["roadmap"], email=f"f{n}@example.ru")
    with mock.patch.object(services, "schedule_delivery"):
        on_commit(accept, world["measure"], world["coordinator"])
        on_commit(
            move_deadline, DeadlineFactory(measure=world["measure"]), date(2030, 1, 1), reason="перенос"
        )
    services.fan_out_due_events()
    batches = -(-followers // 25)
    with django_assert_max_num_queries(1 + 6 * batches):
        digests = services.collect_digests()
    # One letter per follower, holding both events; nothing left unassigned.
    assert len(digests) == followers == Digest.objects.count()
    assert not Delivery.objects.filter(digest__isnull=True).exists()
    per_digest = Delivery.objects.values("digest_id").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_digest) == {2}
    assert services.collect_digests() == []


def test_the_mail_prints_the_event_time_in_the_municipalitys_zone(world, on_commit, settings):
    settings.TIME_ZONE = "Europe/Moscow"  # the server's zone: 23:30 of the 14th there
    roadmap = world["roadmap"]
    roadmap.municipality.time_zone = "Asia/Yekaterinburg"
    roadmap.municipality.save(update_fields=["time_zone"])
    SubscriptionFactory(roadmap=roadmap, email="a@example.ru", confirmed_at=datetime(2022, 3, 1, tzinfo=UTC))
    with mock.patch.object(services, "schedule_delivery"):
        on_commit(
            services.record_event,
            kind=FollowEvent.Kind.REPORT_PUBLISHED,
            object_key="report:1",
            occurrence="1",
            title=roadmap.title,
            link=roadmap.get_absolute_url(),
            occurred_at=datetime(2022, 3, 14, 20, 30, tzinfo=UTC),
            roadmap_id=roadmap.pk,
            data={"kind": "annual", "period": "2021"},
        )
    on_commit(tasks.deliver)
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "15.03.2022 01:30 — " in body  # Yekaterinburg, UTC+5: past midnight, the next day
        assert "14.03.2022" not in body and "23:30" not in body
    assert timezone.get_current_timezone_name() == "Europe/Moscow"  # the worker's zone is left as it was
