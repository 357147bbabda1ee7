"""Shared staff-admin idioms: run a service over selected rows, and show a service's refusal on the form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction


def error_text(exc: Exception) -> str:
    """The service's own (Russian) messages, joined for one admin message line."""
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def apply_to_each(modeladmin, request, queryset, service, done_message, **kwargs) -> int:
    """Call `service(obj, **kwargs)` for each row; report each refusal by row name and the count done.

    `done_message` is an `ngettext_lazy(..., "count")` text; each row runs in its own savepoint so a refused
    row leaves nothing half-saved while the others go through.
    """
    done = 0
    for obj in queryset:
        try:
            with transaction.atomic():
                service(obj, **kwargs)
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"«{obj}»: {error_text(exc)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    return done


class ServiceErrorsOnFormMixin:
    """A ValidationError or PermissionDenied from `save_model` / `save_related` / `save_formset` (the service
    refusing) is shown on the form, not as a 403 or 500 page, and never next to «…изменен успешно».

    The refused attempt's transaction is rolled back, then the same POST is rendered again with the
    service's messages added as form errors, so the admin's own template shows them with status 200.
    Every admin whose save hooks call a service uses this mixin (tests/openness_portal/test_admin_names.py
    checks the registry). A PermissionDenied raised by the admin's own permission checks is raised again
    by the second rendering, so it still answers 403.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            if request.method != "POST" or getattr(request, "_service_refusal", None) is not None:
                raise
            request._service_refusal = exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            for _name, upload in request.FILES.lists():  # the first attempt read the uploads
                for f in upload:
                    f.seek(0)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                data = super().clean()
                self.add_error(None, refusal.messages)
                return data

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm
