"""Factories for discussions and surveys."""

from datetime import timedelta

import factory
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import AGREEMENT_SCALE, Comment, Option, Question, Survey
from tests.factories import MunicipalityFactory

# The public page's comment form as a resident fills it in.
COMMENT_FORM = {
    "author_name": "Петров П.П.",
    "email": "petrov@example.ru",
    "text": "Прошу продлить маршрут автобуса до улицы Садовой.",
    "consent": "on",
}


def post_comment(client, discussion, **overrides):
    """POST the comment form of the discussion's page: COMMENT_FORM with `overrides`."""
    return client.post(
        reverse("surveys:discussion_detail", args=[discussion.pk]), {**COMMENT_FORM, **overrides}
    )


def open_discussion(municipality=None, *, opens_at=None, **kwargs):
    """A discussion opened through the service (so its window is computed the real way).

    By default it opened earlier today, local time: an hour ago would be yesterday just after midnight, and
    the countdown a test reads would be one day short.
    """
    municipality = municipality or MunicipalityFactory()
    return services.open_discussion(
        municipality=municipality,
        title=kwargs.pop("title", "Отчет о реализации муниципальной программы за 2024 год"),
        opens_at=opens_at or opened_earlier_today(municipality),
        **kwargs,
    )


def opened_earlier_today(municipality):
    """The later of an hour ago and the start of today in the municipality's time zone."""
    now = timezone.now()
    local_midnight = now.astimezone(municipality.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(hours=1), local_midnight)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    author_name = factory.Sequence(lambda n: f"Житель {n}")
    email = factory.Sequence(lambda n: f"citizen{n}@example.ru")
    text = factory.Sequence(lambda n: f"Предложение номер {n}: добавить остановку.")
    text_hash = factory.LazyAttribute(lambda c: services.text_digest(c.text))
    consent_at = factory.LazyFunction(timezone.now)
    status = Comment.Status.PUBLISHED


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Опрос {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


def add_question(
    survey, text="Удовлетворены ли вы качеством дорог?", kind=Question.Kind.SINGLE, required=True
):
    question = Question.objects.create(
        survey=survey, text=text, kind=kind, required=required, order=survey.questions.count()
    )
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        Option.objects.bulk_create(
            [Option(question=question, order=i, text=t) for i, t in enumerate(AGREEMENT_SCALE)]
        )
    return question
