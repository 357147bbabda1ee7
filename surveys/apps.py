from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Обсуждения и опросы")

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers that drop cached discussions
