"""Staff admin: report jobs (order, progress, download, publish, rebuild) and reporting periods."""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin
from municipalities.models import StaffRole
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each

from . import services
from .models import Report, ReportingPeriod


class ReportRequestForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["roadmap", "region", "period", "kind", "format"]

    def clean(self):
        data = super().clean()
        services.validate_request(
            roadmap=data.get("roadmap"),
            region=data.get("region", ""),
            period=data.get("period", ""),
            kind=data.get("kind", ""),
            fmt=data.get("format", ""),
        )
        return data


@admin.register(Report)
class ReportAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    municipality_path = "roadmap__municipality"
    form = ReportRequestForm
    list_display = [
        "__str__",
        "scope",
        "status_badge",
        "rows",
        "duration",
        "requested_by",
        "requested_at",
        "published_at",
        "download_link",
    ]
    list_filter = ["status", "kind", "format", "period", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["roadmap__municipality", "requested_by"]
    search_fields = ["roadmap__title", "roadmap__municipality__name", "region", "period"]
    readonly_fields = [
        "status",
        "error",
        "file",
        "checksum",
        "size",
        "rows",
        "attempts",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "published_at",
        "published_by",
        "download_link",
    ]
    actions = ["publish", "unpublish", "rebuild"]
    date_hierarchy = "requested_at"

    def _scope(self, request, qs):
        if request.user.is_superuser:
            return qs
        role = access.role_of(request.user)
        municipalities = access.visible_municipalities(request.user)
        condition = Q(roadmap__municipality__in=municipalities)
        if role and role.role == StaffRole.Role.SUPERVISOR:
            condition |= Q(roadmap__isnull=True, **({"region": role.region} if role.region else {}))
        return qs.filter(condition)

    def _municipality_id(self, obj):
        return obj.roadmap.municipality_id if obj.roadmap_id else None

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a built report is a frozen snapshot: its parameters do not change
            return [*self.readonly_fields, "roadmap", "region", "period", "kind", "format"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["roadmap", "region", "period", "kind", "format"]
        return super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        role = access.role_of(request.user)
        return request.user.is_superuser or bool(role and role.role != StaffRole.Role.EXECUTOR)

    def save_model(self, request, obj, form, change):
        if change:
            return
        report = services.request_report(
            roadmap=obj.roadmap,
            region=obj.region,
            period=obj.period,
            kind=obj.kind,
            fmt=obj.format,
            user=request.user,
        )
        obj.pk = report.pk
        obj.refresh_from_db()

    @admin.display(description=_("дорожная карта / субъект"))
    def scope(self, obj):
        if obj.roadmap_id:
            return f"{obj.roadmap.municipality.name}: {obj.roadmap.title[:60]}"
        return obj.region or _("все субъекты")

    @admin.display(description=_("состояние"), ordering="status")
    def status_badge(self, obj):
        if obj.status == Report.Status.FAILED:
            return format_html('<span title="{}">{} ⚠</span>', obj.error, obj.get_status_display())
        if obj.status == Report.Status.BUILDING and obj.started_at:
            seconds = int((timezone.now() - obj.started_at).total_seconds())
            return format_html("{} ({} с)", obj.get_status_display(), seconds)
        return obj.get_status_display()

    @admin.display(description=_("время, с"))
    def duration(self, obj):
        if obj.started_at and obj.finished_at:
            return f"{(obj.finished_at - obj.started_at).total_seconds():.1f}"
        return "—"

    @admin.display(description=_("файл"))
    def download_link(self, obj):
        if obj.status != Report.Status.READY or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("reports:download", args=[obj.pk]), _("скачать"))

    def _apply(self, request, queryset, service, done_message):
        apply_to_each(self, request, queryset, service, done_message, user=request.user)

    @admin.action(description=_("Опубликовать на сайте (и открыть обсуждение)"))
    def publish(self, request, queryset):
        done = ngettext_lazy("Опубликовано отчетов: %(count)d.", "Опубликовано отчетов: %(count)d.", "count")
        self._apply(request, queryset, services.publish_report, done)

    @admin.action(description=_("Снять с публикации"))
    def unpublish(self, request, queryset):
        done = ngettext_lazy("Снято с публикации: %(count)d.", "Снято с публикации: %(count)d.", "count")
        self._apply(request, queryset, services.unpublish_report, done)

    @admin.action(description=_("Сформировать заново (новый снимок)"))
    def rebuild(self, request, queryset):
        done = ngettext_lazy(
            "Поставлено в очередь отчетов: %(count)d.", "Поставлено в очередь отчетов: %(count)d.", "count"
        )
        self._apply(request, queryset, services.rebuild_report, done)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ScopedAdminMixin, admin.ModelAdmin):
    municipality_path = "roadmap__municipality"
    list_display = ["__str__", "roadmap", "kind", "due_date", "owner"]
    list_filter = ["kind", "roadmap__municipality"]
    list_select_related = ["roadmap__municipality", "owner"]
    readonly_fields = ["roadmap", "code", "kind", "starts_on", "ends_on"]
    fields = ["roadmap", "code", "kind", "starts_on", "ends_on", "due_date", "owner"]
    actions = ["build_report"]

    def has_add_permission(self, request, obj=None):
        return False  # created with the roadmap

    @admin.action(description=_("Сформировать отчет за период (DOCX, XLSX, PDF)"))
    def build_report(self, request, queryset):
        def request_every_format(period, *, user):
            for fmt in Report.Format.values:
                services.request_report(
                    roadmap=period.roadmap, period=period.code, kind=period.report_kind, fmt=fmt, user=user
                )

        apply_to_each(
            self,
            request,
            queryset.select_related("roadmap"),
            request_every_format,
            ngettext_lazy(
                "Поставлены в очередь отчеты за периоды: %(count)d.",
                "Поставлены в очередь отчеты за периоды: %(count)d.",
                "count",
            ),
            user=request.user,
        )
