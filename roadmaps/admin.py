"""Staff admin for roadmaps. Every queryset is scoped by role (municipalities.access, through
municipalities.admin.ScopedAdminMixin), not just the menus."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin, ScopedInline
from municipalities.models import StaffRole
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each
from openness_portal.history_admin import PortalHistoryAdmin
from openness_portal.periods import period_of

from . import selectors, services
from .models import (
    Deadline,
    DeadlineRule,
    Evidence,
    Kpi,
    KpiActual,
    KpiTarget,
    LegalAct,
    Measure,
    MeasureExecutor,
    ProgressEntry,
    Roadmap,
    Section,
)


@admin.register(LegalAct)
class LegalActAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "title", "municipality"]
    list_filter = ["municipality", "kind"]
    search_fields = ["number", "title"]
    date_hierarchy = "date"
    list_select_related = ["municipality"]


class SectionInline(ScopedInline):
    model = Section
    fields = ["order", "number", "title"]


@admin.register(Roadmap)
class RoadmapAdmin(ScopedAdminMixin, PortalHistoryAdmin):
    list_display = ["title", "municipality", "first_year", "last_year", "status", "measure_count"]
    list_filter = ["status", "municipality__region", "municipality"]
    search_fields = ["title", "description"]
    list_select_related = ["municipality", "approving_act"]
    inlines = [SectionInline]
    readonly_fields = ["export_links"]

    @admin.display(description=_("выгрузка таблицей"))
    def export_links(self, obj):
        if not obj.pk:
            return "—"
        from django.urls import reverse

        return format_html(
            '<a href="{}">Word (DOCX)</a> · <a href="{}">Excel (XLSX)</a> · <a href="{}">{}</a>',
            reverse("admin:importing_importjob_export", args=[obj.pk, "docx"]),
            reverse("admin:importing_importjob_export", args=[obj.pk, "xlsx"]),
            reverse("roadmaps:roadmap", args=[obj.municipality.slug, obj.pk]),
            _("на сайте"),
        )

    @admin.display(description=_("мероприятий"))
    def measure_count(self, obj):
        return obj.measure_total

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(measure_total=Count("measures"))


class ExecutorInline(ScopedInline):
    model = MeasureExecutor
    fields = ["order", "department", "official", "text"]
    autocomplete_fields = ["department", "official"]


class KpiInline(ScopedInline):
    model = Kpi
    fields = ["order", "name", "unit", "kind", "comparator", "baseline"]
    show_change_link = True


class DeadlineInline(ScopedInline):
    model = Deadline
    fields = ["period", "part_label", "due_date", "completed_on", "origin", "not_applicable"]
    readonly_fields = ["period", "part_label", "due_date", "completed_on", "origin", "not_applicable"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MeasureAdminForm(forms.ModelForm):
    deadline_text = forms.CharField(
        label=_("Срок исполнения (как в документе)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Например: «до 20 декабря 2019 года; до 20 декабря 2020 года», «ежеквартально», "
            "«в течение 7 рабочих дней после завершения процедуры публичного обсуждения»."
        ),
    )

    class Meta:
        model = Measure
        fields = ["roadmap", "section", "number", "title", "description", "expected_result", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = getattr(self.instance, "deadline_rule", None) if self.instance.pk else None
        if rule is not None:
            self.fields["deadline_text"].initial = rule.text


class NeedsClarificationFilter(admin.SimpleListFilter):
    title = _("срок требует уточнения")
    parameter_name = "unparsed"

    def lookups(self, request, model_admin):
        return [("1", _("да")), ("0", _("нет"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(deadline_rule__needs_clarification=True)
        if self.value() == "0":
            return queryset.exclude(deadline_rule__needs_clarification=True)
        return queryset


class DeadlineYearFilter(admin.SimpleListFilter):
    title = _("год")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(y, y) for y in range(timezone.localdate().year + 2, 2016, -1)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(deadlines__due_date__year=self.value())
                | Q(deadlines__due_date__isnull=True, deadlines__period__endswith=self.value())
            ).distinct()
        return queryset


class ExecutorDepartmentFilter(admin.RelatedOnlyFieldListFilter):
    """The departments executing the user's measures, under the heading clerks know («исполнитель»)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("исполнитель")  # not the field name «подразделение»


@admin.register(Measure)
class MeasureAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, PortalHistoryAdmin):
    form = MeasureAdminForm
    list_display = ["number", "short_title", "roadmap", "section", "deadline_text", "lead_executor"]
    list_display_links = ["number", "short_title"]
    list_filter = [
        NeedsClarificationFilter,
        "roadmap__municipality",
        "roadmap",
        ("executors__department", ExecutorDepartmentFilter),
        DeadlineYearFilter,
    ]
    search_fields = ["number", "title", "description", "deadline_rule__text"]
    list_select_related = ["roadmap", "section", "deadline_rule"]
    inlines = [ExecutorInline, KpiInline, DeadlineInline]
    readonly_fields = ["deadline_kind"]

    def get_queryset(self, request):
        from django.db.models import Prefetch

        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "executors", queryset=MeasureExecutor.objects.select_related("department", "official")
                )
            )
        )

    @admin.display(description=_("мероприятие"))
    def short_title(self, obj):
        return obj.title[:120]

    @admin.display(description=_("срок"))
    def deadline_text(self, obj):
        rule = getattr(obj, "deadline_rule", None)
        if rule is None:
            return "—"
        if rule.needs_clarification:
            return format_html(
                '<span class="portal-flag">{} ⚠ {}</span>', rule.text or "—", _("требует уточнения")
            )
        return rule.text

    @admin.display(description=_("вид срока"))
    def deadline_kind(self, obj):
        rule = getattr(obj, "deadline_rule", None)
        return rule.get_kind_display() if rule else "—"

    @admin.display(description=_("ответственный"))
    def lead_executor(self, obj):
        executors = list(obj.executors.all())
        return executors[0].display_name if executors else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        text = form.cleaned_data.get("deadline_text", "")
        rule = getattr(obj, "deadline_rule", None) if change else None
        if rule is None or rule.text != text:
            rule = services.set_deadline_rule(obj, text)
            if rule.needs_clarification:
                messages.warning(
                    request,
                    _("Срок «%s» не распознан: он сохранен и отмечен «требует уточнения».") % (text or "—"),
                )

    def _executor_owns(self, request, obj):
        return False


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, PortalHistoryAdmin):
    list_display = ["measure", "text", "kind", "needs_clarification", "trigger_measure"]
    list_filter = ["needs_clarification", "kind", "measure__roadmap"]
    search_fields = ["text", "measure__title"]
    list_select_related = ["measure", "trigger_measure"]
    readonly_fields = ["kind", "parsed", "needs_clarification"]
    raw_id_fields = ["measure", "trigger_measure"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.set_deadline_rule(obj.measure, obj.text, trigger_measure=obj.trigger_measure)


class DeadlineStatusFilter(admin.SimpleListFilter):
    title = _("статус")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Deadline.Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_status(timezone.localdate()).filter(status_code=self.value())
        return queryset


class DeadlineAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Причина изменения срока"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Deadline
        fields = ["due_date", "period", "part_label", "completed_on", "not_applicable"]

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk
            and "due_date" in self.changed_data
            and not cleaned.get("change_reason", "").strip()
        ):
            raise ValidationError({"change_reason": _("Укажите причину переноса срока.")})
        return cleaned


@admin.register(Deadline)
class DeadlineAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, PortalHistoryAdmin):
    form = DeadlineAdminForm
    list_display = ["measure", "period", "part_label", "due_date", "status_badge", "completed_on"]
    list_filter = [DeadlineStatusFilter, "origin", "measure__roadmap__municipality", "measure__roadmap"]
    search_fields = ["measure__number", "measure__title", "period"]
    list_select_related = ["measure"]
    date_hierarchy = "due_date"
    readonly_fields = ["measure", "origin", "event_date"]

    @admin.display(description=_("статус"))
    def status_badge(self, obj):
        return Deadline.Status(obj.status(timezone.localdate())).label

    def save_model(self, request, obj, form, change):
        if change and "due_date" in form.changed_data:
            # A moved due date goes through the service: reason required and kept in the history.
            services.move_deadline(
                obj,
                form.cleaned_data["due_date"],
                reason=form.cleaned_data["change_reason"],
                user=request.user,
            )
            others = [f for f in form.changed_data if f not in ("due_date", "change_reason")]
            if others:
                obj.save(update_fields=others)
            return
        super().save_model(request, obj, form, change)


class KpiTargetInline(ScopedInline):
    model = KpiTarget
    fields = ["year", "value"]


class KpiActualInline(ScopedInline):
    model = KpiActual
    fields = ["period", "value", "text", "source", "progress_entry"]
    raw_id_fields = ["progress_entry"]


@admin.register(Kpi)
class KpiAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "measure", "unit", "kind", "comparator"]
    list_filter = ["kind", "measure__roadmap"]
    search_fields = ["name", "measure__title"]
    list_select_related = ["measure"]
    raw_id_fields = ["measure"]
    inlines = [KpiTargetInline, KpiActualInline]


class EvidenceInline(ScopedInline):
    model = Evidence
    fields = ["title", "url", "file"]


class ReviewActionForm(ActionForm):
    reason = forms.CharField(label=_("Причина возврата"), required=False)


class ProgressEntryAdminForm(forms.ModelForm):
    """Checks rights and the period in the form, so the executor sees a message instead of a 403 page."""

    user = None  # set by ProgressEntryAdmin.get_form

    class Meta:
        model = ProgressEntry
        fields = ["measure", "period", "deadline", "text", "completed_on"]

    def clean(self):
        cleaned = super().clean()
        measure = cleaned.get("measure")
        if measure is not None and self.user is not None:
            try:
                services.check_can_write(self.user, measure)
            except PermissionDenied as exc:
                raise ValidationError({"measure": str(exc)}) from exc
        deadline = cleaned.get("deadline")
        if deadline is not None and measure is not None and deadline.measure_id != measure.pk:
            raise ValidationError({"deadline": _("Срок относится к другому мероприятию.")})
        return cleaned


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина возврата"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Обязательна при возврате: что исправить или дополнить. Исполнитель получит ее письмом."),
    )


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, PortalHistoryAdmin):
    executor_writable = True
    form = ProgressEntryAdminForm
    action_form = ReviewActionForm
    list_display = ["measure", "period", "status", "author", "submitted_at", "reviewed_at"]
    list_filter = ["status", "period", "measure__roadmap__municipality", "measure__roadmap"]
    search_fields = ["text", "measure__number", "measure__title"]
    list_select_related = ["measure", "author"]
    raw_id_fields = ["deadline"]
    inlines = [EvidenceInline]
    actions = ["submit_selected", "accept_selected", "return_selected"]
    readonly_fields = ["status", "return_reason", "author", "submitted_at", "reviewed_at", "reviewed_by"]

    change_form_template = "admin/roadmaps/progressentry/change_form.html"

    def get_urls(self):
        from django.urls import path

        review = path(
            "<int:pk>/review/",
            self.admin_site.admin_view(self.review_view),
            name="roadmaps_progressentry_review",
        )
        return [review, *super().get_urls()]

    def review_view(self, request, pk):
        """One entry on one page: what was done, its deadline, evidence and KPI facts; accept or return it."""
        from django.shortcuts import get_object_or_404, redirect
        from django.template.response import TemplateResponse

        entry = get_object_or_404(
            self.get_queryset(request).select_related("measure__roadmap__municipality", "deadline", "author"),
            pk=pk,
        )
        if not access.is_coordinator(request.user, entry.measure.roadmap.municipality_id):
            raise PermissionDenied(_("Принимать и возвращать информацию может только координатор."))
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                if "accept" in request.POST:
                    accepted = services.accept_progress(entry, user=request.user)
                    notice = services.acceptance_notice(accepted)
                    self.message_user(request, _("Информация принята."), messages.SUCCESS)
                    if notice:
                        self.message_user(request, notice, messages.WARNING)
                else:
                    services.return_progress(entry, user=request.user, reason=form.cleaned_data["reason"])
                    self.message_user(request, _("Информация возвращена на доработку."), messages.SUCCESS)
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error("reason" if field == "return_reason" else None, errors)
            else:
                return redirect("admin:index")
        review = selectors.entry_review(entry)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Проверка информации: мероприятие %(number)s, %(period)s")
            % {"number": entry.measure.number, "period": review["period_label"]},
            "opts": self.model._meta,
            "entry": entry,
            **review,
            "form": form,
            "can_review": entry.status == ProgressEntry.Status.SUBMITTED,
        }
        return TemplateResponse(request, "admin/roadmaps/progressentry/review.html", context)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        role = access.role_of(request.user)
        if role and role.role == StaffRole.Role.EXECUTOR:
            # Executors see entries of their measures, and their own.
            qs = qs.filter(Q(measure__in=selectors.executor_measures(request.user)) | Q(author=request.user))
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        role = access.role_of(request.user)
        if db_field.name == "measure" and role and role.role == StaffRole.Role.EXECUTOR:
            field.queryset = selectors.executor_measures(request.user)
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("period", period_of(timezone.localdate()).code)
        return initial

    def _executor_owns(self, request, obj):
        return obj.is_editable and selectors.can_edit_progress(request.user, obj.measure)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # A ValidationError from the service is shown on the form by ServiceErrorsOnFormMixin.
        if change:
            services.update_progress_entry(
                obj, user=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
        else:
            created = services.create_progress_entry(
                user=request.user,
                measure=obj.measure,
                period=obj.period,
                text=obj.text,
                deadline=obj.deadline,
                completed_on=obj.completed_on,
            )
            obj.pk = created.pk
            obj.author = created.author

    def _run(self, request, queryset, action, done_message, **kwargs):
        apply_to_each(
            self,
            request,
            queryset.select_related("measure__roadmap__municipality"),
            action,
            done_message,
            user=request.user,
            **kwargs,
        )

    @admin.action(description=_("Отправить на проверку"))
    def submit_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.submit_progress,
            ngettext_lazy("Отправлено на проверку: %(count)d", "Отправлено на проверку: %(count)d", "count"),
        )

    @admin.action(description=_("Принять выбранные"))
    def accept_selected(self, request, queryset):
        def accept(entry, **kwargs):
            accepted = services.accept_progress(entry, **kwargs)
            notice = services.acceptance_notice(accepted)
            if notice:
                self.message_user(request, f"{accepted}: {notice}", messages.WARNING)
            return accepted

        self._run(
            request, queryset, accept, ngettext_lazy("Принято: %(count)d", "Принято: %(count)d", "count")
        )

    @admin.action(description=_("Вернуть на доработку (укажите причину)"))
    def return_selected(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(
                request, _("Укажите причину возврата в поле рядом с действием."), messages.ERROR
            )
            return
        self._run(
            request,
            queryset,
            services.return_progress,
            ngettext_lazy("Возвращено: %(count)d", "Возвращено: %(count)d", "count"),
            reason=reason,
        )
