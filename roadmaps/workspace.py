"""The executor's workspace in the staff site: «Мои мероприятия» and one form per deadline."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from municipalities import access
from openness_portal.forms import add_service_errors

from . import selectors, services
from .forms import ProgressReportForm
from .models import Deadline


def _today(user):
    role = access.role_of(user)
    if role and role.municipality_id:
        return role.municipality.local_today()
    return selectors.today_for_filters()


def my_measures(request, admin_site):
    context = {
        **admin_site.each_context(request),
        "title": _("Мои мероприятия"),
        "workspace": selectors.executor_workspace(request.user, today=_today(request.user)),
    }
    return TemplateResponse(request, "admin/roadmaps/workspace.html", context)


def report_on_deadline(request, admin_site, deadline_pk: int):
    deadline = get_object_or_404(
        Deadline.objects.select_related("measure__roadmap__municipality"), pk=deadline_pk
    )
    measure = deadline.measure
    services.check_can_write(request.user, measure)
    try:
        period = services.period_for_deadline(deadline)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("admin:roadmaps_my_measures")
    kpis = list(measure.kpis.order_by("order", "pk"))
    existing = selectors.open_entry_for_deadline(deadline)
    initial = selectors.progress_report_initial(existing, kpis, year=period.year)
    form = ProgressReportForm(request.POST or None, initial=initial, kpis=kpis, year=period.year)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.report_progress(
                user=request.user,
                deadline=deadline,
                text=form.cleaned_data["text"],
                completed_on=form.cleaned_data["completed_on"],
                evidence_url=form.cleaned_data["evidence_url"],
                kpi_values=form.kpi_values(),
                submit=submit,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if submit:
                messages.success(
                    request,
                    _("Информация по мероприятию %(number)s отправлена на проверку.")
                    % {"number": measure.number},
                )
            else:
                messages.success(
                    request, _("Черновик по мероприятию %(number)s сохранен.") % {"number": measure.number}
                )
            return redirect("admin:roadmaps_my_measures")
    context = {
        **admin_site.each_context(request),
        "title": _("Информация о проведении мероприятия %(number)s") % {"number": measure.number},
        "deadline": deadline,
        "measure": measure,
        "period": period,
        "form": form,
        "kpi_fields": [(kpi, form[name]) for kpi, name in form.kpi_fields],
        "existing": existing,
    }
    return TemplateResponse(request, "admin/roadmaps/report_progress.html", context)


def admin_urls(site) -> list:
    """«Мои мероприятия» and the form per deadline, under /admin/my/ (registered with the admin site)."""
    from django.urls import path

    return [
        path(
            "my/",
            site.admin_view(lambda request: my_measures(request, site)),
            name="roadmaps_my_measures",
        ),
        path(
            "my/deadlines/<int:deadline_pk>/",
            site.admin_view(lambda request, deadline_pk: report_on_deadline(request, site, deadline_pk)),
            name="roadmaps_report_on_deadline",
        ),
    ]
