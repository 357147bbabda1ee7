"""Read-only API: the regions, and a region's openness rating for a year (?year=)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from .. import selectors, services
from ..views import requested_year
from . import serializers as s


class RegionViewSet(viewsets.ViewSet):
    """Regions (subjects of the Russian Federation) and the openness rating of their municipalities."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(responses=s.RegionSerializer(many=True))
    def list(self, request):
        return Response(s.RegionSerializer(selectors.regions(), many=True).data)

    @extend_schema(
        responses=s.RegionRatingSerializer,
        parameters=[OpenApiParameter("year", int, description="Год рейтинга; по умолчанию последний")],
    )
    def retrieve(self, request, slug=None):
        region = selectors.region_named_by(slug)
        if region is None:
            raise Http404
        rating = services.region_rating(region, year=requested_year(request))
        return Response(s.RegionRatingSerializer(rating).data)
