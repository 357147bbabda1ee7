from django.contrib import admin
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from .digests import render_stored_digest
from .models import Notification, Reminder
from .registry import registered_staff_scope
from .stages import stage_code, stage_label


class _ScopedReadOnlyAdmin(admin.ModelAdmin):
    """A log: nobody adds or edits rows; staff see only their municipalities (the municipality filter too:
    RelatedOnlyFieldListFilter offers those of the rows shown)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        scope = registered_staff_scope()
        if scope is None:
            return request.user.is_active and request.user.is_superuser
        return scope.can_view(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        scope = registered_staff_scope()
        if scope is None:
            return qs.none()
        return qs.filter(municipality__in=scope.visible_municipalities(request.user))


@admin.register(Notification)
class NotificationAdmin(_ScopedReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["recipient", "email", "subject", "key"]
    list_select_related = ["municipality"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields] + ["text_to_be_sent"]

    @admin.display(description=_("текст, который будет отправлен"))
    def text_to_be_sent(self, obj):
        """A digest gets its text when the delivery task sends it: until then, show what it would say."""
        if not obj.is_rendered_when_sent:
            return _("— (текст письма — в поле «текст»)")
        try:
            text, _html = render_stored_digest(obj)
        except ValueError:
            return _(
                "Напоминаний этой сводки в журнале нет: письмо не составить, отправка завершится ошибкой."
            )
        # escape(), not format_html alone: the rendered template is marked safe, and its text is not HTML.
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', escape(text))


@admin.register(Reminder)
class ReminderAdmin(_ScopedReadOnlyAdmin):
    list_display = ["day", "recipient", "kind", "stage_shown", "what", "due_date", "municipality"]
    list_filter = ["kind", "day", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["recipient_name", "email", "title", "subject_key", "recipient_key"]
    search_help_text = _(
        "Ищите по тексту напоминания, получателю, сроку («deadline:123», номер из адреса страницы срока) или "
        "получателю-ключу («department:5», «official:7»)."
    )
    list_select_related = ["municipality"]
    date_hierarchy = "day"
    readonly_fields = [f.name for f in Reminder._meta.fields]

    @admin.display(description=_("получатель"), ordering="recipient_key")
    def recipient(self, obj):
        return f"{obj.recipient_name} <{obj.email}>" if obj.email else obj.recipient_name or obj.recipient_key

    @admin.display(description=_("этап"), ordering="stage")
    def stage_shown(self, obj):
        return stage_label(stage_code(obj.stage))

    @admin.display(description=_("что"))
    def what(self, obj):
        if obj.link:
            return format_html('<a href="{}">{}</a>', obj.link, obj.title or obj.subject_key)
        return obj.title or obj.subject_key
