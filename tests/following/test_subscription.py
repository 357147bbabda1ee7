"""Double opt-in, confirmation link, one-click unsubscribe, rate limits: what a citizen sees and gets."""

import re

import pytest
from django.core import mail
from django.test import Client

from following import services
from following.models import Subscription

from .factories import SubscriptionFactory, accept

pytestmark = pytest.mark.django_db


def _follow_url(kind, pk):
    return f"/follow/{kind}/{pk}/"


def _subscribe(client, on_commit, target_kind, pk, email="petrova@example.ru", consent=True):
    data = {"follow-email": email}
    if consent:
        data["follow-consent"] = "on"
    return on_commit(client.post, _follow_url(target_kind, pk), data)


def _link(message, name):
    match = re.search(rf"https?://\S+/follow/{name}/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_double_opt_in_no_mail_before_confirmation(client, world, on_commit):
    roadmap = world["roadmap"]
    response = _subscribe(client, on_commit, "roadmap", roadmap.pk)
    assert response.status_code == 200
    assert "Мы отправили письмо на адрес petrova@example.ru" in response.content.decode()

    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.roadmap == roadmap and subscription.consent_at is not None
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["petrova@example.ru"]
    assert "Подтвердите подписку" in confirmation.subject
    assert "/privacy/" in confirmation.body

    # Progress accepted while the subscription waits for confirmation: nothing is sent.
    on_commit(accept, world["measure"], world["coordinator"])
    assert len(mail.outbox) == 1

    # Confirmed: the next acceptance reaches the subscriber.
    confirm_url = _link(confirmation, "confirm")
    page = client.get(confirm_url)
    assert page.status_code == 200 and "Подтвердить подписку" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING  # a GET (a mail scanner) confirms nothing
    done = Client(enforce_csrf_checks=True).post(confirm_url)
    assert done.status_code == 200 and "Подписка подтверждена" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED and subscription.confirmed_at

    on_commit(accept, world["measure"], world["coordinator"], text="Отчет размещен на сайте.")
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert "Принята информация о ходе реализации мероприятия 2.4 Анализ обращений граждан" in notice.subject
    assert "Отчет размещен на сайте." in notice.body


def test_confirmation_link_forged_or_superseded_is_refused(client, world, on_commit):
    measure = world["measure"]
    _subscribe(client, on_commit, "measure", measure.pk)
    first = _link(mail.outbox[0], "confirm")
    assert client.post(first[:-3] + "xx/").status_code == 400

    # Asking again re-sends a link instead of a second row; only the newest link confirms.
    _subscribe(client, on_commit, "measure", measure.pk, email="Petrova@Example.ru ")
    assert Subscription.objects.count() == 1
    assert len(mail.outbox) == 2
    assert client.post(first).status_code == 400
    second = _link(mail.outbox[1], "confirm")
    assert client.post(second).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED
    # The link again after confirming: still fine, nothing changes.
    assert client.post(second).status_code == 200


def test_consent_and_address_are_required_nothing_saved(client, world, on_commit):
    roadmap = world["roadmap"]
    response = _subscribe(client, on_commit, "roadmap", roadmap.pk, consent=False)
    assert response.status_code == 400
    assert "Без согласия на обработку персональных данных подписаться нельзя." in response.content.decode()
    response = _subscribe(client, on_commit, "roadmap", roadmap.pk, email="не-адрес")
    assert response.status_code == 400
    assert "Укажите адрес электронной почты" in response.content.decode()
    assert not Subscription.objects.exists() and not mail.outbox


def test_draft_roadmap_cannot_be_followed(client, world, on_commit):
    roadmap = world["roadmap"]
    roadmap.status = roadmap.Status.DRAFT
    roadmap.save()
    assert _subscribe(client, on_commit, "roadmap", roadmap.pk).status_code == 404
    assert client.get(_follow_url("survey", 1)).status_code == 404


def test_the_form_cannot_flood_one_mailbox(client, world, on_commit, settings):
    roadmap = world["roadmap"]
    codes = [_subscribe(client, on_commit, "roadmap", roadmap.pk).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    # Another address from the same IP, many times: the per-IP limit stops it too.
    settings.FOLLOW_RATE_LIMITS = {"ip": [(2, 60)], "email": [(100, 60)]}
    codes = [
        _subscribe(client, on_commit, "roadmap", roadmap.pk, email=f"a{i}@example.ru").status_code
        for i in range(3)
    ]
    assert codes[-1] == 429
    assert (
        "Слишком много запросов подписки"
        in _subscribe(client, on_commit, "roadmap", roadmap.pk, email="b@example.ru").content.decode()
    )


def test_unsubscribe_one_click_post_without_csrf(world, on_commit):
    subscription = SubscriptionFactory(roadmap=world["roadmap"])
    on_commit(accept, world["measure"], world["coordinator"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = _link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    html = message.alternatives[0][0]
    assert link.replace("&", "&amp;") in html

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert page.status_code == 200 and "Отписаться" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED  # GET only asks

    # What a mail client sends for RFC 8058 one-click: a POST with that body, no cookie, no CSRF token.
    response = browser.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED and subscription.unsubscribed_at

    on_commit(accept, world["measure"], world["coordinator"], text="Еще одно.")
    assert len(mail.outbox) == 1  # nothing after unsubscribing
    assert browser.post(link[:-4] + "bad/").status_code == 400


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(client, world, on_commit):
    subscription = SubscriptionFactory(roadmap=world["roadmap"], email="petrova@example.ru")
    services.unsubscribe(subscription)
    _subscribe(client, on_commit, "roadmap", world["roadmap"].pk)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING
    on_commit(accept, world["measure"], world["coordinator"])
    assert [m.subject for m in mail.outbox] == [mail.outbox[0].subject]  # the confirmation only
    assert "Подтвердите подписку" in mail.outbox[0].subject


def test_asking_again_does_not_suspend_a_confirmed_subscription(client, world, on_commit):
    """Anyone may type someone's address in the form: that must not stop their mail."""
    subscription = SubscriptionFactory(roadmap=world["roadmap"], email="petrova@example.ru")
    _subscribe(client, on_commit, "roadmap", world["roadmap"].pk)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CONFIRMED
    on_commit(accept, world["measure"], world["coordinator"])
    assert len(mail.outbox) == 2  # the (harmless) confirmation link, then the notice
