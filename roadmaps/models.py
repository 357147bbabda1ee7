"""Legal acts, roadmaps, measures, deadlines, KPIs and progress entries (the people are in `municipalities`)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.models import Department, Municipality, Official
from openness_portal.periods import Period

from .deadline_parser import DeadlineKind

DEADLINE_KIND_LABELS = {
    DeadlineKind.FIXED: _("к дате"),
    DeadlineKind.YEARLY: _("ежегодно к дате"),
    DeadlineKind.PERIODIC: _("периодически"),
    DeadlineKind.CONTINUOUS: _("постоянно"),
    DeadlineKind.AS_NEEDED: _("по мере необходимости"),
    DeadlineKind.DONE: _("исполнено"),
    DeadlineKind.RELATIVE: _("от события"),
    DeadlineKind.MULTI: _("из нескольких частей"),
    DeadlineKind.UNKNOWN: _("требует уточнения"),
}
DUE_SOON_DAYS = 14  # calendar days before a due date when a deadline shows as «срок подходит»


class LegalAct(models.Model):
    municipality_path = "municipality"

    class Kind(models.TextChoices):
        ORDER = "order", _("распоряжение")
        RESOLUTION = "resolution", _("постановление")
        DECISION = "decision", _("решение")
        OTHER = "other", _("иной акт")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="legal_acts",
        verbose_name=_("муниципальное образование"),
    )
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.ORDER)
    number = models.CharField(_("номер"), max_length=50)
    date = models.DateField(_("дата"))
    title = models.CharField(_("наименование"), max_length=1000)
    url = models.URLField(_("ссылка"), blank=True)
    file = models.FileField(_("файл"), upload_to="legal-acts/%Y/", blank=True)

    class Meta:
        verbose_name = _("правовой акт")
        verbose_name_plural = _("правовые акты")
        ordering = ["-date"]

    def __str__(self):
        return _("%(kind)s от %(date)s № %(number)s") % {
            "kind": self.get_kind_display(),
            "date": f"{self.date:%d.%m.%Y}",
            "number": self.number,
        }


class Roadmap(models.Model):
    municipality_path = "municipality"

    class Status(models.TextChoices):
        DRAFT = "draft", _("проект")
        APPROVED = "approved", _("утверждена")
        ACTIVE = "active", _("реализуется")
        ARCHIVED = "archived", _("в архиве")

    class Kind(models.TextChoices):
        ROADMAP = "roadmap", _("дорожная карта")
        ACTION_PLAN = "action_plan", _("план мероприятий")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="roadmaps",
        verbose_name=_("муниципальное образование"),
    )
    title = models.CharField(_("наименование"), max_length=1000)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.ROADMAP)
    approving_act = models.ForeignKey(
        LegalAct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmaps",
        verbose_name=_("утверждена актом"),
    )
    first_year = models.PositiveSmallIntegerField(_("первый год"))
    last_year = models.PositiveSmallIntegerField(_("последний год"))
    description = models.TextField(_("общее описание (цели, задачи, правовая основа)"), blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("дорожная карта")
        verbose_name_plural = _("дорожные карты")
        ordering = ["municipality__name", "-first_year"]
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=F("first_year")), name="roadmap_years_ordered"),
        ]

    def __str__(self):
        return f"{self.title} ({self.first_year}–{self.last_year})"

    def get_absolute_url(self):
        return reverse("roadmaps:roadmap", args=[self.municipality.slug, self.pk])

    def clean(self):
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": _("Последний год не может быть раньше первого.")})
        if self.approving_act_id and self.approving_act.municipality_id != self.municipality_id:
            raise ValidationError({"approving_act": _("Акт другого муниципального образования.")})

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @classmethod
    def public(cls, path: str = "") -> Q:
        """Roadmaps anyone may read (all but drafts), as a filter; `path` leads to the roadmap
        («measure__roadmap__»)."""
        return ~Q(**{f"{path}status": cls.Status.DRAFT})


class Section(models.Model):
    municipality_path = "roadmap__municipality"

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="sections", verbose_name=_("дорожная карта")
    )
    number = models.CharField(_("номер"), max_length=20, blank=True)
    title = models.CharField(_("наименование"), max_length=1000)
    order = models.PositiveIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("раздел")
        verbose_name_plural = _("разделы")
        ordering = ["roadmap", "order", "id"]

    def __str__(self):
        return f"{self.number}. {self.title}" if self.number else self.title


class MeasureQuerySet(models.QuerySet):
    def with_year_status(self, today: date, year: int):
        """Annotate `year_severity`, the place in STATUS_SEVERITY of what the measure's «Статус <year>» badge
        says (table, filter, API; `measure_status_code` names it). One integer, so the SQL stays one pass.

        The most urgent status among the year's deadlines and the earlier ones still overdue (a missed
        one-off stays overdue until done); with none of those, the most urgent among earlier deadlines
        (a one-off met in 2019 still reads «исполнено» in 2025); with no deadline at all, «не применимо».
        """
        first_day = date(year, 1, 1)
        own = Deadline.objects.filter(measure=OuterRef("pk")).with_severity(today).order_by("severity")
        overdue = STATUS_SEVERITY.index(Deadline.Status.OVERDUE)
        of_year = own.filter(deadlines_of_year(year) | Q(severity=overdue, due_date__lt=first_day))
        earlier = own.filter(due_date__lt=first_day)
        severity = Coalesce(
            Subquery(of_year.values("severity")[:1]),
            Subquery(earlier.values("severity")[:1]),
            Value(STATUS_SEVERITY.index(Deadline.Status.NOT_APPLICABLE)),
        )
        return self.annotate(year_severity=severity)

    def filter_year_status(self, status: str, today: date, year: int):
        """The measures whose «Статус <year>» badge reads `status` (see `with_year_status`)."""
        if "year_severity" not in self.query.annotations:  # the API list annotates it already
            self = self.with_year_status(today, year)
        return self.filter(year_severity=STATUS_SEVERITY.index(status))


class Measure(models.Model):
    municipality_path = "roadmap__municipality"

    roadmap = models.ForeignKey(
        Roadmap, on_delete=models.CASCADE, related_name="measures", verbose_name=_("дорожная карта")
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="measures", verbose_name=_("раздел")
    )
    number = models.CharField(_("номер"), max_length=20, blank=True)
    title = models.TextField(_("наименование"))
    description = models.TextField(_("описание"), blank=True)
    expected_result = models.CharField(_("ожидаемый результат"), max_length=1000, blank=True)
    order = models.PositiveIntegerField(_("порядок"), default=0)
    history = HistoricalRecords()

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("мероприятие")
        verbose_name_plural = _("мероприятия")
        ordering = ["roadmap", "order", "id"]
        indexes = [models.Index(fields=["roadmap", "order"])]

    def __str__(self):
        title = self.title if len(self.title) < 90 else self.title[:87] + "…"
        return f"{self.number} {title}".strip()

    def get_absolute_url(self):
        return reverse("roadmaps:measure", args=[self.roadmap.municipality.slug, self.roadmap_id, self.pk])

    def clean(self):
        if self.section_id and self.roadmap_id and self.section.roadmap_id != self.roadmap_id:
            raise ValidationError({"section": _("Раздел из другой дорожной карты.")})


class DeadlineRule(models.Model):
    """The deadline as written («до 20 декабря 2019 года; …») and what the parser understood of it."""

    municipality_path = "measure__roadmap__municipality"

    measure = models.OneToOneField(
        Measure, on_delete=models.CASCADE, related_name="deadline_rule", verbose_name=_("мероприятие")
    )
    text = models.TextField(_("срок, как записан"), blank=True)
    kind = models.CharField(
        _("вид срока"),
        max_length=20,
        choices=[(k.value, label) for k, label in DEADLINE_KIND_LABELS.items()],
        default=DeadlineKind.UNKNOWN,
    )
    parsed = models.JSONField(_("разобранный срок"), default=dict, blank=True)
    needs_clarification = models.BooleanField(_("требует уточнения"), default=False, db_index=True)
    trigger_measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="triggered_rules",
        verbose_name=_("срок отсчитывается от мероприятия"),
        help_text=_("Когда это мероприятие исполнено, создается срок данного (например, обсуждение отчета)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("правило срока")
        verbose_name_plural = _("правила сроков")

    def __str__(self):
        return self.text or "—"


def deadlines_of_year(year: int, prefix: str = "") -> Q:
    """A deadline belongs to the year its due date falls in; an undated one to the year its period names."""
    return Q(**{f"{prefix}due_date__year": year}) | Q(
        **{f"{prefix}due_date__isnull": True, f"{prefix}period__endswith": str(year)}
    )


def _status_conditions(today: date) -> list[tuple[Q, str]]:
    """`deadline_status` as SQL conditions, first match wins; no match means «предстоит»."""
    S = Deadline.Status
    return [
        (Q(not_applicable=True), S.NOT_APPLICABLE),
        (Q(completed_on__isnull=False, due_date__isnull=True), S.DONE_ON_TIME),
        (Q(completed_on__isnull=False, completed_on__lte=F("due_date")), S.DONE_ON_TIME),
        (Q(completed_on__isnull=False), S.DONE_LATE),
        (Q(due_date__isnull=True, reporting_only=True), S.ONGOING),
        (Q(due_date__isnull=True), S.NOT_APPLICABLE),
        (Q(due_date__lt=today), S.OVERDUE),
        (Q(due_date__lte=today + timedelta(days=DUE_SOON_DAYS)), S.DUE_SOON),
    ]


class DeadlineQuerySet(models.QuerySet):
    def with_status(self, today: date):
        """Annotate `status_code`: the SQL twin of `deadline_status`, so lists can filter and count by it."""
        return self.annotate(
            status_code=Case(
                *(When(condition, then=Value(code)) for condition, code in _status_conditions(today)),
                default=Value(Deadline.Status.UPCOMING),
                output_field=models.CharField(),
            )
        )

    def with_severity(self, today: date):
        """Annotate `severity`, the status's place in STATUS_SEVERITY (0 the most urgent), in one CASE."""
        rank = {code: i for i, code in enumerate(STATUS_SEVERITY)}
        return self.annotate(
            severity=Case(
                *(When(condition, then=Value(rank[code])) for condition, code in _status_conditions(today)),
                default=Value(rank[Deadline.Status.UPCOMING]),
                output_field=models.IntegerField(),
            )
        )

    def open(self):
        return self.filter(completed_on__isnull=True, not_applicable=False)


class Deadline(models.Model):
    """A concrete due date generated from a rule (or from a recorded event) for one period."""

    municipality_path = "measure__roadmap__municipality"

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("предстоит")
        DUE_SOON = "due_soon", _("срок подходит")
        OVERDUE = "overdue", _("просрочено")
        DONE_ON_TIME = "done_on_time", _("исполнено в срок")
        DONE_LATE = "done_late", _("исполнено с нарушением срока")
        NOT_APPLICABLE = "not_applicable", _("не применимо")
        ONGOING = "ongoing", _("выполняется постоянно")

    class Origin(models.TextChoices):
        RULE = "rule", _("по правилу")
        EVENT = "event", _("по событию")
        MANUAL = "manual", _("вручную")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("мероприятие")
    )
    slot = models.CharField(
        _("ключ"),
        max_length=120,
        editable=False,
        help_text=_("Неизменный ключ строки: правило может пересоздаваться без дублей."),
    )
    origin = models.CharField(_("источник"), max_length=10, choices=Origin.choices, default=Origin.RULE)
    due_date = models.DateField(_("срок"), null=True, blank=True, db_index=True)
    period = models.CharField(_("период"), max_length=40, blank=True)
    part_label = models.CharField(_("часть"), max_length=200, blank=True)
    reporting_only = models.BooleanField(_("только отчет за период"), default=False)
    event_date = models.DateField(_("дата события"), null=True, blank=True)
    completed_on = models.DateField(_("исполнено"), null=True, blank=True)
    not_applicable = models.BooleanField(_("не применимо"), default=False)
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("срок")
        verbose_name_plural = _("сроки")
        ordering = ["measure", F("due_date").asc(nulls_last=True), "id"]
        constraints = [models.UniqueConstraint(fields=["measure", "slot"], name="deadline_unique_slot")]
        indexes = [models.Index(fields=["completed_on", "due_date"])]

    def __str__(self):
        when = f"{self.due_date:%d.%m.%Y}" if self.due_date else _("без даты")
        return f"{self.measure.number} · {self.period or ''} · {when}"

    def status(self, today: date) -> str:
        """Pure status for a given local date (same rules as DeadlineQuerySet.with_status)."""
        return deadline_status(
            self.due_date, self.completed_on, self.not_applicable, today, reporting_only=self.reporting_only
        )


def deadline_status(
    due_date: date | None,
    completed_on: date | None,
    not_applicable: bool,
    today: date,
    *,
    reporting_only: bool = False,
) -> str:
    """The status rules in one place, for model instances; `with_status` says the same in SQL."""
    S = Deadline.Status
    if not_applicable:
        return S.NOT_APPLICABLE
    if completed_on:
        if due_date is None or completed_on <= due_date:
            return S.DONE_ON_TIME
        return S.DONE_LATE
    if due_date is None:
        # «постоянно», «по мере необходимости»: work that goes on, reported on per period, never overdue.
        return S.ONGOING if reporting_only else S.NOT_APPLICABLE
    if due_date < today:
        return S.OVERDUE
    if due_date <= today + timedelta(days=DUE_SOON_DAYS):
        return S.DUE_SOON
    return S.UPCOMING


# The badge a measure shows for a year is its most urgent deadline status; ongoing work ranks after
# anything with a date still to meet.
STATUS_SEVERITY: list[str] = [
    Deadline.Status.OVERDUE,
    Deadline.Status.DUE_SOON,
    Deadline.Status.UPCOMING,
    Deadline.Status.ONGOING,
    Deadline.Status.DONE_LATE,
    Deadline.Status.DONE_ON_TIME,
    Deadline.Status.NOT_APPLICABLE,
]


def measure_status_code(year_severity: int) -> str:
    """The status code of a `with_year_status` annotation."""
    return STATUS_SEVERITY[year_severity]


class MeasureExecutor(models.Model):
    """One responsible executor; order 0 leads. Text is kept even when matched, and alone when not."""

    municipality_path = "measure__roadmap__municipality"

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="executors", verbose_name=_("мероприятие")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_roles",
        verbose_name=_("подразделение"),
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_roles",
        verbose_name=_("должностное лицо"),
    )
    text = models.CharField(_("как записано"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ответственный исполнитель")
        verbose_name_plural = _("ответственные исполнители")
        ordering = ["measure", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(official__isnull=False) | ~Q(text=""),
                name="executor_not_empty",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        from .executors import executor_label

        department, official = self.department, self.official
        return executor_label(
            self.text,
            department.name if department else "",
            department.short_name if department else "",
            official.name if official else "",
            official.post if official else "",
        )

    @property
    def is_lead(self) -> bool:
        return self.order == 0


class Kpi(models.Model):
    municipality_path = "measure__roadmap__municipality"

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("количественный")
        QUALITATIVE = "qualitative", _("качественный")

    class Comparator(models.TextChoices):
        GTE = "gte", _("не менее")
        LTE = "lte", _("не более")
        EQ = "eq", _("равно")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("мероприятие")
    )
    name = models.CharField(_("показатель"), max_length=1000)
    unit = models.CharField(_("единица измерения"), max_length=100, blank=True)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIVE)
    comparator = models.CharField(
        _("условие"), max_length=5, choices=Comparator.choices, default=Comparator.GTE
    )
    baseline = models.DecimalField(
        _("базовое значение"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    auto_source = models.CharField(
        _("источник значений"),
        max_length=100,
        blank=True,
        help_text=_("Ключ источника, который заполняет фактические значения автоматически."),
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("показатель")
        verbose_name_plural = _("показатели")
        ordering = ["measure", "order", "id"]

    def __str__(self):
        return self.name

    def achievement(self, target: Decimal | None, actual: Decimal | None) -> Decimal | None:
        """Share of the target reached, in percent (capped at 100 for «равно»); None when unknown."""
        if target is None or actual is None or self.kind == self.Kind.QUALITATIVE:
            return None
        if self.comparator == self.Comparator.LTE:
            if actual <= target:
                return Decimal(100)
            return (target / actual * 100).quantize(Decimal("0.1")) if actual else None
        if self.comparator == self.Comparator.EQ:
            return Decimal(100) if actual == target else Decimal(0)
        if target == 0:
            return Decimal(100)
        return (actual / target * 100).quantize(Decimal("0.1"))

    def is_achieved(self, target: Decimal | None, actual: Decimal | None) -> bool | None:
        if target is None or actual is None or self.kind == self.Kind.QUALITATIVE:
            return None
        return {"gte": actual >= target, "lte": actual <= target, "eq": actual == target}[self.comparator]


class KpiTarget(models.Model):
    municipality_path = "kpi__measure__roadmap__municipality"

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="targets", verbose_name=_("показатель")
    )
    year = models.PositiveSmallIntegerField(_("год"))
    value = models.DecimalField(_("плановое значение"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("плановое значение")
        verbose_name_plural = _("плановые значения")
        ordering = ["kpi", "year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="kpi_target_unique_year")]

    def __str__(self):
        return f"{self.year}: {self.value.normalize():f}"


class KpiActual(models.Model):
    municipality_path = "kpi__measure__roadmap__municipality"

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="actuals", verbose_name=_("показатель")
    )
    period = models.CharField(_("отчетный период"), max_length=10, help_text=_("2021 или 2022-H1"))
    value = models.DecimalField(
        _("фактическое значение"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("качественная оценка"), blank=True)
    source = models.CharField(_("источник"), max_length=300, blank=True)
    progress_entry = models.ForeignKey(
        "ProgressEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpi_actuals",
        verbose_name=_("информация о ходе"),
    )
    recorded_at = models.DateTimeField(_("внесено"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("фактическое значение")
        verbose_name_plural = _("фактические значения")
        ordering = ["kpi", "period"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period"], name="kpi_actual_unique_period")]

    def __str__(self):
        return f"{self.period}: {self.value if self.value is not None else self.text}"

    @property
    def year(self) -> int:
        return Period.parse(self.period).year

    def clean(self):
        try:
            Period.parse(self.period)
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from exc


class ProgressEntryQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=ProgressEntry.Status.ACCEPTED)


class ProgressEntry(models.Model):
    """What an executor reports for a measure and a period; reviewed by the coordinator."""

    municipality_path = "measure__roadmap__municipality"

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        SUBMITTED = "submitted", _("на проверке")
        ACCEPTED = "accepted", _("принято")
        RETURNED = "returned", _("возвращено на доработку")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="progress_entries", verbose_name=_("мероприятие")
    )
    period = models.CharField(_("отчетный период"), max_length=10, help_text=_("2021 или 2022-H1"))
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_entries",
        verbose_name=_("срок"),
    )
    text = models.TextField(_("информация о проведении мероприятия"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_entries",
        verbose_name=_("автор"),
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = models.TextField(_("причина возврата"), blank=True)
    completed_on = models.DateField(
        _("дата исполнения"),
        null=True,
        blank=True,
        help_text=_("Когда мероприятие фактически исполнено; по умолчанию — дата принятия."),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("рассмотрено"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("рассмотрел"),
    )
    history = HistoricalRecords()

    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("информация о ходе реализации")
        verbose_name_plural = _("информация о ходе реализации")
        ordering = ["-period", "measure__order"]
        indexes = [models.Index(fields=["measure", "period", "status"])]

    def __str__(self):
        return f"{self.measure.number} · {self.period} · {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def clean(self):
        try:
            Period.parse(self.period)
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from exc


def evidence_upload_to(instance, filename: str) -> str:
    """An unguessable folder per file: evidence of an entry not yet accepted is served by nginx like any
    public file, so its address must not be derivable from the month and the file name."""
    return f"evidence/{uuid.uuid4().hex}/{filename}"


class Evidence(models.Model):
    municipality_path = "progress_entry__measure__roadmap__municipality"

    progress_entry = models.ForeignKey(
        ProgressEntry, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("информация о ходе")
    )
    title = models.CharField(_("описание"), max_length=300, blank=True)
    url = models.URLField(_("ссылка"), blank=True)
    file = models.FileField(_("файл"), upload_to=evidence_upload_to, max_length=300, blank=True)

    class Meta:
        verbose_name = _("подтверждение")
        verbose_name_plural = _("подтверждения")
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="evidence_has_url_or_file"),
        ]

    def __str__(self):
        return self.title or self.url or self.file.name
