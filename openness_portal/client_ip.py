"""The client's IP address, one rule for comments, surveys, open-data counts, login lock-outs and logs.

Behind `TRUSTED_PROXY_COUNT` reverse proxies (nginx sets `X-Forwarded-For: $proxy_add_x_forwarded_for`),
the client is the address the outermost trusted proxy saw: that many entries from the right of the header.
Entries further left were written by the client itself and are never trusted.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address rate limits and lock-outs count by; REMOTE_ADDR when no proxy is trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < hops:
        # A request that reached the server without passing every trusted proxy (a probe on the pod IP).
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def axes_client_ip(request) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: lock-outs count by the same address as everything else."""
    return client_ip(request)
