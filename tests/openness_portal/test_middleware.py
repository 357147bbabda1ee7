"""The cheaper middlewares and database health check: same headers, same messages, same recovery."""

import time

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.db import close_old_connections, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from openness_portal.middleware import CSPMiddleware
from surveys.models import ModerationSettings
from tests.surveys.factories import CommentFactory, open_discussion


def _both(request, view):
    """The header from our middleware and from django-csp's own, for the same request and view."""
    ours = CSPMiddleware(view)(request)
    library = LibraryCSPMiddleware(view)(RequestFactory().get(request.path))
    return ours, library


def _directives(header):
    return sorted(part.strip() for part in header.split(";"))


def test_csp_header_is_the_librarys():
    ours, library = _both(RequestFactory().get("/"), lambda request: HttpResponse("ok"))
    assert _directives(ours["Content-Security-Policy"]) == _directives(library["Content-Security-Policy"])
    assert "Content-Security-Policy-Report-Only" not in ours


def test_csp_nonce_and_decorators_still_go_the_librarys_way(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    response = CSPMiddleware(with_nonce)(RequestFactory().get("/"))
    assert f"script-src 'self' 'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]

    @csp_update({"img-src": "https://tiles.example"})
    def with_update(request):
        return HttpResponse("map")

    response = CSPMiddleware(with_update)(RequestFactory().get("/"))
    assert "https://tiles.example" in response["Content-Security-Policy"]
    plain = CSPMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert "https://tiles.example" not in plain["Content-Security-Policy"]


def test_csp_follows_a_settings_change(settings):
    CSPMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))  # builds and keeps it
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = CSPMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"


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
        assert request() == first  # a quiet healthy connection is kept, with no SELECT 1
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
