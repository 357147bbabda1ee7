from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowingConfig(AppConfig):
    """Citizens following a roadmap, a measure or a discussion: e-mail with double opt-in, and Atom feeds.

    Sits above roadmaps, reports and surveys: they send domain signals, this app listens.
    """

    name = "following"
    verbose_name = _("Подписки жителей")

    def ready(self):
        from . import receivers

        receivers.connect()
