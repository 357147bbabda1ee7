"""Staff admin for the open data register: passports, uploads of new versions, answers to citizens."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from municipalities.admin import ScopedAdminMixin
from openness_portal.admin_actions import ServiceErrorsOnFormMixin

from . import portal_sets, services
from .forms import PublishVersionForm, read_upload
from .models import DataIssueReport, Dataset, DatasetRequest, DatasetStructure, DatasetVersion
from .validation import UploadError


class StaleFilter(admin.SimpleListFilter):
    title = _("актуальность")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("требует актуализации")), ("no", _("актуален"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(next_update_due__lt=today)
        if self.value() == "no":
            return queryset.exclude(next_update_due__lt=today)
        return queryset


class VersionInline(admin.TabularInline):
    model = DatasetVersion
    fk_name = "dataset"
    extra = 0
    can_delete = False
    fields = ["label_link", "valid", "row_count", "provenance", "published_at", "published_by"]
    readonly_fields = fields
    ordering = ["-date"]
    verbose_name_plural = _("версии данных (неизменяемы)")

    @admin.display(description=_("файл"))
    def label_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.filename)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("structure", "dataset", "published_by")


class StructureInline(admin.TabularInline):
    model = DatasetStructure
    extra = 0
    can_delete = False
    fields = ["date", "field_list"]
    readonly_fields = fields
    ordering = ["-date"]

    @admin.display(description=_("поля"))
    def field_list(self, obj):
        return ", ".join(f"{f['name']} ({f['type']})" for f in obj.fields)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["identifier", "title", "owner", "periodicity", "modified", "freshness", "is_published"]
    list_filter = [StaleFilter, "periodicity", "is_published", "source", "municipality"]
    search_fields = ["identifier", "title", "keywords"]
    list_select_related = ["owner", "municipality"]
    readonly_fields = [
        "identifier",
        "uuid",
        "source",
        "created",
        "modified",
        "provenance",
        "valid",
        "next_update_due",
        "publish_link",
    ]
    inlines = [StructureInline, VersionInline]
    actions = ["refresh_portal_sets"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "municipality",
                    "code",
                    "identifier",
                    "title",
                    "description",
                    "keywords",
                    "is_published",
                ]
            },
        ),
        (
            _("Владелец и ответственное лицо"),
            {
                "fields": [
                    "owner",
                    "responsible_official",
                    "responsible_name",
                    "responsible_phone",
                    "responsible_email",
                ]
            },
        ),
        (
            _("Актуализация"),
            {
                "fields": [
                    "periodicity",
                    "created",
                    "modified",
                    "provenance",
                    "valid",
                    "next_update_due",
                    "publish_link",
                ]
            },
        ),
        (_("Правовые основания"), {"fields": ["legal_act", "terms_of_use", "source", "uuid"]}),
    ]

    @admin.display(description=_("актуальность"))
    def freshness(self, obj):
        if obj.is_stale(timezone.localdate()):
            return format_html("<strong>⚠ {}</strong>", _("требует актуализации"))
        return _("актуален")

    @admin.display(description=_("новая версия"))
    def publish_link(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:opendata_dataset_publish", args=[obj.pk]),
            _("Загрузить новую версию данных"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="opendata_dataset_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, pk):
        dataset = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, dataset):
            raise PermissionDenied
        if dataset.source != Dataset.Source.MANUAL:
            messages.warning(request, _("Этот набор обновляется порталом автоматически."))
        form = PublishVersionForm(request.POST or None, request.FILES or None, dataset=dataset)
        if request.method == "POST" and form.is_valid():
            try:
                version = services.publish_version(
                    dataset,
                    form.cleaned_data["content"],
                    structure_content=form.cleaned_data["structure_content"],
                    provenance=form.cleaned_data["provenance"],
                    version_date=form.cleaned_data["version_date"],
                    valid=form.cleaned_data["valid"],
                    user=request.user,
                )
            except UploadError as exc:
                form.add_error(None, exc.errors)
            else:
                messages.success(request, _("Опубликована версия %(label)s.") % {"label": version.label})
                return redirect("admin:opendata_dataset_change", dataset.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": dataset,
            "title": _("Новая версия набора «%(title)s»") % {"title": dataset.title},
            "form": form,
            "dataset": dataset,
            "current_structure": services.current_structure(dataset),
        }
        return TemplateResponse(request, "admin/opendata/publish.html", context)

    @admin.action(description=_("Обновить наборы портала (если данные изменились)"))
    def refresh_portal_sets(self, request, queryset):
        published = 0
        for dataset in queryset.exclude(source=Dataset.Source.MANUAL):
            if portal_sets.refresh_dataset(dataset):
                published += 1
        messages.info(request, _("Опубликовано новых версий: %(n)s.") % {"n": published})


class IssueAnswerForm(forms.ModelForm):
    corrected_file = forms.FileField(
        label=_("Исправленный файл данных (CSV)"),
        required=False,
        help_text=_("Будет опубликован новой версией с пометкой «исправление ошибки по обращению № …»."),
    )

    class Meta:
        model = DataIssueReport
        fields = ["status", "answer"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("corrected_file")
        if upload:
            cleaned["corrected_content"] = read_upload(upload)
            try:
                services.check_upload(self.instance.dataset, cleaned["corrected_content"])
            except UploadError as exc:
                raise forms.ValidationError(exc.errors) from exc
        elif cleaned.get("status") == DataIssueReport.Status.FIXED and not self.instance.fixed_version_id:
            self.add_error(
                "corrected_file", _("Чтобы отметить ошибку исправленной, загрузите исправленный файл.")
            )
        return cleaned


@admin.register(DataIssueReport)
class DataIssueReportAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = IssueAnswerForm
    list_display = ["number", "dataset", "status", "created_at", "answered_at"]
    list_filter = ["status", "dataset__municipality"]
    list_select_related = ["dataset"]
    search_fields = ["description", "dataset__identifier", "dataset__title"]
    readonly_fields = [
        "dataset",
        "version",
        "description",
        "location",
        "author_name",
        "author_email",
        "created_at",
        "answered_at",
        "answered_by",
        "fixed_version",
        "public_link",
    ]
    fields = [
        "dataset",
        "version",
        "description",
        "location",
        "author_name",
        "author_email",
        "created_at",
        "public_link",
        "status",
        "answer",
        "corrected_file",
        "answered_at",
        "answered_by",
        "fixed_version",
    ]

    @admin.display(description="№")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("публичная страница"))
    def public_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("статус обращения"))

    def has_add_permission(self, request, obj=None):
        return False  # citizens file reports on the public site

    def save_model(self, request, obj, form, change):
        try:
            services.answer_issue_report(
                obj,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
                user=request.user,
                corrected_content=form.cleaned_data.get("corrected_content"),
            )
        except UploadError as exc:
            # E.g. a later version exists: shown on the form, the report kept as it was (no «изменено
            # успешно» next to the error).
            raise ValidationError(exc.errors) from exc


@admin.register(DatasetRequest)
class DatasetRequestAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "municipality", "status", "created_at"]
    list_filter = ["status", "municipality"]
    search_fields = ["title", "description"]
    readonly_fields = [
        "municipality",
        "title",
        "description",
        "author_name",
        "author_email",
        "created_at",
        "answered_at",
    ]
    fields = [
        "municipality",
        "title",
        "description",
        "author_name",
        "author_email",
        "created_at",
        "status",
        "answer",
        "dataset",
        "answered_at",
    ]

    @admin.display(description="№")
    def number(self, obj):
        return obj.pk

    def has_add_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.answer_dataset_request(
            obj,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            dataset=form.cleaned_data.get("dataset"),
        )
