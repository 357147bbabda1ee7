"""«Версия для слабовидящих» (GOST R 52872-2019): larger type, high-contrast colours, images off.

The choice is a cookie read by a small static script, so cached public pages stay one copy for everyone;
the links are GET for the same reason as the language links (a display preference, harmless if forged).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

COOKIE_NAME = "osp_low_vision"
COOKIE_MAX_AGE = 365 * 24 * 3600
CHOICES = {
    "size": ("normal", "large", "xlarge"),
    "scheme": ("black-on-white", "white-on-black", "blue-on-light-blue"),
    "images": ("on", "off"),
}
DEFAULTS = {"size": "large", "scheme": "black-on-white", "images": "on"}


def parse_preferences(raw: str) -> dict[str, str]:
    """The visitor's stored choices, unknown keys and values dropped, defaults for the rest."""
    preferences = dict(DEFAULTS)
    for pair in (raw or "").split("."):
        key, _sep, value = pair.partition("-")
        if key in CHOICES and value in CHOICES[key]:
            preferences[key] = value
    return preferences


def serialize_preferences(preferences: dict[str, str]) -> str:
    # Cookie-safe without quoting: keys and values are fixed words joined by "-" and ".".
    return ".".join(f"{key}-{preferences[key]}" for key in CHOICES)


def _safe_next(request) -> str:
    target = request.GET.get("next", "/")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_GET
def low_vision(request):
    """Turn the low-vision version on or off, or change one of its settings, and go back."""
    response = HttpResponseRedirect(_safe_next(request))
    if request.GET.get("mode") == "off":
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return response
    preferences = parse_preferences(request.COOKIES.get(COOKIE_NAME, ""))
    for key, allowed in CHOICES.items():
        value = request.GET.get(key)
        if value in allowed:
            preferences[key] = value
    response.set_cookie(
        COOKIE_NAME,
        serialize_preferences(preferences),
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=not settings.DEBUG,
        # Read by static/js/low-vision.js before the page is painted.
        httponly=False,
    )
    return response
