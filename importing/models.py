"""ImportJob: one uploaded roadmap file, its preview, the user's choices and the progress of saving it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    municipality_path = "municipality"

    class Status(models.TextChoices):
        PREVIEW = "preview", _("предпросмотр")
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("загружено")
        FAILED = "failed", _("ошибка")

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("муниципальное образование"),
    )
    file = models.FileField(_("файл"), upload_to="roadmap-imports/%Y/%m/")
    original_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    # SHA-256 of the file: the same file imported again for the municipality needs the user's consent.
    checksum = models.CharField(_("контрольная сумма файла"), max_length=64, blank=True, db_index=True)
    options = models.JSONField(_("параметры загрузки"), default=dict, blank=True)
    preview = models.JSONField(_("что распознано"), default=dict, blank=True, editable=False)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PREVIEW, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("выполнено, %"), default=0)
    measure_count = models.PositiveIntegerField(_("мероприятий"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    roadmap = models.ForeignKey(
        "roadmaps.Roadmap",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("созданная дорожная карта"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершен"), null=True, blank=True)

    class Meta:
        db_table = "roadmaps_importjob"  # the table from when imports were part of roadmaps
        verbose_name = _("загрузка дорожной карты из файла")
        verbose_name_plural = _("загрузки дорожных карт из файлов")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name or self.file.name} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
