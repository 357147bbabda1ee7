"""Thin API views: the public register of municipalities, read through selectors."""

from rest_framework import viewsets

from .. import selectors
from ..filters import MunicipalityFilter
from . import serializers as s


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MunicipalitySerializer
    lookup_field = "slug"
    filterset_class = MunicipalityFilter

    def get_queryset(self):
        return selectors.municipalities_for_api()
