"""Factories for discussions and surveys."""

from datetime import timedelta

import factory
from django.utils import timezone

from surveys import services
from surveys.models import AGREEMENT_SCALE, Comment, Option, Question, Survey
from tests.factories import MunicipalityFactory


def open_discussion(municipality=None, *, opens_at=None, **kwargs):
    """A discussion opened through the service (so its window is computed the real way)."""
    return services.open_discussion(
        municipality=municipality or MunicipalityFactory(),
        title=kwargs.pop("title", "Отчет о реализации муниципальной программы за 2024 год"),
        opens_at=opens_at or timezone.now() - timedelta(hours=1),
        **kwargs,
    )


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
