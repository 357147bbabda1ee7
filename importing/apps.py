from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportingConfig(AppConfig):
    name = "importing"
    verbose_name = _("Загрузка и выгрузка дорожных карт")

    def ready(self):
        from openness_portal import admin_site

        from .admin import legacy_admin_urls

        admin_site.register_admin_urls(legacy_admin_urls)
