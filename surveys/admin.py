"""Staff admin for discussions and surveys, scoped by role like the roadmaps admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin, ScopedInline
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each, error_text

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


class OwnFkScopeMixin:
    """Limit FK choices to this app's rows in the user's municipalities."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None or request.user.is_superuser:
            return field
        municipalities = access.visible_municipalities(request.user)
        if db_field.related_model is Discussion or db_field.related_model is Survey:
            field.queryset = field.queryset.filter(municipality__in=municipalities)
        elif db_field.related_model is Comment:
            field.queryset = field.queryset.filter(discussion__municipality__in=municipalities)
        return field


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["municipality", "mode", "auto_hide_flags"]


@admin.register(Discussion)
class DiscussionAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
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
    readonly_fields = ["last_day", "closes_at", "closed_processed_at", "summary_due_date"]
    fields = [
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

    def save_model(self, request, obj, form, change):
        if obj.responsible_id and obj.responsible.municipality_id != obj.municipality_id:
            raise ValidationError({"responsible": _("Должностное лицо другого муниципального образования.")})
        services.reschedule_window(obj)
        super().save_model(request, obj, form, change)

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

    @admin.action(description=_("Подготовить итоги завершенных обсуждений"))
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


@admin.register(Comment)
class CommentAdmin(ServiceErrorsOnFormMixin, OwnFkScopeMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Moderation queue; officials reply here (the reply is marked «ответ администрации»)."""

    municipality_path = "discussion__municipality"
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
    list_filter = ["status", "is_official", "discussion__municipality"]
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
            ["discussion", "parent", "text", "author_name", "status", "flag_count", "created_at"]
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
class DiscussionSummaryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """«По итогам обсуждения…»: decisions per comment, then publication."""

    municipality_path = "discussion__municipality"
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
            try:
                services.publish_summary(form.instance, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
            else:
                self.message_user(request, _("Итоги опубликованы."), messages.SUCCESS)


class OptionInline(ScopedInline):
    model = Option
    fields = ["order", "text", "imported_count", "imported_percent"]


@admin.register(Question)
class QuestionAdmin(OwnFkScopeMixin, ScopedAdminMixin, admin.ModelAdmin):
    municipality_path = "survey__municipality"
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


class QuestionInline(ScopedInline):
    model = Question
    fields = ["order", "text", "kind", "required"]
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "municipality", "opens_at", "closes_at", "is_published", "imported_respondents"]
    list_filter = ["municipality", "is_published", "audience"]
    search_fields = ["title"]
    raw_id_fields = ["measure"]
    inlines = [QuestionInline]


@admin.register(Response)
class ResponseAdmin(OwnFkScopeMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Counts only: respondents are anonymous, so no e-mail or key is shown."""

    municipality_path = "survey__municipality"
    list_display = ["survey", "created_at", "confirmed_at"]
    list_filter = ["survey__municipality"]
    fields = ["survey", "created_at", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
