"""A region's rating method (criteria and weights) in the admin: superusers and the region's supervisor."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from municipalities import access
from municipalities.models import Municipality, StaffRole
from openness_portal.admin_actions import ServiceErrorsOnFormMixin

from . import services
from .models import DEFAULT_WEIGHTS, RatingCriterion, RatingMethod


def _supervised_region(user) -> str | None:
    """The region a supervisor is limited to; "" for a supervisor of every region; None for anyone else."""
    if user.is_superuser:
        return ""
    role = access.role_of(user)
    if role is None or role.role != StaffRole.Role.SUPERVISOR:
        return None
    return role.region


class RatingMethodForm(forms.ModelForm):
    class Meta:
        model = RatingMethod
        fields = ["region", "approved_by", "note"]

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(label=_("Субъект РФ"), choices=[(r, r) for r in regions])


class RatingCriterionInline(admin.TabularInline):
    model = RatingCriterion
    min_num = 1

    # Whoever may edit the method edits its criteria (the parent admin has already checked the region).
    def has_view_permission(self, request, obj=None):
        return _supervised_region(request.user) is not None

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission

    def get_extra(self, request, obj=None, **kwargs):
        return len(DEFAULT_WEIGHTS) - 1 if obj is None else 0


@admin.register(RatingMethod)
class RatingMethodAdmin(ServiceErrorsOnFormMixin, admin.ModelAdmin):
    list_display = ["region", "approved_by", "updated_at"]
    inlines = [RatingCriterionInline]
    form = RatingMethodForm

    def _region(self, request):
        return _supervised_region(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and self._region(request) is not None

    def has_view_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_add_permission(self, request):
        return self._may_edit(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def _may_edit(self, request, obj=None):
        region = self._region(request)
        if region is None or not request.user.is_active:
            return False
        return not region or obj is None or obj.region == region

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        region = self._region(request)
        if region is None:
            return qs.none()
        return qs.filter(region=region) if region else qs

    def get_form(self, request, obj=None, change=False, **kwargs):
        region = self._region(request)
        if region:
            regions = [region]
        else:
            regions = list(
                Municipality.objects.values_list("region", flat=True).distinct().order_by("region")
            )
        form = super().get_form(request, obj, change=change, **kwargs)

        class ScopedForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, regions=regions, **kw)

        return ScopedForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj.pk is None and request.method == "GET":
            # A new method starts from the published defaults; the region changes what it must.
            kwargs["initial"] = [{"criterion": c.value, "weight": w} for c, w in DEFAULT_WEIGHTS.items()]
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.rating_method_changed(form.instance.region)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.rating_method_changed(obj.region)

    def delete_queryset(self, request, queryset):
        # The list's «delete selected» action bypasses delete_model; its regions must drop their pages too.
        regions = set(queryset.values_list("region", flat=True))
        super().delete_queryset(request, queryset)
        for region in regions:
            services.rating_method_changed(region)
