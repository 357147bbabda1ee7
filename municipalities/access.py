"""Who may see and change what: every admin queryset and API permission goes through here.

Which measures an executor works on is a roadmap rule: `roadmaps.selectors.executor_measures`."""

from django.db.models import QuerySet

from .models import Municipality, Official, StaffRole

# Where the admin middleware leaves the role it loaded for this request, None included (Django's reverse
# one-to-one cache keeps a found role only, so a staff account with no role would query on every check).
REQUEST_ROLE_ATTRIBUTE = "_portal_staff_role"


def role_of(user) -> StaffRole | None:
    if not user or not user.is_authenticated:
        return None
    if hasattr(user, REQUEST_ROLE_ATTRIBUTE):
        return getattr(user, REQUEST_ROLE_ATTRIBUTE)
    try:
        return user.staff_role
    except StaffRole.DoesNotExist:
        return None


def is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def visible_municipalities(user) -> QuerySet:
    """Municipalities whose internal data (drafts, submitted entries) the user may read.

    A moderator reads none: their municipality's comments are reached through `moderated_municipalities`.
    """
    if is_superuser(user):
        return Municipality.objects.all()
    role = role_of(user)
    if role is None or role.role == StaffRole.Role.MODERATOR:
        return Municipality.objects.none()
    if role.role == StaffRole.Role.SUPERVISOR:
        qs = Municipality.objects.all()
        return qs.filter(region=role.region) if role.region else qs
    return Municipality.objects.filter(pk=role.municipality_id)


def is_coordinator(user, municipality_id: int) -> bool:
    if is_superuser(user):
        return True
    role = role_of(user)
    return bool(role and role.role == StaffRole.Role.COORDINATOR and role.municipality_id == municipality_id)


def is_moderator(user) -> bool:
    role = role_of(user)
    return bool(role and role.role == StaffRole.Role.MODERATOR)


def can_moderate(user, municipality_id: int) -> bool:
    """Publish, hide and restore comments and reply to them as the administration: coordinators and moderators."""
    if is_coordinator(user, municipality_id):
        return True
    role = role_of(user)
    return bool(role and role.role == StaffRole.Role.MODERATOR and role.municipality_id == municipality_id)


def moderated_municipalities(user) -> QuerySet:
    """Municipalities whose discussions' comments the user moderates (the moderation admin's scope)."""
    if is_superuser(user):
        return Municipality.objects.all()
    role = role_of(user)
    if role is None or role.role not in (StaffRole.Role.COORDINATOR, StaffRole.Role.MODERATOR):
        return Municipality.objects.none()
    return Municipality.objects.filter(pk=role.municipality_id)


def coordinated_municipality_ids(user) -> list[int] | None:
    """None means «all» (superuser)."""
    if is_superuser(user):
        return None
    role = role_of(user)
    if role and role.role == StaffRole.Role.COORDINATOR:
        return [role.municipality_id]
    return []


def official_of(user) -> Official | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.official
    except Official.DoesNotExist:
        return None
