"""Targeted mailings: consenting members get one letter each, re-runs send nothing, the link unsubscribes."""

import re
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from referents import services, tasks
from referents.models import GroupMembership, Interaction, Mailing, MailingDelivery
from tests.factories import StaffRoleFactory
from tests.referents.factories import (
    MailingFactory,
    MembershipFactory,
    ReferentGroupFactory,
)

pytestmark = pytest.mark.django_db

URL_RE = re.compile(r"https?://\S+/referents/unsubscribe/\S+/")


@pytest.fixture
def group_of_four():
    """Four members; the last one withdrew consent to personal-data processing."""
    group = ReferentGroupFactory(name="Представители СМИ")
    members = [MembershipFactory(group=group).participant for _ in range(4)]
    services.withdraw_consent(members[3])
    return group, members


@pytest.fixture
def coordinator(group_of_four):
    return StaffRoleFactory(municipality=group_of_four[0].municipality).user


def _send(mailing, user, capture):
    with capture(execute=True):
        return services.start_mailing(mailing, user=user)


def test_mailing_reaches_consenting_members_once_and_not_the_withdrawn_one(
    group_of_four, coordinator, django_capture_on_commit_callbacks
):
    group, members = group_of_four
    mailing = MailingFactory(group=group)

    queued = _send(mailing, coordinator, django_capture_on_commit_callbacks)

    assert queued == 3
    recipients = sorted(addr for message in mail.outbox for addr in message.to)
    assert recipients == sorted(p.email for p in members[:3])
    statuses = dict(mailing.deliveries.values_list("participant_id", "status"))
    assert statuses == {
        members[0].pk: "sent",
        members[1].pk: "sent",
        members[2].pk: "sent",
        members[3].pk: "skipped",
    }
    assert "отозвано" in mailing.deliveries.get(participant=members[3]).reason
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailing.sent_at is not None
    # The mailing is logged once as an interaction with the group (seed 001, 6.3: адресная рассылка).
    interaction = Interaction.objects.get(mailing=mailing)
    assert interaction.participants_count == 3 and interaction.tool.name.startswith("адресная рассылка")


def test_rerunning_the_send_tasks_sends_nothing_more(
    group_of_four, coordinator, django_capture_on_commit_callbacks
):
    group, _members = group_of_four
    mailing = MailingFactory(group=group)
    _send(mailing, coordinator, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    all_ids = list(mailing.deliveries.values_list("pk", flat=True))

    tasks.send_mailing.delay(mailing.pk)
    tasks.send_mailing_batch.delay(mailing.pk, all_ids)
    tasks.resume_mailings.delay()

    assert len(mail.outbox) == 3
    assert Interaction.objects.filter(mailing=mailing).count() == 1


def test_a_row_claimed_by_another_worker_is_not_sent_twice(group_of_four, coordinator):
    group, members = group_of_four
    mailing = MailingFactory(group=group)
    with mock.patch("referents.tasks.send_mailing.delay"):
        services.start_mailing(mailing, user=coordinator)
    claimed = mailing.deliveries.get(participant=members[0])
    MailingDelivery.objects.filter(pk=claimed.pk).update(status="sending", claimed_at=timezone.now())

    sent = services.send_mailing_batch(mailing.pk, list(mailing.deliveries.values_list("pk", flat=True)))

    assert sent == 2
    assert members[0].email not in [m.to[0] for m in mail.outbox]
    # A claim left by a killed worker is taken over after the stale period.
    MailingDelivery.objects.filter(pk=claimed.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert services.send_mailing_batch(mailing.pk, [claimed.pk]) == 1
    assert len(mail.outbox) == 3


def test_consent_withdrawn_after_queueing_is_honoured_at_send_time(group_of_four, coordinator):
    group, members = group_of_four
    mailing = MailingFactory(group=group)
    with mock.patch("referents.tasks.send_mailing.delay"):
        services.start_mailing(mailing, user=coordinator)
    services.withdraw_consent(members[1])

    tasks.send_mailing(mailing.pk)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([members[0].email, members[2].email])
    assert mailing.deliveries.get(participant=members[1]).status == MailingDelivery.Status.SKIPPED


def test_a_transient_smtp_failure_is_retried_without_duplicates(group_of_four, coordinator):
    group, _members = group_of_four
    mailing = MailingFactory(group=group)
    with mock.patch("referents.tasks.send_mailing.delay"):
        services.start_mailing(mailing, user=coordinator)
    ids = list(mailing.deliveries.values_list("pk", flat=True))
    real_send = mail.EmailMessage.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", flaky), pytest.raises(SMTPServerDisconnected):
        services.send_mailing_batch(mailing.pk, ids)
    assert mailing.deliveries.filter(status="failed").count() == 1
    services.send_mailing_batch(mailing.pk, ids)  # what the task's retry does
    services.finish_mailing_if_done(mailing.pk)

    assert len(mail.outbox) == 3
    assert len({m.to[0] for m in mail.outbox}) == 3
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_unsubscribe_link_works_without_login_and_stops_the_next_mailing(
    client, group_of_four, coordinator, django_capture_on_commit_callbacks
):
    group, members = group_of_four
    _send(MailingFactory(group=group), coordinator, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [members[0].email])
    url = URL_RE.search(message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    path = url.split("://", 1)[1].split("/", 1)[1]

    page = client.get(f"/{path}")  # a link scanner's GET must not unsubscribe
    assert page.status_code == 200
    assert "Отказаться от рассылки" in page.content.decode()
    assert GroupMembership.objects.get(group=group, participant=members[0]).unsubscribed_at is None
    done = client.post(f"/{path}")
    assert done.status_code == 200
    assert "Вы отказались от рассылки" in done.content.decode()
    assert GroupMembership.objects.get(group=group, participant=members[0]).unsubscribed_at is not None

    mail.outbox.clear()
    _send(
        MailingFactory(group=group, subject="Вторая рассылка"),
        coordinator,
        django_capture_on_commit_callbacks,
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([members[1].email, members[2].email])


def test_a_tampered_unsubscribe_token_is_refused(client, group_of_four):
    group, members = group_of_four
    token = services.unsubscribe_token(members[0].pk, group.pk)
    forged = services.unsubscribe_token(members[1].pk, group.pk).split(":")[0] + ":" + token.split(":", 1)[1]
    response = client.post(reverse("referents:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert "Ссылка недействительна" in response.content.decode()
    assert not GroupMembership.objects.filter(unsubscribed_at__isnull=False).exists()


def test_only_a_coordinator_sends_and_only_once(group_of_four, coordinator):
    group, _ = group_of_four
    mailing = MailingFactory(group=group)
    executor = StaffRoleFactory(municipality=group.municipality, role="executor").user
    with pytest.raises(services.PermissionDenied):
        services.start_mailing(mailing, user=executor)
    with mock.patch("referents.tasks.send_mailing.delay"):
        services.start_mailing(mailing, user=coordinator)
        with pytest.raises(services.ValidationError, match="уже отправлена"):
            services.start_mailing(mailing, user=coordinator)


def test_admin_compose_and_send_action(
    client, group_of_four, coordinator, django_capture_on_commit_callbacks
):
    group, members = group_of_four
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:referents_mailing_add"),
        {
            "municipality": group.municipality.pk,
            "group": group.pk,
            "subject": "Пресс-релиз",
            "body": "Текст пресс-релиза",
            "deliveries-TOTAL_FORMS": 0,
            "deliveries-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailing = Mailing.objects.get(subject="Пресс-релиз")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:referents_mailing_changelist"),
            {"action": "send", "_selected_action": [mailing.pk]},
            follow=True,
        )
    assert "поставлено в очередь 3" in response.content.decode()
    assert len(mail.outbox) == 3
    change = client.get(reverse("admin:referents_mailing_change", args=[mailing.pk])).content.decode()
    assert "согласие на обработку персональных данных отозвано" in change
