"""Reports demo: reporting periods of every roadmap, and Krasnogvardeysky's letter of seed 004 rebuilt from
the demo figures. The Levokumsky plan and its 2022-H1 entries (seed 002) come from the roadmaps demo, so
`build_report --period 2022-H1` re-creates the seed's report. Idempotent."""

from datetime import date

from roadmaps.models import Roadmap

from ..services import ensure_periods, request_letter

# Seed 004's particulars as printed; the figures in its text are the portal's (surveys, referents and
# appeals demos), never copied from here. The performer's phone is the demo placeholder of seed_data.
SEED_004_LETTER = {
    "period": "2021-H2",
    "number": "07-04/11180",
    "date": date(2021, 12, 23),
    "addressee": "Начальнику управления\nпо региональной политике\nаппарата Правительства\n"
    "Ставропольского края\n\nА.Д.Литовкину",
    "reference": "На № 25-24/6781 от 10.06.2014 г.",
    "subject": "о ходе выполнения распоряжения Губернатора Ставропольского края от 17 апреля 2013 г. № 239-р "
    "«О мерах по внедрению системы «Открытое правительство» в Ставропольском крае»",
    "signatory_post": "Исполняющий обязанности Главы\nКрасногвардейского муниципального округа\n"
    "Ставропольского края",
    "signatory_name": "В.И. Куликов",
    "performer": "Плаксина С.Ф., +7 (86541) 00-00-11",
}


def _seed_letter():
    roadmap = (
        Roadmap.objects.filter(
            municipality__slug="krasnogvardeisky", first_year__lte=2021, last_year__gte=2021
        )
        .select_related("municipality")
        .order_by("pk")
        .first()
    )
    if roadmap is None:
        return None, False
    return request_letter(roadmap=roadmap, **SEED_004_LETTER)


def load(stdout=None) -> dict:
    created = sum(ensure_periods(roadmap) for roadmap in Roadmap.objects.all())
    letter, letter_created = _seed_letter()
    if stdout:
        stdout.write(f"отчетные периоды: {created} новых")
        if letter is not None:
            stdout.write(
                f"информационное письмо: {letter} ({'сформировано' if letter_created else 'уже есть'})"
            )
    return {"periods_created": created, "letter": letter}
