"""Staff admin for referent groups, experts, interactions, mailings and councils, scoped by role."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from municipalities import access
from municipalities.admin import ScopedAdminMixin, ScopedInline
from municipalities.models import StaffRole
from openness_portal.admin_actions import ServiceErrorsOnFormMixin, apply_to_each, error_text

from . import services
from .models import (
    AgendaItem,
    Channel,
    Council,
    CouncilMember,
    CouncilRegulation,
    CouncilWorkPlan,
    ExpertField,
    GroupMembership,
    Interaction,
    Mailing,
    MailingDelivery,
    Meeting,
    Participant,
    Principle,
    ReferentGroup,
    Tool,
)

# --- Reference lists ---------------------------------------------------------------------------------


class SharedListAdmin(admin.ModelAdmin):
    """A vocabulary every municipality shares: staff read it, coordinators add to it, superusers edit."""

    def has_module_permission(self, request):
        role = access.role_of(request.user)
        return request.user.is_active and (
            request.user.is_superuser or (role is not None and role.role != StaffRole.Role.MODERATOR)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        role = access.role_of(request.user)
        return request.user.is_superuser or bool(role and role.role == StaffRole.Role.COORDINATOR)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Principle)
class PrincipleAdmin(SharedListAdmin):
    list_display = ["name", "order"]

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(ExpertField)
class ExpertFieldAdmin(SharedListAdmin):
    search_fields = ["name"]


class ReadyListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Common entries (no municipality) for everyone; a coordinator adds the municipality's own (§3.1.3)."""

    list_display = ["name", "municipality", "order"]
    list_filter = [("municipality", admin.EmptyFieldListFilter)]
    search_fields = ["name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "municipality" in form.base_fields:
            form.base_fields["municipality"].required = True
        return form


admin.site.register(Channel, ReadyListAdmin)
admin.site.register(Tool, ReadyListAdmin)


# --- Groups and participants -------------------------------------------------------------------------


class MembershipInline(ScopedInline):
    model = GroupMembership
    raw_id_fields = ["participant"]
    fields = ["participant", "joined_on", "left_on", "unsubscribed_at"]
    readonly_fields = ["unsubscribed_at"]


@admin.register(ReferentGroup)
class ReferentGroupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "municipality", "member_count", "is_public"]
    list_filter = ["municipality"]
    search_fields = ["name", "description"]
    filter_horizontal = [
        "principles",
        "channels",
        "tools",
        "responsible_departments",
        "responsible_officials",
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description=_("участников"), ordering="_members")
    def member_count(self, obj):
        return obj._members


class ParticipantMembershipInline(ScopedInline):
    model = GroupMembership
    fields = ["group", "joined_on", "left_on", "unsubscribed_at"]
    readonly_fields = ["unsubscribed_at"]


@admin.register(Participant)
class ParticipantAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Coordinators keep the base; department heads (executors) propose experts and see their proposals."""

    executor_writable = True
    list_display = [
        "name",
        "kind",
        "organisation",
        "municipality",
        "consent",
        "withdrawn_at",
        "is_expert",
        "expert_status",
    ]
    list_filter = ["municipality", "kind", "is_expert", "expert_status", "consent", "expert_fields"]
    search_fields = ["name", "organisation", "email"]
    filter_horizontal = ["expert_fields"]
    inlines = [ParticipantMembershipInline]
    actions = ["accept_experts", "decline_experts", "withdraw_consent"]
    fieldsets = [
        (None, {"fields": ["municipality", "kind", "name", "organisation", "position", "notes"]}),
        (_("Контакты (не публикуются)"), {"fields": ["email", "phone"]}),
        (
            _("Согласие на обработку персональных данных"),
            {"fields": ["consent", "consent_date", "withdrawn_at"]},
        ),
        (
            _("Эксперт"),
            {
                "fields": [
                    "is_expert",
                    "expert_fields",
                    "proposed_by",
                    "proposed_on",
                    "expert_status",
                    "accepted_by",
                    "accepted_on",
                ]
            },
        ),
    ]

    def _is_executor(self, request):
        role = access.role_of(request.user)
        return bool(role and role.role == StaffRole.Role.EXECUTOR)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._is_executor(request):
            official = access.official_of(request.user)
            return qs.filter(proposed_by=official) if official else qs.none()
        return qs

    def _executor_owns(self, request, obj):
        official = access.official_of(request.user)
        return official is not None and obj.proposed_by_id == official.pk

    def get_readonly_fields(self, request, obj=None):
        if self._is_executor(request):
            return ["proposed_by", "expert_status", "accepted_by", "accepted_on", "withdrawn_at", "is_expert"]
        return ["accepted_by"]

    def save_model(self, request, obj, form, change):
        # A ValidationError from the services is shown on the form by ServiceErrorsOnFormMixin.
        if self._is_executor(request) and not change:
            proposed = services.propose_expert(
                municipality=obj.municipality,
                name=obj.name,
                proposed_by=access.official_of(request.user),
                email=obj.email,
                phone=obj.phone,
                organisation=obj.organisation,
                position=obj.position,
                consent_date=obj.consent_date if obj.consent else None,
                proposed_on=obj.proposed_on,
                kind=obj.kind,
                notes=obj.notes,
            )
            obj.pk = proposed.pk
            obj.refresh_from_db()
            return  # the expert fields are set by save_related (form.save_m2m) on this row
        status_decided = "expert_status" in form.changed_data and obj.expert_status in (
            Participant.ExpertStatus.ACCEPTED,
            Participant.ExpertStatus.DECLINED,
        )
        super().save_model(request, obj, form, change)
        if status_decided and obj.expert_status == Participant.ExpertStatus.ACCEPTED:
            services.accept_expert(obj, user=request.user, on=form.cleaned_data.get("accepted_on"))
        elif status_decided:
            services.decline_expert(obj, user=request.user)
        elif obj.is_expert or "is_expert" in form.changed_data:
            services.schedule_expert_kpi_refresh(obj.municipality_id)

    def delete_model(self, request, obj):
        municipality_id, was_expert = obj.municipality_id, obj.is_expert
        super().delete_model(request, obj)
        if was_expert:
            services.schedule_expert_kpi_refresh(municipality_id)

    def delete_queryset(self, request, queryset):
        ids = set(queryset.filter(is_expert=True).values_list("municipality_id", flat=True))
        super().delete_queryset(request, queryset)
        for municipality_id in ids:
            services.schedule_expert_kpi_refresh(municipality_id)

    @admin.action(description=_("Включить в базу данных экспертов"))
    def accept_experts(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            services.accept_expert,
            ngettext_lazy(
                "Включено в базу экспертов: %(count)d.", "Включено в базу экспертов: %(count)d.", "count"
            ),
            user=request.user,
        )

    @admin.action(description=_("Отклонить кандидатуру эксперта"))
    def decline_experts(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            services.decline_expert,
            ngettext_lazy("Отклонено кандидатур: %(count)d.", "Отклонено кандидатур: %(count)d.", "count"),
            user=request.user,
        )

    @admin.action(description=_("Отметить отзыв согласия на обработку персональных данных"))
    def withdraw_consent(self, request, queryset):
        if not all(self._can_write(request, p) for p in queryset):
            raise PermissionDenied
        apply_to_each(
            self,
            request,
            queryset,
            services.withdraw_consent,
            ngettext_lazy(
                "Отмечен отзыв согласия: %(count)d.", "Отмечен отзыв согласия: %(count)d.", "count"
            ),
        )


# --- Interactions and mailings -----------------------------------------------------------------------


@admin.register(Interaction)
class InteractionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "topic", "kind", "group", "channel", "tool", "responsible", "municipality"]
    list_filter = ["municipality", "kind", "group", "channel", "tool"]
    search_fields = ["topic", "outcome", "materials"]
    date_hierarchy = "date"
    raw_id_fields = ["mailing"]
    list_select_related = ["group", "channel", "tool", "responsible", "municipality"]


class DeliveryInline(admin.TabularInline):
    model = MailingDelivery
    extra = 0
    fields = ["participant", "status", "reason", "attempts", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Mailing)
class MailingAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "group", "status", "created_at", "sent_at", "delivered"]
    list_filter = ["municipality", "status", "group"]
    search_fields = ["subject", "body"]
    inlines = [DeliveryInline]
    actions = ["send"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("group")
            .annotate(_sent=Count("deliveries", filter=Q(deliveries__status=MailingDelivery.Status.SENT)))
        )

    @admin.display(description=_("доставлено"), ordering="_sent")
    def delivered(self, obj):
        return obj._sent

    def get_readonly_fields(self, request, obj=None):
        base = ["status", "created_by", "queued_at", "sent_at"]
        if obj is not None and obj.status != Mailing.Status.DRAFT:
            return [*base, "municipality", "group", "subject", "body"]
        return base

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Отправить рассылку"))
    def send(self, request, queryset):
        for mailing in queryset:
            try:
                with transaction.atomic():
                    count = services.start_mailing(mailing, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"«{mailing}»: {error_text(exc)}", messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "«%(subject)s»: поставлено в очередь %(count)d письмо.",
                    "«%(subject)s»: поставлено в очередь %(count)d писем.",
                    count,
                )
                % {"subject": mailing.subject, "count": count},
                messages.SUCCESS,
            )


# --- Councils ----------------------------------------------------------------------------------------


class CouncilMemberInline(ScopedInline):
    model = CouncilMember
    fields = [
        "order",
        "full_name",
        "role",
        "represents",
        "term_start",
        "term_end",
        "email",
        "phone",
        "participant",
    ]
    raw_id_fields = ["participant"]


class CouncilRegulationInline(ScopedInline):
    model = CouncilRegulation
    fields = ["title", "date", "legal_act", "file", "url"]


class CouncilWorkPlanInline(ScopedInline):
    model = CouncilWorkPlan
    fields = ["year", "title", "approved_on", "content", "file", "url"]


@admin.register(Council)
class CouncilAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Saving a change of members, Положение or plan starts the roadmap's «3 days» publication deadline."""

    list_display = ["name", "municipality", "is_public"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    inlines = [CouncilMemberInline, CouncilRegulationInline, CouncilWorkPlanInline]

    def save_formset(self, request, form, formset, change):
        changed = formset.has_changed()
        super().save_formset(request, form, formset, change)
        if not changed:
            return
        council = form.instance
        today = council.municipality.local_today()
        if formset.model is CouncilMember:
            services.record_council_change(council, "membership", today)
        elif formset.model is CouncilRegulation:
            dates = [f.instance.date for f in formset.forms if f.has_changed() and f.instance.date]
            services.record_council_change(council, "regulation", max(dates, default=today))
        elif formset.model is CouncilWorkPlan:
            for f in formset.forms:
                if "approved_on" in f.changed_data and f.instance.approved_on:
                    services.record_council_change(council, "workplan", f.instance.approved_on)


class AgendaItemInline(ScopedInline):
    model = AgendaItem
    extra = 1
    fields = ["order", "title", "speaker", "decision"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "council", "status", "question_count"]
    list_filter = ["council__municipality", "council", "status"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("council").annotate(_questions=Count("agenda_items"))
        )

    @admin.display(description=_("вопросов"), ordering="_questions")
    def question_count(self, obj):
        return obj._questions
