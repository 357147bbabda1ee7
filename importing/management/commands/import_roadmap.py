"""python manage.py import_roadmap FILE --municipality SLUG [--dry-run] [--json] …"""

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from importing.errors import RoadmapImportError
from importing.services import (
    ImportOptions,
    file_checksum,
    header_of,
    import_warnings,
    parse_roadmap_file,
    record_finished_import,
    save_parsed_roadmap,
    with_act_from_file,
)
from municipalities.models import Municipality
from roadmaps.models import DEADLINE_KIND_LABELS, LegalAct


class Command(BaseCommand):
    help = "Загрузить дорожную карту из таблицы Word (DOCX) или Excel (XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Путь к файлу DOCX или XLSX")
        parser.add_argument("--municipality", required=True, help="Код муниципального образования (slug)")
        parser.add_argument(
            "--title", default="", help="Наименование дорожной карты (по умолчанию — из файла)"
        )
        parser.add_argument("--act-number", default="", help="Номер утверждающего акта, например 148-р")
        parser.add_argument("--act-date", default="", help="Дата акта, ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")
        parser.add_argument("--act-kind", default="", choices=["", *LegalAct.Kind.values], help="Вид акта")
        parser.add_argument("--first-year", type=int, help="Первый год плана (по умолчанию — из сроков)")
        parser.add_argument("--last-year", type=int, help="Последний год плана")
        parser.add_argument("--table", type=int, help="Номер таблицы или листа (с 1), если их несколько")
        parser.add_argument(
            "--create-executors",
            action="store_true",
            help="Создать не найденных исполнителей как подразделения и должностных лиц",
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="Сохранить, несмотря на предупреждения (файл уже загружался, в нем указано другое МО)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Только показать, ничего не сохранять")
        parser.add_argument("--json", action="store_true", help="Вывести распознанное в формате JSON")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"Файл не найден: {path}")
        municipality = Municipality.objects.filter(slug=opts["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Нет муниципального образования с кодом «{opts['municipality']}».")
        options = ImportOptions(
            title=opts["title"],
            first_year=opts["first_year"],
            last_year=opts["last_year"],
            act_kind=opts["act_kind"],
            act_number=opts["act_number"],
            act_date=self._date(opts["act_date"]),
            create_executors=opts["create_executors"],
            table_index=opts["table"] - 1 if opts["table"] else None,
        )
        data = path.read_bytes()
        checksum = file_checksum(data)
        try:
            result = parse_roadmap_file(data, path.name, municipality=municipality, options=options)
            options = with_act_from_file(options, result)
            warnings = import_warnings(municipality, checksum, header_of(result))
            if not opts["json"]:
                for warning in warnings:
                    self.stderr.write(self.style.WARNING(f"⚠ {warning}"))
            if warnings and not opts["dry_run"] and not opts["accept_warnings"]:
                raise CommandError(
                    "Ничего не сохранено: есть предупреждения (см. выше). Если файл верный, повторите "
                    "с --accept-warnings."
                )
            roadmap = None
            if not opts["dry_run"]:
                with transaction.atomic():
                    roadmap = save_parsed_roadmap(result, municipality, options)
                    record_finished_import(municipality, path.name, data, checksum, roadmap, result)
        except RoadmapImportError as exc:
            raise CommandError("Файл не загружен, ничего не сохранено:\n" + "\n".join(exc.messages)) from exc
        except ValidationError as exc:
            raise CommandError("Ничего не сохранено: " + "; ".join(exc.messages)) from exc
        if opts["json"]:
            output = result.to_dict()
            output["warnings"] = warnings
            output["saved"] = roadmap is not None
            output["roadmap_id"] = roadmap.pk if roadmap else None
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
            return
        self._print(result)
        if roadmap is None:
            self.stdout.write("Пробный запуск (--dry-run): ничего не сохранено.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Сохранена дорожная карта № {roadmap.pk}: {roadmap}"))

    def _date(self, text):
        if not text:
            return None
        for parse in (date.fromisoformat, lambda t: date(*reversed([int(x) for x in t.split(".")]))):
            try:
                return parse(text)
            except (ValueError, TypeError):
                continue
        raise CommandError(f"Не понимаю дату акта «{text}»: укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.")

    def _print(self, result):
        w = self.stdout.write
        w(f"{result.table_label}: {result.title or '(без названия)'}")
        w(
            f"Годы: {result.first_year}–{result.last_year}. Столбцы: "
            + ", ".join(f"{role} = «{text}»" for role, text in result.columns.items())
        )
        if result.extra_columns:
            w(
                "Прочие столбцы (сохранены в предпросмотре, не загружаются): "
                + ", ".join(result.extra_columns)
            )
        w(
            f"Разделов: {len(result.sections)}, мероприятий: {len(result.measures)}, отметок: {result.flag_count}"
        )
        current = None
        for m in result.measures:
            if m.section != current:
                current = m.section
                w(f"\n{result.sections[m.section]}")
            kind = DEADLINE_KIND_LABELS.get(m.deadline_kind, m.deadline_kind)
            w(f"  {m.number or '—'} {m.title[:100]}")
            w(f"      срок: «{m.deadline_text or '—'}» → {kind}, сроков: {len(m.deadlines)}")
            w(f"      исполнители: {'; '.join(m.executors) or '—'}")
            for kpi in m.kpis:
                targets = ", ".join(f"{y}: {v}" for y, v in sorted(kpi.targets.items()))
                w(f"      показатель: {kpi.name[:80]} ({kpi.unit}) — {targets}")
            for flag in m.flags:
                w(self.style.WARNING(f"      ⚠ {flag.message}"))
