"""`{% region_link user %}`: the supervisor's admin start page links to the region they supervise."""

from django import template
from django.urls import reverse

from municipalities import access
from municipalities.models import StaffRole

from ..selectors import region_slug

register = template.Library()


@register.simple_tag
def region_url_for(user) -> str:
    """The supervisor's region page, the list of regions for a supervisor of all or a superuser; else ""."""
    role = access.role_of(user)
    if role is not None and role.role == StaffRole.Role.SUPERVISOR:
        if role.region:
            return reverse("regions:region", args=[region_slug(role.region)])
        return reverse("regions:list")
    return reverse("regions:list") if access.is_superuser(user) else ""
