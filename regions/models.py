"""How a region rates its municipalities' openness: criteria and weights, editable by the region."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Criterion(models.TextChoices):
    DEADLINES_ON_TIME = "deadlines_on_time", _("Сроки дорожной карты соблюдены")
    KPIS_ACHIEVED = "kpis_achieved", _("Показатели достигнуты")
    DISCUSSIONS_SUMMARISED = "discussions_summarised", _("Итоги обсуждений опубликованы в срок")
    OPEN_DATA_FRESH = "open_data_fresh", _("Открытые данные актуальны")
    APPEALS_ON_TIME = "appeals_on_time", _("Обращения граждан рассмотрены в срок")


CRITERION_HELP = {
    Criterion.DEADLINES_ON_TIME: _(
        "Доля сроков года, исполненных в срок, среди наступивших (исполнено в срок, с нарушением, просрочено)."
    ),
    Criterion.KPIS_ACHIEVED: _(
        "Доля показателей с плановым значением на год, фактическое значение которых его достигло."
    ),
    Criterion.DISCUSSIONS_SUMMARISED: _(
        "Доля завершившихся в году общественных обсуждений, итоги которых опубликованы не позже срока."
    ),
    Criterion.OPEN_DATA_FRESH: _(
        "Доля наборов открытых данных в реестре, не просроченных к актуализации (только текущий год)."
    ),
    Criterion.APPEALS_ON_TIME: _("Доля обращений граждан, поступивших в году, на которые дан ответ в срок."),
}

DEFAULT_WEIGHTS = {
    Criterion.DEADLINES_ON_TIME: 30,
    Criterion.KPIS_ACHIEVED: 20,
    Criterion.DISCUSSIONS_SUMMARISED: 15,
    Criterion.OPEN_DATA_FRESH: 15,
    Criterion.APPEALS_ON_TIME: 20,
}


class RatingMethod(models.Model):
    """A region's published method; without one the region is rated by DEFAULT_WEIGHTS."""

    municipality_path = None

    region = models.CharField(_("субъект РФ"), max_length=200, unique=True)
    note = models.TextField(
        _("пояснение к методике"), blank=True, help_text=_("Публикуется на странице региона.")
    )
    approved_by = models.CharField(
        _("утверждена (документ)"), max_length=500, blank=True, help_text=_("Например, приказ № … от …")
    )
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("методика рейтинга открытости")
        verbose_name_plural = _("методики рейтинга открытости")
        ordering = ["region"]

    def __str__(self):
        return str(self.region)


class RatingCriterion(models.Model):
    municipality_path = None

    method = models.ForeignKey(
        RatingMethod, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("методика")
    )
    criterion = models.CharField(_("критерий"), max_length=40, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("вес"), help_text=_("0 — критерий не учитывается."))

    class Meta:
        verbose_name = _("критерий")
        verbose_name_plural = _("критерии и веса")
        ordering = ["method", "-weight", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["method", "criterion"], name="rating_criterion_unique"),
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.weight}"
