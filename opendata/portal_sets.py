"""The portal's own data sets, refreshed by a periodic task: roadmap measures with deadlines and status,
survey results and the register of citizens' appeals. A new version is published only when the content changed (checksum)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import formats, services
from .models import Dataset, Periodicity
from .validation import UploadError
from .validation import structure_field as field

logger = logging.getLogger(__name__)

S, D = "string", "date"


MEASURE_FIELDS = [
    field("roadmap", "Roadmap", "Дорожная карта (план мероприятий)", required=True),
    field("section", "Section", "Раздел"),
    field("measure_number", "Measure number", "Номер мероприятия"),
    field("measure_title", "Measure", "Мероприятие", required=True),
    field("executors", "Responsible executors", "Ответственные исполнители"),
    field("expected_result", "Expected result", "Ожидаемый результат"),
    field("deadline_rule", "Deadline as approved", "Срок исполнения (как утвержден)"),
    field("period", "Period", "Период"),
    field("due_date", "Due date", "Срок", D),
    field("status", "Status code", "Код статуса"),
    field("status_title", "Status", "Статус"),
    field("completed_on", "Completed on", "Дата исполнения", D),
]
SURVEY_FIELDS = [
    field("survey", "Survey", "Опрос", required=True),
    field("question", "Question", "Вопрос", required=True),
    field("option", "Answer option", "Вариант ответа"),
    field("answers", "Number of answers", "Число ответов", "integer", required=True),
    field("percent", "Share of answers to the question, %", "Доля ответов на вопрос, %", "number"),
]

# Every column the appeals register publishes (appeals.reporting.OPEN_DATA_FIELDS): none holds personal data.
APPEAL_FIELDS = [
    field("received_on", "Received on", "Дата поступления", D, required=True),
    field("channel", "Channel", "Канал", required=True),
    field("topic", "Topic", "Тема"),
    field("due_on", "Answer due on", "Срок ответа", D, required=True),
    field("answered_on", "Answered on", "Дата ответа", D),
    field("answered_on_time", "Answered on time", "Ответ дан в срок"),
]


def measure_rows(municipality) -> list[list[str]]:
    from roadmaps.models import Deadline, Measure
    from roadmaps.selectors import measures_with_details, public_roadmaps

    today = municipality.local_today()
    labels = dict(Deadline.Status.choices)
    measures = measures_with_details(
        Measure.objects.filter(roadmap__in=public_roadmaps().filter(municipality=municipality)).order_by(
            "roadmap__first_year", "roadmap_id", "order", "pk"
        )
    )
    rows = []
    for measure in measures:
        rule = getattr(measure, "deadline_rule", None)
        base = [
            measure.roadmap.title,
            str(measure.section),
            measure.number,
            measure.title,
            "; ".join(e.display_name for e in measure.executors.all()),
            measure.expected_result,
            rule.text if rule else "",
        ]
        deadlines = list(measure.deadlines.all())
        if not deadlines:
            rows.append([*base, "", "", "", "", ""])
        for deadline in deadlines:
            status = deadline.status(today)
            rows.append(
                [
                    *base,
                    deadline.period,
                    deadline.due_date.isoformat() if deadline.due_date else "",
                    status,
                    str(labels[status]),
                    deadline.completed_on.isoformat() if deadline.completed_on else "",
                ]
            )
    return rows


def _survey_models():
    """The surveys app is optional here: None unless Survey, Question and Option all exist."""
    try:
        return (
            apps.get_model("surveys", "Survey"),
            apps.get_model("surveys", "Question"),
            apps.get_model("surveys", "Option"),
        )
    except LookupError:
        return None


def surveys_available() -> bool:
    return _survey_models() is not None


def survey_rows(municipality) -> list[list[str]]:
    """Counts per option of closed, published surveys: answers received on the portal (confirmed) plus
    results imported from surveys held elsewhere. Empty if the surveys app is not (yet) shaped as expected."""
    models = _survey_models()
    if not models:
        return []
    _survey, _question, option_model = models
    try:
        options = list(
            option_model.objects.filter(
                question__survey__municipality=municipality,
                question__survey__is_published=True,
                question__survey__closes_at__lte=timezone.now(),
            )
            .select_related("question__survey")
            .annotate(portal_count=Count("answers", filter=Q(answers__response__confirmed_at__isnull=False)))
            .order_by(
                "question__survey__opens_at",
                "question__survey_id",
                "question__order",
                "question_id",
                "order",
                "pk",
            )
        )
    except (FieldError, AttributeError) as exc:
        logger.warning(
            "survey results skipped: the surveys models differ from what opendata expects (%s)", exc
        )
        return []
    from surveys.selectors import live_respondents, option_percent

    # The results page's figure, from the same function: a share of the question's respondents.
    live = live_respondents({option.question_id for option in options})
    rows = []
    for option in options:
        option.total_count = option.portal_count + (getattr(option, "imported_count", 0) or 0)
        question = option.question
        answered = live.get(option.question_id, 0)
        respondents = question.survey.imported_respondents + answered
        published = getattr(option, "imported_percent", None)
        percent = (
            str(option_percent(option.total_count, respondents, published=published, live=answered))
            if respondents or published is not None
            else ""
        )
        rows.append(
            [_label(question.survey), _label(question), _label(option), str(option.total_count), percent]
        )
    return rows


def _label(obj) -> str:
    for attr in ("title", "text", "name", "label"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


def appeals_available() -> bool:
    return apps.is_installed("appeals")


def appeal_rows(municipality) -> list[list[str]]:
    """One row per appeal, as the appeals register gives it for open data (no names, no addresses)."""
    from appeals.reporting import open_data_rows

    names, rows = open_data_rows(municipality)
    if names != [f["name"] for f in APPEAL_FIELDS]:
        raise ValueError(f"the appeals register publishes {names}, the open-data set expects other columns")
    return list(rows)


@dataclass(frozen=True)
class PortalSet:
    source: str
    code: str
    title: str
    description: str
    keywords: str
    periodicity: str
    fields: list
    rows: Callable
    available: Callable[[], bool] = lambda: True


PORTAL_SETS = [
    PortalSet(
        source=Dataset.Source.ROADMAP_MEASURES,
        code="openness_roadmap",
        title="Мероприятия плана по реализации принципов открытости: сроки и статус исполнения",
        description="Мероприятия дорожных карт открытости органов местного самоуправления с ответственными "
        "исполнителями, сроками исполнения по периодам и статусом на дату актуальности. Обновляется "
        "автоматически порталом.",
        keywords="открытость,дорожная карта,мероприятия,сроки исполнения",
        periodicity=Periodicity.AS_NEEDED,  # checked daily, published when changed
        fields=MEASURE_FIELDS,
        rows=measure_rows,
    ),
    PortalSet(
        source=Dataset.Source.SURVEY_RESULTS,
        code="survey_results",
        title="Результаты опросов населения",
        description="Число и доля ответов по каждому варианту ответа на вопросы опросов населения. "
        "Обновляется автоматически порталом.",
        keywords="опросы,мнение населения,обратная связь",
        periodicity=Periodicity.AS_NEEDED,  # checked daily, published when changed
        fields=SURVEY_FIELDS,
        rows=survey_rows,
        available=surveys_available,
    ),
    PortalSet(
        source=Dataset.Source.APPEALS,
        code="citizen_appeals",
        title="Обращения граждан",
        description="Обращения граждан в органы местного самоуправления: дата поступления, канал (письменно, "
        "электронно, телефон доверия главы, личный прием), тема, срок и дата ответа. Сведений о заявителях "
        "не содержит. Обновляется автоматически порталом.",
        keywords="обращения граждан,телефон доверия,личный прием,обратная связь",
        periodicity=Periodicity.AS_NEEDED,  # checked daily, published when changed
        fields=APPEAL_FIELDS,
        rows=appeal_rows,
        available=appeals_available,
    ),
]


@transaction.atomic
def ensure_portal_datasets(municipality, owner, *, legal_act=None, official=None) -> list[Dataset]:
    """Create the portal's own sets for a municipality (those whose source app is installed)."""
    result = []
    for spec in PORTAL_SETS:
        if not spec.available():
            continue
        dataset, _created = Dataset.objects.get_or_create(
            municipality=municipality,
            code=spec.code,
            defaults={
                "title": spec.title,
                "description": spec.description,
                "keywords": spec.keywords,
                "periodicity": spec.periodicity,
                "owner": owner,
                "responsible_official": official,
                "legal_act": legal_act,
                "source": spec.source,
            },
        )
        result.append(dataset)
    return result


def refresh_dataset(dataset: Dataset):
    """Publish a new version when the generated content differs from the latest one; else None."""
    spec = next((s for s in PORTAL_SETS if s.source == dataset.source), None)
    if spec is None or not spec.available():
        return None
    header = [f["name"] for f in spec.fields]
    rows = spec.rows(dataset.municipality)
    if not rows:
        return None  # nothing to publish yet (no roadmap measures, no closed surveys)
    content = formats.csv_bytes([header, *rows])
    latest = services.latest_version(dataset)
    today = dataset.municipality.local_today()
    if (
        latest is not None
        and latest.checksum == formats.checksum(content)
        and latest.structure.fields == spec.fields
    ):
        # Unchanged data checked today is still current: move the relevance date, not the version.
        Dataset.objects.filter(pk=dataset.pk).update(valid=services.valid_until(dataset, today))
        return None
    if latest is not None and latest.date >= today:
        logger.info("%s changed again today; the next version is published tomorrow", dataset.identifier)
        return None
    try:
        return services.publish_version(
            dataset,
            content,
            provenance=_("автоматическое обновление порталом: изменились исходные данные"),
            structure_fields=spec.fields,
        )
    except UploadError as exc:  # generated content must always fit; log loudly rather than crash the sweep
        logger.error("portal data set %s failed validation: %s", dataset.identifier, exc.errors[:5])
        return None


def refresh_all() -> dict[str, int]:
    published = skipped = 0
    for dataset in Dataset.objects.exclude(source=Dataset.Source.MANUAL).select_related("municipality"):
        if refresh_dataset(dataset) is None:
            skipped += 1
        else:
            published += 1
    return {"published": published, "unchanged": skipped}
