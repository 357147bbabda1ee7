"""Everything the public is asked: discussion windows with comments and summaries, and population surveys."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_DISCUSSION_DAYS = 15  # seed 000, measures 7 and 9: «в течение 15 дней с момента размещения»
SUMMARY_WORKING_DAYS = 7  # seed 000, measure 10: «в течение 7 рабочих дней после завершения … обсуждения»
NO_COMMENTS_SUMMARY = "Замечаний и предложений не поступало"  # seed 004 wording
COMMENT_MAX_LENGTH = 5000


class ModerationSettings(models.Model):
    """How one municipality moderates comments; a municipality without a row gets the defaults."""

    municipality_path = "municipality"

    class Mode(models.TextChoices):
        PRE = "pre", _("предварительная (публикация после проверки)")
        POST = "post", _("последующая (публикация сразу)")

    municipality = models.OneToOneField(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="moderation_settings",
        verbose_name=_("муниципальное образование"),
    )
    mode = models.CharField(_("модерация"), max_length=10, choices=Mode.choices, default=Mode.PRE)
    auto_hide_flags = models.PositiveSmallIntegerField(
        _("скрывать после жалоб"),
        default=3,
        help_text=_("Комментарий скрывается до проверки, когда на него пожаловались столько читателей."),
    )

    class Meta:
        verbose_name = _("настройки модерации")
        verbose_name_plural = _("настройки модерации")

    def __str__(self):
        return f"{self.municipality}: {self.get_mode_display()}"


class DiscussionQuerySet(models.QuerySet):
    def open_at(self, moment: datetime):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def closed_at(self, moment: datetime):
        return self.filter(closes_at__lte=moment)

    def scheduled_at(self, moment: datetime):
        return self.filter(opens_at__gt=moment)


class Discussion(models.Model):
    """A public-discussion window on a subject; open iff opens_at <= now < closes_at (server time)."""

    municipality_path = "municipality"

    class Kind(models.TextChoices):
        REPORT = "report", _("отчет")
        PROGRAMME_REPORT = "programme_report", _("отчет о реализации муниципальной программы")
        DRAFT_ACT = "draft_act", _("проект правового акта")
        DOCUMENT = "document", _("документ")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("скоро начнется")
        OPEN = "open", _("идет обсуждение")
        CLOSED = "closed", _("обсуждение завершено")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="discussions",
        verbose_name=_("муниципальное образование"),
    )
    kind = models.CharField(
        _("предмет обсуждения"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT
    )
    title = models.CharField(_("наименование"), max_length=1000)
    description = models.TextField(_("описание или текст документа"), blank=True)
    document_url = models.URLField(_("ссылка на документ"), blank=True)
    document_file = models.FileField(_("файл документа"), upload_to="discussions/%Y/", blank=True)
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("тип объекта"),
    )
    subject_id = models.PositiveBigIntegerField(_("объект"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    responsible = models.ForeignKey(
        "municipalities.Official",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussions",
        verbose_name=_("ответственное должностное лицо"),
    )
    measure = models.ForeignKey(
        "roadmaps.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussions",
        verbose_name=_("мероприятие дорожной карты"),
        help_text=_("Завершение обсуждения — событие, от которого считаются сроки зависящих мероприятий."),
    )
    opens_at = models.DateTimeField(_("начало обсуждения"), db_index=True)
    length_days = models.PositiveSmallIntegerField(_("длительность, дней"), default=DEFAULT_DISCUSSION_DAYS)
    working_days = models.BooleanField(_("в рабочих днях"), default=False)
    last_day = models.DateField(_("последний день обсуждения"))
    closes_at = models.DateTimeField(
        _("окончание обсуждения"), db_index=True, help_text=_("Конец последнего дня по местному времени.")
    )
    closed_processed_at = models.DateTimeField(
        _("итоги подготовлены к"), null=True, blank=True, editable=False
    )
    summary_due_date = models.DateField(_("срок публикации итогов"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    objects = DiscussionQuerySet.as_manager()

    class Meta:
        verbose_name = _("общественное обсуждение")
        verbose_name_plural = _("общественные обсуждения")
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["closes_at", "closed_processed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="discussion_closes_after_open"
            ),
            models.CheckConstraint(condition=Q(length_days__gte=1), name="discussion_length_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:discussion_detail", args=[self.pk])

    def status_at(self, moment: datetime | None = None) -> str:
        moment = moment or timezone.now()
        if moment < self.opens_at:
            return self.Status.SCHEDULED
        if moment < self.closes_at:
            return self.Status.OPEN
        return self.Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def days_left(self, moment: datetime | None = None) -> int:
        """Whole days after today (local) until the last day; 0 on the last day."""
        today = (moment or timezone.now()).astimezone(self.municipality.tz).date()
        return max(0, (self.last_day - today).days)


class DocumentVersion(models.Model):
    """One published редакция of the document under discussion (CONSUL's draft version, regulation.gov.ru's
    «редакция»): numbered 1..n per discussion, the last one may be the final text adopted after the summary."""

    municipality_path = "discussion__municipality"

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="versions", verbose_name=_("обсуждение")
    )
    number = models.PositiveSmallIntegerField(_("номер редакции"), editable=False)
    title = models.CharField(_("наименование редакции"), max_length=500, blank=True)
    text = models.TextField(_("текст"), blank=True, help_text=_("Текст документа или извлеченный из файла."))
    file = models.FileField(_("файл (DOCX, ODT, PDF)"), upload_to="discussions/versions/%Y/", blank=True)
    changes = models.TextField(_("что изменено"), blank=True)
    is_final = models.BooleanField(_("итоговая редакция"), default=False)
    published_at = models.DateTimeField(_("опубликована"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("опубликовал"),
    )

    class Meta:
        verbose_name = _("редакция документа")
        verbose_name_plural = _("редакции документа")
        ordering = ["discussion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "number"], name="document_version_number_unique"),
            models.UniqueConstraint(
                fields=["discussion"], condition=Q(is_final=True), name="document_version_one_final"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_number_positive"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.is_final:
            return _("итоговая редакция (ред. %(n)s)") % {"n": self.number}
        return _("редакция %(n)s") % {"n": self.number}


class DocumentParagraph(models.Model):
    """A point or paragraph of a version («п. 3.2», «абз. 2»): what a comment may be attached to."""

    municipality_path = "version__discussion__municipality"

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("редакция")
    )
    position = models.PositiveIntegerField(_("порядок"))
    anchor = models.CharField(_("пункт"), max_length=100)
    text = models.TextField(_("текст"))

    class Meta:
        verbose_name = _("пункт документа")
        verbose_name_plural = _("пункты документа")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="document_paragraph_position_unique")
        ]

    def __str__(self):
        return self.anchor


class Comment(models.Model):
    municipality_path = "discussion__municipality"

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает проверки")
        PUBLISHED = "published", _("опубликован")
        FLAGGED = "flagged", _("скрыт по жалобам до проверки")
        HIDDEN = "hidden", _("скрыт модератором")

    discussion = models.ForeignKey(
        Discussion, on_delete=models.CASCADE, related_name="comments", verbose_name=_("обсуждение")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("ответ на"),
    )
    paragraph = models.ForeignKey(
        DocumentParagraph,
        # A published version is a record: its paragraphs go only with the discussion (and its comments).
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("к пункту"),
    )
    author_name = models.CharField(_("автор"), max_length=200)
    # Private (152-ФЗ): never shown on pages, in the API or in exports.
    email = models.EmailField(_("e-mail (не публикуется)"), blank=True)
    text = models.TextField(_("текст"))
    text_hash = models.CharField(max_length=64, editable=False)
    consent_at = models.DateTimeField(_("согласие на обработку персональных данных"), null=True, blank=True)
    is_official = models.BooleanField(_("ответ должностного лица"), default=False)
    official = models.ForeignKey(
        "municipalities.Official",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("должностное лицо"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("учетная запись"),
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    flag_count = models.PositiveIntegerField(_("жалоб"), default=0)
    created_at = models.DateTimeField(_("получено"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("замечание, предложение")
        verbose_name_plural = _("замечания и предложения")
        ordering = ["created_at", "pk"]
        constraints = [
            # Duplicates are refused by the database as well, so two racing requests cannot both insert.
            models.UniqueConstraint(fields=["discussion", "text_hash"], name="comment_unique_text"),
        ]
        indexes = [models.Index(fields=["discussion", "status", "created_at"])]

    def __str__(self):
        text = self.text if len(self.text) < 60 else self.text[:57] + "…"
        return f"{self.author_name}: {text}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CommentModeration(models.Model):
    """History of what moderators (and the flag threshold) did to a comment, with the reason."""

    municipality_path = "comment__discussion__municipality"

    class Action(models.TextChoices):
        PUBLISH = "publish", _("опубликован")
        HIDE = "hide", _("скрыт")
        RESTORE = "restore", _("восстановлен")
        AUTO_HIDE = "auto_hide", _("скрыт автоматически по жалобам")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="moderation_log", verbose_name=_("комментарий")
    )
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("причина"), blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("модератор"),
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("действие модератора")
        verbose_name_plural = _("история модерации")
        ordering = ["comment", "created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.created_at:%d.%m.%Y %H:%M}"


class CommentFlag(models.Model):
    municipality_path = "comment__discussion__municipality"

    class Reason(models.TextChoices):
        SPAM = "spam", _("спам или реклама")
        ABUSE = "abuse", _("оскорбления")
        OFF_TOPIC = "off_topic", _("не по теме обсуждения")
        PERSONAL_DATA = "personal_data", _("персональные данные других лиц")
        OTHER = "other", _("другое")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("комментарий")
    )
    reason = models.CharField(_("причина"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("пояснение"), max_length=500, blank=True)
    reader_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("жалоба")
        verbose_name_plural = _("жалобы")
        constraints = [models.UniqueConstraint(fields=["comment", "reader_key"], name="flag_once_per_reader")]

    def __str__(self):
        return self.get_reason_display()


class DiscussionSummary(models.Model):
    """«По итогам обсуждения…»: written in the admin after the window closes, then published."""

    municipality_path = "discussion__municipality"

    discussion = models.OneToOneField(
        Discussion, on_delete=models.CASCADE, related_name="summary", verbose_name=_("обсуждение")
    )
    text = models.TextField(_("итоги обсуждения"), blank=True)
    published_at = models.DateTimeField(_("опубликованы"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("опубликовал"),
    )
    updated_at = models.DateTimeField(_("изменены"), auto_now=True)

    class Meta:
        verbose_name = _("итоги обсуждения")
        verbose_name_plural = _("итоги обсуждений")

    def __str__(self):
        return str(self.discussion)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class CommentDisposition(models.Model):
    """What the administration decided about one comment: учтено / не учтено / учтено частично."""

    municipality_path = "summary__discussion__municipality"

    class Decision(models.TextChoices):
        UNDECIDED = "", _("не рассмотрено")
        ACCEPTED = "accepted", _("учтено")
        REJECTED = "rejected", _("не учтено")
        PARTIAL = "partial", _("учтено частично")

    summary = models.ForeignKey(
        DiscussionSummary, on_delete=models.CASCADE, related_name="dispositions", verbose_name=_("итоги")
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="disposition", verbose_name=_("замечание")
    )
    decision = models.CharField(_("решение"), max_length=10, choices=Decision.choices, blank=True, default="")
    reason = models.TextField(_("обоснование"), blank=True)

    class Meta:
        verbose_name = _("решение по замечанию")
        verbose_name_plural = _("решения по замечаниям")
        ordering = ["comment__created_at", "comment_id"]

    def __str__(self):
        return f"{self.comment_id}: {self.get_decision_display()}"


# --- Surveys ---------------------------------------------------------------------------------------------


class Survey(models.Model):
    municipality_path = "municipality"

    class Audience(models.TextChoices):
        ALL = "all", _("все жители")
        GROUP = "group", _("референтная группа")

    class RespondentConfirmation(models.TextChoices):
        NONE = "none", _("не проверяется (один ответ с браузера)")
        EMAIL = "email", _("по e-mail: ссылка из письма")
        # The portal has staff accounts only (the admin login): this mode is for surveys of officials.
        LOGIN = "login", _("вход на портал (опрос сотрудников)")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("муниципальное образование"),
    )
    title = models.CharField(_("наименование"), max_length=1000)
    description = models.TextField(_("описание"), blank=True)
    audience = models.CharField(_("аудитория"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    audience_group = models.CharField(
        _("референтная группа"), max_length=300, blank=True, help_text=_("Например «Получатели госуслуг».")
    )
    opens_at = models.DateTimeField(_("начало опроса"))
    closes_at = models.DateTimeField(_("окончание опроса"))
    is_published = models.BooleanField(_("опубликован"), default=True)
    respondent_confirmation = models.CharField(
        _("один ответ на респондента"),
        max_length=10,
        choices=RespondentConfirmation.choices,
        default=RespondentConfirmation.NONE,
        help_text=_(
            "«По e-mail»: ответ учитывается после перехода по ссылке из письма, с одного адреса — один ответ. "
            "«Вход на портал»: отвечают только сотрудники с учетной записью портала, один ответ на учетную "
            "запись; жителям такой опрос недоступен."
        ),
    )
    imported_respondents = models.PositiveIntegerField(
        _("респондентов по загруженным итогам"),
        default=0,
        help_text=_("Для опросов, проведенных вне портала: итоги загружены числами по вариантам ответа."),
    )
    measure = models.ForeignKey(
        "roadmaps.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("мероприятие дорожной карты"),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("опрос населения")
        verbose_name_plural = _("опросы населения")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_open"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:survey_detail", args=[self.pk])

    def is_open_at(self, moment: datetime | None = None) -> bool:
        moment = moment or timezone.now()
        return self.is_published and self.opens_at <= moment < self.closes_at

    @property
    def email_confirmation(self) -> bool:
        return self.respondent_confirmation == self.RespondentConfirmation.EMAIL

    @property
    def login_required(self) -> bool:
        return self.respondent_confirmation == self.RespondentConfirmation.LOGIN

    @property
    def is_open(self) -> bool:
        return self.is_open_at()


class Question(models.Model):
    municipality_path = "survey__municipality"

    class Kind(models.TextChoices):
        SINGLE = "single", _("один вариант")
        MULTIPLE = "multiple", _("несколько вариантов")
        SCALE = "scale", _("оценка от 1 до 5")
        TEXT = "text", _("свободный ответ")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("опрос")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    text = models.TextField(_("вопрос"))
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("обязательный"), default=True)

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["survey", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)


AGREEMENT_SCALE = ["Да", "скорее Да", "Нет", "скорее Нет"]  # the seeds' ready-made answer scale


class Option(models.Model):
    municipality_path = "question__survey__municipality"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("вопрос")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    text = models.CharField(_("вариант ответа"), max_length=500)
    imported_count = models.PositiveIntegerField(_("ответов по загруженным итогам"), default=0)
    imported_percent = models.PositiveSmallIntegerField(
        _("процент, как опубликован"),
        null=True,
        blank=True,
        help_text=_(
            "Процент из официального документа; показывается, пока нет ответов, полученных на портале."
        ),
    )

    class Meta:
        verbose_name = _("вариант ответа")
        verbose_name_plural = _("варианты ответа")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.text


class Response(models.Model):
    """One respondent's answers; anonymous in results. Counted once confirmed (at once without e-mail).

    With e-mail confirmation only a keyed hash of the normalised address is kept (`email_hash`): enough to
    count one confirmed response per address, not enough to read the address back.
    """

    municipality_path = "survey__municipality"

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("опрос")
    )
    respondent_key = models.CharField(max_length=64, editable=False)
    email_hash = models.CharField(max_length=64, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("учетная запись"),
    )
    confirmation_token = models.CharField(max_length=64, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("подтвержден"), null=True, blank=True)
    created_at = models.DateTimeField(_("получен"), default=timezone.now)

    class Meta:
        verbose_name = _("ответ респондента")
        verbose_name_plural = _("ответы респондентов")
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent_key"], name="response_once_per_respondent"),
            models.UniqueConstraint(
                fields=["survey", "email_hash"],
                condition=~Q(email_hash="") & Q(confirmed_at__isnull=False),
                name="response_confirmed_once_per_email",
            ),
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="response_once_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.survey_id} · {self.created_at:%d.%m.%Y %H:%M}"


class Answer(models.Model):
    municipality_path = "response__survey__municipality"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("ответ")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("вопрос")
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("вариант"),
    )
    scale_value = models.PositiveSmallIntegerField(_("оценка"), null=True, blank=True)
    text = models.TextField(_("текст"), blank=True)

    class Meta:
        verbose_name = _("ответ на вопрос")
        verbose_name_plural = _("ответы на вопросы")
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self):
        return str(self.option or self.scale_value or self.text[:50])


def local_day_end(day: date, tz) -> datetime:
    """The first instant after `day` in the given time zone (the end of that local day)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
