"""Staff admin: reports with their files (order, progress, download, publish, rebuild) and reporting periods."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin
from municipalities.models import StaffRole
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each
from openness_portal.periods import Period

from . import selectors, services
from .models import InformationLetter, Report, ReportFile, ReportingPeriod


def period_choices(today=None) -> list[tuple[str, str]]:
    """Years and half-years to choose from, newest first: a list, never free text («2 полугоди» was typed
    into the 10-character field and cut)."""
    today = today or timezone.localdate()
    choices = [("", "---------")]
    for year in range(today.year, 2016, -1):
        for period in (Period(year), Period(year, 2), Period(year, 1)):
            choices.append((period.code, str(period.label)))
    return choices


class ReportRequestForm(forms.ModelForm):
    period = forms.ChoiceField(label=_("отчетный период"), choices=period_choices)
    formats = forms.MultipleChoiceField(
        label=_("форматы"),
        choices=Report.Format.choices,
        initial=Report.Format.values,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Один отчет — по файлу в каждом отмеченном формате."),
    )

    class Meta:
        model = Report
        fields = ["roadmap", "region", "period", "kind"]

    def clean(self):
        data = super().clean()
        parsed = services.validate_request(
            roadmap=data.get("roadmap"),
            region=data.get("region", ""),
            period=data.get("period", ""),
            kind=data.get("kind", ""),
            formats=data.get("formats") or [],
        )
        # Ordering a report again is not a mistake: the same report gets the formats it lacks (save_model), so
        # the form stands for that report and its one-per-period constraint does not refuse it.
        existing = selectors.ordered_report(
            roadmap=data.get("roadmap"), region=data.get("region", ""), period=parsed.code, kind=data["kind"]
        )
        if existing is not None:
            self.instance = existing
        return data


class ReportFileInline(admin.TabularInline):
    """A report's files, read-only: each is built by its own job."""

    model = ReportFile
    extra = 0
    can_delete = False
    fields = ["format", "status", "error", "rows", "size", "checksum", "attempts", "finished_at", "download"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return True  # the report admin already limits which reports the user sees

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("файл"))
    def download(self, obj):
        if obj.status != ReportFile.Status.READY or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), _("скачать"))


@admin.register(Report)
class ReportAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = ReportRequestForm
    inlines = [ReportFileInline]
    list_display = [
        "__str__",
        "scope",
        "status_badge",
        "requested_by",
        "requested_at",
        "published_at",
        "file_links",
    ]
    list_filter = ["status", "kind", "period", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["roadmap__municipality", "requested_by"]
    search_fields = ["roadmap__title", "roadmap__municipality__name", "region", "period"]
    readonly_fields = [
        "status_badge",
        "requested_by",
        "requested_at",
        "published_at",
        "published_by",
        "file_links",
    ]
    actions = ["publish", "unpublish", "rebuild"]
    date_hierarchy = "requested_at"

    def get_queryset(self, request):
        return selectors.reports_with_files(super().get_queryset(request))

    def _scope(self, request, qs):
        return selectors.reports_visible_to(request.user, qs)  # with a supervisor's regional summaries

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a report's parameters do not change; its files are rebuilt by the action
            return ["roadmap", "region", "period", "kind", *self.readonly_fields]
        return []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["roadmap", "region", "period", "kind", "formats"]
        return self.get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        role = access.role_of(request.user)
        return request.user.is_superuser or bool(
            role and role.role in (StaffRole.Role.COORDINATOR, StaffRole.Role.SUPERVISOR)
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        ordered_before = obj.pk is not None
        report = services.request_report(
            roadmap=obj.roadmap,
            region=obj.region,
            period=obj.period,
            kind=obj.kind,
            formats=form.cleaned_data["formats"],
            user=request.user,
        )
        obj.pk = report.pk
        obj.refresh_from_db()
        if ordered_before:
            messages.info(
                request,
                _(
                    "Этот отчет уже был заказан: недостающие форматы добавлены, неудавшиеся файлы формируются заново."
                ),
            )

    @admin.display(description=_("дорожная карта / субъект"))
    def scope(self, obj):
        if obj.roadmap_id:
            return f"{obj.roadmap.municipality.name}: {obj.roadmap.title[:60]}"
        return obj.region or _("все субъекты")

    @admin.display(description=_("состояние"), ordering="status")
    def status_badge(self, obj):
        files = obj.files_in_order()
        if obj.status == Report.Status.FAILED:
            failed = [f for f in files if f.status == ReportFile.Status.FAILED]
            hint = _(
                "Не удалось сформировать: %(formats)s. Отметьте отчет и выберите действие «Сформировать заново "
                "по текущим данным»; если ошибка повторится, сообщите администратору портала. Причина: %(errors)s"
            ) % {
                "formats": ", ".join(f.get_format_display() for f in failed),
                "errors": "; ".join(f"{f.get_format_display()}: {f.error}" for f in failed),
            }
            return format_html(
                '<span title="{}">{} ⚠ {}</span>',
                hint,
                obj.get_status_display(),
                ", ".join(f.get_format_display() for f in failed),
            )
        if obj.status == Report.Status.BUILDING:
            ready = sum(f.status == ReportFile.Status.READY for f in files)
            return _("%(status)s (готово %(ready)d из %(total)d)") % {
                "status": obj.get_status_display(),
                "ready": ready,
                "total": len(files),
            }
        return obj.get_status_display()

    @admin.display(description=_("файлы"))
    def file_links(self, obj):
        links = []
        for file in obj.files_in_order():
            if file.status == ReportFile.Status.READY and file.file:
                links.append(
                    format_html('<a href="{}">{}</a>', file.get_download_url(), file.get_format_display())
                )
            else:
                links.append(
                    format_html(
                        '<span class="{}">{} — {}</span>',
                        file.status,
                        file.get_format_display(),
                        file.get_status_display(),
                    )
                )
        return format_html_join(" · ", "{}", ((link,) for link in links)) if links else "—"

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

    @admin.action(description=_("Сформировать заново по текущим данным"))
    def rebuild(self, request, queryset):
        done = ngettext_lazy(
            "Поставлено в очередь отчетов: %(count)d.", "Поставлено в очередь отчетов: %(count)d.", "count"
        )
        self._apply(request, queryset, services.rebuild_report, done)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
        def request_the_report(period, *, user):
            services.request_report(
                roadmap=period.roadmap, period=period.code, kind=period.report_kind, user=user
            )

        apply_to_each(
            self,
            request,
            queryset.select_related("roadmap"),
            request_the_report,
            ngettext_lazy(
                "Поставлены в очередь отчеты за периоды: %(count)d.",
                "Поставлены в очередь отчеты за периоды: %(count)d.",
                "count",
            ),
            user=request.user,
        )


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        roadmap = obj.roadmap
        return f"{roadmap.municipality.name}: {roadmap.title[:70]} — {obj.period.label}"


class InformationLetterForm(forms.ModelForm):
    reporting_period = PeriodChoiceField(
        label=_("План и отчетный период"), queryset=ReportingPeriod.objects.none(), required=True
    )

    class Meta:
        model = InformationLetter
        fields = [
            "number",
            "date",
            "addressee",
            "reference",
            "subject",
            "sender",
            "signatory_post",
            "signatory_name",
            "performer",
        ]
        widgets = {
            "addressee": forms.Textarea(attrs={"rows": 4}),
            "subject": forms.Textarea(attrs={"rows": 3}),
            "signatory_post": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, periods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if periods is not None:
            self.fields["reporting_period"].queryset = periods
        self.order_fields(["reporting_period", *self.Meta.fields])

    def clean(self):
        data = super().clean()
        period = data.get("reporting_period")
        if period is not None:
            services.validate_letter(
                roadmap=period.roadmap,
                period=period.code,
                number=data.get("number", ""),
                addressee=data.get("addressee", ""),
                signatory_post=data.get("signatory_post", ""),
                signatory_name=data.get("signatory_name", ""),
            )
        return data


@admin.register(InformationLetter)
class InformationLetterAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """«Сформировать информационное письмо»: the add form records the letter and queues its DOCX."""

    form = InformationLetterForm
    list_display = [
        "__str__",
        "municipality",
        "period_label",
        "status",
        "created_by",
        "created_at",
        "download_link",
    ]
    list_filter = ["status", "period"]
    list_select_related = ["roadmap__municipality", "created_by"]
    search_fields = ["number", "roadmap__municipality__name", "addressee"]
    readonly_fields = [
        "roadmap",
        "period",
        "number",
        "date",
        "addressee",
        "reference",
        "subject",
        "sender",
        "signatory_post",
        "signatory_name",
        "performer",
        "status",
        "error",
        "checksum",
        "size",
        "attempts",
        "created_by",
        "created_at",
        "finished_at",
        "download_link",
    ]
    actions = ["rebuild"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["reporting_period", *InformationLetterForm.Meta.fields]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # A letter's particulars are its registration: a new number is a new letter. The change page is
        # read-only; «Сформировать заново» rebuilds the file from today's figures.
        return obj is None and super().has_change_permission(request, obj)

    def _periods(self, request):
        qs = ReportingPeriod.objects.select_related("roadmap__municipality").order_by(
            "roadmap__municipality__name", "roadmap__title", "roadmap_id", "-starts_on", "ends_on"
        )
        ids = access.coordinated_municipality_ids(request.user)
        return qs if ids is None else qs.filter(roadmap__municipality_id__in=ids)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["fields"] = InformationLetterForm.Meta.fields
        form = super().get_form(request, obj, change=change, **kwargs)
        periods = self._periods(request)

        class ScopedForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, periods=periods, **kw)

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    def get_changeform_initial_data(self, request):
        """The signatory prefilled (still editable) for the municipality the letter is from: the one the
        coordinator works for, or the one of the period given in the address (?reporting_period=<id>)."""
        initial = super().get_changeform_initial_data(request)
        municipality_id = selectors.letter_municipality_id(
            request.user, self._periods(request), initial.get("reporting_period")
        )
        if municipality_id is not None:
            post, name = selectors.default_signatory(municipality_id)
            initial.setdefault("signatory_post", post)
            initial.setdefault("signatory_name", name)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Сформировать информационное письмо")}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return
        period = form.cleaned_data["reporting_period"]
        letter, created = services.request_letter(
            roadmap=period.roadmap,
            period=period.code,
            number=obj.number,
            date=obj.date,
            addressee=obj.addressee,
            subject=obj.subject,
            sender=obj.sender,
            reference=obj.reference,
            signatory_post=obj.signatory_post,
            signatory_name=obj.signatory_name,
            performer=obj.performer,
            user=request.user,
        )
        if not created:
            self.message_user(
                request,
                _("Письмо № %(number)s за %(period)s уже есть: показано оно, новое не создано.")
                % {"number": letter.number, "period": letter.period_label},
                messages.WARNING,
            )
        obj.pk = letter.pk
        obj.refresh_from_db()

    @admin.display(description=_("муниципальное образование"), ordering="roadmap__municipality__name")
    def municipality(self, obj):
        return obj.roadmap.municipality.name

    @admin.display(description=_("отчетный период"), ordering="period")
    def period_label(self, obj):
        return obj.period_label

    @admin.display(description=_("файл"))
    def download_link(self, obj):
        if obj.status != InformationLetter.Status.READY or not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), _("скачать DOCX"))

    @admin.action(description=_("Сформировать заново по текущим данным"))
    def rebuild(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset.select_related("roadmap"),
            services.rebuild_letter,
            ngettext_lazy(
                "Поставлено в очередь писем: %(count)d.", "Поставлено в очередь писем: %(count)d.", "count"
            ),
            user=request.user,
        )
