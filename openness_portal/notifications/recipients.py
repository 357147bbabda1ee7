"""Who stands in for a missing recipient: the coordinators of a municipality."""

from collections import defaultdict
from collections.abc import Collection

from .registry import Recipient


def coordinator_recipients(municipality_ids: Collection[int] | None) -> dict[int, list[Recipient]]:
    """Coordinators by municipality id (one query); e-mail from the account, else from its official."""
    from roadmaps.models import Official, StaffRole

    roles = StaffRole.objects.filter(role=StaffRole.Role.COORDINATOR, user__is_active=True).select_related(
        "user__official"
    )
    if municipality_ids is not None:
        roles = roles.filter(municipality_id__in=list(municipality_ids))
    result: dict[int, list[Recipient]] = defaultdict(list)
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
        result[role.municipality_id].append(recipient)
    return result
