"""Filters shared by the public roadmap page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Deadline, Measure, MeasureExecutor, Roadmap, deadlines_of_year


def executor_condition(value: str) -> Q:
    """«d12» a department, «o5» an official, anything else a text search in executor names."""
    value = (value or "").strip()
    if len(value) > 1 and value[0] in "do" and value[1:].isdigit():
        field = "department_id" if value[0] == "d" else "official_id"
        return Q(**{field: int(value[1:])})
    return (
        Q(text__icontains=value)
        | Q(department__name__icontains=value)
        | Q(official__name__icontains=value)
        | Q(official__post__icontains=value)
    )


class MeasureFilter(django_filters.FilterSet):
    roadmap = django_filters.ModelChoiceFilter(queryset=Roadmap.objects.all(), label=_("Дорожная карта"))
    section = django_filters.NumberFilter(field_name="section_id", label=_("Раздел"))
    status = django_filters.ChoiceFilter(
        choices=Deadline.Status.choices, method="filter_status", label=_("Статус срока")
    )
    executor = django_filters.CharFilter(method="filter_executor", label=_("Исполнитель"))
    year = django_filters.NumberFilter(method="filter_year", label=_("Год"))

    class Meta:
        model = Measure
        fields = ["roadmap", "section", "status", "executor", "year"]

    def __init__(self, *args, today=None, default_year=None, **kwargs):
        """`default_year` is the year whose status the table shows when the query names none."""
        super().__init__(*args, **kwargs)
        self.today = today
        self.default_year = default_year

    def _cleaned(self, name):
        return self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None

    def filter_executor(self, queryset, name, value):
        executors = MeasureExecutor.objects.filter(executor_condition(value), measure=OuterRef("pk"))
        return queryset.filter(Exists(executors))

    def filter_year(self, queryset, name, value):
        if self._cleaned("status"):
            return queryset  # with a status, the year only says whose status (see filter_status)
        deadlines = Deadline.objects.filter(deadlines_of_year(int(value)), measure=OuterRef("pk"))
        return queryset.filter(Exists(deadlines))

    def filter_status(self, queryset, name, value):
        """Measures whose «Статус <year>» badge reads `value`: the same annotation the table prints."""
        from .selectors import today_for_filters

        today = self.today or today_for_filters()
        year = self._cleaned("year") or self.default_year or today.year
        return queryset.filter_year_status(value, today, int(year))


class DeadlineFilter(django_filters.FilterSet):
    roadmap = django_filters.NumberFilter(field_name="measure__roadmap_id", label=_("Дорожная карта"))
    measure = django_filters.NumberFilter(field_name="measure_id", label=_("Мероприятие"))
    status = django_filters.ChoiceFilter(
        choices=Deadline.Status.choices, field_name="status_code", label=_("Статус")
    )
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Срок не ранее"))
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Срок не позднее")
    )

    class Meta:
        model = Deadline
        fields = ["roadmap", "measure", "status", "due_after", "due_before"]
