"""Admin pages in the time zone of the staff member's municipality.

Django's admin compares the browser's clock with the active time zone and printed «Примечание: Ваше время
опережает время сервера на 2 часа» under every date field for a coordinator in Yekaterinburg, while the
dates they typed were read as Moscow time. With the municipality's zone active, the admin shows and reads
times as the municipality lives them; a supervisor or a superuser without a municipality keeps the server's.
"""

from django.urls import reverse
from django.utils import timezone

from . import access
from .models import StaffRole


def staff_time_zone(user):
    """The zone of the user's municipality, or None. Loads the role once (with its municipality) and leaves it
    cached on the user, so the admin's own role checks make no further query."""
    if not user.is_authenticated or not user.is_staff:
        return None
    role = StaffRole.objects.select_related("municipality").filter(user_id=user.pk).first()
    setattr(user, access.REQUEST_ROLE_ATTRIBUTE, role)  # None too: role_of() then answers without a query
    if role is not None:
        user.staff_role = role
    if role is None or role.municipality is None:
        return None
    return role.municipality.tz


class StaffTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        zone = staff_time_zone(request.user) if request.path.startswith(self.admin_prefix) else None
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
