from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Обсуждения и опросы")

    def ready(self):
        from openness_portal import admin_site

        from . import dashboard, signals  # noqa: F401 - signals connects the receivers that drop cached discussions

        admin_site.register_dashboard(dashboard.moderator_dashboard)
