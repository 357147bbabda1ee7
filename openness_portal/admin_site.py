"""The staff admin, whose start page is each role's dashboard (executor, coordinator, supervisor).

The site names no app: apps fill it in their AppConfig.ready() with `register_admin_urls` (pages of their own
under /admin/), `register_dashboard` (context for the start page) and `register_app_list_filter` (what a role
sees in the list of sections)."""

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .registry import Registry

_admin_urls = Registry()
_dashboards = Registry()
_app_list_filters = Registry()


def register_admin_urls(fn: Callable[[admin.AdminSite], list]) -> Callable:
    """`fn(site)` gives URL patterns placed before the site's own (wrap views in `site.admin_view`)."""
    return _admin_urls.register(fn)


def register_dashboard(fn: Callable[[HttpRequest], dict]) -> Callable:
    """`fn(request)` gives context for admin/portal_index.html, merged in registration order."""
    return _dashboards.register(fn)


def register_app_list_filter(fn: Callable[[HttpRequest, list[dict]], list[dict]]) -> Callable:
    """`fn(request, app_list)` returns the sections (and their models) the user is shown."""
    return _app_list_filters.register(fn)


class PortalAdminSite(admin.AdminSite):
    site_header = _("Портал открытости: администрирование")
    site_title = _("Портал открытости")
    index_title = _("Рабочий стол")
    index_template = "admin/portal_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin, the project's and third-party ones, gets titles in the right case."""
        from .admin_names import AccusativeTitlesMixin

        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AccusativeTitlesMixin):
            admin_class = type(
                admin_class.__name__,
                (AccusativeTitlesMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        extra = [pattern for fn in _admin_urls for pattern in fn(self)]
        return extra + super().get_urls()

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for fn in _app_list_filters:
            apps = fn(request, apps)
        return apps

    def index(self, request, extra_context=None):
        context = dict(extra_context or {})
        for fn in _dashboards:
            context.update(fn(request))
        return super().index(request, context)
