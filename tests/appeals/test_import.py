"""An office's XLSX journal goes into the register whole or not at all, without the applicants' names."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from appeals import services
from appeals.models import Appeal
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory

from .factories import journal_xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    [
        1,
        "15-01",
        "12.01.2022",
        "Иванов Иван Иванович",
        "с. Левокумское, ул. Мира, 1",
        "Письменно",
        "ремонт крыши",
        "20.01.2022",
    ],
    [
        2,
        "15-02",
        datetime(2022, 2, 3),
        "Петрова А. А.",
        "ул. Садовая, 5",
        "Телефон доверия",
        "водоснабжение",
        datetime(2022, 3, 30),
    ],
    [
        3,
        "15-03",
        date(2022, 2, 10),
        "Сидоров С. С.",
        "",
        "личный прием главы",
        "улучшение жилищных условий",
        None,
    ],
    [4, "15-04", "14.03.2022", "Смирнова О. П.", "", "через ПОС", "дороги", "15.03.2022"],
]


def test_journal_is_imported_with_channels_dates_and_no_personal_data():
    municipality = MunicipalityFactory()
    result = services.import_journal(municipality, journal_xlsx(ROWS))

    assert (result.created, result.updated) == (4, 0)
    assert result.dropped_columns == ["ФИО заявителя", "Адрес"]
    appeals = {a.external_number: a for a in Appeal.objects.filter(municipality=municipality)}
    assert appeals["15-01"].channel == Appeal.Channel.WRITTEN
    assert appeals["15-02"].channel == Appeal.Channel.TRUST_LINE
    assert appeals["15-03"].channel == Appeal.Channel.RECEPTION
    assert appeals["15-04"].channel == Appeal.Channel.POS
    assert appeals["15-01"].received_on == date(2022, 1, 12)
    assert appeals["15-01"].due_on == date(2022, 2, 11)  # 30 days by default (59-FZ)
    assert appeals["15-01"].answered_on_time is True
    assert appeals["15-02"].answered_on_time is False  # answered after 30 days
    stored = " ".join(str(v) for v in Appeal.objects.values_list("topic", "external_number"))
    for name in ("Иванов", "Петрова", "Мира"):
        assert name not in stored


def test_importing_the_same_journal_again_updates_instead_of_duplicating():
    municipality = MunicipalityFactory()
    services.import_journal(municipality, journal_xlsx(ROWS))
    changed = [row[:] for row in ROWS]
    changed[2][7] = "01.03.2022"
    result = services.import_journal(municipality, journal_xlsx(changed))

    assert (result.created, result.updated) == (0, 4)
    assert Appeal.objects.count() == 4
    assert Appeal.objects.get(external_number="15-03").answered_on == date(2022, 3, 1)


def test_one_bad_cell_saves_nothing_and_names_row_and_column():
    municipality = MunicipalityFactory()
    bad = [row[:] for row in ROWS]
    bad[1][7] = "вчера"
    bad[3][5] = "семафор"
    with pytest.raises(ValidationError) as error:
        services.import_journal(municipality, journal_xlsx(bad))

    messages = error.value.messages
    assert "Строка 5, столбец «Дата ответа»: «вчера» — не дата (ожидается ДД.ММ.ГГГГ)." in messages
    assert any(
        m.startswith("Строка 7, столбец «Способ обращения»: неизвестный канал «семафор»") for m in messages
    )
    assert Appeal.objects.count() == 0


def test_a_sheet_without_date_and_channel_columns_is_refused():
    with pytest.raises(ValidationError, match="Не найдена строка заголовков"):
        services.import_journal(MunicipalityFactory(), journal_xlsx([["x"]], header=["Заявитель", "Тема"]))


def test_a_file_that_is_not_xlsx_is_refused_in_russian():
    with pytest.raises(ValidationError, match="не читается как книга Excel"):
        services.import_journal(MunicipalityFactory(), SimpleUploadedFile("j.xlsx", b"not a workbook"))


def test_headers_are_recognised_by_meaning():
    header = [
        "Вх. №",
        "Дата регистрации",
        "Форма обращения",
        "Суть вопроса",
        "Срок рассмотрения",
        "Дата исполнения",
    ]
    rows = [["7", "01.02.2023", "электронная почта", "освещение", "10.02.2023", "09.02.2023"]]
    services.import_journal(municipality := MunicipalityFactory(), journal_xlsx(rows, header=header))
    appeal = Appeal.objects.get(municipality=municipality)
    assert (appeal.external_number, appeal.channel, appeal.topic) == ("7", "electronic", "освещение")
    assert (appeal.due_on, appeal.answered_on, appeal.answered_on_time) == (
        date(2023, 2, 10),
        date(2023, 2, 9),
        True,
    )


def test_management_command_imports_and_reports_errors(tmp_path, capsys):
    municipality = MunicipalityFactory(slug="levokumsky-test")
    path = tmp_path / "journal.xlsx"
    path.write_bytes(journal_xlsx(ROWS).getvalue())
    call_command("import_appeals", "levokumsky-test", str(path))
    assert "Загружено новых обращений: 4" in capsys.readouterr().out
    assert Appeal.objects.filter(municipality=municipality).count() == 4

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(journal_xlsx([[1, "x", "не дата", "", "", "письменно", "", ""]]).getvalue())
    with pytest.raises(CommandError, match="Строка 4, столбец «Дата поступления»"):
        call_command("import_appeals", "levokumsky-test", str(bad))
    with pytest.raises(CommandError, match="Нет муниципального образования"):
        call_command("import_appeals", "nowhere", str(path))


def test_coordinator_uploads_a_journal_in_the_admin_for_their_own_municipality_only(client):
    role = StaffRoleFactory()
    other = MunicipalityFactory()
    client.force_login(role.user)
    page = client.get("/admin/appeals/appeal/upload/")
    assert page.status_code == 200
    assert other.name not in page.content.decode()

    refused = client.post(
        "/admin/appeals/appeal/upload/", {"municipality": other.pk, "file": journal_xlsx(ROWS)}
    )
    assert refused.status_code == 200 and Appeal.objects.count() == 0

    response = client.post(
        "/admin/appeals/appeal/upload/",
        {"municipality": role.municipality_id, "file": journal_xlsx(ROWS)},
        follow=True,
    )
    assert "Журнал загружен: 4 новых обращения" in response.content.decode()
    assert set(Appeal.objects.values_list("municipality_id", flat=True)) == {role.municipality_id}


def test_admin_upload_shows_the_row_errors_and_saves_nothing(client):
    role = StaffRoleFactory()
    client.force_login(role.user)
    bad = [[1, "x", "01.02.2022", "", "", "голубем", "", ""]]
    response = client.post(
        "/admin/appeals/appeal/upload/", {"municipality": role.municipality_id, "file": journal_xlsx(bad)}
    )
    assert "неизвестный канал «голубем»" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_supervisor_cannot_upload():
    from municipalities.models import StaffRole

    role = StaffRoleFactory(role=StaffRole.Role.SUPERVISOR, municipality=None, user=UserFactory())
    from django.test import Client

    client = Client()
    client.force_login(role.user)
    assert client.get("/admin/appeals/appeal/upload/").status_code == 403


@pytest.mark.parametrize("who", ["coordinator", "supervisor", "superuser"])
def test_register_admin_pages_open_scoped_to_the_users_municipalities(client, who):
    from municipalities.models import StaffRole

    from .factories import AppealFactory

    own = AppealFactory(topic="своя тема")
    AppealFactory(topic="чужая тема", municipality=MunicipalityFactory(region="Алтайский край"))
    if who == "superuser":
        user = UserFactory(is_superuser=True)
    elif who == "supervisor":
        user = StaffRoleFactory(
            role=StaffRole.Role.SUPERVISOR,
            municipality=None,
            region=own.municipality.region,
            user=UserFactory(),
        ).user
    else:
        user = StaffRoleFactory(municipality=own.municipality).user
    client.force_login(user)
    html = client.get("/admin/appeals/appeal/").content.decode()
    assert "своя тема" in html
    assert ("чужая тема" in html) is (who == "superuser")
    assert client.get(f"/admin/appeals/appeal/{own.pk}/change/").status_code == 200
