from rest_framework import viewsets

from .. import selectors
from .serializers import ReportSerializer


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published reports for everyone; staff also see the reports of the municipalities they may read."""

    serializer_class = ReportSerializer
    filterset_fields = ["roadmap", "period", "kind", "status"]

    def get_queryset(self):
        reports = selectors.reports_visible_to(self.request.user, published_too=True)
        return selectors.reports_with_files(reports.order_by("-requested_at", "-id"))
