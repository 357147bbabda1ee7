"""Municipalities (the tenants), their departments and officials, and what each staff account may do where.

The ground floor of the portal: every other app refers to these models, and this app refers to none of them.
The tables keep the names they had when the models lived in `roadmaps` (`roadmaps_municipality`, …), so a
database migrated before the move keeps its rows."""

import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    municipality_path = "self"

    name = models.CharField(_("название"), max_length=200)
    full_name = models.CharField(_("полное наименование"), max_length=400, blank=True)
    region = models.CharField(_("субъект РФ"), max_length=200)
    slug = models.SlugField(_("код в адресе"), unique=True)
    oktmo = models.CharField(
        _("ОКТМО"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^\d{8}(\d{3})?$", _("8 или 11 цифр"))],
    )
    inn = models.CharField(
        _("ИНН"),
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{10}(\d{2})?$", _("10 или 12 цифр"))],
        help_text=_("Используется в идентификаторах наборов открытых данных."),
    )
    time_zone = models.CharField(
        _("часовой пояс"),
        max_length=64,
        default="Europe/Moscow",
        choices=[
            (z, z) for z in sorted(zoneinfo.available_timezones()) if z.startswith(("Europe/", "Asia/"))
        ],
    )
    site_url = models.URLField(_("официальный сайт"), blank=True)
    reminder_offsets = models.JSONField(
        _("напоминать за (рабочих дней)"),
        default=list,
        blank=True,
        help_text=_("Например [14, 7, 3, 1]; пусто — значения по умолчанию."),
    )

    class Meta:
        db_table = "roadmaps_municipality"  # the table from before the move out of roadmaps
        verbose_name = _("муниципальное образование")
        verbose_name_plural = _("муниципальные образования")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("roadmaps:municipality", args=[self.slug])

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self) -> date:
        """Today in the municipality's own time zone: deadlines are local dates."""
        return timezone.now().astimezone(self.tz).date()


class Department(models.Model):
    municipality_path = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("муниципальное образование"),
    )
    name = models.CharField(_("наименование"), max_length=400)
    short_name = models.CharField(_("краткое наименование"), max_length=200, blank=True)
    aliases = models.JSONField(_("другие написания"), default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("вышестоящее подразделение"),
    )
    head_name = models.CharField(_("руководитель"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)

    class Meta:
        db_table = "roadmaps_department"  # the table from before the move out of roadmaps
        verbose_name = _("подразделение")
        verbose_name_plural = _("подразделения")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="department_unique_name")
        ]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        if self.parent_id and self.parent.municipality_id != self.municipality_id:
            raise ValidationError(
                {"parent": _("Вышестоящее подразделение из другого муниципального образования.")}
            )


class Official(models.Model):
    """A post and/or a named person: «пресс-секретарь главы района», «Бегишева Н.А.»."""

    municipality_path = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="officials",
        verbose_name=_("муниципальное образование"),
    )
    name = models.CharField(_("ФИО"), max_length=200, blank=True)
    post = models.CharField(_("должность"), max_length=300, blank=True)
    aliases = models.JSONField(_("другие написания"), default=list, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("подразделение"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official",
        verbose_name=_("учетная запись"),
    )
    # A role, not a word in the post: renaming the post keeps who answers for the report (seed 000, item 2).
    is_press_secretary = models.BooleanField(
        _("пресс-секретарь"),
        default=False,
        help_text=_(
            "Отвечает за годовой отчет об исполнении плана и за взаимодействие со СМИ, если у отчетного "
            "периода не назначен другой ответственный."
        ),
    )

    class Meta:
        db_table = "roadmaps_official"  # the table from before the move out of roadmaps
        verbose_name = _("должностное лицо")
        verbose_name_plural = _("должностные лица")
        ordering = ["municipality", "name", "post"]
        constraints = [
            models.CheckConstraint(condition=~Q(name="", post=""), name="official_has_name_or_post")
        ]

    def __str__(self):
        if self.name and self.post:
            return f"{self.name}, {self.post}"
        return self.name or self.post


class StaffRole(models.Model):
    """What a staff account may do, and where: enforced in admin querysets and API permissions."""

    municipality_path = "municipality"

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("региональный куратор")
        COORDINATOR = "coordinator", _("координатор")
        EXECUTOR = "executor", _("исполнитель")
        # Moderates comments and flags and replies to them (surveys admin); sees no roadmap internals.
        MODERATOR = "moderator", _("модератор обсуждений")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_role",
        verbose_name=_("пользователь"),
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("муниципальное образование"),
    )
    region = models.CharField(
        _("субъект РФ (для куратора)"),
        max_length=200,
        blank=True,
        help_text=_("Пусто — все муниципальные образования."),
    )

    class Meta:
        db_table = "roadmaps_staffrole"  # the table from before the move out of roadmaps
        verbose_name = _("роль сотрудника")
        verbose_name_plural = _("роли сотрудников")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="supervisor") | Q(municipality__isnull=False),
                name="staff_role_municipality_required",
                violation_error_message=_(
                    "Укажите муниципальное образование: координатор, исполнитель и модератор работают в одном из них."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"
