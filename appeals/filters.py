import django_filters

from .models import Appeal


class AppealFilter(django_filters.FilterSet):
    municipality__slug = django_filters.CharFilter(field_name="municipality__slug")
    year = django_filters.NumberFilter(field_name="received_on", lookup_expr="year")
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = Appeal
        fields = ["channel"]
