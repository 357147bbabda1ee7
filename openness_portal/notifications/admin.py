from django.contrib import admin

from .models import Notification, Reminder


class _ScopedReadOnlyAdmin(admin.ModelAdmin):
    """A log: nobody adds or edits rows; staff see only their municipalities."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        from roadmaps.access import role_of

        return request.user.is_active and (request.user.is_superuser or role_of(request.user) is not None)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        from roadmaps.access import visible_municipalities

        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(municipality__in=visible_municipalities(request.user))


@admin.register(Notification)
class NotificationAdmin(_ScopedReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "municipality"]
    search_fields = ["recipient", "email", "subject", "key"]
    list_select_related = ["municipality"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Reminder)
class ReminderAdmin(_ScopedReadOnlyAdmin):
    list_display = ["day", "recipient_name", "email", "kind", "stage", "title", "due_date", "municipality"]
    list_filter = ["kind", "day", "municipality"]
    search_fields = ["recipient_name", "email", "title", "subject_key", "recipient_key"]
    list_select_related = ["municipality"]
    date_hierarchy = "day"
    readonly_fields = [f.name for f in Reminder._meta.fields]
