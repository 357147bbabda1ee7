"""A refused open-data form says what to fix next to each field and in a summary read out first."""

import re

import pytest
from django.urls import reverse

from tests.factories import MunicipalityFactory
from tests.opendata.factories import published_dataset

pytestmark = pytest.mark.django_db


def _form(page: str) -> str:
    return page[page.index('<form method="post"') : page.index("</form>", page.index('<form method="post"'))]


def _tag(form: str, name: str) -> str:
    return re.search(rf'<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', form).group(0)


def _assert_error_tied_to_field(form: str, name: str):
    tag = _tag(form, name)
    assert 'aria-invalid="true"' in tag
    described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
    assert f"id_{name}_error" in described
    assert f'id="id_{name}_error"' in form


def test_a_refused_data_request_ties_errors_to_fields_and_lists_them_first(client):
    MunicipalityFactory()
    response = client.post(
        reverse("opendata:request_dataset"), {"title": "", "author_email": "anna@example.ru"}
    )
    assert response.status_code == 400
    form = _form(response.content.decode())
    assert 'id="error-summary" role="alert" tabindex="-1"' in form
    assert "Запрос не отправлен" in form
    _assert_error_tied_to_field(form, "title")
    _assert_error_tied_to_field(form, "consent")  # an e-mail without consent is refused
    assert '<a href="#id_title">' in form  # the summary links each field
    assert not re.search(r"<p[^>]*>(?:(?!</p>).)*<ul", form, re.S)  # no list inside a paragraph
    assert reverse("privacy") in form


def test_a_refused_error_report_on_a_dataset_is_tied_to_its_fields(client):
    dataset = published_dataset()
    response = client.post(reverse("opendata:report_issue", args=[dataset.identifier]), {"description": ""})
    assert response.status_code == 400
    form = _form(response.content.decode())
    assert "Сообщение не отправлено" in form
    _assert_error_tied_to_field(form, "description")
    assert not re.search(r"<p[^>]*>(?:(?!</p>).)*<ul", form, re.S)


def test_an_untouched_form_marks_nothing_invalid_and_links_the_policy(client):
    dataset = published_dataset()
    page = client.get(dataset.get_absolute_url()).content.decode()
    form = _form(page)
    assert "aria-invalid" not in form and "error-summary" not in form
    assert reverse("privacy") in form
    assert re.search(r'<label for="id_description">', form)
