"""Reporting periods of a roadmap, its reports and their files (one build job per format)."""

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openness_portal.periods import Period

# Half-year reports are due on these (month, day) after the half-year ends; settings may override them.
DEFAULT_HALF_YEAR_DUE = {1: (7, 15), 2: (1, 15)}
ANNUAL_DUE = (3, 1)  # seed 000: the annual report by 1 March of the following year


def half_year_due_dates() -> dict[int, tuple[int, int]]:
    return getattr(settings, "REPORTS_HALF_YEAR_DUE", DEFAULT_HALF_YEAR_DUE)


def due_date_for(period: Period) -> date:
    """When the report on a period is due: 1 March next year, 15 July / 15 January for half-years."""
    if period.is_year:
        return date(period.year + 1, *ANNUAL_DUE)
    month, day = half_year_due_dates()[period.half]
    return date(period.year + (1 if period.half == 2 else 0), month, day)


class ReportingPeriod(models.Model):
    municipality_path = "roadmap__municipality"

    class Kind(models.TextChoices):
        HALF_YEAR = "half_year", _("полугодие")
        YEAR = "year", _("год")

    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        related_name="reporting_periods",
        verbose_name=_("дорожная карта"),
    )
    code = models.CharField(_("период"), max_length=10, help_text=_("2021 или 2022-H1"))
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    due_date = models.DateField(_("срок представления отчета"))
    owner = models.ForeignKey(
        "municipalities.Official",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ответственный за отчет"),
        help_text=_("Пусто — пресс-секретарь или координаторы муниципального образования."),
    )

    class Meta:
        verbose_name = _("отчетный период")
        verbose_name_plural = _("отчетные периоды")
        ordering = ["roadmap", "starts_on", "-ends_on"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "code"], name="reporting_period_unique")]

    def __str__(self):
        return self.period.label

    @property
    def period(self) -> Period:
        return Period.parse(self.code)

    @property
    def report_kind(self) -> str:
        return Report.Kind.ANNUAL if self.kind == self.Kind.YEAR else Report.Kind.PROGRESS


ALREADY_ORDERED = _(
    "Этот отчет уже заказан: он в списке отчетов. Закажите его еще раз с нужными форматами — они будут добавлены."
)


class Report(models.Model):
    """One report of a roadmap (or a region) for a period: who asked, its overall state, its publication.

    Its files, one per format, are ReportFile rows; publishing puts all of them on the site at once."""

    municipality_path = "roadmap__municipality"

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("полугодовой отчет о ходе реализации")
        ANNUAL = "annual", _("годовой отчет")
        REGIONAL = "regional", _("сводка по муниципальным образованиям")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        BUILDING = "building", _("формируется")
        READY = "ready", _("готов")
        FAILED = "failed", _("ошибка")

    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("дорожная карта"),
    )
    region = models.CharField(
        _("субъект РФ"), max_length=200, blank=True, help_text=_("Для сводки по муниципальным образованиям.")
    )
    period = models.CharField(_("отчетный период"), max_length=10, help_text=_("2021 или 2022-H1"))
    kind = models.CharField(_("вид отчета"), max_length=20, choices=Kind.choices)
    # Derived from the files (ready when all are ready, failed when one failed): kept by the services.
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("заказал"),
    )
    requested_at = models.DateTimeField(_("заказан"), auto_now_add=True)
    idempotency_key = models.CharField(
        _("ключ"), max_length=120, null=True, blank=True, unique=True, editable=False
    )
    published_at = models.DateTimeField(_("опубликован"), null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("опубликовал"),
    )
    discussion_id = models.PositiveBigIntegerField(_("обсуждение"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("отчет")
        verbose_name_plural = _("отчеты")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="regional") | ~Q(region="") | Q(roadmap__isnull=False),
                name="report_regional_has_scope",
            ),
            models.CheckConstraint(
                condition=Q(kind="regional") | Q(roadmap__isnull=False), name="report_roadmap_required"
            ),
            models.UniqueConstraint(
                fields=["roadmap", "period", "kind"],
                condition=Q(roadmap__isnull=False),
                name="report_one_per_roadmap_period_kind",
                violation_error_message=ALREADY_ORDERED,
            ),
            models.UniqueConstraint(
                fields=["region", "period", "kind"],
                condition=Q(roadmap__isnull=True),
                name="report_one_per_region_period_kind",
                violation_error_message=ALREADY_ORDERED,
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {Period.parse(self.period).label}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def period_label(self) -> str:
        return Period.parse(self.period).label

    def files_in_order(self) -> list["ReportFile"]:
        """The files as XLSX · PDF · DOCX (uses prefetched `files` when there)."""
        order = Report.Format.values
        return sorted(self.files.all(), key=lambda f: (order.index(f.format), f.pk))

    def ready_files(self) -> list["ReportFile"]:
        return [f for f in self.files_in_order() if f.status == ReportFile.Status.READY and f.file]


class ReportFile(models.Model):
    """A report's file in one format: a build job (claimed, retried, frozen once built)."""

    municipality_path = "report__roadmap__municipality"

    Format = Report.Format
    Status = Report.Status

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="files", verbose_name=_("отчет")
    )
    format = models.CharField(_("формат"), max_length=5, choices=Format.choices)
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(_("ошибка"), blank=True)
    file = models.FileField(_("файл"), upload_to="reports/", max_length=300, blank=True)
    checksum = models.CharField(_("контрольная сумма SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("размер, байт"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("строк"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    started_at = models.DateTimeField(_("начало формирования"), null=True, blank=True)
    finished_at = models.DateTimeField(_("сформирован"), null=True, blank=True)

    class Meta:
        verbose_name = _("файл отчета")
        verbose_name_plural = _("файлы отчета")
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="report_file_one_per_format")
        ]

    def __str__(self):
        return f"{self.report} · {self.get_format_display()}"

    @property
    def filename(self) -> str:
        report = self.report
        scope = report.roadmap.municipality.slug if report.roadmap_id else "region"
        return f"{report.kind}-{scope}-{report.period}.{self.format}"

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])


class InformationLetter(models.Model):
    """The municipality's information letter to the region on its openness work (seed 004): the letter's
    particulars as the office registers them, and the DOCX built from the portal's own figures."""

    municipality_path = "roadmap__municipality"

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        BUILDING = "building", _("формируется")
        READY = "ready", _("готово")
        FAILED = "failed", _("ошибка")

    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.CASCADE,
        related_name="information_letters",
        verbose_name=_("дорожная карта"),
        help_text=_("План, о ходе реализации которого сообщает письмо."),
    )
    period = models.CharField(_("отчетный период"), max_length=10, help_text=_("2021 или 2021-H2"))
    number = models.CharField(_("исходящий номер"), max_length=100)
    date = models.DateField(_("дата письма"))
    addressee = models.TextField(
        _("адресат"), help_text=_("Должность и фамилия получателя, как на бланке; каждая строка отдельно.")
    )
    reference = models.CharField(
        _("на № … от …"), max_length=300, blank=True, help_text=_("Ссылка на запрос, если письмо — ответ.")
    )
    subject = models.TextField(
        _("о чем письмо"),
        blank=True,
        help_text=_(
            "Продолжает заголовок «Информация …», например «о ходе выполнения распоряжения … № 239-р». "
            "Пусто — «о ходе реализации» и название плана."
        ),
    )
    sender = models.CharField(
        _("бланк (от кого)"),
        max_length=500,
        blank=True,
        help_text=_(
            "Наименование администрации, как на бланке письма. Пусто — из справочника подразделений."
        ),
    )
    signatory_post = models.CharField(_("должность подписывающего"), max_length=500)
    signatory_name = models.CharField(_("подписывает (инициалы, фамилия)"), max_length=200)
    performer = models.CharField(
        _("исполнитель"), max_length=300, blank=True, help_text=_("ФИО и телефон исполнителя письма.")
    )
    status = models.CharField(
        _("состояние"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(_("ошибка"), blank=True)
    file = models.FileField(_("файл"), upload_to="reports/letters/", max_length=300, blank=True)
    checksum = models.CharField(_("контрольная сумма SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("размер, байт"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    started_at = models.DateTimeField(_("начало формирования"), null=True, blank=True)
    finished_at = models.DateTimeField(_("сформировано"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("сформировал"),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("информационное письмо")
        verbose_name_plural = _("информационные письма")
        ordering = ["-date", "-id"]
        constraints = [
            # The service also refuses the same number for another roadmap of the same municipality.
            models.UniqueConstraint(fields=["roadmap", "period", "number"], name="information_letter_unique"),
        ]

    def __str__(self):
        return _("Письмо от %(date)s № %(number)s") % {"date": f"{self.date:%d.%m.%Y}", "number": self.number}

    @property
    def period_label(self) -> str:
        return Period.parse(self.period).label

    @property
    def filename(self) -> str:
        number = re.sub(r"[^A-Za-z0-9.]+", "-", self.number).strip("-") or str(self.pk)
        return f"letter-{self.roadmap.municipality.slug}-{self.period}-{number}.docx"

    def get_download_url(self) -> str:
        return reverse("reports:letter_download", args=[self.pk])
