"""Staff admin of municipalities, departments, officials and staff roles, and the scoping every app's admin
uses: rows, form choices and list filters limited to the municipalities the user may see (access.py), by the
path each model declares (scoping.py), not just the menus."""

from django.contrib import admin

from openness_portal.admin_actions import ServiceErrorsOnFormMixin

from . import access, scoping, services
from .models import Department, Municipality, Official, StaffRole


def _scoped_related_model(model, lookup: str):
    """The model a list-filter lookup ends on when it crosses into a scoped model, with whether it ends on a
    relation (`roadmap`) or on a plain field of the related row (`municipality__region`); else None."""
    field, crossed = None, None
    for part in lookup.split("__"):
        field = model._meta.get_field(part)
        if not field.is_relation:
            break
        model = field.related_model
        crossed = model if scoping.is_scoped(model) else crossed
    if field is not None and field.is_relation:
        return (model, True) if scoping.is_scoped(model) else None
    return (crossed, False) if crossed is not None else None


class ScopedValuesListFilter(admin.AllValuesFieldListFilter):
    """Values of a field across a relation (`municipality__region`) taken from the rows the user sees: Django's
    own filter reads them from the whole related table, so one municipality's coordinator saw every region."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices of every scoped model limited to `scope_municipalities`."""

    def _scope_choices(self, field, request):
        if request.user.is_superuser or not scoping.is_scoped(field.queryset.model):
            return field
        field.queryset = scoping.scoped(field.queryset, self.scope_municipalities(request))
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scope_choices(super().formfield_for_foreignkey(db_field, request, **kwargs), request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return field if field is None else self._scope_choices(field, request)


class ScopedAdminMixin(ScopedChoicesMixin):
    """Rows limited to the municipalities the user may see, by the model's declared `municipality_path`
    (municipalities/scoping.py), in the list, the form choices and the list filters; writes only for
    coordinators (or superusers)."""

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
        return scoping.scoped(qs, self.scope_municipalities(request))

    def get_queryset(self, request):
        return self._scope(request, super().get_queryset(request))

    def get_list_filter(self, request):
        """A filter on a scoped model offers only what the user's rows refer to (not every municipality)."""
        filters = []
        for entry in super().get_list_filter(request):
            target = _scoped_related_model(self.model, entry) if isinstance(entry, str) else None
            if target is None:
                filters.append(entry)
            else:
                _, ends_on_relation = target
                kind = admin.RelatedOnlyFieldListFilter if ends_on_relation else ScopedValuesListFilter
                filters.append((entry, kind))
        return filters

    def _municipality_id(self, obj):
        return scoping.municipality_id_of(obj)

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


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    """Rows of a scoped parent: its choices and write rights are those of the parent's admin."""

    extra = 0

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def scope_municipalities(self, request):
        return self._parent_admin().scope_municipalities(request)

    def _parent_admin_write(self, request, obj):
        return self._parent_admin()._can_write(request, obj)

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
class StaffRoleAdmin(ServiceErrorsOnFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "region"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "municipality"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        staff_role = services.grant_staff_role(
            obj.user, obj.role, municipality=obj.municipality, region=obj.region
        )
        obj.pk = staff_role.pk

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
