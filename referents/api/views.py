"""Read-only public API for referent groups and councils."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from .. import selectors
from ..models import Council
from . import serializers as s


class ReferentGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ReferentGroupSerializer
    filterset_fields = {"municipality__slug": ["exact"]}

    def get_queryset(self):
        return selectors.public_groups()


class CouncilViewSet(viewsets.ReadOnlyModelViewSet):
    """Public councils with their current membership (names and roles only), regulations and plans."""

    serializer_class = s.CouncilSerializer
    filterset_fields = {"municipality__slug": ["exact"]}

    def get_queryset(self):
        return selectors.public_councils(today=timezone.localdate())

    @extend_schema(responses=s.MeetingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def meetings(self, request, pk=None):
        council = get_object_or_404(Council, pk=pk, is_public=True)
        page = self.paginate_queryset(selectors.council_meetings(council))
        return self.get_paginated_response(
            s.MeetingSerializer(page, many=True, context={"request": request}).data
        )
