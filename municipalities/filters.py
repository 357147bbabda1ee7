"""Filters of the municipalities API: by region (субъект РФ), and by a word of the name."""

import django_filters
from django.utils.translation import gettext_lazy as _

from openness_portal.search import matching

from .models import Municipality


class MunicipalityFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(label=_("Субъект РФ"), method="filter_region")
    q = django_filters.CharFilter(label=_("Поиск по названию"), method="filter_q")

    class Meta:
        model = Municipality
        fields = []

    def filter_region(self, queryset, name, value):
        # Regions are typed by people («Ставропольский край», «ставропольский край»): matched as text.
        return matching(queryset, value, "region") if value else queryset

    def filter_q(self, queryset, name, value):
        return matching(queryset, value, "name", "full_name")
