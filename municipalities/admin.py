"""Staff admin of municipalities, departments, officials and staff roles, and the scoping every app's admin
uses: rows limited to the municipalities the user may see (see access.py), not just the menus."""

from django.contrib import admin

from . import access
from .models import Department, Municipality, Official, StaffRole

# Model → lookup from it to its Municipality ("self" for Municipality): foreign-key choices of that model in
# every scoped admin form are limited to the user's municipalities. Apps add their models with scope_choices.
_CHOICE_SCOPES: dict[type, str] = {}


def scope_choices(model, municipality_path: str) -> None:
    """Limit the choices of `model` in every scoped admin form to the municipalities the user may see."""
    _CHOICE_SCOPES[model] = municipality_path


scope_choices(Municipality, "self")
scope_choices(Department, "municipality")
scope_choices(Official, "municipality")


class ScopedAdminMixin:
    """Rows limited to the municipalities the user may see; writes only for coordinators (or superusers).

    `municipality_path` is the lookup from the model to its Municipality.
    """

    municipality_path = "municipality"
    executor_writable = False  # executors may add/change rows of their own measures (progress, KPI actuals)
    moderator_visible = False  # moderators see only the moderation admins (comments, discussions)
    moderator_writable = False  # …and write only where this is set (comments: moderate and reply)

    def _is_moderator(self, request):
        return access.is_moderator(request.user)

    def scope_municipalities(self, request):
        """The municipalities whose rows this admin shows the user."""
        if self.moderator_visible and self._is_moderator(request):
            return access.moderated_municipalities(request.user)
        return access.visible_municipalities(request.user)

    def _scope(self, request, qs):
        if request.user.is_superuser:
            return qs
        municipalities = self.scope_municipalities(request)
        key = "pk__in" if self.municipality_path == "self" else f"{self.municipality_path}__in"
        return qs.filter(**{key: municipalities})

    def get_queryset(self, request):
        return self._scope(request, super().get_queryset(request))

    def _municipality_id(self, obj):
        if self.municipality_path == "self":
            return obj.pk
        value = obj
        for part in self.municipality_path.split("__"):
            value = getattr(value, part)
        return value.pk

    def has_module_permission(self, request):
        if not request.user.is_active:
            return False
        if request.user.is_superuser:
            return True
        role = access.role_of(request.user)
        return role is not None and (role.role != StaffRole.Role.MODERATOR or self.moderator_visible)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def _can_write(self, request, obj=None):
        user = request.user
        if user.is_superuser:
            return True
        role = access.role_of(user)
        if role is None or role.role == StaffRole.Role.SUPERVISOR:
            return False
        if role.role == StaffRole.Role.EXECUTOR:
            return self.executor_writable and (obj is None or self._executor_owns(request, obj))
        if role.role == StaffRole.Role.MODERATOR and not self.moderator_writable:
            return False
        return obj is None or self._municipality_id(obj) == role.municipality_id

    def _executor_owns(self, request, obj):
        return False

    def has_add_permission(self, request, obj=None):
        return self._can_write(request)

    def has_change_permission(self, request, obj=None):
        return self._can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        role = access.role_of(request.user)
        if role and role.role in (StaffRole.Role.EXECUTOR, StaffRole.Role.MODERATOR):
            return False
        return self._can_write(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        path = _CHOICE_SCOPES.get(db_field.related_model)
        if path is not None:
            key = "pk__in" if path == "self" else f"{path}__in"
            field.queryset = field.queryset.filter(**{key: self.scope_municipalities(request)})
        return field


class ScopedInline(admin.TabularInline):
    extra = 0

    def _parent_admin_write(self, request, obj):
        return self.admin_site._registry[self.parent_model]._can_write(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_admin_write(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin_write(request, obj)

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    municipality_path = "self"
    list_display = ["name", "region", "oktmo", "inn", "time_zone"]
    search_fields = ["name", "full_name", "region", "oktmo", "inn"]
    list_filter = ["region"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "municipality", "parent", "email"]
    list_filter = ["municipality"]
    search_fields = ["name", "short_name", "head_name", "email"]
    list_select_related = ["municipality", "parent"]


@admin.register(Official)
class OfficialAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "department", "municipality", "email", "user", "is_press_secretary"]
    list_filter = ["municipality", "is_press_secretary"]
    search_fields = ["name", "post", "email"]
    list_select_related = ["municipality", "department", "user"]
    raw_id_fields = ["user"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "region"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "municipality"]
    raw_id_fields = ["user"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
