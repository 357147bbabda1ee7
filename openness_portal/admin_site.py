"""The staff admin, whose start page is each role's dashboard (executor, coordinator, supervisor)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Портал открытости: администрирование")
    site_title = _("Портал открытости")
    index_title = _("Рабочий стол")
    index_template = "admin/portal_index.html"

    def get_urls(self):
        from django.urls import path

        from roadmaps import workspace

        mine = [
            path(
                "my/",
                self.admin_view(lambda request: workspace.my_measures(request, self)),
                name="roadmaps_my_measures",
            ),
            path(
                "my/deadlines/<int:deadline_pk>/",
                self.admin_view(
                    lambda request, deadline_pk: workspace.report_on_deadline(request, self, deadline_pk)
                ),
                name="roadmaps_report_on_deadline",
            ),
        ]
        return mine + super().get_urls()

    # What an executor works with; the other models stay reachable by permission but are not listed.
    EXECUTOR_MODELS = {
        ("roadmaps", "progressentry"),
        ("roadmaps", "measure"),
        ("roadmaps", "deadline"),
        ("notifications", "notification"),
    }

    def get_app_list(self, request, app_label=None):
        from municipalities import access
        from municipalities.models import StaffRole

        apps = super().get_app_list(request, app_label)
        role = access.role_of(request.user)
        if request.user.is_superuser or not role or role.role != StaffRole.Role.EXECUTOR:
            return apps
        trimmed = []
        for app in apps:
            models = [
                m
                for m in app["models"]
                if (app["app_label"], m["object_name"].lower()) in self.EXECUTOR_MODELS
            ]
            if models:
                trimmed.append({**app, "models": models})
        return trimmed

    def index(self, request, extra_context=None):
        from roadmaps.dashboard import dashboard_context

        extra_context = {**(extra_context or {}), **dashboard_context(request)}
        return super().index(request, extra_context)
