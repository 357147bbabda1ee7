"""Build a report synchronously into a file: no job row, no worker."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.models import Report
from roadmaps.models import Roadmap


class Command(BaseCommand):
    help = "Формирует отчет о ходе реализации дорожной карты в файл (XLSX, PDF или DOCX)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--roadmap", type=int, help="ID дорожной карты (для сводки — берется ее субъект РФ)."
        )
        parser.add_argument("--region", default="", help="Субъект РФ для сводки (вместо --roadmap).")
        parser.add_argument("--period", required=True, help="2021 (год) или 2022-H1 (полугодие).")
        parser.add_argument("--kind", required=True, choices=Report.Kind.values)
        parser.add_argument("--format", required=True, choices=Report.Format.values, dest="fmt")
        parser.add_argument("--output", required=True, help="Путь к файлу.")

    def handle(self, *args, roadmap=None, region="", period, kind, fmt, output, **options):
        roadmap_obj = None
        if roadmap is not None:
            roadmap_obj = (
                Roadmap.objects.select_related("municipality", "approving_act").filter(pk=roadmap).first()
            )
            if roadmap_obj is None:
                raise CommandError(f"Дорожная карта {roadmap} не найдена.")
        elif kind != Report.Kind.REGIONAL:
            raise CommandError("Укажите --roadmap.")
        started = time.perf_counter()
        try:
            rows = services.build_to_path(
                roadmap=roadmap_obj, region=region, period=period, kind=kind, fmt=fmt, path=output
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{output}: {rows} строк, {time.perf_counter() - started:.2f} с")
        )
