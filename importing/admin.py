"""Admin: upload a roadmap file → preview what was understood (flagged cells marked) → confirm → progress."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from municipalities import scoping
from municipalities.admin import ScopedAdminMixin
from municipalities.models import Municipality
from roadmaps.models import DEADLINE_KIND_LABELS, Roadmap

from .errors import RoadmapImportError
from .exporting import export_docx, export_xlsx
from .forms import ImportChoicesForm, ImportUploadForm
from .jobs import change_job_options, confirm_job, job_progress, refresh_job_warnings, start_import_job
from .models import ImportJob
from .results import COLUMN_LABELS

EXPORTERS = {
    "docx": (export_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "municipality",
        "status",
        "progress_display",
        "measure_count",
        "roadmap",
        "created_at",
    ]
    list_filter = ["status", "municipality"]
    list_select_related = ["municipality", "roadmap"]
    readonly_fields = [
        "municipality",
        "original_name",
        "checksum",
        "status",
        "progress_display",
        "measure_count",
        "error",
        "roadmap",
        "created_by",
        "created_at",
        "finished_at",
    ]
    fields = readonly_fields
    change_form_template = "importing/job_change_form.html"

    @admin.display(description=_("выполнено"))
    def progress_display(self, obj):
        return format_html("{} %", job_progress(obj))

    def has_change_permission(self, request, obj=None):
        return False if obj is not None and obj.is_finished else super().has_change_permission(request, obj)

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="importing_importjob_upload"),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="importing_importjob_preview",
            ),
            path(
                "export/<int:roadmap_id>/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="importing_importjob_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, roadmap_id, fmt):
        """The roadmap as a DOCX or XLSX table in the import layout (anyone who may see the roadmap)."""
        if fmt not in EXPORTERS:
            raise Http404
        roadmaps = Roadmap.objects.select_related("approving_act", "municipality")
        roadmap = get_object_or_404(scoping.visible_to(roadmaps, request.user), pk=roadmap_id)
        exporter, content_type = EXPORTERS[fmt]
        response = HttpResponse(exporter(roadmap), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="roadmap-{roadmap.pk}.{fmt}"'
        return response

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:importing_importjob_upload"))

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        municipalities = scoping.visible_to(Municipality, request.user)  # writers: their own
        form = ImportUploadForm(request.POST or None, request.FILES or None, municipalities=municipalities)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_import_job(
                    municipality=form.cleaned_data["municipality"],
                    upload=form.cleaned_data["file"],
                    options=form.options(),
                    created_by=request.user,
                )
            except RoadmapImportError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                return HttpResponseRedirect(reverse("admin:importing_importjob_preview", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Загрузить дорожную карту из файла"),
            "form": form,
        }
        return TemplateResponse(request, "importing/upload.html", context)

    def preview_view(self, request, pk):
        job = get_object_or_404(self.get_queryset(request).select_related("municipality"), pk=pk)
        if not self.has_change_permission(request, job) or job.status != ImportJob.Status.PREVIEW:
            if job.status != ImportJob.Status.PREVIEW:
                return HttpResponseRedirect(reverse("admin:importing_importjob_change", args=[job.pk]))
            raise PermissionDenied
        preview = job.preview or {}
        initial = {**job.options, "title": job.options.get("title") or preview.get("title", "")}
        act = preview.get("act") or {}
        if not initial.get("act_number") and act.get("number"):
            initial.update(act_number=act["number"], act_date=act["date"], act_kind=act["kind"])
        form = ImportChoicesForm(
            request.POST or None,
            initial=initial,
            tables=(preview.get("table") or {}).get("found"),
            warnings=preview.get("warnings"),
        )
        if request.method == "POST" and form.is_valid():
            if "reparse" in request.POST:
                try:
                    change_job_options(job, form.options(), reparse=True)
                except RoadmapImportError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                return HttpResponseRedirect(request.path)
            change_job_options(job, form.options())
            try:
                job = confirm_job(job, accept_warnings=form.cleaned_data.get("accept_warnings", False))
            except ValidationError as exc:
                if "accept_warnings" in form.fields:
                    form.add_error("accept_warnings", exc)
                    return self._render_preview(request, job, form)
                # A warning that appeared after the preview (the same file imported in another tab).
                refresh_job_warnings(job)
                messages.warning(request, exc.messages[0])
                return HttpResponseRedirect(request.path)
            if job.status == ImportJob.Status.DONE:
                messages.success(
                    request, _("Дорожная карта загружена: %(n)d мероприятий.") % {"n": job.measure_count}
                )
                return HttpResponseRedirect(reverse("admin:roadmaps_roadmap_change", args=[job.roadmap_id]))
            if job.status == ImportJob.Status.FAILED:
                messages.error(request, job.error)
            return HttpResponseRedirect(reverse("admin:importing_importjob_change", args=[job.pk]))
        return self._render_preview(request, job, form)

    def _render_preview(self, request, job, form):
        preview = job.preview or {}
        columns = [role for role in COLUMN_LABELS if role in (preview.get("columns") or {})]
        rows = []
        sections = {s["number"] + s["title"]: s for s in preview.get("sections", [])}
        current = None
        for measure in preview.get("measures", []):
            if measure["section"] != current and len(sections) > 1:
                current = measure["section"]
                rows.append({"section": current})
            flagged = set(measure.get("flagged_columns", []))
            cells = []
            for role in columns:
                cells.append(
                    {"role": role, "flagged": role in flagged, "lines": self._cell_lines(measure, role)}
                )
            rows.append({"measure": measure, "cells": cells})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Проверьте, что распознано"),
            "job": job,
            "preview": preview,
            "form": form,
            "columns": [
                (role, (preview.get("columns") or {}).get(role, COLUMN_LABELS[role])) for role in columns
            ],
            "rows": rows,
        }
        return TemplateResponse(request, "importing/preview.html", context)

    @staticmethod
    def _cell_lines(measure: dict, role: str) -> list[str]:
        if role == "number":
            return [measure["number"] or "—"]
        if role == "title":
            return [measure["title"], *filter(None, measure.get("description", "").split("\n"))]
        if role == "deadline":
            kind = DEADLINE_KIND_LABELS.get(measure.get("deadline_kind", ""), "")
            return [measure["deadline_text"] or "—", f"→ {kind}, сроков: {len(measure.get('deadlines', []))}"]
        if role == "executors":
            return measure["executors"] or ["—"]
        lines = [
            f"{k['name']} ({k['unit']}): " + ", ".join(f"{y}: {v}" for y, v in k["targets"].items())
            for k in measure.get("kpis", [])
        ]
        if measure.get("expected_result"):
            lines.append(measure["expected_result"])
        return lines or ["—"]


def _to_new_address(request, rest):
    target = f"{reverse('admin:index')}importing/importjob/{rest}"
    if request.META.get("QUERY_STRING"):
        target += f"?{request.META['QUERY_STRING']}"
    return HttpResponsePermanentRedirect(target)


def legacy_admin_urls(site) -> list:
    """/admin/roadmaps/importjob/… (when the import was part of roadmaps; bookmarks and the README's links)
    answers with a permanent redirect to the same page under /admin/importing/importjob/…"""
    return [re_path(r"^roadmaps/importjob/(?P<rest>.*)$", _to_new_address)]
