"""Open data register per the Russian methodological recommendations v3.0: passports, structures, versions,
citizen feedback (error reports, requests for new sets) and deduplicated download counts."""

import calendar
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openness_portal.search import fold  # also imported from here by the migrations and selectors

STANDARD_VERSION_URL = "http://opendata.gosmonitor.ru/standard/3.0"
DEFAULT_TERMS_OF_USE = _(
    "Открытые данные можно свободно копировать, распространять и использовать, в том числе в коммерческих "
    "целях, с обязательной ссылкой на источник — официальный сайт муниципального образования. "
    "Сведения публикуются в соответствии с Федеральным законом от 09.02.2009 № 8-ФЗ."
)
CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+([_-][a-z0-9]+)*$",
    _("Только строчные латинские буквы, цифры, дефис и подчеркивание (например, schools или npa_register)."),
)


def add_months(day: date, months: int) -> date:
    """Same day N months later, clamped to the month's end (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Periodicity(models.TextChoices):
    DAILY = "daily", _("ежедневно")
    WEEKLY = "weekly", _("еженедельно")
    MONTHLY = "monthly", _("ежемесячно")
    QUARTERLY = "quarterly", _("ежеквартально")
    HALF_YEARLY = "half_yearly", _("раз в полгода")
    YEARLY = "yearly", _("ежегодно")
    AS_NEEDED = "as_needed", _("по мере изменения")


PERIODICITY_STEP = {  # (days, months) until the next update is due
    Periodicity.DAILY: (1, 0),
    Periodicity.WEEKLY: (7, 0),
    Periodicity.MONTHLY: (0, 1),
    Periodicity.QUARTERLY: (0, 3),
    Periodicity.HALF_YEARLY: (0, 6),
    Periodicity.YEARLY: (0, 12),
}


def next_due(last: date | None, periodicity: str) -> date | None:
    step = PERIODICITY_STEP.get(periodicity)
    if last is None or step is None:
        return None
    days, months = step
    return add_months(last, months) + timedelta(days=days)


class Dataset(models.Model):
    """A data set and its passport (паспорт набора открытых данных)."""

    municipality_path = "municipality"

    class Source(models.TextChoices):
        MANUAL = "manual", _("загружается сотрудниками")
        ROADMAP_MEASURES = "roadmap_measures", _("портал: мероприятия дорожных карт")
        SURVEY_RESULTS = "survey_results", _("портал: результаты опросов")
        APPEALS = "appeals", _("портал: обращения граждан")

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="datasets",
        verbose_name=_("муниципальное образование"),
    )
    code = models.CharField(
        _("код набора (латиницей)"),
        max_length=80,
        validators=[CODE_VALIDATOR],
        help_text=_("Идентификатор набора — ИНН муниципального образования, дефис и этот код."),
    )
    identifier = models.CharField(
        _("идентификационный номер (код)"), max_length=100, unique=True, editable=False
    )
    title = models.CharField(_("наименование набора данных"), max_length=500)
    description = models.TextField(_("описание набора данных"))
    owner = models.ForeignKey(
        "municipalities.Department",
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("владелец набора данных"),
    )
    responsible_official = models.ForeignKey(
        "municipalities.Official",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="datasets",
        verbose_name=_("ответственное лицо (из справочника)"),
        help_text=_("Телефон и e-mail берутся из справочника должностных лиц; иначе заполните поля ниже."),
    )
    responsible_name = models.CharField(_("ответственное лицо (ФИО)"), max_length=200, blank=True)
    responsible_phone = models.CharField(_("телефон ответственного лица"), max_length=50, blank=True)
    responsible_email = models.EmailField(_("e-mail ответственного лица"), blank=True)
    keywords = models.CharField(
        _("ключевые слова"), max_length=500, blank=True, help_text=_("Через запятую.")
    )
    format = models.CharField(_("формат данных"), max_length=10, default="csv", editable=False)
    periodicity = models.CharField(
        _("периодичность актуализации"),
        max_length=20,
        choices=Periodicity.choices,
        default=Periodicity.YEARLY,
    )
    legal_act = models.ForeignKey(
        "roadmaps.LegalAct",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="datasets",
        verbose_name=_("правовой акт о включении в реестр"),
    )
    terms_of_use = models.TextField(
        _("условия использования"), blank=True, help_text=_("Пусто — стандартные условия портала.")
    )
    source = models.CharField(
        _("источник данных"), max_length=30, choices=Source.choices, default=Source.MANUAL, editable=False
    )
    is_published = models.BooleanField(_("в реестре"), default=True)
    created = models.DateField(_("дата первой публикации"), null=True, blank=True, editable=False)
    modified = models.DateField(_("дата последнего изменения"), null=True, blank=True, editable=False)
    provenance = models.TextField(_("содержание последнего изменения"), blank=True, editable=False)
    valid = models.DateField(_("дата актуальности"), null=True, blank=True, editable=False)
    next_update_due = models.DateField(
        _("очередная актуализация"), null=True, blank=True, editable=False, db_index=True
    )
    search_text = models.TextField(_("текст для поиска"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    # What CKAN clients see as metadata_modified: also touched when the responsible official, the owner
    # department or the municipality changes what the passport shows (opendata.signals).
    updated_at = models.DateTimeField(_("метаданные изменены"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("набор открытых данных")
        verbose_name_plural = _("наборы открытых данных")
        ordering = ["municipality__name", "title"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="dataset_unique_code")]

    def __str__(self):
        return f"{self.identifier} {self.title}"

    def save(self, *args, **kwargs):
        # The identifier is derived, stored for lookups and uniqueness across municipalities.
        self.identifier = f"{self.municipality.inn}-{self.code}"
        self.next_update_due = next_due(self.modified, self.periodicity)
        self.keywords = ",".join(self.keyword_list)
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "identifier",
                "next_update_due",
                "updated_at",
                "keywords",
                "search_text",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("opendata:passport", args=[self.identifier])

    def build_search_text(self) -> str:
        owner = self.owner.name if self.owner_id else ""
        return fold(" \n".join([self.title, self.description, self.keywords, self.identifier, owner]))

    @property
    def slug(self) -> str:
        """A latin name made from the title (GOST-like transliteration), for importers that need one."""
        from slugify import slugify

        return slugify(self.title, max_length=90, word_boundary=True) or self.name

    def clean(self):
        errors = {}
        if self.municipality_id and not self.municipality.inn:
            errors["municipality"] = _(
                "У муниципального образования не указан ИНН: он нужен для идентификатора."
            )
        if self.owner_id and self.municipality_id and self.owner.municipality_id != self.municipality_id:
            errors["owner"] = _("Подразделение другого муниципального образования.")
        official = self.responsible_official
        if official and self.municipality_id and official.municipality_id != self.municipality_id:
            errors["responsible_official"] = _("Должностное лицо другого муниципального образования.")
        if (
            self.legal_act_id
            and self.municipality_id
            and self.legal_act.municipality_id != self.municipality_id
        ):
            errors["legal_act"] = _("Акт другого муниципального образования.")
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        """CKAN `name`: the identifier, lowercase."""
        return self.identifier.lower()

    @property
    def publisher_name(self) -> str:
        if self.responsible_official_id:
            return self.responsible_official.name or self.responsible_official.post
        return self.responsible_name

    @property
    def publisher_phone(self) -> str:
        if self.responsible_official_id and self.responsible_official.phone:
            return self.responsible_official.phone
        return self.responsible_phone

    @property
    def publisher_mbox(self) -> str:
        if self.responsible_official_id and self.responsible_official.email:
            return self.responsible_official.email
        return self.responsible_email

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def terms(self) -> str:
        return self.terms_of_use or str(DEFAULT_TERMS_OF_USE)

    def is_stale(self, today: date) -> bool:
        return self.next_update_due is not None and self.next_update_due < today


class DatasetStructure(models.Model):
    """One version of a set's columns; a change of columns makes a new one. Immutable once used."""

    municipality_path = "dataset__municipality"

    class FieldType(models.TextChoices):
        STRING = "string", _("строка")
        INTEGER = "integer", _("целое число")
        NUMBER = "number", _("число")
        DATE = "date", _("дата")
        DATETIME = "datetime", _("дата и время")
        BOOLEAN = "boolean", _("логическое значение")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="structures", verbose_name=_("набор данных")
    )
    date = models.DateField(_("дата структуры"))
    fields = models.JSONField(
        _("поля"),
        default=list,
        help_text=_("Список полей: name, english, russian, type, required, unique."),
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("версия структуры")
        verbose_name_plural = _("версии структуры")
        ordering = ["dataset", "-date"]
        constraints = [models.UniqueConstraint(fields=["dataset", "date"], name="structure_unique_date")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"structure-{self.date:%Y%m%d}"

    @property
    def filename(self) -> str:
        return f"{self.label}.csv"

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


def version_upload_to(instance, filename):
    return f"opendata/{instance.dataset.identifier}/{instance.filename}"


class DatasetVersion(models.Model):
    """One immutable publication of the data (a CKAN resource)."""

    municipality_path = "dataset__municipality"

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="versions", verbose_name=_("набор данных")
    )
    structure = models.ForeignKey(
        DatasetStructure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("структура")
    )
    date = models.DateField(_("дата версии"))
    file = models.FileField(_("файл"), upload_to=version_upload_to, max_length=300)
    checksum = models.CharField(_("контрольная сумма SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)
    row_count = models.PositiveIntegerField(_("строк данных"), default=0)
    provenance = models.TextField(_("содержание изменения"), blank=True)
    valid = models.DateField(_("дата актуальности"))
    published_at = models.DateTimeField(_("опубликована"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("опубликовал"),
    )

    class Meta:
        verbose_name = _("версия данных")
        verbose_name_plural = _("версии данных")
        ordering = ["dataset", "-date"]
        constraints = [models.UniqueConstraint(fields=["dataset", "date"], name="version_unique_date")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return f"/opendata/{self.dataset.identifier}/{self.filename}"

    @property
    def label(self) -> str:
        return f"data-{self.date:%Y%m%d}-structure-{self.structure.date:%Y%m%d}"

    @property
    def filename(self) -> str:
        return f"{self.label}.csv"


class DataIssueReport(models.Model):
    """A citizen's report of an error in a data set; the contact stays private."""

    municipality_path = "dataset__municipality"

    class Status(models.TextChoices):
        NEW = "new", _("поступило")
        IN_PROGRESS = "in_progress", _("на рассмотрении")
        FIXED = "fixed", _("ошибка исправлена")
        REJECTED = "rejected", _("ошибка не подтвердилась")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="issue_reports", verbose_name=_("набор данных")
    )
    version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issue_reports",
        verbose_name=_("версия данных"),
    )
    description = models.TextField(_("что не так"))
    location = models.CharField(_("где (строка, поле)"), max_length=500, blank=True)
    author_name = models.CharField(_("имя"), max_length=200, blank=True)
    author_email = models.EmailField(_("e-mail (не публикуется)"), blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.NEW)
    answer = models.TextField(_("ответ"), blank=True)
    answered_at = models.DateTimeField(_("дата ответа"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ответил"),
    )
    fixed_version = models.ForeignKey(
        DatasetVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fixes",
        verbose_name=_("исправленная версия"),
    )
    created_at = models.DateTimeField(_("поступило"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("обращение об ошибке в данных")
        verbose_name_plural = _("обращения об ошибках в данных")
        ordering = ["-created_at"]

    def __str__(self):
        return f"№ {self.pk} · {self.dataset.identifier}"

    def get_absolute_url(self):
        return reverse("opendata:report_status", args=[self.token])

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.FIXED, self.Status.REJECTED)


class DatasetRequest(models.Model):
    """A citizen's request to publish a new data set."""

    municipality_path = "municipality"

    class Status(models.TextChoices):
        NEW = "new", _("поступил")
        ACCEPTED = "accepted", _("принят, набор готовится")
        PUBLISHED = "published", _("набор опубликован")
        REJECTED = "rejected", _("отклонен")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="dataset_requests",
        verbose_name=_("муниципальное образование"),
    )
    title = models.CharField(_("какие данные нужны"), max_length=500)
    description = models.TextField(_("зачем и в каком виде"), blank=True)
    author_name = models.CharField(_("имя"), max_length=200, blank=True)
    author_email = models.EmailField(_("e-mail (не публикуется)"), blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.NEW)
    answer = models.TextField(_("ответ"), blank=True)
    answered_at = models.DateTimeField(_("дата ответа"), null=True, blank=True)
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("опубликованный набор"),
    )
    created_at = models.DateTimeField(_("поступил"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("запрос на публикацию набора")
        verbose_name_plural = _("запросы на публикацию наборов")
        ordering = ["-created_at"]

    def __str__(self):
        return f"№ {self.pk} · {self.title[:60]}"

    def get_absolute_url(self):
        return reverse("opendata:request_status", args=[self.token])


class DownloadEvent(models.Model):
    """One visitor's download of one version on one day: the visitor is a salted hash, never an IP."""

    municipality_path = "dataset__municipality"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="downloads")
    day = models.DateField()
    visitor = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("скачивание")
        verbose_name_plural = _("скачивания")
        constraints = [
            models.UniqueConstraint(fields=["version", "day", "visitor"], name="download_once_per_day")
        ]
        indexes = [models.Index(fields=["dataset", "day"])]

    def __str__(self):
        return f"{self.version_id} · {self.day}"
