from django.contrib import admin

from .models import CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "reason", "region")
    list_filter = ("is_working_day", "region")
    date_hierarchy = "date"
    search_fields = ("reason", "region")
    ordering = ("-date",)
