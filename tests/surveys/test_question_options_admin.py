"""A choice question cannot be saved without options: on the survey form (questions inline, options one per
line) and on the question form (options inline); the message is on the form and nothing is saved."""

import pytest
from django.urls import reverse

from surveys.models import Option, Question, Survey
from tests.factories import StaffRoleFactory
from tests.surveys.factories import SurveyFactory, add_question

pytestmark = pytest.mark.django_db
TWO_OPTIONS = "У вопроса с выбором ответа должно быть не меньше двух вариантов."


def _survey_post(survey, questions, **overrides):
    data = {
        "municipality": survey.municipality_id,
        "title": survey.title,
        "audience": "all",
        "opens_at_0": "01.03.2024",
        "opens_at_1": "10:00:00",
        "closes_at_0": "31.03.2024",
        "closes_at_1": "10:00:00",
        "is_published": "on",
        "respondent_confirmation": "none",
        "imported_respondents": "0",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
    }
    for i, q in enumerate(questions):
        data.update({f"questions-{i}-{k}": v for k, v in q.items()})
    data.update(overrides)
    return data


@pytest.fixture
def coordinator_survey(client):
    survey = SurveyFactory()
    client.force_login(StaffRoleFactory(municipality=survey.municipality).user)
    return survey


def test_a_multiple_choice_question_added_inline_without_options_is_refused(client, coordinator_survey):
    survey = coordinator_survey
    response = client.post(
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        _survey_post(
            survey,
            [
                {
                    "order": 0,
                    "text": "Какие услуги вы получали?",
                    "kind": "multiple",
                    "required": "on",
                    "options": "",
                },
                {"order": 1, "text": "Ваш отзыв", "kind": "text", "options": ""},
            ],
        ),
    )
    assert response.status_code == 200
    assert TWO_OPTIONS in response.content.decode()
    assert not Question.objects.filter(survey=survey).exists(), "the text question is not saved either"


def test_options_typed_inline_are_saved_in_order(client, coordinator_survey):
    survey = coordinator_survey
    response = client.post(
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        _survey_post(
            survey,
            [
                {
                    "order": 0,
                    "text": "Где вы узнали об опросе?",
                    "kind": "single",
                    "required": "on",
                    "options": "на сайте\r\nв газете\r\n\r\nот соседей",
                }
            ],
        ),
    )
    assert response.status_code == 302
    question = Question.objects.get(survey=survey)
    assert list(question.options.values_list("text", flat=True)) == ["на сайте", "в газете", "от соседей"]


def test_a_single_option_on_the_question_form_is_refused(client, coordinator_survey):
    question = add_question(coordinator_survey, kind=Question.Kind.MULTIPLE)
    options = list(question.options.all())
    data = {
        "survey": question.survey_id,
        "order": 0,
        "text": question.text,
        "kind": "multiple",
        "required": "on",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": str(len(options)),
    }
    for i, o in enumerate(options):
        data.update(
            {
                f"options-{i}-id": o.pk,
                f"options-{i}-question": question.pk,
                f"options-{i}-order": i,
                f"options-{i}-text": o.text,
                f"options-{i}-imported_count": 0,
            }
        )
        if i > 0:
            data[f"options-{i}-DELETE"] = "on"
    response = client.post(reverse("admin:surveys_question_change", args=[question.pk]), data)
    assert response.status_code == 200 and TWO_OPTIONS in response.content.decode()
    assert Option.objects.filter(question=question).count() == len(options)


def test_the_survey_admin_offers_the_respondent_confirmation_setting(client, coordinator_survey):
    page = client.get(reverse("admin:surveys_survey_change", args=[coordinator_survey.pk])).content.decode()
    assert 'name="respondent_confirmation"' in page and "вход на портал" in page
    assert str(Survey.RespondentConfirmation.EMAIL.label) in page
