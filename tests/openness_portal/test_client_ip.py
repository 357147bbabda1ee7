"""One rule for the client's address: the proxy's own view of the client, never what the client wrote."""

import pytest
from django.test import RequestFactory

from openness_portal.client_ip import client_ip


@pytest.fixture
def rf():
    return RequestFactory()


def test_without_a_trusted_proxy_the_socket_address_counts_and_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.9"


def test_behind_one_proxy_the_address_nginx_saw_counts(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


def test_an_address_the_client_wrote_itself_is_not_believed(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(spoofed) == "198.51.100.7"


def test_a_request_that_skipped_the_proxy_or_sent_garbage_counts_by_socket(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"
    garbage = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.1.2.3"


def test_axes_is_configured_to_use_the_same_rule(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "openness_portal.client_ip.axes_client_ip"
