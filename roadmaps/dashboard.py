"""Context for the admin start page: what each role has to do today; and what an executor is shown in the
list of sections (registered with openness_portal.admin_site in RoadmapsConfig.ready)."""

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


# What an executor works with; the other models stay reachable by permission but are not listed.
EXECUTOR_MODELS = {
    ("roadmaps", "progressentry"),
    ("roadmaps", "measure"),
    ("roadmaps", "deadline"),
    ("notifications", "notification"),
}


def executor_app_list(request, apps: list[dict]) -> list[dict]:
    """An executor's list of sections: only the models of EXECUTOR_MODELS; everyone else sees all."""
    role = access.role_of(request.user)
    if request.user.is_superuser or not role or role.role != StaffRole.Role.EXECUTOR:
        return apps
    trimmed = []
    for app in apps:
        models = [m for m in app["models"] if (app["app_label"], m["object_name"].lower()) in EXECUTOR_MODELS]
        if models:
            trimmed.append({**app, "models": models})
    return trimmed


def home_context(request) -> dict:
    """The public start page: municipalities and their public roadmaps."""
    return {"municipalities": selectors.municipalities_with_roadmaps()}
