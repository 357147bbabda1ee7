"""The staff admin, whose start page is each role's dashboard (executor, coordinator, supervisor)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Портал открытости: администрирование")
    site_title = _("Портал открытости")
    index_title = _("Рабочий стол")
    index_template = "admin/portal_index.html"

    def index(self, request, extra_context=None):
        from roadmaps.dashboard import dashboard_context

        extra_context = {**(extra_context or {}), **dashboard_context(request)}
        return super().index(request, extra_context)
