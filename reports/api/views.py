from django.db.models import Q
from rest_framework import viewsets

from municipalities import access

from .. import selectors
from ..models import Report
from .serializers import ReportSerializer


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published reports for everyone; staff also see the reports of the municipalities they may read."""

    serializer_class = ReportSerializer
    filterset_fields = ["roadmap", "period", "kind", "status"]

    def get_queryset(self):
        published = Q(published_at__isnull=False)
        user = self.request.user
        if access.is_superuser(user):
            condition = Q()
        elif access.role_of(user) is not None:
            condition = published | Q(roadmap__municipality__in=access.visible_municipalities(user))
        else:
            condition = published
        return selectors.reports_with_files(Report.objects.filter(condition).order_by("-requested_at", "-id"))
