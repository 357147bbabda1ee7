from django.db.models import Q
from rest_framework import viewsets

from municipalities import scoping

from ..models import Report
from .serializers import ReportSerializer


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published reports for everyone; staff also see the jobs of the municipalities they may read."""

    serializer_class = ReportSerializer
    filterset_fields = ["roadmap", "period", "kind", "format"]

    def get_queryset(self):
        published = Q(published_at__isnull=False, status=Report.Status.READY)
        return scoping.visible_to(Report, self.request.user, public=published).order_by(
            "-requested_at", "-id"
        )
