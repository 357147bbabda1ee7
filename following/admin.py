"""Subscriptions and events in the admin: read-only (the e-mails are personal data, changed only by their
owners through the links), scoped to the municipality of the target.

A subscription has no municipality of its own: its model declares the paths through its target, one of three
foreign keys, and the scope is their union (municipalities/scoping.py).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from municipalities.admin import ScopedAdminMixin

from . import selectors
from .models import Digest, FollowEvent, Subscription


class TargetScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only rows scoped through whichever target is set (the models declare the three paths)."""

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
    list_display = ["created_at", "subscription", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["subscription"]
    readonly_fields = [f.name for f in Digest._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
