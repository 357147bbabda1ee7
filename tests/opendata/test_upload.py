"""Uploads are checked against the structure before anything is published."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opendata import formats, services
from opendata.models import DatasetStructure, DatasetVersion, Periodicity
from opendata.validation import UploadError
from tests.factories import UserFactory
from tests.opendata.factories import FIELDS, published_dataset, rows_csv

pytestmark = pytest.mark.django_db


def test_wrong_type_in_row_7_is_refused_naming_row_and_column_and_nothing_changes():
    dataset = published_dataset()
    before = list(DatasetVersion.objects.values_list("pk", "checksum"))
    with pytest.raises(UploadError) as caught:
        services.publish_version(
            dataset, rows_csv(10, bad_row=7), provenance="", version_date=date(2024, 4, 1)
        )
    assert caught.value.errors == [
        "Строка 7, столбец «count» (Количество): значение «много» не является целым числом."
    ]
    assert list(DatasetVersion.objects.values_list("pk", "checksum")) == before
    dataset.refresh_from_db()
    assert dataset.modified == date(2024, 3, 1)


def test_admin_upload_with_wrong_type_shows_row_7_and_publishes_nothing(client):
    dataset = published_dataset()
    client.force_login(UserFactory(is_superuser=True))
    url = f"/admin/opendata/dataset/{dataset.pk}/publish/"
    response = client.post(
        url, {"data_file": SimpleUploadedFile("d.csv", rows_csv(10, bad_row=7)), "provenance": "обновление"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Строка 7, столбец «count» (Количество)" in text and "Файл не опубликован" in text
    assert dataset.versions.count() == 1
    # the passport still points at the first version
    meta = client.get(f"/opendata/{dataset.identifier}/meta.csv").content.decode()
    assert "data-20240301-structure-20240301" in meta and "2024040" not in meta


def test_admin_upload_of_a_good_file_publishes_a_new_version(client):
    dataset = published_dataset()
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        f"/admin/opendata/dataset/{dataset.pk}/publish/",
        {
            "data_file": SimpleUploadedFile("d.csv", rows_csv(5)),
            "provenance": "добавлены 2 учреждения",
            "version_date": "01.04.2024",
        },
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.modified == date(2024, 4, 1) and dataset.provenance == "добавлены 2 учреждения"
    assert dataset.versions.get(date=date(2024, 4, 1)).row_count == 5


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "Строка 2, столбец «name» (Наименование): обязательное значение не заполнено."),
        ("dup", "Строка 3, столбец «id» (Номер): значение «1» повторяет строку 2, а должно быть уникальным."),
        ("date", "Строка 2, столбец «opened» (Дата открытия): значение «31.02.2024» не является датой"),
    ],
)
def test_required_unique_and_date_checks(cell, message):
    dataset = published_dataset()
    rows = [
        ["id", "name", "count", "opened"],
        ["1", "Школа", "3", "2024-01-01"],
        ["2", "Сад", "4", "01.02.2024"],
    ]
    if cell == "":
        rows[1][1] = ""
    elif cell == "dup":
        rows[2][0] = "1"
    else:
        rows[1][3] = "31.02.2024"
    with pytest.raises(UploadError) as caught:
        services.publish_version(
            dataset, formats.csv_bytes(rows), provenance="", version_date=date(2024, 5, 1)
        )
    assert caught.value.errors[0].startswith(message)


def test_changed_columns_need_a_structure_and_make_a_new_structure_version():
    dataset = published_dataset()
    content = formats.csv_bytes([["id", "name", "address"], ["1", "Школа", "ул. Мира, 1"]])
    with pytest.raises(UploadError) as caught:
        services.publish_version(dataset, content, provenance="", version_date=date(2024, 6, 1))
    assert "не совпадают со структурой" in caught.value.errors[0]
    structure = formats.csv_bytes(
        [
            ["field name", "english description", "russian description", "format", "required"],
            ["id", "Number", "Номер", "integer", "да"],
            ["name", "Name", "Наименование", "string", "да"],
            ["address", "Address", "Адрес", "string", "нет"],
        ]
    )
    version = services.publish_version(
        dataset,
        content,
        provenance="добавлен адрес",
        version_date=date(2024, 6, 1),
        structure_content=structure,
    )
    assert version.label == "data-20240601-structure-20240601"
    assert list(DatasetStructure.objects.filter(dataset=dataset).values_list("date", flat=True)) == [
        date(2024, 6, 1),
        date(2024, 3, 1),
    ]
    assert version.structure.fields[0]["required"] is True


def test_same_structure_keeps_the_structure_version_and_old_files_stay_unchanged(client):
    dataset = published_dataset()
    first = dataset.versions.get()
    old_bytes = b"".join(client.get(first.get_absolute_url()).streaming_content)
    second = services.publish_version(dataset, rows_csv(4), provenance="", version_date=date(2024, 7, 1))
    assert second.structure_id == first.structure_id and second.label == "data-20240701-structure-20240301"
    assert b"".join(client.get(first.get_absolute_url()).streaming_content) == old_bytes


def test_a_version_may_not_be_dated_before_the_last_one():
    dataset = published_dataset(version_date=date(2024, 3, 1))
    with pytest.raises(UploadError, match="более поздняя версия, от 01.03.2024"):
        services.publish_version(dataset, rows_csv(2), provenance="", version_date=date(2024, 2, 1))
    assert dataset.versions.count() == 1


def test_same_day_correction_replaces_that_days_file_and_keeps_earlier_versions(client):
    dataset = published_dataset(version_date=date(2024, 3, 1))
    earlier = dataset.versions.get()
    earlier_bytes = b"".join(client.get(earlier.get_absolute_url()).streaming_content)
    today = services.publish_version(dataset, rows_csv(4), provenance="плановая актуализация")
    before = dataset.__class__.objects.get(pk=dataset.pk).updated_at
    corrected = services.publish_version(dataset, rows_csv(5), provenance="")
    assert corrected.pk == today.pk and corrected.uuid == today.uuid, "the CKAN resource id stays the same"
    assert dataset.versions.count() == 2 and corrected.row_count == 5
    assert corrected.provenance.startswith("исправление версии от")
    served = b"".join(client.get(corrected.get_absolute_url()).streaming_content)
    assert served == rows_csv(5)
    assert b"".join(client.get(earlier.get_absolute_url()).streaming_content) == earlier_bytes
    dataset.refresh_from_db()
    assert dataset.updated_at > before and dataset.provenance == corrected.provenance


def test_same_day_correction_may_change_the_columns_of_that_day():
    dataset = published_dataset()
    first = services.publish_version(dataset, rows_csv(2), provenance="")
    fewer = [f for f in FIELDS if f["name"] != "opened"]
    corrected = services.publish_version(
        dataset, rows_csv(2, fields=fewer), provenance="", structure_fields=fewer
    )
    assert corrected.pk == first.pk and corrected.structure.field_names == ["id", "name", "count"]
    assert DatasetStructure.objects.filter(dataset=dataset).count() == 2


def test_future_dated_version_is_refused_in_russian_and_staleness_does_not_move():
    dataset = published_dataset(version_date=date(2024, 3, 1))
    tomorrow = dataset.municipality.local_today() + timedelta(days=1)
    with pytest.raises(UploadError, match=r"еще не наступила"):
        services.publish_version(dataset, rows_csv(2), provenance="", version_date=tomorrow)
    dataset.refresh_from_db()
    assert dataset.modified == date(2024, 3, 1) and dataset.versions.count() == 1


def test_valid_is_the_date_until_which_the_set_is_current():
    """Recommendations v3.0: «дата актуальности» — until when the data are current, i.e. the next update."""
    dataset = published_dataset(version_date=date(2024, 3, 1), periodicity=Periodicity.QUARTERLY)
    assert dataset.valid == date(2024, 6, 1) == dataset.next_update_due
    version = services.publish_version(
        dataset, rows_csv(2), provenance="", version_date=date(2024, 4, 1), valid=date(2024, 12, 31)
    )
    assert version.valid == date(2024, 12, 31)
    with pytest.raises(UploadError, match="не может быть раньше даты версии"):
        services.publish_version(
            dataset, rows_csv(2), provenance="", version_date=date(2024, 5, 1), valid=date(2024, 4, 30)
        )
    as_needed = published_dataset(version_date=date(2024, 3, 1), periodicity=Periodicity.AS_NEEDED)
    assert as_needed.valid == date(2024, 3, 1)


def test_non_utf8_and_ragged_rows_are_refused():
    dataset = published_dataset()
    with pytest.raises(UploadError, match="UTF-8"):
        services.check_upload(dataset, "id,name\n1,Школа".encode("cp1251"))
    with pytest.raises(UploadError, match="Строка 3: 2 столбцов вместо 4"):
        services.check_upload(dataset, b"id,name,count,opened\r\n1,a,2,2024-01-01\r\n2,b\r\n")


def test_bad_structure_file_is_explained():
    from opendata.validation import parse_structure

    with pytest.raises(UploadError) as caught:
        parse_structure(
            formats.csv_bytes(
                [
                    ["field name", "english description", "russian description", "format"],
                    ["имя", "", "", "money"],
                ]
            )
        )
    assert any("только латинские буквы" in e for e in caught.value.errors)
    assert any("неизвестный формат «money»" in e for e in caught.value.errors)
