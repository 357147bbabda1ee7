"""Subscriptions and events in the admin: read-only (the e-mails are personal data, changed only by their
owners through the links), scoped to the municipality of the target.

A subscription has no municipality of its own: the municipality path goes through its target, which is
one of three foreign keys, so the scope is the union of the three paths.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities import access
from municipalities.admin import ScopedAdminMixin

from . import selectors
from .models import Digest, FollowEvent, Subscription

TARGET_MUNICIPALITY_PATHS = (
    "roadmap__municipality",
    "measure__roadmap__municipality",
    "discussion__municipality",
)


class TargetScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """ScopedAdminMixin with the municipality reached through whichever target is set."""

    municipality_paths = TARGET_MUNICIPALITY_PATHS

    def _scope(self, request, qs):
        if request.user.is_superuser:
            return qs
        municipalities = access.visible_municipalities(request.user)
        condition = Q(pk__in=[])
        for path in self.municipality_paths:
            condition |= Q(**{f"{path}__in": municipalities})
        return qs.filter(condition)

    def _municipality_id(self, obj):
        target = obj.target
        return selectors.target_municipality_id(target) if target is not None else None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(TargetScopedAdmin):
    """Read-only; a coordinator of the target's municipality may delete a row (erasing an address on its
    owner's request, 152-ФЗ)."""

    list_display = ["email", "target_shown", "status", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email", "roadmap__title", "measure__title", "discussion__title"]
    list_select_related = ["roadmap", "measure", "discussion"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "email",
        "roadmap",
        "measure",
        "discussion",
        "status",
        "consent_at",
        "created_at",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("на что"))
    def target_shown(self, obj):
        target = obj.target
        return selectors.target_title(target) if target is not None else "—"


@admin.register(FollowEvent)
class FollowEventAdmin(TargetScopedAdmin):
    list_display = ["occurred_at", "kind", "title", "fanned_out_at"]
    list_filter = ["kind"]
    search_fields = ["title", "object_key"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in FollowEvent._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Digest)
class DigestAdmin(TargetScopedAdmin):
    municipality_paths = tuple(f"subscription__{p}" for p in TARGET_MUNICIPALITY_PATHS)
    list_display = ["created_at", "subscription", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["subscription"]
    readonly_fields = [f.name for f in Digest._meta.fields]

    def _municipality_id(self, obj):
        return super()._municipality_id(obj.subscription)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
