"""Staff admin for discussions and surveys, scoped by role like the roadmaps admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin, ScopedInline
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each
from openness_portal.forms import add_service_errors

from . import exports, services
from .forms import CommentForm
from .models import (
    Comment,
    CommentDisposition,
    CommentFlag,
    CommentModeration,
    Discussion,
    DiscussionSummary,
    ModerationSettings,
    Option,
    Question,
    Response,
    Survey,
)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["municipality", "mode", "auto_hide_flags"]


class NewVersionForm(forms.Form):
    title = forms.CharField(
        label=_("Наименование редакции"),
        required=False,
        max_length=500,
        help_text=_("Например «редакция с учетом замечаний»."),
    )
    text = forms.CharField(
        label=_("Текст документа"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text=_(
            "Пункты делятся по пустым строкам и по номерам («1.», «3.2.», «1)», «а)», «III.», «Статья 5»). "
            "Или загрузите файл."
        ),
    )
    file = forms.FileField(label=_("Файл (DOCX, ODT или PDF)"), required=False)
    changes = forms.CharField(
        label=_("Что изменено"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 100})
    )
    is_final = forms.BooleanField(
        label=_("Итоговая редакция"),
        required=False,
        help_text=_("После завершения обсуждения; показывается рядом с итогами. Итоговая редакция — одна."),
    )

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip() and data.get("file"):
            raise forms.ValidationError(_("Вставьте текст или загрузите файл — что-то одно."))
        if not data.get("text", "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Вставьте текст документа или загрузите файл."))
        return data


@admin.register(Discussion)
class DiscussionAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    moderator_visible = True  # read-only for a moderator: the windows whose comments they moderate
    list_display = [
        "title",
        "municipality",
        "kind",
        "opens_at",
        "last_day",
        "status_display",
        "summary_due_date",
    ]
    list_filter = ["municipality", "kind"]
    search_fields = ["title", "description"]
    list_select_related = ["municipality"]
    raw_id_fields = ["measure"]
    readonly_fields = ["last_day", "closes_at", "closed_processed_at", "summary_due_date", "new_version_link"]
    fields = [
        "new_version_link",
        "municipality",
        "kind",
        "title",
        "description",
        "document_url",
        "document_file",
        "responsible",
        "measure",
        "opens_at",
        "length_days",
        "working_days",
        "last_day",
        "closes_at",
        "closed_processed_at",
        "summary_due_date",
    ]
    actions = ["export_xlsx", "export_csv", "prepare_summary"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("статус"))
    def status_display(self, obj):
        return Discussion.Status(obj.status).label

    @admin.display(description=_("редакции документа"))
    def new_version_link(self, obj):
        """Published редакции are a record: listed here, added only through «Новая редакция», never edited
        (a read-only list rather than an inline, so the discussion form posts no formset)."""
        if not obj or not obj.pk or obj.kind != Discussion.Kind.DRAFT_ACT:
            return _("Редакции публикуются для обсуждения проекта правового акта.")
        from django.db.models import Count
        from django.utils.html import format_html_join

        versions = obj.versions.annotate(paragraph_total=Count("paragraphs")).order_by("number")
        rows = format_html_join(
            "",
            "<li>{} — {}, {}: {}{}</li>",
            (
                (
                    v.label,
                    v.published_at.strftime("%d.%m.%Y"),
                    v.title or "—",
                    _("пунктов %(n)s") % {"n": v.paragraph_total},
                    format_html(' · <a href="{}">{}</a>', v.file.url, _("файл")) if v.file else "",
                )
                for v in versions
            ),
        )
        return format_html(
            '{}<a class="button" href="{}">{}</a>',
            format_html("<ul>{}</ul>", rows) if rows else "",
            reverse("admin:surveys_discussion_new_version", args=[obj.pk]),
            _("Новая редакция"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/versions/new/",
                self.admin_site.admin_view(self.new_version_view),
                name="surveys_discussion_new_version",
            ),
            *super().get_urls(),
        ]

    def new_version_view(self, request, pk):
        """«Новая редакция»: paste the text or upload a file; the service splits it into points."""
        discussion = get_object_or_404(self.get_queryset(request).select_related("municipality"), pk=pk)
        if not self.has_change_permission(request, discussion) or not access.is_coordinator(
            request.user, discussion.municipality_id
        ):
            raise PermissionDenied
        form = NewVersionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                version = services.publish_document_version(
                    discussion,
                    data["file"] or data["text"],
                    title=data["title"],
                    changes=data["changes"],
                    is_final=data["is_final"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(
                    request,
                    _("Опубликована редакция %(n)s: пунктов — %(count)s.")
                    % {"n": version.number, "count": version.paragraphs.count()},
                    messages.SUCCESS,
                )
                return redirect("admin:surveys_discussion_change", discussion.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": discussion,
            "discussion": discussion,
            "title": _("Новая редакция: %(title)s") % {"title": discussion.title[:200]},
            "form": form,
            "versions": discussion.versions.order_by("number"),
        }
        return TemplateResponse(request, "admin/surveys/new_version.html", context)

    def save_model(self, request, obj, form, change):
        if obj.responsible_id and obj.responsible.municipality_id != obj.municipality_id:
            raise ValidationError({"responsible": _("Должностное лицо другого муниципального образования.")})
        services.reschedule_window(obj)
        super().save_model(request, obj, form, change)
        if not change:
            services.announce_discussion(obj)

    def _single(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Выберите одно обсуждение."), messages.ERROR)
            return None
        return queryset.select_related("municipality").first()

    @admin.action(description=_("Выгрузить замечания и решения (XLSX)"))
    def export_xlsx(self, request, queryset):
        discussion = self._single(request, queryset)
        if discussion is None:
            return None
        response = HttpResponse(exports.discussion_comments_xlsx(discussion), content_type=exports.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="discussion-{discussion.pk}-comments.xlsx"'
        return response

    @admin.action(description=_("Выгрузить замечания и решения (CSV)"))
    def export_csv(self, request, queryset):
        discussion = self._single(request, queryset)
        if discussion is None:
            return None
        response = HttpResponse(
            exports.discussion_comments_csv(discussion), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="discussion-{discussion.pk}-comments.csv"'
        return response

    @admin.action(description=_("Подготовить итоги завершенных обсуждений"), permissions=["change"])
    def prepare_summary(self, request, queryset):
        done = sum(services.process_closed_discussion(d) for d in queryset.select_related("municipality"))
        self.message_user(request, _("Подготовлено итогов: %d") % done, messages.SUCCESS)


class ModerationActionForm(ActionForm):
    reason = forms.CharField(label=_("Причина"), required=False)


class CommentModerationInline(admin.TabularInline):
    model = CommentModeration
    extra = 0
    fields = ["created_at", "action", "reason", "moderator"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return obj is not None  # whoever may open a comment (scoped by CommentAdmin) sees its flags and log

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentFlagInline(CommentModerationInline):
    model = CommentFlag
    fields = ["created_at", "reason", "note"]
    readonly_fields = fields


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["discussion", "parent", "text"]


class FlagsFilter(admin.SimpleListFilter):
    title = _("жалобы")
    parameter_name = "flags"

    def lookups(self, request, model_admin):
        return [("1", _("есть жалобы"))]

    def queryset(self, request, queryset):
        return queryset.filter(flag_count__gt=0) if self.value() == "1" else queryset


@admin.register(Comment)
class CommentAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Moderation queue; officials reply here (the reply is marked «ответ администрации»)."""

    moderator_visible = True
    moderator_writable = True  # moderators publish, hide, restore and reply; the services check the role
    form = CommentAdminForm
    action_form = ModerationActionForm
    list_display = [
        "short_text",
        "author_name",
        "discussion",
        "status",
        "flag_count",
        "is_official",
        "created_at",
    ]
    list_filter = ["status", FlagsFilter, "is_official", "discussion__municipality"]
    search_fields = ["text", "author_name"]
    list_select_related = ["discussion"]
    raw_id_fields = ["parent"]
    inlines = [CommentFlagInline, CommentModerationInline]
    actions = ["publish_selected", "hide_selected", "restore_selected"]

    @admin.display(description=_("текст"))
    def short_text(self, obj):
        return obj.text if len(obj.text) < 80 else obj.text[:77] + "…"

    def get_readonly_fields(self, request, obj=None):
        # A citizen's words are never edited by staff; only their status changes (with a reason).
        return (
            ["discussion", "paragraph", "parent", "text", "author_name", "status", "flag_count", "created_at"]
            if obj
            else []
        )

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            form = CommentForm(
                {"text": obj.text, "parent": obj.parent_id or ""},
                discussion=obj.discussion,
                user=request.user,
            )
            created = services.post_comment(form, ip=f"staff:{request.user.pk}")
        except services.DiscussionClosed as exc:
            raise ValidationError(str(exc)) from exc
        except services.RateLimited as exc:
            raise ValidationError(exc.message) from exc
        except services.RateLimitUnavailable as exc:
            raise ValidationError(services.COUNTERS_DOWN_ON_FORM) from exc
        obj.pk = created.pk

    def _run(self, request, queryset, service, done_message, **kwargs):
        apply_to_each(
            self,
            request,
            queryset.select_related("discussion__municipality"),
            service,
            done_message,
            user=request.user,
            **kwargs,
        )

    @admin.action(description=_("Опубликовать выбранные"))
    def publish_selected(self, request, queryset):
        self._run(
            request,
            queryset.filter(status=Comment.Status.PENDING),
            services.publish_comment,
            ngettext_lazy("Опубликовано: %(count)d", "Опубликовано: %(count)d", "count"),
        )

    @admin.action(description=_("Скрыть выбранные (укажите причину)"))
    def hide_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.hide_comment,
            ngettext_lazy("Скрыто: %(count)d", "Скрыто: %(count)d", "count"),
            reason=request.POST.get("reason", ""),
        )

    @admin.action(description=_("Восстановить выбранные (укажите причину)"))
    def restore_selected(self, request, queryset):
        self._run(
            request,
            queryset.exclude(status=Comment.Status.PUBLISHED),
            services.restore_comment,
            ngettext_lazy("Восстановлено: %(count)d", "Восстановлено: %(count)d", "count"),
            reason=request.POST.get("reason", ""),
        )


class CommentDispositionInline(ScopedInline):
    model = CommentDisposition
    fields = ["comment_text", "decision", "reason"]
    readonly_fields = ["comment_text"]

    @admin.display(description=_("замечание"))
    def comment_text(self, obj):
        return f"{obj.comment.author_name}: {obj.comment.text}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("comment")

    def has_add_permission(self, request, obj=None):
        return False  # rows come from the comments when the window closes

    def has_delete_permission(self, request, obj=None):
        return False


class SummaryAdminForm(forms.ModelForm):
    publish = forms.BooleanField(label=_("Опубликовать итоги"), required=False)

    class Meta:
        model = DiscussionSummary
        fields = ["text"]


@admin.register(DiscussionSummary)
class DiscussionSummaryAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """«По итогам обсуждения…»: decisions per comment, then publication."""

    form = SummaryAdminForm
    list_display = ["discussion", "published_at", "due_date"]
    list_select_related = ["discussion"]
    readonly_fields = ["discussion", "published_at", "published_by"]
    inlines = [CommentDispositionInline]

    @admin.display(description=_("срок публикации"))
    def due_date(self, obj):
        return obj.discussion.summary_due_date

    def has_add_permission(self, request, obj=None):
        return False  # created when the window closes

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("publish") and not form.instance.is_published:
            # A refusal rolls the whole save back and is shown on the form (ServiceErrorsOnFormMixin), so
            # the page never says «изменено успешно» next to the error.
            services.publish_summary(form.instance, user=request.user)
            self.message_user(request, _("Итоги опубликованы."), messages.SUCCESS)


class OptionFormSet(forms.BaseInlineFormSet):
    """A choice question keeps at least two options: checked with the question's submitted kind."""

    def clean(self):
        super().clean()
        question = self.instance
        if not question.has_options or any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("text", "").strip()
        ]
        if question.kind == Question.Kind.SINGLE and not kept and not question.pk:
            return  # a new single-choice question gets the seeds' scale (QuestionAdmin.save_related)
        if len(kept) < services.MIN_CHOICE_OPTIONS:
            raise forms.ValidationError(_("У вопроса с выбором ответа должно быть не меньше двух вариантов."))


class OptionInline(ScopedInline):
    model = Option
    formset = OptionFormSet
    fields = ["order", "text", "imported_count", "imported_percent"]


@admin.register(Question)
class QuestionAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["text", "survey", "kind", "required", "order"]
    list_filter = ["survey__municipality", "kind"]
    inlines = [OptionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = form.instance
        if question.kind == Question.Kind.SINGLE and not question.options.exists():
            # The seeds' ready-made scale, so that a coordinator need not type it every time.
            from .models import AGREEMENT_SCALE

            Option.objects.bulk_create(
                [Option(question=question, order=i, text=t) for i, t in enumerate(AGREEMENT_SCALE)]
            )


class QuestionInlineForm(forms.ModelForm):
    """A question with its options in one row: «Да / скорее Да / Нет / скорее Нет», one per line."""

    options = forms.CharField(
        label=_("варианты ответа (по одному в строке)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 30}),
        help_text=_("Для вопросов с выбором — не меньше двух."),
    )

    class Meta:
        model = Question
        fields = ["order", "text", "kind", "required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["options"].initial = "\n".join(o.text for o in self.instance.options.all())
        else:
            from .models import AGREEMENT_SCALE

            self.fields["options"].initial = "\n".join(AGREEMENT_SCALE)

    def option_texts(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("options", "").splitlines() if t.strip()]


class QuestionInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            choice = form.cleaned_data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
            if choice and len(form.option_texts()) < services.MIN_CHOICE_OPTIONS:
                form.add_error(
                    "options", _("У вопроса с выбором ответа должно быть не меньше двух вариантов.")
                )


class QuestionInline(ScopedInline):
    model = Question
    form = QuestionInlineForm
    formset = QuestionInlineFormSet
    fields = ["order", "text", "kind", "required", "options"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")


@admin.register(Survey)
class SurveyAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "municipality", "opens_at", "closes_at", "is_published", "imported_respondents"]
    list_filter = ["municipality", "is_published", "audience", "respondent_confirmation"]
    search_fields = ["title"]
    raw_id_fields = ["measure"]
    inlines = [QuestionInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Question:
            return
        for question_form in formset.forms:
            question = question_form.instance
            if (
                question.pk is None
                or not question_form.cleaned_data
                or question_form.cleaned_data.get("DELETE")
            ):
                continue
            if question.has_options and question_form.has_changed():
                # A refusal (answered options removed) rolls the save back onto the form (the mixin).
                services.set_question_options(question, question_form.option_texts())


@admin.register(Response)
class ResponseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Counts only: respondents are anonymous, so no e-mail or key is shown."""

    list_display = ["survey", "created_at", "confirmed_at"]
    list_filter = ["survey__municipality"]
    fields = ["survey", "created_at", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
