"""The moderator's start page: comments awaiting a decision (registered with openness_portal.admin_site)."""

from municipalities import access

from .selectors import moderation_queue


def moderator_dashboard(request) -> dict:
    if access.is_moderator(request.user):
        return {"moderator_dashboard": moderation_queue([access.role_of(request.user).municipality_id])}
    return {}
