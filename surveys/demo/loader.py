"""Demo: the 2021 Levokumsky population survey of seed 002 with its published figures, one open and one
closed discussion in Khanty-Mansiysky district, a draft act in two редакции in Nefteyugansky district
(draft_act.py), and Krasnogvardeysky's 37 draft acts of 2021 (seed 004). Idempotent: a second run changes
nothing."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from municipalities.models import Municipality, Official
from roadmaps.models import Measure

from .. import services
from ..models import (
    AGREEMENT_SCALE,
    NO_COMMENTS_SUMMARY,
    Discussion,
    DiscussionSummary,
    Option,
    Question,
    Survey,
)
from . import draft_act

SURVEY_TITLE = (
    "Опрос населения Левокумского муниципального округа с применением IT-технологий: оценка эффективности "
    "деятельности руководителей органов местного самоуправления, унитарных предприятий и учреждений за 2021 год"
)
# Seed 002, item 4: counts and percentages exactly as printed (642 respondents; note 183/642 printed as 28%).
SURVEY_QUESTIONS = [
    (
        "Удовлетворенность граждан организацией транспортного обслуживания населения",
        [(195, 30), (176, 27), (145, 23), (126, 20)],
    ),
    (
        "Удовлетворенность граждан качеством автомобильных дорог в населенном пункте проживания",
        [(144, 22), (198, 31), (150, 23), (150, 23)],
    ),
    (
        "Удовлетворенность граждан уровнем организации теплоснабжения (снабжения населения топливом) "
        "в населенном пункте проживания",
        [(344, 54), (213, 33), (37, 6), (48, 7)],
    ),
    (
        "Удовлетворенность граждан уровнем организации водоснабжения (водоотведения) в населенном пункте проживания",
        [(219, 34), (182, 28), (118, 18), (123, 19)],
    ),
    (
        "Удовлетворенность граждан уровнем организации электроснабжения в населенном пункте проживания",
        [(366, 57), (183, 28), (39, 6), (54, 8)],
    ),
    (
        "Удовлетворенность граждан уровнем организации газоснабжения в населенном пункте проживания",
        [(413, 64), (154, 24), (29, 5), (46, 7)],
    ),
]
SURVEY_RESPONDENTS = 642

OPEN_TITLE = (
    "Отчет органов администрации Ханты-Мансийского района о деятельности по реализации Стратегии "
    "социально-экономического развития Ханты-Мансийского района до 2030 года"
)
CLOSED_TITLE = "Отчет о реализации муниципальной программы за прошедший финансовый год"

# Seed 004: «В 2021 году процедуру проведения общественного обсуждения прошли 37 общественно значимых проектов
# нормативных правовых актов администрации … замечаний и предложений … не поступало»; the council considered
# drafts on education, culture, sport, housing and utilities, social support. Only the count and the «no
# remarks» are the seed's: the titles, the areas of each draft and the dates (spread over 2021, 15-day
# windows all closed within the year) are invented for the demo.
KRASNOGVARDEISKY_DRAFT_ACTS = 37
DRAFT_ACT_AREAS = [
    "образования",
    "культуры",
    "физической культуры и спорта",
    "жилищно-коммунального хозяйства",
    "социальной поддержки населения",
]
DRAFT_ACT_TITLE = (
    "Проект постановления администрации Красногвардейского муниципального округа Ставропольского края "
    "в сфере %(area)s (демонстрационный проект № %(n)d за 2021 год)"
)


def _survey(levokumsky):
    survey = Survey.objects.filter(municipality=levokumsky, title=SURVEY_TITLE).first()
    if survey is not None:
        return survey, False
    tz = levokumsky.tz
    survey = Survey.objects.create(
        municipality=levokumsky,
        title=SURVEY_TITLE,
        description=(
            "Голосование проводилось на сайте администрации Левокумского муниципального округа "
            "(https://adminlmr.ru, виджет «Оцените деятельность руководителей органов местного самоуправления») "
            "и на портале https://stavregion.ru, раздел «Опросы населения Ставропольского края». "
            "Итоги подведены в 1-м полугодии 2022 года; в крае 5942 респондента, в округе — 642 (10,8 %)."
        ),
        opens_at=datetime(2021, 1, 1, tzinfo=tz),
        closes_at=datetime(2022, 1, 1, tzinfo=tz),
        imported_respondents=SURVEY_RESPONDENTS,
        measure=Measure.objects.filter(roadmap__municipality=levokumsky, number="4").first(),
    )
    for q_order, (text, figures) in enumerate(SURVEY_QUESTIONS):
        question = Question.objects.create(survey=survey, order=q_order, text=text, kind=Question.Kind.SINGLE)
        Option.objects.bulk_create(
            [
                Option(question=question, order=i, text=label, imported_count=count, imported_percent=pct)
                for i, (label, (count, pct)) in enumerate(zip(AGREEMENT_SCALE, figures, strict=True))
            ]
        )
    return survey, True


def _discussions(khmr):
    press = Official.objects.filter(municipality=khmr, is_press_secretary=True).order_by("pk").first()
    created = 0
    if not Discussion.objects.filter(municipality=khmr, title=OPEN_TITLE).exists():
        services.open_discussion(
            municipality=khmr,
            title=OPEN_TITLE,
            description="Отчет размещен на официальном сайте администрации Ханты-Мансийского района в разделе "
            "Экономическое развитие / Социально-экономическое развитие / Стратегия развития района. "
            "Замечания и предложения принимаются в течение 15 дней с момента размещения.",
            responsible=press,
            opens_at=timezone.now() - timedelta(days=2),
            measure=Measure.objects.filter(roadmap__municipality=khmr, number="7").first(),
            kind=Discussion.Kind.REPORT,
        )
        created += 1
    if not Discussion.objects.filter(municipality=khmr, title=CLOSED_TITLE).exists():
        closed = services.open_discussion(
            municipality=khmr,
            title=CLOSED_TITLE,
            description="Отчет о реализации муниципальной программы размещен для обсуждения на 15 дней.",
            responsible=press,
            opens_at=timezone.now() - timedelta(days=40),
            measure=Measure.objects.filter(roadmap__municipality=khmr, number="9").first(),
            kind=Discussion.Kind.PROGRAMME_REPORT,
        )
        # Close-time work records the event for measure 10 («7 рабочих дней после завершения … обсуждения»).
        services.process_closed_discussion(closed)
        summary, _ = DiscussionSummary.objects.get_or_create(discussion=closed)
        services.publish_summary(summary, text=NO_COMMENTS_SUMMARY)
        created += 1
    return created


def _draft_acts(krasnogvardeisky) -> int:
    """Krasnogvardeysky's 2021 draft acts: closed windows, no remarks, the seed's summary published on time."""
    tz = krasnogvardeisky.tz
    existing = set(
        Discussion.objects.filter(municipality=krasnogvardeisky, kind=Discussion.Kind.DRAFT_ACT).values_list(
            "title", flat=True
        )
    )
    first, last = date(2021, 1, 15), date(2021, 12, 10)
    created = 0
    for n in range(1, KRASNOGVARDEISKY_DRAFT_ACTS + 1):
        title = DRAFT_ACT_TITLE % {"area": DRAFT_ACT_AREAS[(n - 1) % len(DRAFT_ACT_AREAS)], "n": n}
        if title in existing:
            continue
        day = first + timedelta(days=(last - first).days * (n - 1) // (KRASNOGVARDEISKY_DRAFT_ACTS - 1))
        discussion = services.open_discussion(
            municipality=krasnogvardeisky,
            title=title,
            description="Проект размещен для общественного обсуждения на официальном сайте и вынесен на "
            "заседание общественного совета (демонстрационные данные).",
            opens_at=datetime.combine(day, time(10), tzinfo=tz),
            kind=Discussion.Kind.DRAFT_ACT,
        )
        services.process_closed_discussion(discussion)
        summary, _ = DiscussionSummary.objects.get_or_create(discussion=discussion)
        services.publish_summary(summary, text=NO_COMMENTS_SUMMARY)
        # Published when it was due in 2021, not on the day the demo is loaded.
        published = datetime.combine(discussion.last_day + timedelta(days=3), time(12), tzinfo=tz)
        DiscussionSummary.objects.filter(pk=summary.pk).update(published_at=published)
        created += 1
    return created


@transaction.atomic
def load(stdout=None) -> dict:
    levokumsky = Municipality.objects.filter(slug="levokumsky").first()
    khmr = Municipality.objects.filter(slug="khanty-mansiysky").first()
    if levokumsky is None or khmr is None:
        if stdout:
            stdout.write("surveys: сначала загрузите демонстрационные дорожные карты")
        return {}
    survey, survey_created = _survey(levokumsky)
    discussions = _discussions(khmr)
    nefteyugansky = Municipality.objects.filter(slug="nefteyugansky").first()
    if nefteyugansky is not None:
        discussions += draft_act.load(nefteyugansky)
    krasnogvardeisky = Municipality.objects.filter(slug="krasnogvardeisky").first()
    if krasnogvardeisky is not None:
        discussions += _draft_acts(krasnogvardeisky)
    if stdout:
        stdout.write(
            f"опрос: {'загружен' if survey_created else 'уже есть'} ({SURVEY_RESPONDENTS} респондентов); "
            f"обсуждений добавлено: {discussions}"
        )
    return {"survey": survey, "discussions_created": discussions}
