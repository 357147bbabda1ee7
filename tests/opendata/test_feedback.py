"""Citizens report errors and request sets; the responsible person is told and answers; downloads are counted."""

from datetime import date

import pytest
from django.core import mail

from opendata import services
from opendata.models import DataIssueReport, DatasetRequest, DownloadEvent
from tests.factories import StaffRoleFactory, UserFactory
from tests.opendata.factories import published_dataset, rows_csv

pytestmark = pytest.mark.django_db


def test_citizen_reports_an_error_sees_its_status_and_the_responsible_person_is_mailed(
    client, django_capture_on_commit_callbacks
):
    dataset = published_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/opendata/{dataset.identifier}/report/",
            {
                "description": "Неверное количество у учреждения 2",
                "location": "строка 3, count",
                "author_name": "Анна",
                "author_email": "anna@example.ru",
                "consent": "on",
            },
        )
    report = DataIssueReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/opendata/reports/{report.token}/"
    page = client.get(response["Location"]).content.decode()
    assert f"№ {report.pk}" in page and "поступило" in page
    assert "anna@example.ru" not in page, "the contact stays private"
    assert [m.to for m in mail.outbox] == [["petrov@example.ru"]]
    assert f"№ {report.pk}" in mail.outbox[0].subject
    passport = client.get(dataset.get_absolute_url()).content.decode()
    assert "anna@example.ru" not in passport and f"№ {report.pk}" in passport


def test_an_e_mail_needs_consent_and_citizen_text_is_escaped(client):
    dataset = published_dataset()
    response = client.post(
        f"/opendata/{dataset.identifier}/report/",
        {"description": "<script>alert(1)</script>", "author_email": "anna@example.ru"},
    )
    assert response.status_code == 400 and "нужно согласие" in response.content.decode()
    assert not DataIssueReport.objects.exists()
    client.post(f"/opendata/{dataset.identifier}/report/", {"description": "<script>alert(1)</script>"})
    page = client.get(DataIssueReport.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_correction_becomes_a_new_version_with_provenance_naming_the_report(
    client, django_capture_on_commit_callbacks
):
    dataset = published_dataset()
    report = services.report_issue(dataset, description="опечатка", author_email="anna@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_issue_report(
            report,
            status=DataIssueReport.Status.IN_PROGRESS,
            answer="Исправим",
            corrected_content=rows_csv(3),
            version_date=date(2024, 3, 5),
        )
    report.refresh_from_db()
    dataset.refresh_from_db()
    assert report.status == DataIssueReport.Status.FIXED
    assert report.fixed_version.provenance == f"исправление ошибки по обращению № {report.pk}"
    assert dataset.provenance == report.fixed_version.provenance and dataset.modified == date(2024, 3, 5)
    assert [m.to for m in mail.outbox] == [["anna@example.ru"]]
    page = client.get(report.get_absolute_url()).content.decode()
    assert "ошибка исправлена" in page and "data-20240305-structure-20240301.csv" in page


def test_admin_answers_a_report_with_a_corrected_file(client):
    dataset = published_dataset()
    report = services.report_issue(dataset, description="опечатка")
    client.force_login(UserFactory(is_superuser=True))
    url = f"/admin/opendata/dataissuereport/{report.pk}/change/"
    bad = client.post(
        url, {"status": "fixed", "answer": "исправлено", "corrected_file": _upload(rows_csv(8, bad_row=7))}
    )
    assert bad.status_code == 200 and "Строка 7, столбец «count»" in bad.content.decode()
    assert dataset.versions.count() == 1
    good = client.post(
        url, {"status": "fixed", "answer": "исправлено", "corrected_file": _upload(rows_csv(3))}
    )
    assert good.status_code == 302
    report.refresh_from_db()
    assert report.fixed_version.provenance == f"исправление ошибки по обращению № {report.pk}"


def _upload(content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("fixed.csv", content, content_type="text/csv")


def test_citizen_requests_a_new_set_and_sees_its_status(client, django_capture_on_commit_callbacks):
    dataset = published_dataset()
    coordinator = StaffRoleFactory(municipality=dataset.municipality, user__email="coord@example.ru")
    StaffRoleFactory(user__email="other@example.ru")  # another municipality's coordinator hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/opendata/request/",
            {
                "municipality": dataset.municipality.pk,
                "title": "Расписание автобусов",
                "author_email": "ivan@example.ru",
                "consent": "on",
            },
        )
    obj = DatasetRequest.objects.get()
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[coordinator.user.email]]
    assert f"№ {obj.pk}" in mail.outbox[0].subject and "Расписание автобусов" in mail.outbox[0].body
    assert "ivan@example.ru" not in mail.outbox[0].body, "the citizen's contact stays private"
    services.answer_dataset_request(
        obj, status=DatasetRequest.Status.PUBLISHED, answer="Опубликован", dataset=dataset
    )
    page = client.get(response["Location"]).content.decode()
    assert "набор опубликован" in page and dataset.title in page and "ivan@example.ru" not in page


def test_downloads_are_counted_once_per_visitor_and_day_without_storing_the_ip(client):
    dataset = published_dataset()
    url = dataset.versions.get().get_absolute_url()
    for _ in range(3):
        assert client.get(url, REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox").status_code == 200
    client.get(url, REMOTE_ADDR="203.0.113.6", HTTP_USER_AGENT="Firefox")
    assert DownloadEvent.objects.count() == 2
    assert not DownloadEvent.objects.filter(visitor__contains="203.0.113").exists()
    index = client.get("/opendata/").content.decode()
    assert "Наиболее востребованные наборы" in index and dataset.title in index


def test_most_requested_orders_by_visitor_days():
    from opendata.selectors import most_requested

    popular, quiet = published_dataset(), published_dataset()
    for n in range(3):
        services.record_download(
            popular.versions.get(), ip=f"10.0.0.{n}", user_agent="x", day=date(2024, 5, 1)
        )
    services.record_download(quiet.versions.get(), ip="10.0.0.1", user_agent="x", day=date(2024, 5, 1))
    services.record_download(quiet.versions.get(), ip="10.0.0.1", user_agent="x", day=date(2024, 5, 1))
    ranked = most_requested()
    assert [d.pk for d in ranked] == [popular.pk, quiet.pk]
    assert [d.downloads_total for d in ranked] == [3, 1]


def test_a_correction_the_service_refuses_is_shown_on_the_form_without_a_success_message(client):
    """A later version exists, so the corrected file cannot become today's version: one error, no «успешно»."""
    from datetime import timedelta

    from django.utils import timezone

    dataset = published_dataset()
    dataset.versions.update(date=timezone.localdate() + timedelta(days=3))
    report = services.report_issue(dataset, description="опечатка")
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        f"/admin/opendata/dataissuereport/{report.pk}/change/",
        {"status": "fixed", "answer": "исправлено", "corrected_file": _upload(rows_csv(3))},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Уже опубликована более поздняя версия" in html
    assert "успешно" not in html
    report.refresh_from_db()
    assert report.status == DataIssueReport.Status.NEW and report.answer == ""
