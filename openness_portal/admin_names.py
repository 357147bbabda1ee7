"""Model names in the accusative case for the admin's «Добавить …», «Изменить …», «Выберите … для изменения»,
«Удалить …».

Django builds those texts from `verbose_name`, which is in the nominative: «Добавить информация о ходе
реализации», «Добавить дорожная карта», «Добавить участник». Feminine nouns in -а/-я and animate nouns
change in the accusative, so their accusative is listed here (keyed by `app_label.model_name`); every other
name reads the same in both cases. The admin site (`PortalAdminSite.register`) gives each ModelAdmin these
titles, and the templates in templates/admin/ use them for the add button and breadcrumbs. The delete pages
(one object and the «delete selected» action) name what they delete in the accusative too, the plural from
ACCUSATIVE_PLURAL where it differs from the nominative plural (animate nouns, and a singular name used for the
plural).
"""

import functools

from django.template.response import TemplateResponse
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

ACCUSATIVE_PLURAL = {
    "auth.user": _("пользователей"),
    "municipalities.official": _("должностных лиц"),
    "referents.participant": _("участников референтных групп"),
    "roadmaps.progressentry": _("информацию о ходе реализации"),
}

# The action's label agrees with the name («выбранных участников», «выбранную информацию»), so it is one phrase.
DELETE_SELECTED_LABEL = {
    "auth.user": _("Удалить выбранных пользователей"),
    "municipalities.official": _("Удалить выбранных должностных лиц"),
    "referents.participant": _("Удалить выбранных участников референтных групп"),
    "roadmaps.progressentry": _("Удалить выбранную информацию о ходе реализации"),
}


def _translated(names: dict, opts, fallback) -> str:
    """`names[opts]` translated; in another language with no translation of it yet, `fallback` (translated)."""
    msgid = names.get(opts.label_lower)
    if msgid is None:
        return str(fallback)
    text = gettext(msgid)
    if text == msgid and not (get_language() or "ru").startswith("ru"):
        return str(fallback)
    return text


def accusative(opts) -> str:
    """The model's name as the object of «Добавить»/«Изменить»/«Удалить»: `opts` is a model's `_meta`."""
    return _translated(ACCUSATIVE, opts, opts.verbose_name)


def accusative_plural(opts) -> str:
    """The model's plural name as the object of «Удалить»."""
    return _translated(ACCUSATIVE_PLURAL, opts, opts.verbose_name_plural)


def _delete_selected_in_accusative(action):
    """Django's «delete selected» action, whose confirmation page names the objects in the accusative."""

    @functools.wraps(action)
    def delete_selected(modeladmin, request, queryset):
        response = action(modeladmin, request, queryset)
        if isinstance(response, TemplateResponse):  # the confirmation page, not rendered yet
            opts = modeladmin.opts
            context = response.context_data
            # len() fills the queryset's cache, which the page's list of hidden ids then reads
            name = accusative(opts) if len(queryset) == 1 else accusative_plural(opts)
            cannot_delete = gettext("Cannot delete %(name)s")
            if context["title"] == cannot_delete % {"name": context["objects_name"]}:
                context["title"] = cannot_delete % {"name": name}
            context["objects_name"] = name
        return response

    return delete_selected


class AccusativeTitlesMixin:
    """«Добавить/Изменить/Просмотреть <accusative>» and «Выберите <accusative> для изменения» as titles,
    `accusative_name` in the context for the add button and breadcrumbs (templates/admin/), and the delete
    pages and the «delete selected» action in the accusative."""

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

    def render_delete_form(self, request, context):
        name = accusative(self.opts)
        cannot_delete = gettext("Cannot delete %(name)s")
        if context.get("title") == cannot_delete % {"name": self.opts.verbose_name}:
            context["title"] = cannot_delete % {"name": name}
        context["object_name"] = name
        return super().render_delete_form(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            action, name, label = actions["delete_selected"]
            label = _translated(DELETE_SELECTED_LABEL, self.opts, label)
            actions["delete_selected"] = (_delete_selected_in_accusative(action), name, label)
        return actions
