"""Request ids and client IPs on every log line, and the JSON log format's fields."""

import contextvars
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

from openness_portal.client_ip import client_ip

_request_id = contextvars.ContextVar("request_id", default="-")
_client_ip = contextvars.ContextVar("client_ip", default="-")

# nginx's $request_id is 32 hex digits; other proxies send UUIDs. Anything else is not echoed back.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Take the request id from X-Request-ID (nginx sets it) or make one; return it in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (request_finished), not just until it leaves the middleware:
        # Django logs a 4xx/5xx («Not Found: …») after the middleware chain has returned.
        _request_id.set(request_id)
        _client_ip.set(client_ip(request) or "-")
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request(**kwargs):
    _request_id.set("-")
    _client_ip.set("-")


class RequestContextFilter:
    """A logging filter that adds request_id and client_ip (dashes outside a request, e.g. in Celery)."""

    def filter(self, record) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        if not hasattr(record, "client_ip"):
            record.client_ip = _client_ip.get()
        return True
