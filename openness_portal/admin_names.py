"""Model names in the accusative case for the admin's «Добавить …», «Изменить …», «Выберите … для изменения».

Django builds those texts from `verbose_name`, which is in the nominative: «Добавить информация о ходе
реализации», «Добавить дорожная карта», «Добавить участник». Feminine nouns in -а/-я and animate nouns
change in the accusative, so their accusative is listed here (keyed by `app_label.model_name`); every other
name reads the same in both cases. The admin site (`PortalAdminSite.register`) gives each ModelAdmin these
titles, and the templates in templates/admin/ use them for the add button and breadcrumbs.
"""

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as _

ACCUSATIVE = {
    "auth.group": _("группу"),
    "auth.user": _("пользователя"),
    "django_celery_beat.periodictask": _("периодическую задачу"),
    "axes.accessfailurelog": _("ошибку доступа"),
    "roadmaps.roadmap": _("дорожную карту"),
    "roadmaps.progressentry": _("информацию о ходе реализации"),
    "importing.importjob": _("загрузку дорожной карты из файла"),
    "referents.referentgroup": _("референтную группу"),
    "referents.participant": _("участника референтной группы"),
    "referents.mailing": _("адресную рассылку"),
    "regions.ratingmethod": _("методику рейтинга открытости"),
    "following.subscription": _("подписку"),
}


def accusative(opts) -> str:
    """The model's name as the object of «Добавить»/«Изменить»: `opts` is a model's `_meta`.

    In another language with no translation of the accusative yet, the (translated) verbose_name is used.
    """
    msgid = ACCUSATIVE.get(opts.label_lower)
    if msgid is None:
        return str(opts.verbose_name)
    name = gettext(msgid)
    if name == msgid and not (get_language() or "ru").startswith("ru"):
        return str(opts.verbose_name)
    return name


class AccusativeTitlesMixin:
    """«Добавить/Изменить/Просмотреть <accusative>» and «Выберите <accusative> для изменения» as titles, and
    `accusative_name` in the context for the add button and breadcrumbs (templates/admin/)."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if changelist.is_popup:
            title = gettext("Select %s")
        elif self.has_change_permission(request):
            title = gettext("Select %s to change")
        else:
            title = gettext("Select %s to view")
        if changelist.title == title % self.opts.verbose_name:  # not a title an admin set itself
            changelist.title = title % accusative(self.opts)
        return changelist

    def changelist_view(self, request, extra_context=None):
        extra_context = {"accusative_name": accusative(self.opts), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            title = gettext("Add %s")
        elif self.has_change_permission(request, obj):
            title = gettext("Change %s")
        else:
            title = gettext("View %s")
        if context.get("title") == title % self.opts.verbose_name:
            context["title"] = title % accusative(self.opts)
        context.setdefault("accusative_name", accusative(self.opts))
        return super().render_change_form(request, context, add, change, form_url, obj)
