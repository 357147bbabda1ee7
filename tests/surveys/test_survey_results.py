"""Surveys: one response per respondent, results exactly as seed 002 prints them, exports, KPI feed."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from roadmaps.models import KpiActual
from surveys import services
from surveys.models import Question, Response
from surveys.selectors import percent, survey_results
from tests.factories import KpiFactory
from tests.surveys.factories import SurveyFactory, add_question

pytestmark = pytest.mark.django_db

SEED_002_LINES = [
    "ответов «Да» - 195 чел. (30%)",
    "ответов «скорее Да» - 176 чел. (27%)",
    "ответов «Нет» - 145 чел. (23%)",
    "ответов «скорее Нет» - 126 чел. (20%)",
    "ответов «Да» - 144 чел. (22%)",
    "ответов «скорее Да» - 198 чел. (31%)",
    "ответов «Да» - 344 чел. (54%)",
    "ответов «Нет» - 37 чел. (6%)",
    "ответов «скорее Нет» - 48 чел. (7%)",
    "ответов «скорее Да» - 182 чел. (28%)",
    "ответов «скорее Нет» - 123 чел. (19%)",
    "ответов «Да» - 366 чел. (57%)",
    "ответов «скорее Да» - 183 чел. (28%)",
    "ответов «скорее Нет» - 54 чел. (8%)",
    "ответов «Да» - 413 чел. (64%)",
    "ответов «Нет» - 29 чел. (5%)",
]


@pytest.fixture
def demo_survey(demo_data):
    from surveys.demo.loader import load

    load()
    load()  # idempotent
    return load()["survey"]


def test_demo_survey_results_page_prints_seed_002_figures(client, demo_survey):
    assert demo_survey.questions.count() == 6
    page = client.get(reverse("surveys:survey_results", args=[demo_survey.pk])).content.decode()
    for line in SEED_002_LINES:
        assert line in page, line
    assert "Приняли участие: 642 чел." in page
    assert "<svg" in page and "style=" not in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(
        'src="/static/js/' in tag for tag in scripts
    )  # static files only, no inline script
    assert page.count("<rect") == 24


def test_demo_survey_api_results(client, demo_survey):
    data = client.get(f"/api/v1/surveys/{demo_survey.pk}/results/").json()
    assert data["respondents"] == 642
    first = data["questions"][0]["options"][0]
    assert (first["text"], first["count"], first["percent"]) == ("Да", 195, 30)
    listing = client.get("/api/v1/surveys/?municipality=levokumsky").json()
    assert [s["id"] for s in listing["results"]] == [demo_survey.pk]


def test_percent_rounds_half_up():
    assert percent(195, 642) == 30 and percent(145, 642) == 23 and percent(1, 8) == 13 and percent(0, 0) == 0


def test_fill_in_once_then_refused(client):
    survey = SurveyFactory()
    q1 = add_question(survey)
    q2 = add_question(survey, "Что улучшить?", kind=Question.Kind.TEXT, required=False)
    q3 = add_question(survey, "Оцените работу МФЦ", kind=Question.Kind.SCALE)
    url = reverse("surveys:survey_detail", args=[survey.pk])
    client.get(url)
    yes = q1.options.get(text="Да")
    response = client.post(url, {f"q{q1.pk}": yes.pk, f"q{q2.pk}": "Освещение", f"q{q3.pk}": "4"})
    assert response.status_code == 302
    assert "Ваш ответ учтен" in client.get(url).content.decode()
    again = client.post(url, {f"q{q1.pk}": yes.pk, f"q{q3.pk}": "5"})
    assert again.status_code == 409 and "Вы уже ответили" in again.content.decode()
    assert Response.objects.count() == 1
    results = survey_results(survey)
    assert results["respondents"] == 1
    assert results["questions"][0]["options"][0] == {"id": yes.pk, "text": "Да", "count": 1, "percent": 100}
    assert results["questions"][2]["average"] == 4.0


def test_required_question_and_closed_survey(client):
    survey = SurveyFactory()
    q1 = add_question(survey)
    url = reverse("surveys:survey_detail", args=[survey.pk])
    client.get(url)
    missing = client.post(url, {})
    assert missing.status_code == 400 and "Ответьте на этот вопрос" in missing.content.decode()
    closed = SurveyFactory(
        closes_at=timezone.now() - timedelta(days=1), opens_at=timezone.now() - timedelta(days=9)
    )
    add_question(closed)
    page = client.get(reverse("surveys:survey_detail", args=[closed.pk])).content.decode()
    assert "ответы не принимаются" in page and '<form method="post" class="survey-form"' not in page
    with pytest.raises(services.SurveyClosed):
        services.submit_response(survey=closed, respondent_key="x", answers={})
    assert Response.objects.count() == 0 and q1.answers.count() == 0


def test_email_confirmation_counts_only_after_the_link(client, django_capture_on_commit_callbacks):
    survey = SurveyFactory(respondent_confirmation="email")
    q = add_question(survey)
    url = reverse("surveys:survey_detail", args=[survey.pk])
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"q{q.pk}": q.options.first().pk, "email": "resident@example.ru"})
    assert survey_results(survey)["respondents"] == 0
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/surveys/confirm/" in w)
    client.get(link.replace("http://127.0.0.1:8000", ""))
    assert survey_results(survey)["respondents"] == 1
    # the same address from another browser is refused
    other = Client()
    other.get(url)
    refused = other.post(url, {f"q{q.pk}": q.options.first().pk, "email": "Resident@example.ru"})
    assert refused.status_code == 409 and "С этого адреса уже отвечали" in refused.content.decode()
    page = client.get(reverse("surveys:survey_results", args=[survey.pk])).content.decode()
    assert "resident@example.ru" not in page


def test_results_export_csv_and_xlsx(client, demo_survey):
    raw = client.get(reverse("surveys:survey_results_export", args=[demo_survey.pk, "csv"])).content
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [
        "Удовлетворенность граждан организацией транспортного обслуживания населения",
        "Да",
        "195",
        "30",
    ] in rows
    xlsx = client.get(reverse("surveys:survey_results_export", args=[demo_survey.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.active.max_row == 2 + 24 + 1


def test_results_feed_a_kpi_actual(demo_survey):
    kpi = KpiFactory(name="доля удовлетворенных транспортным обслуживанием", unit="%")
    question = demo_survey.questions.order_by("order").first()
    options = question.options.filter(text__in=["Да", "скорее Да"]).values_list("pk", flat=True)
    services.feed_kpi_actual(question=question, kpi=kpi, period="2021", option_ids=options)
    assert str(KpiActual.objects.get(kpi=kpi).value) == "57.80"  # (195 + 176) / 642


def test_multiple_choice_percent_of_respondents(client):
    survey = SurveyFactory()
    q = add_question(survey, "Какие услуги вы получали?", kind=Question.Kind.MULTIPLE)
    a, b = list(q.options.all())[:2]
    services.submit_response(survey=survey, respondent_key="r1", answers={q.pk: [a.pk, b.pk]})
    services.submit_response(survey=survey, respondent_key="r2", answers={q.pk: [a.pk]})
    options = survey_results(survey)["questions"][0]["options"]
    assert [(o["count"], o["percent"]) for o in options[:2]] == [(2, 100), (1, 50)]


@pytest.mark.parametrize("which", ["results", "detail", "api_results", "list"])
def test_survey_pages_constant_queries(client, django_assert_max_num_queries, which):
    survey = SurveyFactory()

    def grow(n):
        for _ in range(n):
            q = add_question(survey, required=False)
            add_question(survey, "Оцените", kind=Question.Kind.SCALE, required=False)
            SurveyFactory(municipality=survey.municipality)
            services.submit_response(
                survey=survey,
                respondent_key=services.new_respondent_key(),
                answers={q.pk: q.options.first().pk},
            )

    url = {
        "results": reverse("surveys:survey_results", args=[survey.pk]),
        "detail": reverse("surveys:survey_detail", args=[survey.pk]),
        "api_results": f"/api/v1/surveys/{survey.pk}/results/",
        "list": reverse("surveys:survey_list"),
    }[which]
    grow(2)
    client.get(url)
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def _open_data_survey_rows(municipality) -> dict[tuple[str, str], str]:
    """The survey-results open-data set, as a visitor downloads it: (question, option) → percent."""
    from opendata.models import Dataset
    from opendata.portal_sets import ensure_portal_datasets, refresh_dataset
    from tests.factories import DepartmentFactory

    dataset = next(
        d
        for d in ensure_portal_datasets(municipality, DepartmentFactory(municipality=municipality))
        if d.source == Dataset.Source.SURVEY_RESULTS
    )
    version = refresh_dataset(dataset)
    rows = list(csv.reader(io.StringIO(version.file.read().decode("utf-8-sig"))))
    header = rows[0]
    question, option, share = header.index("question"), header.index("option"), header.index("percent")
    return {(row[question], row[option]): row[share] for row in rows[1:]}


def test_results_page_and_open_data_set_show_the_same_percent(client):
    """7 of 23 is 30.4 %: the page printed 30 %, the open-data set 30.4; a multiple choice differed more."""
    survey = SurveyFactory()
    single = add_question(survey, "Удовлетворены ли вы качеством дорог?")
    several = add_question(survey, "Какие услуги вы получали?", kind=Question.Kind.MULTIPLE)
    yes, no = list(single.options.all())[:2]
    first, second = list(several.options.all())[:2]
    for n in range(23):
        services.submit_response(
            survey=survey,
            respondent_key=f"r{n}",
            answers={
                single.pk: yes.pk if n < 7 else no.pk,
                several.pk: [first.pk, second.pk] if n < 3 else [first.pk],
            },
        )
    Survey = type(survey)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    page = client.get(reverse("surveys:survey_results", args=[survey.pk])).content.decode()
    published = _open_data_survey_rows(survey.municipality)
    expected = {
        (single.text, yes.text): (7, 30),  # 30.4 %
        (single.text, no.text): (16, 70),
        (several.text, first.text): (23, 100),  # every respondent chose it
        (several.text, second.text): (3, 13),  # of respondents, not of the 26 ticks
    }
    for (question, option), (count, share) in expected.items():
        assert published[(question, option)] == str(share), (question, option)
        assert f"ответов «{option}» - {count} чел. ({share}%)" in page
