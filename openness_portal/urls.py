"""URL map. Each domain app brings its public pages (`<app>.urls`) and its API (`<app>.api.urls`)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import accessibility, health, views
from .discovery import app_modules


class PortalAPIRoot(DefaultRouter.APIRootView):
    """API портала открытости, версия 1. Документация: /api/docs/."""


def _api_urls():
    """One browsable root for every app's router, plus the apps' extra (non-router) API paths."""
    root = DefaultRouter()
    root.APIRootView = PortalAPIRoot
    extra = []
    # opendata answers CKAN's Action API (opendata.urls), not a DRF router: it has no api.urls
    for module in app_modules("api.urls"):
        root.registry.extend(module.router.registry)
        extra.extend(getattr(module, "urlpatterns", []))  # an app with API paths no router makes
    return extra + root.urls


urlpatterns = [
    path("", views.home, name="home"),
    # Answered by health.ProbeMiddleware before these patterns are reached; named here for reverse().
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("health/", health.ready, name="health"),
    path("metrics/", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(_api_urls())),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", views.switch_language, name="switch_language"),
    path("low-vision/", accessibility.low_vision, name="low_vision"),
    path("privacy/", views.privacy, name="privacy"),
]
for module in app_modules("urls"):
    urlpatterns.append(path("", include(module)))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "openness_portal.views.page_not_found"
handler500 = "openness_portal.views.server_error"
