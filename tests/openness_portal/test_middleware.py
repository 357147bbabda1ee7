"""Library middlewares as configured, and the database health check: headers, messages, recovery."""

import time

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.urls import reverse

from surveys.models import ModerationSettings
from tests.surveys.factories import CommentFactory, open_discussion


def test_the_stock_middlewares_are_the_ones_configured():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.messages.middleware.MessageMiddleware" in settings.MIDDLEWARE
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.django_db
def test_every_page_carries_the_settings_content_security_policy(client):
    header = client.get(reverse("surveys:discussion_list"))["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in header.split("; ")}
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_messages_still_reach_the_next_page(client):
    discussion = open_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality)
    comment = CommentFactory(discussion=discussion)
    client.get(reverse("surveys:discussion_detail", args=[discussion.pk]))
    response = client.post(
        reverse("surveys:comment_flag", args=[discussion.pk, comment.pk]), {"reason": "spam"}, follow=True
    )
    assert "жалоба передана модератору" in response.content.decode()
    again = client.get(reverse("surveys:discussion_detail", args=[discussion.pk])).content.decode()
    assert "жалоба передана модератору" not in again  # shown once, then gone


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check (CI runs the suite on PostgreSQL)")
    import psycopg2

    def request():
        close_old_connections()  # what request_started does
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        close_old_connections()  # request_finished
        return pid

    old_health_checks = (
        connection.settings_dict["CONN_HEALTH_CHECKS"],
        connection.settings_dict["CONN_MAX_AGE"],
    )
    connection.settings_dict["CONN_HEALTH_CHECKS"], connection.settings_dict["CONN_MAX_AGE"] = True, 60
    connection.close()
    try:
        first = request()
        assert request() == first  # a healthy connection is kept
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        admin = psycopg2.connect(**params)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        admin.close()
        time.sleep(0.2)
        assert request() != first  # noticed before use: a new connection, not an error
    finally:
        connection.close()
        connection.settings_dict["CONN_HEALTH_CHECKS"], connection.settings_dict["CONN_MAX_AGE"] = (
            old_health_checks
        )
