from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from municipalities.models import Municipality

from ... import services


class Command(BaseCommand):
    help = "Загрузить журнал обращений граждан (XLSX) в реестр муниципального образования: все строки или ни одной."

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="код муниципального образования в адресе (slug)")
        parser.add_argument("path", help="файл .xlsx")

    def handle(self, *args, municipality, path, **options):
        try:
            target = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"Нет муниципального образования с кодом «{municipality}».") from exc
        try:
            with open(path, "rb") as file:
                result = services.import_journal(target, file)
        except OSError as exc:
            raise CommandError(f"Не удалось открыть файл: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("Журнал не загружен:\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(f"Загружено новых обращений: {result.created}, обновлено: {result.updated}.")
        if result.dropped_columns:
            self.stdout.write(
                "Не загружены столбцы с персональными данными: " + ", ".join(result.dropped_columns)
            )
