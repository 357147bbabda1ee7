"""Importing a file a second time, or a file that names another municipality, needs the user's explicit consent."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from importing.exporting import export_docx, export_xlsx
from importing.models import ImportJob
from municipalities.models import StaffRole
from roadmaps.models import Roadmap
from tests.factories import MeasureFactory, MunicipalityFactory, RoadmapFactory, SectionFactory, UserFactory
from tests.importing.test_import_admin import _docx

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    municipality = MunicipalityFactory(name="Левокумский муниципальный округ", inn="2613010019")
    user = UserFactory()
    StaffRole.objects.create(user=user, role=StaffRole.Role.COORDINATOR, municipality=municipality)
    return user, municipality


def _upload(client, municipality, data, name="plan.docx"):
    response = client.post(
        reverse("admin:importing_importjob_upload"),
        {"municipality": municipality.pk, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def _roadmap_of(municipality):
    roadmap = RoadmapFactory(municipality=municipality, title="План мероприятий по открытости")
    MeasureFactory(section=SectionFactory(roadmap=roadmap), roadmap=roadmap, number="1")
    return roadmap


def test_the_same_file_twice_asks_for_consent_naming_the_earlier_import(client, coordinator):
    user, municipality = coordinator
    client.force_login(user)
    data = _docx()
    first_preview = _upload(client, municipality, data)
    assert "уже загружен" not in client.get(first_preview).content.decode()
    client.post(first_preview, {"confirm": "1"})
    first = Roadmap.objects.get()

    second_preview = _upload(client, municipality, data, name="copy-of-plan.docx")
    html = client.get(second_preview).content.decode()
    earlier = ImportJob.objects.get(roadmap=first)
    assert f"загрузка № {earlier.pk}" in html and f"дорожная карта № {first.pk}" in html
    assert "Загрузить, несмотря на предупреждения" in html

    refused = client.post(second_preview, {"confirm": "1"})
    assert refused.status_code == 200
    assert "отметьте, что согласны" in refused.content.decode()
    assert Roadmap.objects.count() == 1  # no silent second draft

    client.post(second_preview, {"confirm": "1", "accept_warnings": "on"})
    assert Roadmap.objects.count() == 2


def test_the_same_file_for_another_municipality_is_not_a_repeat(client, coordinator):
    user, municipality = coordinator
    client.force_login(user)
    data = _docx()
    client.post(_upload(client, municipality, data), {"confirm": "1"})
    ImportJob.objects.update(municipality=MunicipalityFactory())  # as if it had been imported elsewhere
    preview = _upload(client, municipality, data)
    assert "уже загружен" not in client.get(preview).content.decode()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_file_naming_another_municipality_warns_in_the_preview(client, coordinator, fmt):
    user, municipality = coordinator
    neighbour = MunicipalityFactory(name="Красногвардейский муниципальный округ", inn="2611008857")
    data = (export_docx if fmt == "docx" else export_xlsx)(_roadmap_of(neighbour))
    client.force_login(user)
    preview = _upload(client, municipality, data, name=f"plan.{fmt}")
    html = client.get(preview).content.decode()
    assert "другое муниципальное образование — «Красногвардейский муниципальный округ»" in html
    assert "ИНН 2611008857" in html

    client.post(preview, {"confirm": "1"})
    assert not Roadmap.objects.filter(municipality=municipality).exists()
    client.post(preview, {"confirm": "1", "accept_warnings": "on"})
    assert Roadmap.objects.filter(municipality=municipality).count() == 1


def test_own_export_gives_no_municipality_warning(client, coordinator):
    user, municipality = coordinator
    MunicipalityFactory(name="Красногвардейский муниципальный округ", inn="2611008857")
    client.force_login(user)
    preview = _upload(client, municipality, export_docx(_roadmap_of(municipality)))
    assert 'id="import-warnings"' not in client.get(preview).content.decode()


def test_a_header_naming_another_municipality_by_name_only(client, coordinator):
    """«… в Красногвардейском муниципальном округе»: a declined name is found too."""
    import io

    import docx

    user, municipality = coordinator
    MunicipalityFactory(name="Красногвардейский муниципальный округ")
    document = docx.Document(io.BytesIO(_docx()))
    document.paragraphs[0].text = "План мероприятий по открытости в Красногвардейском муниципальном округе"
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(user)
    html = client.get(_upload(client, municipality, buffer.getvalue())).content.decode()
    assert "«Красногвардейский муниципальный округ» (найдено по названию)" in html


def _command(path, municipality, *args):
    out, err = StringIO(), StringIO()
    call_command(
        "import_roadmap", str(path), "--municipality", municipality.slug, *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def test_command_refuses_a_second_import_of_the_same_file(tmp_path, coordinator):
    _user, municipality = coordinator
    path = tmp_path / "plan.docx"
    path.write_bytes(_docx())
    _command(path, municipality)
    first = Roadmap.objects.get()

    with pytest.raises(CommandError, match="--accept-warnings"):
        _command(path, municipality)
    assert Roadmap.objects.count() == 1

    _out, err = _command(path, municipality, "--accept-warnings")
    assert f"дорожная карта № {first.pk}" in err
    assert Roadmap.objects.count() == 2


def test_command_warns_about_another_municipality_and_needs_consent(tmp_path, coordinator):
    _user, municipality = coordinator
    neighbour = MunicipalityFactory(name="Красногвардейский муниципальный округ", inn="2611008857")
    path = tmp_path / "plan.xlsx"
    path.write_bytes(export_xlsx(_roadmap_of(neighbour)))

    _out, err = _command(path, municipality, "--dry-run")
    assert "другое муниципальное образование — «Красногвардейский муниципальный округ»" in err
    with pytest.raises(CommandError):
        _command(path, municipality)
    assert not Roadmap.objects.filter(municipality=municipality).exists()
    _command(path, municipality, "--accept-warnings")
    assert Roadmap.objects.filter(municipality=municipality).count() == 1
