"""Referent groups and their participants, experts, the interaction log, mailings and public councils."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from municipalities.models import Department, Municipality, Official
from roadmaps.models import LegalAct, Measure

# --- Reference lists (seed 003) ------------------------------------------------------------------------


class Principle(models.Model):
    """A base principle of working with referent groups (seed 003 §2.3: полноты, актуальности, …)."""

    municipality_path = None

    name = models.CharField(_("принцип"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("принцип взаимодействия")
        verbose_name_plural = _("принципы взаимодействия")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ReadyListQuerySet(models.QuerySet):
    def available_to(self, municipality_id):
        """The ready list everyone shares plus what this municipality added (seed 003 §3.1.3)."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))


class ReadyListItem(models.Model):
    """An entry of a ready list: common when `municipality` is empty, a local addition otherwise."""

    municipality_path = "municipality"
    shared_without_municipality = True  # the common entries are every municipality's (scoping.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("муниципальное образование"),
        help_text=_("Пусто — общий перечень для всех муниципальных образований."),
        related_name="+",
    )
    name = models.CharField(_("наименование"), max_length=300)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    objects = ReadyListQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Channel(ReadyListItem):
    """A platform, body or organisation through which a group is reached (seed 003 §3.1.1)."""

    class Meta(ReadyListItem.Meta):
        verbose_name = _("канал взаимодействия")
        verbose_name_plural = _("каналы взаимодействия")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="channel_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(municipality__isnull=True), name="channel_unique_common_name"
            ),
        ]


class Tool(ReadyListItem):
    """A means of informing a group and hearing back from it (seed 003 §3.1.2)."""

    class Meta(ReadyListItem.Meta):
        verbose_name = _("инструмент взаимодействия")
        verbose_name_plural = _("инструменты взаимодействия")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="tool_unique_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(municipality__isnull=True), name="tool_unique_common_name"
            ),
        ]


class ExpertField(models.Model):
    municipality_path = None

    name = models.CharField(_("область экспертизы"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("область экспертизы")
        verbose_name_plural = _("области экспертизы")
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- Referent groups and participants ----------------------------------------------------------------


class ReferentGroup(models.Model):
    municipality_path = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="referent_groups",
        verbose_name=_("муниципальное образование"),
    )
    name = models.CharField(_("наименование"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    responsible_departments = models.ManyToManyField(
        Department, blank=True, related_name="referent_groups", verbose_name=_("ответственные подразделения")
    )
    responsible_officials = models.ManyToManyField(
        Official, blank=True, related_name="referent_groups", verbose_name=_("ответственные должностные лица")
    )
    principles = models.ManyToManyField(Principle, blank=True, verbose_name=_("принципы взаимодействия"))
    channels = models.ManyToManyField(Channel, blank=True, verbose_name=_("каналы взаимодействия"))
    tools = models.ManyToManyField(Tool, blank=True, verbose_name=_("инструменты взаимодействия"))
    is_public = models.BooleanField(
        _("показывать на сайте"),
        default=True,
        help_text=_("Только название, описание и перечни; без участников."),
    )

    class Meta:
        verbose_name = _("референтная группа")
        verbose_name_plural = _("референтные группы")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="referent_group_unique_name")
        ]

    def __str__(self):
        return self.name


class ParticipantQuerySet(models.QuerySet):
    def with_consent(self):
        """Consent to personal-data processing given and not withdrawn (152-ФЗ)."""
        return self.filter(consent=True, withdrawn_at__isnull=True)

    def accepted_experts(self):
        return self.with_consent().filter(is_expert=True, expert_status=Participant.ExpertStatus.ACCEPTED)


class Participant(models.Model):
    """A person or an organisation who speaks for a referent group; experts are participants too."""

    municipality_path = "municipality"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("физическое лицо")
        PUBLIC_ASSOCIATION = "public_association", _("общественное объединение")
        TRADE_UNION = "trade_union", _("профессиональный союз")
        NONPROFIT = "nonprofit", _("некоммерческая организация")
        BUSINESS = "business", _("предпринимательское сообщество")
        ACADEMIC = "academic", _("научное сообщество")
        MEDIA = "media", _("средство массовой информации")
        OTHER = "other", _("иная организация")

    class ExpertStatus(models.TextChoices):
        NONE = "", _("—")
        PROPOSED = "proposed", _("предложен")
        ACCEPTED = "accepted", _("включен в базу")
        DECLINED = "declined", _("не включен")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="referent_participants",
        verbose_name=_("муниципальное образование"),
    )
    kind = models.CharField(_("тип участника"), max_length=30, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(_("ФИО или наименование"), max_length=300)
    organisation = models.CharField(_("организация"), max_length=300, blank=True)
    position = models.CharField(_("должность"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    consent = models.BooleanField(_("согласие на обработку персональных данных"), default=False)
    consent_date = models.DateField(_("дата согласия"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("согласие отозвано"), null=True, blank=True)
    is_expert = models.BooleanField(_("эксперт"), default=False, db_index=True)
    expert_fields = models.ManyToManyField(
        ExpertField, blank=True, related_name="experts", verbose_name=_("области экспертизы")
    )
    expert_status = models.CharField(
        _("статус эксперта"), max_length=20, choices=ExpertStatus.choices, default="", blank=True
    )
    proposed_by = models.ForeignKey(
        Official,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_experts",
        verbose_name=_("кем предложен"),
        help_text=_("Руководитель органа администрации, предложивший кандидатуру."),
    )
    proposed_on = models.DateField(_("дата предложения"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        Official,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_experts",
        verbose_name=_("кем включен в базу"),
    )
    accepted_on = models.DateField(_("дата включения в базу"), null=True, blank=True)
    groups = models.ManyToManyField(
        ReferentGroup,
        through="GroupMembership",
        related_name="participants",
        blank=True,
        verbose_name=_("референтные группы"),
    )
    notes = models.TextField(_("примечания"), blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("участник референтной группы")
        verbose_name_plural = _("участники референтных групп")
        ordering = ["municipality__name", "name"]
        indexes = [models.Index(fields=["municipality", "is_expert", "expert_status"])]

    def __str__(self):
        return self.name

    @property
    def has_consent(self) -> bool:
        return self.consent and self.withdrawn_at is None

    def clean(self):
        errors = {}
        if self.consent and not self.consent_date:
            errors["consent_date"] = _("Укажите дату согласия на обработку персональных данных.")
        if self.expert_status and not self.is_expert:
            errors["expert_status"] = _("Статус эксперта задается только для экспертов.")
        if self.expert_status == self.ExpertStatus.ACCEPTED and not self.has_consent:
            errors["consent"] = _("Эксперта можно включить в базу только с согласием на обработку данных.")
        for field in ("proposed_by", "accepted_by"):
            official = getattr(self, field)
            if official is not None and official.municipality_id != self.municipality_id:
                errors[field] = _("Должностное лицо другого муниципального образования.")
        if errors:
            raise ValidationError(errors)


class GroupMembership(models.Model):
    municipality_path = "group__municipality"

    group = models.ForeignKey(
        ReferentGroup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("группа")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("участник")
    )
    joined_on = models.DateField(_("включен"), null=True, blank=True)
    left_on = models.DateField(_("исключен"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("отписался от рассылки"), null=True, blank=True)

    class Meta:
        verbose_name = _("участие в группе")
        verbose_name_plural = _("участие в группах")
        constraints = [
            models.UniqueConstraint(fields=["group", "participant"], name="membership_unique_participant")
        ]

    def __str__(self):
        return f"{self.participant} — {self.group}"

    def clean(self):
        if (
            self.group_id
            and self.participant_id
            and self.group.municipality_id != self.participant.municipality_id
        ):
            raise ValidationError(_("Участник и группа из разных муниципальных образований."))


# --- Interaction log ---------------------------------------------------------------------------------


class Interaction(models.Model):
    municipality_path = "municipality"

    class Kind(models.TextChoices):
        # Seed 003 §2.2: informing (1), discussion (2–5), evaluation of quality and openness (6); §3.1 feedback.
        INFORMING = "informing", _("информирование")
        DISCUSSION = "discussion", _("обсуждение")
        FEEDBACK = "feedback", _("получение обратной связи")
        EVALUATION = "evaluation", _("оценка открытости и качества работы")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="referent_interactions",
        verbose_name=_("муниципальное образование"),
    )
    date = models.DateField(_("дата"), db_index=True)
    group = models.ForeignKey(
        ReferentGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("референтная группа"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("канал")
    )
    tool = models.ForeignKey(
        Tool, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("инструмент")
    )
    kind = models.CharField(_("вид взаимодействия"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("тема"), max_length=500)
    materials = models.TextField(_("материалы"), blank=True)
    materials_url = models.URLField(_("ссылка на материалы"), blank=True)
    materials_file = models.FileField(
        _("файл материалов"), upload_to="referents/interactions/%Y/", blank=True
    )
    outcome = models.TextField(_("результат"), blank=True)
    responsible = models.ForeignKey(
        Official,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referent_interactions",
        verbose_name=_("ответственное должностное лицо"),
    )
    participants_count = models.PositiveIntegerField(_("число участников"), null=True, blank=True)
    mailing = models.OneToOneField(
        "Mailing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interaction",
        verbose_name=_("рассылка"),
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    class Meta:
        verbose_name = _("взаимодействие")
        verbose_name_plural = _("журнал взаимодействий")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["municipality", "date"])]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} · {self.topic}"

    def clean(self):
        errors = {}
        if self.group_id and self.group.municipality_id != self.municipality_id:
            errors["group"] = _("Группа другого муниципального образования.")
        for field in ("channel", "tool"):
            item = getattr(self, field)
            if item is not None and item.municipality_id not in (None, self.municipality_id):
                errors[field] = _("Элемент перечня другого муниципального образования.")
        if self.responsible_id and self.responsible.municipality_id != self.municipality_id:
            errors["responsible"] = _("Должностное лицо другого муниципального образования.")
        if errors:
            raise ValidationError(errors)


# --- Mailings ----------------------------------------------------------------------------------------


class Mailing(models.Model):
    municipality_path = "municipality"

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        SENDING = "sending", _("отправляется")
        SENT = "sent", _("отправлена")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="mailings",
        verbose_name=_("муниципальное образование"),
    )
    group = models.ForeignKey(
        ReferentGroup, on_delete=models.PROTECT, related_name="mailings", verbose_name=_("референтная группа")
    )
    subject = models.CharField(_("тема письма"), max_length=250)
    body = models.TextField(_("текст письма"))
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("автор"),
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    queued_at = models.DateTimeField(_("поставлена в очередь"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлена"), null=True, blank=True)

    class Meta:
        verbose_name = _("адресная рассылка")
        verbose_name_plural = _("адресные рассылки")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    def clean(self):
        if self.group_id and self.municipality_id and self.group.municipality_id != self.municipality_id:
            raise ValidationError({"group": _("Группа другого муниципального образования.")})


class MailingDelivery(models.Model):
    """One recipient of one mailing: the unique pair is what makes sending idempotent."""

    municipality_path = "mailing__municipality"

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENDING = "sending", _("отправляется")
        SENT = "sent", _("доставлено на почтовый сервер")
        FAILED = "failed", _("ошибка")
        SKIPPED = "skipped", _("не отправлялось")

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("рассылка")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("участник")
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField(_("причина"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    claimed_at = models.DateTimeField(_("взято в работу"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("доставка рассылки")
        verbose_name_plural = _("доставка рассылки")
        ordering = ["mailing", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "participant"], name="delivery_unique_recipient")
        ]

    def __str__(self):
        return f"{self.participant} · {self.get_status_display()}"


# --- Public councils ---------------------------------------------------------------------------------


def _measure_fk(label, related_name):
    return models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=label,
        help_text=_("Мероприятие дорожной карты, срок которого отсчитывается от такого изменения."),
    )


class Council(models.Model):
    municipality_path = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="councils",
        verbose_name=_("муниципальное образование"),
    )
    name = models.CharField(_("наименование"), max_length=400)
    description = models.TextField(_("описание"), blank=True)
    is_public = models.BooleanField(_("показывать на сайте"), default=True)
    membership_measure = _measure_fk(_("мероприятие: изменения состава"), "+")
    regulation_measure = _measure_fk(_("мероприятие: изменения положения"), "+")
    workplan_measure = _measure_fk(_("мероприятие: утверждение плана работы"), "+")

    class Meta:
        verbose_name = _("общественный совет")
        verbose_name_plural = _("общественные советы")
        ordering = ["municipality__name", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="council_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("referents:council", args=[self.pk])

    def clean(self):
        errors = {}
        for field in ("membership_measure", "regulation_measure", "workplan_measure"):
            measure = getattr(self, field)
            if measure is not None and measure.roadmap.municipality_id != self.municipality_id:
                errors[field] = _("Мероприятие дорожной карты другого муниципального образования.")
        if errors:
            raise ValidationError(errors)


class CouncilRegulation(models.Model):
    """The council's Положение; the latest by date is the one in force."""

    municipality_path = "council__municipality"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="regulations", verbose_name=_("совет")
    )
    title = models.CharField(_("наименование"), max_length=500)
    date = models.DateField(_("дата утверждения (изменения)"))
    legal_act = models.ForeignKey(
        LegalAct,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("правовой акт"),
    )
    file = models.FileField(_("файл"), upload_to="referents/regulations/%Y/", blank=True)
    url = models.URLField(_("ссылка"), blank=True)

    class Meta:
        verbose_name = _("положение о совете")
        verbose_name_plural = _("положения о совете")
        ordering = ["council", "-date", "-id"]

    def __str__(self):
        return f"{self.title} ({self.date:%d.%m.%Y})"


class CouncilMemberQuerySet(models.QuerySet):
    def current(self, on):
        return self.filter(Q(term_start__isnull=True) | Q(term_start__lte=on)).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=on)
        )


class CouncilMember(models.Model):
    municipality_path = "council__municipality"

    class Role(models.TextChoices):
        CHAIR = "chair", _("председатель")
        DEPUTY = "deputy", _("заместитель председателя")
        SECRETARY = "secretary", _("секретарь")
        MEMBER = "member", _("член совета")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="members", verbose_name=_("совет")
    )
    full_name = models.CharField(_("ФИО"), max_length=300)
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    represents = models.CharField(_("представляет"), max_length=400, blank=True)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_seats",
        verbose_name=_("участник референтной группы"),
    )
    # Private: shown in the admin only, never on public pages or in the API.
    email = models.EmailField(_("e-mail (не публикуется)"), blank=True)
    phone = models.CharField(_("телефон (не публикуется)"), max_length=50, blank=True)
    term_start = models.DateField(_("начало полномочий"), null=True, blank=True)
    term_end = models.DateField(_("окончание полномочий"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("член совета")
        verbose_name_plural = _("члены совета")
        ordering = ["council", "order", "full_name"]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("Окончание полномочий раньше их начала.")})


class CouncilWorkPlan(models.Model):
    municipality_path = "council__municipality"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="work_plans", verbose_name=_("совет")
    )
    year = models.PositiveSmallIntegerField(_("год"))
    title = models.CharField(_("наименование"), max_length=500, blank=True)
    approved_on = models.DateField(_("дата утверждения"), null=True, blank=True)
    content = models.TextField(_("содержание плана"), blank=True)
    file = models.FileField(_("файл"), upload_to="referents/workplans/%Y/", blank=True)
    url = models.URLField(_("ссылка"), blank=True)

    class Meta:
        verbose_name = _("план работы совета")
        verbose_name_plural = _("планы работы совета")
        ordering = ["council", "-year", "-id"]

    def __str__(self):
        return self.title or f"План работы на {self.year} год"


class Meeting(models.Model):
    municipality_path = "council__municipality"

    class Status(models.TextChoices):
        PLANNED = "planned", _("запланировано")
        HELD = "held", _("проведено")
        CANCELLED = "cancelled", _("отменено")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("совет")
    )
    date = models.DateField(_("дата"), db_index=True)
    number = models.CharField(_("номер"), max_length=20, blank=True)
    place = models.CharField(_("место проведения"), max_length=300, blank=True)
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.HELD)
    minutes = models.TextField(_("протокол (краткое содержание)"), blank=True)
    minutes_file = models.FileField(_("файл протокола"), upload_to="referents/minutes/%Y/", blank=True)

    class Meta:
        verbose_name = _("заседание")
        verbose_name_plural = _("заседания")
        ordering = ["council", "-date", "-id"]

    def __str__(self):
        number = f"№ {self.number} " if self.number else ""
        return f"{number}{self.date:%d.%m.%Y}"


class AgendaItem(models.Model):
    municipality_path = "meeting__council__municipality"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("заседание")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    title = models.TextField(_("вопрос повестки"))
    speaker = models.CharField(_("докладчик"), max_length=300, blank=True)
    decision = models.TextField(_("решение"), blank=True)

    class Meta:
        verbose_name = _("вопрос повестки")
        verbose_name_plural = _("вопросы повестки")
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return self.title[:100]
