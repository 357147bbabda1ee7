"""The portal's own sets refresh only on change; stale sets feed the reminders; annual totals."""

from datetime import UTC, date, datetime, timedelta

import pytest

from opendata import portal_sets, reporting, services
from opendata.models import DataIssueReport, Dataset, DatasetRequest, Periodicity
from surveys.respondents import email_digest
from tests.factories import DepartmentFactory, MunicipalityFactory, OfficialFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db


def test_roadmap_measures_set_publishes_only_when_content_changes(demo_data, client):
    from municipalities.models import Municipality
    from roadmaps.models import Deadline

    municipality = Municipality.objects.get(slug="levokumsky")
    owner = municipality.departments.first()
    dataset = next(
        d
        for d in portal_sets.ensure_portal_datasets(municipality, owner)
        if d.source == Dataset.Source.ROADMAP_MEASURES
    )
    first = portal_sets.refresh_dataset(dataset)
    assert first is not None and first.row_count > 5
    Dataset.objects.filter(pk=dataset.pk).update(valid=date(2020, 1, 1))
    assert portal_sets.refresh_dataset(dataset) is None, "same checksum: nothing new"
    dataset.refresh_from_db()
    assert dataset.valid == municipality.local_today() and dataset.next_update_due is None
    # A change in the roadmap published tomorrow makes a new version.
    deadline = Deadline.objects.filter(
        measure__roadmap__municipality=municipality, completed_on__isnull=True
    ).first()
    deadline.completed_on = date(2022, 6, 1)
    deadline.save()
    first.date = first.date - timedelta(days=1)  # as if yesterday's version
    first.save(update_fields=["date"])
    second = portal_sets.refresh_dataset(dataset)
    assert (
        second is not None and second.checksum != first.checksum and second.structure_id == first.structure_id
    )
    text = b"".join(client.get(second.get_absolute_url()).streaming_content).decode()
    assert text.splitlines()[0] == ",".join(f["name"] for f in portal_sets.MEASURE_FIELDS)


def test_survey_results_set_is_skipped_when_the_surveys_app_lacks_the_models(monkeypatch):
    monkeypatch.setattr(portal_sets, "_survey_models", lambda: None)
    municipality = MunicipalityFactory()
    sets = portal_sets.ensure_portal_datasets(municipality, DepartmentFactory(municipality=municipality))
    assert [d.source for d in sets] == [Dataset.Source.ROADMAP_MEASURES, Dataset.Source.APPEALS]
    assert portal_sets.survey_rows(municipality) == []


def test_refresh_task_is_idempotent():
    from opendata.tasks import BEAT_SCHEDULES, refresh_portal_datasets

    assert BEAT_SCHEDULES[0]["task"] == "opendata.tasks.refresh_portal_datasets"
    assert refresh_portal_datasets.delay().get() == {"published": 0, "unchanged": 0}


def test_stale_reminder_source_names_the_responsible_official():
    from openness_portal.notifications.registry import reminder_sources

    official = OfficialFactory(email="resp@example.ru")
    dataset = published_dataset(municipality=official.municipality, version_date=date(2024, 1, 31))
    Dataset.objects.filter(pk=dataset.pk).update(
        responsible_official=official, periodicity=Periodicity.MONTHLY
    )
    dataset.refresh_from_db()
    dataset.save()
    assert dataset.next_update_due == date(2024, 2, 29)
    source = reminder_sources()["opendata_stale"]
    items = list(source(dates=[date(2024, 2, 29)], municipality_ids=None))
    assert len(items) == 1
    item = items[0]
    assert item.kind == "opendata_stale" and item.due_date == date(2024, 2, 29)
    assert item.recipients[0].official_id == official.pk and item.recipients[0].email == "resp@example.ru"
    assert dataset.identifier in item.title
    assert list(source(dates=[date(2024, 3, 1)], municipality_ids=None)) == []
    assert list(source(dates=[date(2024, 2, 29)], municipality_ids=[0])) == []


def test_stale_reminder_falls_back_to_free_fields_then_the_owner_department():
    from opendata.reminders import _recipients

    dataset = published_dataset()
    assert _recipients(dataset)[0].email == "petrov@example.ru"
    dataset.responsible_name = dataset.responsible_email = ""
    assert _recipients(dataset)[0].department_id == dataset.owner_id


def test_annual_totals(django_assert_max_num_queries):
    dataset = published_dataset(version_date=date(2023, 5, 1))
    municipality = dataset.municipality
    services.publish_version(
        dataset, b"id,name,count,opened\r\n1,a,1,2024-01-01\r\n", provenance="", version_date=date(2024, 2, 1)
    )
    published_dataset(municipality=municipality, code="later", version_date=date(2025, 1, 10))
    report = services.report_issue(dataset, description="ошибка")
    services.answer_issue_report(report, status=DataIssueReport.Status.REJECTED, answer="Данные верны")
    DatasetRequest.objects.create(municipality=municipality, title="Автобусы")
    year = report.created_at.year
    with django_assert_max_num_queries(6):
        totals = {t["key"]: t["value"] for t in reporting.annual_totals(municipality, 2024)}
    assert totals["datasets_published"] == 1 and totals["datasets_updated"] == 1
    this_year = {t["key"]: t for t in reporting.annual_totals(municipality, year)}
    assert (
        this_year["issue_reports_received"]["value"] == 1
        and this_year["issue_reports_resolved"]["value"] == 1
    )
    assert this_year["dataset_requests"]["value"] == 1 and this_year["datasets_published"]["label"]


def test_survey_results_set_counts_confirmed_answers_and_imported_results():
    if portal_sets._survey_models() is None:
        pytest.skip("the surveys app has no Survey/Question/Option models")
    from django.utils import timezone

    from surveys.models import Answer, Option, Question, Response, Survey

    municipality = MunicipalityFactory()
    now = timezone.now()
    survey = Survey.objects.create(
        municipality=municipality,
        title="Оценка открытости",
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1),
        imported_respondents=2,  # the two imported «Да» answers came from two respondents
    )
    Survey.objects.create(  # still open: its running counts are not published
        municipality=municipality,
        title="Идет сейчас",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )
    question = Question.objects.create(survey=survey, text="Доступна ли информация?")
    yes = Option.objects.create(question=question, order=0, text="Да", imported_count=2)
    no = Option.objects.create(question=question, order=1, text="Нет")
    for n, option in enumerate([yes, no, no]):
        response = Response.objects.create(survey=survey, respondent_key=f"r{n}", confirmed_at=now)
        Answer.objects.create(response=response, question=question, option=option)
    unconfirmed = Response.objects.create(
        survey=survey, respondent_key="late", email_hash=email_digest("x@example.ru")
    )
    Answer.objects.create(response=unconfirmed, question=question, option=yes)
    rows = portal_sets.survey_rows(municipality)
    assert rows == [
        ["Оценка открытости", "Доступна ли информация?", "Да", "3", "60"],
        ["Оценка открытости", "Доступна ли информация?", "Нет", "2", "40"],
    ]
    dataset = next(
        d
        for d in portal_sets.ensure_portal_datasets(
            municipality, DepartmentFactory(municipality=municipality)
        )
        if d.source == Dataset.Source.SURVEY_RESULTS
    )
    version = portal_sets.refresh_dataset(dataset)
    assert version.row_count == 2 and "x@example.ru" not in version.file.read().decode()


def test_unanswered_error_reports_and_requests_are_reminded_after_the_answer_period():
    import time_machine

    from opendata.reminders import ANSWER_WORKING_DAYS
    from openness_portal.notifications.registry import reminder_sources, stage_set
    from openness_portal.workdays.calendar import add_working_days

    official = OfficialFactory(email="resp@example.ru")
    dataset = published_dataset(municipality=official.municipality, responsible_official=official)
    with time_machine.travel(datetime(2024, 4, 1, 9, tzinfo=UTC), tick=False):  # a Monday
        waiting = services.report_issue(dataset, description="Ошибка в строке 2")
        answered = services.report_issue(dataset, description="Ошибка в строке 3")
        request = services.request_dataset(dataset.municipality, title="Расписание автобусов")
    services.answer_issue_report(answered, status=DataIssueReport.Status.IN_PROGRESS, answer="Проверяем")
    due = add_working_days(date(2024, 4, 1), ANSWER_WORKING_DAYS)
    sources = reminder_sources()
    assert stage_set("opendata_issue_unanswered") == stage_set("opendata_request_unanswered") == "overdue"

    reports = list(sources["opendata_issue_unanswered"](dates=[due], municipality_ids=None))
    assert [i.subject_key for i in reports] == [f"issue-report:{waiting.pk}"], (
        "an answered report is not reminded"
    )
    assert reports[0].recipients[0].email == "resp@example.ru" and f"№ {waiting.pk}" in reports[0].title
    assert (
        list(sources["opendata_issue_unanswered"](dates=[due - timedelta(days=1)], municipality_ids=None))
        == []
    )

    requests = list(sources["opendata_request_unanswered"](dates=[due], municipality_ids=None))
    assert [i.subject_key for i in requests] == [f"dataset-request:{request.pk}"]
    assert requests[0].recipients == (), "the sweep sends items without recipients to the coordinators"
    services.answer_dataset_request(request, status=DatasetRequest.Status.ACCEPTED, answer="Готовим")
    assert list(sources["opendata_request_unanswered"](dates=[due], municipality_ids=None)) == []
