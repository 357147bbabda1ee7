from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from roadmaps.selectors import municipalities_with_roadmaps


def home(request):
    """Municipalities and their public roadmaps."""
    return render(request, "home.html", {"municipalities": municipalities_with_roadmaps()})


@require_GET
def switch_language(request):
    """Language links instead of a POST form: public pages then carry no CSRF token and can be cached whole.

    Choosing a language changes nothing but a display preference, so a forged link can do no harm."""
    language = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=not settings.DEBUG,
        )
    return response
