from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = _("Дорожные карты")

    def ready(self):
        from openness_portal import admin_site, views

        from . import dashboard, signals, workspace  # noqa: F401 - signals connects its receivers

        admin_site.register_admin_urls(workspace.admin_urls)
        admin_site.register_dashboard(dashboard.dashboard_context)
        admin_site.register_app_list_filter(dashboard.executor_app_list)
        views.register_home_context(dashboard.home_context)
