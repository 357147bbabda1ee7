from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .registry import Registry


def privacy(request):
    """What personal data the portal keeps, why, for how long, and how to have it removed (152-ФЗ)."""
    return render(request, "privacy.html", {"retention_days": settings.RETENTION_NOTIFICATION_DAYS})


_home_context = Registry()


def register_home_context(fn: Callable[[HttpRequest], dict]) -> Callable:
    """`fn(request)` gives context for home.html (roadmaps gives the municipalities and their roadmaps)."""
    return _home_context.register(fn)


def home(request):
    """The start page: what the apps registered for it (municipalities and their public roadmaps)."""
    context = {}
    for fn in _home_context:
        context.update(fn(request))
    return render(request, "home.html", context)


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


def page_not_found(request, exception=None):
    """Russian 404 in the portal's layout (Django's default is an English page without it)."""
    return render(request, "404.html", status=404)


def server_error(request):
    """Russian 500 in the portal's layout; falls back to plain text if the layout itself is what fails."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page must render even when templates, database or cache are what broke
        return HttpResponse(
            _("Ошибка на сервере. Мы уже знаем о ней; попробуйте обновить страницу позже."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )


@never_cache
@transaction.non_atomic_requests  # a scrape every few seconds must not open a database transaction
def metrics(request):
    """Prometheus metrics for a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`; 404 otherwise."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    sent = request.headers.get("Authorization", "")
    if not constant_time_compare(sent, f"Bearer {token}"):
        response = HttpResponse(_("Нужен токен доступа к метрикам."), status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
