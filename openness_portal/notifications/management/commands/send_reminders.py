import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from openness_portal.notifications.sweep import run_sweep


class Command(BaseCommand):
    help = (
        "Рассылает напоминания о сроках на дату (по умолчанию — сегодня по местному времени каждого "
        "муниципального образования). Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="дата ГГГГ-ММ-ДД, на которую выполнить проход")
        parser.add_argument(
            "--dry-run", action="store_true", help="показать, кому что ушло бы, ничего не отправляя"
        )
        parser.add_argument("--json", action="store_true", help="вывести результат в JSON")
        parser.add_argument("--municipality", action="append", help="код (slug) муниципального образования")

    def handle(self, *args, **options):
        as_of = None
        if options["date"]:
            try:
                as_of = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Неверная дата «{options['date']}»: нужен формат ГГГГ-ММ-ДД.") from exc
        ids = None
        if options["municipality"]:
            from roadmaps.models import Municipality

            ids = list(
                Municipality.objects.filter(slug__in=options["municipality"]).values_list("id", flat=True)
            )
            if not ids:
                raise CommandError("Муниципальные образования не найдены.")
        result = run_sweep(as_of=as_of, municipality_ids=ids, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        verb = "будет отправлено" if options["dry_run"] else "создано"
        for digest in result.digests:
            self.stdout.write(
                f"{digest['recipient']} <{digest['email'] or 'нет e-mail'}>: {digest['subject']}"
            )
            for item in digest["items"]:
                self.stdout.write(f"    {item['stage_label']}: {item['title']}")
        self.stdout.write(
            f"Напоминаний {verb}: {result.new_reminders}; писем: {result.digest_count}; "
            f"без адреса: {result.missing_addresses}."
        )
