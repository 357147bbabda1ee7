"""python manage.py export_roadmap ROADMAP_ID OUTPUT.docx|OUTPUT.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importing.exporting import export_docx, export_xlsx
from roadmaps.models import Roadmap


class Command(BaseCommand):
    help = "Выгрузить дорожную карту таблицей Word (DOCX) или Excel (XLSX) в том же виде, что загружается."

    def add_arguments(self, parser):
        parser.add_argument("roadmap", type=int, help="Номер (id) дорожной карты")
        parser.add_argument("output", help="Файл .docx или .xlsx")

    def handle(self, *args, **opts):
        roadmap = Roadmap.objects.filter(pk=opts["roadmap"]).select_related("approving_act").first()
        if roadmap is None:
            raise CommandError(f"Нет дорожной карты № {opts['roadmap']}.")
        output = Path(opts["output"])
        exporters = {".docx": export_docx, ".xlsx": export_xlsx}
        if output.suffix.lower() not in exporters:
            raise CommandError("Укажите файл с расширением .docx или .xlsx.")
        output.write_bytes(exporters[output.suffix.lower()](roadmap))
        self.stdout.write(self.style.SUCCESS(f"Сохранено: {output}"))
