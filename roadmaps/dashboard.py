"""Context for the admin start page: what each role has to do today."""

from django.utils import timezone

from municipalities import access
from municipalities.models import StaffRole

from . import selectors


def dashboard_context(request) -> dict:
    user = request.user
    role = access.role_of(user)
    today = timezone.localdate()
    context = {"dashboard_role": role.role if role else ("superuser" if user.is_superuser else None)}
    if role and role.municipality_id:
        today = role.municipality.local_today()
        context["dashboard_municipality"] = role.municipality
    if role and role.role == StaffRole.Role.EXECUTOR:
        context["executor_dashboard"] = selectors.executor_dashboard(user, today=today)
    ids = access.coordinated_municipality_ids(user)
    if ids is None or ids:
        context["coordinator_dashboard"] = selectors.coordinator_dashboard(ids, today=today)
    context["dashboard_today"] = today
    return context
