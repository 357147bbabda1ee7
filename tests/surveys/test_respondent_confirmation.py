"""One response per respondent as the survey sets it: per browser, per confirmed e-mail (only a hash of the
normalised address kept) or per signed-in account; results count confirmed responses only."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Response
from surveys.respondents import email_digest, normalise_email
from surveys.selectors import survey_results
from tests.factories import UserFactory
from tests.surveys.factories import SurveyFactory, add_question

pytestmark = pytest.mark.django_db


def _confirm_link(message) -> str:
    link = next(w for w in message.body.split() if "/surveys/confirm/" in w)
    return link.replace("http://127.0.0.1:8000", "")


def _answer(client, survey, question, **extra):
    url = reverse("surveys:survey_detail", args=[survey.pk])
    client.get(url)
    return client.post(url, {f"q{question.pk}": question.options.first().pk, **extra})


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        (" Ivanov@Example.RU ", "ivanov@example.ru"),
        ("ivanov+opros@example.ru", "ivanov@example.ru"),
        ("I.Van.Ov@googlemail.com", "ivanov@gmail.com"),
    ],
)
def test_an_address_is_normalised_before_it_is_hashed(typed, same_as):
    assert normalise_email(typed) == same_as
    assert email_digest(typed) == email_digest(same_as)
    assert same_as not in email_digest(typed)


def test_two_unconfirmed_responses_of_one_address_count_once_confirmed(
    client, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(respondent_confirmation="email")
    q = add_question(survey)
    with django_capture_on_commit_callbacks(execute=True):
        first = _answer(client, survey, q, email="resident@example.ru")
        second = _answer(Client(), survey, q, email="Resident+2@example.ru")  # another browser
    assert first.status_code == second.status_code == 302
    assert Response.objects.filter(survey=survey).count() == 2
    assert survey_results(survey)["respondents"] == 0, "nothing counts before a link is opened"
    assert not Response.objects.exclude(email_hash=email_digest("resident@example.ru")).exists()
    assert not Response.objects.filter(email_hash__icontains="resident").exists()

    one, two = (_confirm_link(m) for m in mail.outbox)
    assert client.get(one).status_code == 302
    assert survey_results(survey)["respondents"] == 1
    refused = client.get(two, follow=True).content.decode()
    assert "учтен первый подтвержденный ответ" in refused
    assert survey_results(survey)["respondents"] == 1
    assert client.get(one).status_code == 302  # opening the first link again changes nothing
    assert survey_results(survey)["respondents"] == 1


def test_the_database_refuses_a_second_confirmed_response_of_an_address():
    survey = SurveyFactory(respondent_confirmation="email")
    digest = email_digest("resident@example.ru")
    Response.objects.create(
        survey=survey, respondent_key="a", email_hash=digest, confirmed_at="2024-03-01T10:00Z"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey, respondent_key="b", email_hash=digest, confirmed_at="2024-03-02T10:00Z"
        )


def test_a_login_survey_takes_only_signed_in_users_once_each(client):
    survey = SurveyFactory(respondent_confirmation="login")
    q = add_question(survey)
    url = reverse("surveys:survey_detail", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "войдите" in page.lower() and "/admin/login/?next=" in page
    anonymous = client.post(url, {f"q{q.pk}": q.options.first().pk})
    assert anonymous.status_code == 403 and not Response.objects.exists()

    resident = UserFactory(is_staff=False)
    client.force_login(resident)
    assert _answer(client, survey, q).status_code == 302
    assert survey_results(survey)["respondents"] == 1
    again = Client()
    again.force_login(resident)  # the same account from another browser
    refused = _answer(again, survey, q)
    assert refused.status_code == 409 and "Вы уже ответили" in refused.content.decode()
    neighbour_account = UserFactory(is_staff=False)
    neighbour = Client()
    neighbour.force_login(neighbour_account)
    assert _answer(neighbour, survey, q).status_code == 302
    assert survey_results(survey)["respondents"] == 2
    assert set(Response.objects.values_list("user", flat=True)) == {resident.pk, neighbour_account.pk}


def test_a_survey_without_confirmation_counts_at_once():
    survey = SurveyFactory()
    q = add_question(survey)
    services.submit_response(survey=survey, respondent_key="k1", answers={q.pk: q.options.first().pk})
    assert survey_results(survey)["respondents"] == 1
