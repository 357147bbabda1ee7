from django.db.models import Q
from rest_framework import viewsets

from municipalities import scoping

from .. import selectors
from ..models import Report
from .serializers import ReportSerializer


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published reports for everyone; staff also see the reports of the municipalities they may read."""

    serializer_class = ReportSerializer
    filterset_fields = ["roadmap", "period", "kind", "status"]

    def get_queryset(self):
        published = Q(published_at__isnull=False)
        reports = scoping.visible_to(Report, self.request.user, public=published)
        return selectors.reports_with_files(reports.order_by("-requested_at", "-id"))
