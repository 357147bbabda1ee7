"""Read-only public API of the register of appeals."""

from rest_framework import viewsets

from .. import selectors
from ..filters import AppealFilter
from . import serializers as s


class AppealViewSet(viewsets.ReadOnlyModelViewSet):
    """Citizens' appeals: date, channel, topic, answer dates; no data about the person who wrote."""

    serializer_class = s.AppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        return selectors.public_appeals()
