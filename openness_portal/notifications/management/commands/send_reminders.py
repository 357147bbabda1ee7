import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openness_portal.notifications.models import Reminder
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
            # The log's foreign key names the municipality model: no import of the app above this one.
            municipalities = Reminder._meta.get_field("municipality").related_model
            ids = list(
                municipalities.objects.filter(slug__in=options["municipality"]).values_list("id", flat=True)
            )
            if not ids:
                raise CommandError("Муниципальные образования не найдены.")
        result = run_sweep(as_of=as_of, municipality_ids=ids, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        for digest in result.digests:
            self.stdout.write(
                f"{digest['recipient']} <{digest['email'] or _('нет e-mail')}>: {digest['subject']}"
            )
            for item in digest["items"]:
                self.stdout.write(f"    {item['stage_label']}: {item['title']}")
        figures = {
            "reminders": ngettext("%(count)d напоминание", "%(count)d напоминаний", result.new_reminders)
            % {"count": result.new_reminders},
            "digests": ngettext("%(count)d письмо", "%(count)d писем", result.digest_count)
            % {"count": result.digest_count},
            "missing": result.missing_addresses,
        }
        if options["dry_run"]:
            summary = _("Будет отправлено: %(reminders)s, %(digests)s; без адреса: %(missing)d.")
        else:
            summary = _("Создано: %(reminders)s, %(digests)s; без адреса: %(missing)d.")
        self.stdout.write(summary % figures)
        if result.failed_groups:
            raise CommandError(
                _(
                    "Не удалось обработать муниципальные образования (id): %(ids)s. Повторный запуск их досылает."
                )
                % {"ids": ", ".join(str(i) for ids in result.failed_groups for i in ids)}
            )
