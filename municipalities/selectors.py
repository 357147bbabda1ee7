"""Reads about municipalities and their staff: each a fixed number of queries whatever the size."""

from collections.abc import Collection

from django.db.models import QuerySet

from openness_portal.notifications.registry import Recipient

from .models import Municipality, Official, StaffRole


def municipalities_for_api() -> QuerySet:
    """The public register of municipalities, by name (every municipality is public, drafts are not theirs)."""
    return Municipality.objects.order_by("name")


def coordinator_recipients(municipality_ids: Collection[int] | None) -> dict[int, list[Recipient]]:
    """Coordinators by municipality id (one query); e-mail from the account, else from its official."""
    roles = StaffRole.objects.filter(role=StaffRole.Role.COORDINATOR, user__is_active=True).select_related(
        "user__official"
    )
    if municipality_ids is not None:
        roles = roles.filter(municipality_id__in=list(municipality_ids))
    result: dict[int, list[Recipient]] = {}
    for role in roles.order_by("municipality_id", "user_id"):
        user = role.user
        try:
            official = user.official
        except Official.DoesNotExist:
            official = None
        email = user.email or (official.email if official else "")
        name = user.get_full_name() or (str(official) if official else "") or user.get_username()
        if official is not None:
            recipient = Recipient(name=name, email=email, official_id=official.pk)
        else:
            recipient = Recipient(name=name, email=email)
        result.setdefault(role.municipality_id, []).append(recipient)
    return result
