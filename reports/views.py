"""Public pages: the published reports of a roadmap, and downloads of their files. Thin: selectors read."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from municipalities import scoping
from roadmaps.models import Roadmap

from . import selectors
from .models import InformationLetter, ReportFile
from .writers import CONTENT_TYPES


@require_GET
def published_reports(request, slug, pk):
    roadmap = get_object_or_404(
        Roadmap.objects.select_related("municipality", "approving_act"), pk=pk, municipality__slug=slug
    )
    if not roadmap.is_public:
        raise Http404
    reports = selectors.published_reports(roadmap)
    return render(
        request,
        "reports/published.html",
        {"roadmap": roadmap, "municipality": roadmap.municipality, "reports": reports},
    )


@require_GET
def download(request, pk):
    """A report's file: of a published report for everyone, else only for staff who may see it."""
    file = get_object_or_404(
        ReportFile.objects.select_related("report__roadmap__municipality"),
        pk=pk,
        status=ReportFile.Status.READY,
    )
    report = file.report
    if (
        not report.is_published
        and not selectors.reports_visible_to(request.user).filter(pk=report.pk).exists()
    ):
        raise Http404
    if not file.file:
        raise Http404
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=file.filename,
        content_type=CONTENT_TYPES[file.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    if file.checksum:
        response["Digest"] = f"sha-256={file.checksum}"
    return response


@require_GET
def letter_download(request, pk):
    """An information letter is internal correspondence: only staff who may see its municipality."""
    letter = get_object_or_404(
        InformationLetter.objects.select_related("roadmap__municipality"),
        pk=pk,
        status=InformationLetter.Status.READY,
    )
    if not scoping.visible_to(InformationLetter, request.user).filter(pk=letter.pk).exists():
        raise Http404
    if not letter.file:
        raise Http404
    response = FileResponse(
        letter.file.open("rb"),
        as_attachment=True,
        filename=letter.filename,
        content_type=CONTENT_TYPES["docx"],
    )
    response["X-Content-Type-Options"] = "nosniff"
    if letter.checksum:
        response["Digest"] = f"sha-256={letter.checksum}"
    return response
