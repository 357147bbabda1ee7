import django_filters

from .models import FollowEvent


class FollowEventFilter(django_filters.FilterSet):
    """The events API: by roadmap, measure or discussion (ids, checked by no extra query), kind and time."""

    roadmap = django_filters.NumberFilter(field_name="roadmap_id")
    measure = django_filters.NumberFilter(field_name="measure_id")
    discussion = django_filters.NumberFilter(field_name="discussion_id")
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = FollowEvent
        fields = ["kind"]
