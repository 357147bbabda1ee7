"""One report per (roadmap or region, period, kind) with its files as ReportFile rows.

The rows that were one job per format are grouped: the group's first row stays the Report (so the public
discussion opened on it keeps its subject), and each file keeps the id of the row it was, so download links
already sent (/reports/<id>/download/) still point at the same file. When a group held two rows of one
format (rebuilds), the published one, else the ready one, else the newest becomes the file; the others'
stored files are left in the storage. Reversing splits each report back into one row per file.
"""

from collections import defaultdict

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

FILE_FIELDS = [
    "format",
    "status",
    "error",
    "file",
    "checksum",
    "size",
    "rows",
    "attempts",
    "started_at",
    "finished_at",
]
REPORT_FIELDS = [
    "roadmap_id",
    "region",
    "period",
    "kind",
    "requested_by_id",
    "requested_at",
    "idempotency_key",
    "published_at",
    "published_by_id",
    "discussion_id",
]


def _overall(statuses) -> str:
    statuses = set(statuses)
    if "failed" in statuses:
        return "failed"
    if statuses == {"ready"}:
        return "ready"
    if not statuses or statuses == {"queued"}:
        return "queued"
    return "building"


def _reset_sequences(schema_editor, *models_):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models_):
        schema_editor.execute(sql)


def _report_type_id(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return (
        ContentType.objects.filter(app_label="reports", model="report").values_list("pk", flat=True).first()
    )


def group_rows_into_reports(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    ReportFile = apps.get_model("reports", "ReportFile")
    Discussion = apps.get_model("surveys", "Discussion")
    groups = defaultdict(list)
    for row in Report.objects.order_by("pk").values("id", *REPORT_FIELDS, *FILE_FIELDS):
        scope = (row["roadmap_id"], "") if row["roadmap_id"] else (None, row["region"])
        groups[(*scope, row["period"], row["kind"])].append(row)
    report_type = _report_type_id(apps)
    files = []
    for members in groups.values():
        keeper = members[0]
        best = {}
        for row in members:
            rank = (row["published_at"] is not None, row["status"] == "ready", row["id"])
            if row["format"] not in best or rank > best[row["format"]][0]:
                best[row["format"]] = (rank, row)
        chosen = [row for _rank, row in best.values()]
        files += [
            ReportFile(id=row["id"], report_id=keeper["id"], **{f: row[f] for f in FILE_FIELDS})
            for row in chosen
        ]
        published = sorted(
            (row for row in members if row["published_at"]), key=lambda row: row["published_at"]
        )
        discussions = [row["discussion_id"] for row in members if row["discussion_id"]]
        keys = [row["idempotency_key"] for row in members if row["idempotency_key"]]
        others = [row["id"] for row in members[1:]]
        Report.objects.filter(pk__in=others).delete()
        Report.objects.filter(pk=keeper["id"]).update(
            status=_overall(row["status"] for row in chosen),
            published_at=published[0]["published_at"] if published else None,
            published_by_id=published[0]["published_by_id"] if published else None,
            discussion_id=discussions[0] if discussions else None,
            idempotency_key=keys[0] if keys else None,
        )
        if report_type and others:
            Discussion.objects.filter(subject_type_id=report_type, subject_id__in=others).update(
                subject_id=keeper["id"]
            )
    ReportFile.objects.bulk_create(files)
    _reset_sequences(schema_editor, ReportFile)


def split_reports_into_rows(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    ReportFile = apps.get_model("reports", "ReportFile")
    for report in Report.objects.order_by("pk").values("id", *REPORT_FIELDS):
        first, *others = [
            {f: getattr(file, f) for f in FILE_FIELDS}
            for file in ReportFile.objects.filter(report_id=report["id"]).order_by("pk")
        ] or [{}]
        if first:
            Report.objects.filter(pk=report["id"]).update(**first)
        for file, file_id in zip(
            others,
            ReportFile.objects.filter(report_id=report["id"]).order_by("pk").values_list("pk", flat=True)[1:],
        ):
            taken = Report.objects.filter(pk=file_id).exists()
            row = Report.objects.create(
                **({} if taken else {"id": file_id}),
                **{f: report[f] for f in REPORT_FIELDS if f not in ("requested_at", "idempotency_key")},
                **file,
            )
            Report.objects.filter(pk=row.pk).update(requested_at=report["requested_at"])
    _reset_sequences(schema_editor, Report)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_merge_letters_and_move"),
        ("roadmaps", "0005_models_moved_to_own_apps"),
        ("surveys", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "format",
                    models.CharField(
                        choices=[("xlsx", "XLSX"), ("pdf", "PDF"), ("docx", "DOCX")],
                        max_length=5,
                        verbose_name="формат",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "в очереди"),
                            ("building", "формируется"),
                            ("ready", "готов"),
                            ("failed", "ошибка"),
                        ],
                        db_index=True,
                        default="queued",
                        max_length=10,
                        verbose_name="состояние",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="ошибка")),
                (
                    "file",
                    models.FileField(blank=True, max_length=300, upload_to="reports/", verbose_name="файл"),
                ),
                (
                    "checksum",
                    models.CharField(blank=True, max_length=64, verbose_name="контрольная сумма SHA-256"),
                ),
                ("size", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="размер, байт")),
                ("rows", models.PositiveIntegerField(blank=True, null=True, verbose_name="строк")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="попыток")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="начало формирования"),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="сформирован")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="reports.report",
                        verbose_name="отчет",
                    ),
                ),
            ],
            options={
                "verbose_name": "файл отчета",
                "verbose_name_plural": "файлы отчета",
                "ordering": ["report", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("report", "format"), name="report_file_one_per_format")
                ],
            },
        ),
        # A default, so that reversing can add the column back to rows that exist by then.
        migrations.AlterField(
            model_name="report",
            name="format",
            field=models.CharField(
                choices=[("xlsx", "XLSX"), ("pdf", "PDF"), ("docx", "DOCX")],
                default="xlsx",
                max_length=5,
                verbose_name="формат",
            ),
        ),
        migrations.RunPython(group_rows_into_reports, split_reports_into_rows),
        migrations.RemoveIndex(model_name="report", name="reports_rep_roadmap_293a71_idx"),
        migrations.RemoveField(model_name="report", name="attempts"),
        migrations.RemoveField(model_name="report", name="checksum"),
        migrations.RemoveField(model_name="report", name="error"),
        migrations.RemoveField(model_name="report", name="file"),
        migrations.RemoveField(model_name="report", name="finished_at"),
        migrations.RemoveField(model_name="report", name="format"),
        migrations.RemoveField(model_name="report", name="rows"),
        migrations.RemoveField(model_name="report", name="size"),
        migrations.RemoveField(model_name="report", name="started_at"),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("roadmap__isnull", False)),
                fields=("roadmap", "period", "kind"),
                name="report_one_per_roadmap_period_kind",
                violation_error_message="Этот отчет уже заказан: он в списке отчетов. Недостающие форматы "
                "добавит действие «Сформировать отчет за период» в отчетных периодах.",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("roadmap__isnull", True)),
                fields=("region", "period", "kind"),
                name="report_one_per_region_period_kind",
                violation_error_message="Этот отчет уже заказан: он в списке отчетов. Недостающие форматы "
                "добавит действие «Сформировать отчет за период» в отчетных периодах.",
            ),
        ),
    ]
