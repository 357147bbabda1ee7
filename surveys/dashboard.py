"""The moderator's start page: comments awaiting a decision (registered with openness_portal.admin_site)."""

from municipalities import access
from municipalities.models import StaffRole

from .selectors import moderation_queue


def moderator_dashboard(request) -> dict:
    role = access.role_of(request.user)
    if role and role.role == StaffRole.Role.MODERATOR:
        return {"moderator_dashboard": moderation_queue([role.municipality_id])}
    return {}
