"""Record an information letter to the region and build its DOCX synchronously (no worker needed)."""

import shutil
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from openness_portal.periods import Period
from reports import selectors, services
from reports.models import InformationLetter
from roadmaps.models import Roadmap


def _date(text: str):
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Дата «{text}» не распознана: ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД.")


class Command(BaseCommand):
    help = (
        "Формирует информационное письмо в регион о ходе реализации плана (DOCX) по данным портала: "
        "обсуждения проектов актов, заседания общественного совета, обращения граждан. Повторный запуск с "
        "тем же номером и периодом новое письмо не создает (с --rebuild — пересобирает файл)."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--roadmap", type=int, help="ID дорожной карты (плана).")
        scope.add_argument(
            "--municipality", help="Код муниципального образования (slug): его план на этот год."
        )
        parser.add_argument("--period", required=True, help="2021 (год) или 2021-H2 (полугодие).")
        parser.add_argument("--number", required=True, help="Исходящий номер, например 07-04/11180.")
        parser.add_argument("--date", required=True, help="Дата письма, ДД.ММ.ГГГГ.")
        parser.add_argument("--addressee", required=True, help="Адресат; строки через \\n.")
        parser.add_argument(
            "--signatory-post",
            default="",
            help="Должность подписывающего; пусто — как в последнем письме МО, иначе глава из должностных лиц.",
        )
        parser.add_argument(
            "--signatory-name", default="", help="Инициалы и фамилия подписывающего; пусто — так же."
        )
        parser.add_argument("--subject", default="", help="«о ходе выполнения …»; пусто — по названию плана.")
        parser.add_argument("--sender", default="", help="Бланк; пусто — администрация из справочника.")
        parser.add_argument("--reference", default="", help="«На № … от …».")
        parser.add_argument("--performer", default="", help="Исполнитель (ФИО, телефон).")
        parser.add_argument("--output", help="Куда скопировать готовый DOCX.")
        parser.add_argument("--rebuild", action="store_true", help="Пересобрать файл по текущим данным.")

    def _roadmap(self, roadmap_id, slug, period_code) -> Roadmap:
        qs = Roadmap.objects.select_related("municipality", "approving_act")
        if roadmap_id is not None:
            roadmap = qs.filter(pk=roadmap_id).first()
            if roadmap is None:
                raise CommandError(f"Дорожная карта {roadmap_id} не найдена.")
            return roadmap
        try:
            year = Period.parse(period_code).year
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        found = list(qs.filter(municipality__slug=slug, first_year__lte=year, last_year__gte=year)[:2])
        if not found:
            raise CommandError(f"У «{slug}» нет плана, действующего в {year} году.")
        if len(found) > 1:
            raise CommandError(f"У «{slug}» несколько планов на {year} год: укажите --roadmap.")
        return found[0]

    def handle(self, *args, **o):
        roadmap = self._roadmap(o["roadmap"], o["municipality"], o["period"])
        post, name = o["signatory_post"].replace("\\n", "\n"), o["signatory_name"]
        if not (post or name):  # both from one person, never a post of one and the name of another
            post, name = selectors.default_signatory(roadmap.municipality_id)
        try:
            letter, created = services.request_letter(
                roadmap=roadmap,
                period=o["period"],
                number=o["number"],
                date=_date(o["date"]),
                addressee=o["addressee"].replace("\\n", "\n"),
                signatory_post=post,
                signatory_name=name,
                subject=o["subject"],
                sender=o["sender"],
                reference=o["reference"],
                performer=o["performer"],
                enqueue=False,
            )
            if not created and o["rebuild"]:
                InformationLetter.objects.filter(pk=letter.pk).update(status=InformationLetter.Status.QUEUED)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from exc
        outcome, _wait = services.build_letter(letter.pk)
        letter.refresh_from_db()
        if letter.status != InformationLetter.Status.READY:
            raise CommandError(f"Письмо не сформировано ({letter.get_status_display()}): {letter.error}")
        if o["output"]:
            with letter.file.open("rb") as source, open(o["output"], "wb") as target:
                shutil.copyfileobj(source, target)
        state = "новое" if created else ("пересобрано" if outcome == services.Claim.CLAIMED else "уже было")
        self.stdout.write(
            self.style.SUCCESS(
                f"{letter} ({letter.period_label}): {state}; SHA-256 {letter.checksum}"
                + (f"; файл {o['output']}" if o["output"] else "")
            )
        )
