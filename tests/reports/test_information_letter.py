"""The information letter to the region (seed 004): its figures come from the registers, it is built once
per (municipality, period, number), and only the municipality's own staff build and download it."""

import io
from datetime import date, datetime, time, timedelta
from io import StringIO

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import Appeal, ServiceCentreFigures
from municipalities.models import StaffRole
from referents.models import AgendaItem, Council, Meeting
from reports import services, tasks
from reports.models import InformationLetter, ReportingPeriod
from surveys.models import Comment, Discussion
from surveys.services import open_discussion
from tests.factories import DepartmentFactory, OfficialFactory, RoadmapFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def letter_text(letter: InformationLetter) -> str:
    letter.refresh_from_db()
    assert letter.status == InformationLetter.Status.READY, letter.error
    with letter.file.open("rb") as f:
        document = docx.Document(io.BytesIO(f.read()))
    return "\n".join(p.text for p in document.paragraphs)


def _request(roadmap, *, period="2021-H2", number="01-01/1", user=None, **extra):
    values = {
        "roadmap": roadmap,
        "period": period,
        "number": number,
        "date": date(2021, 12, 23),
        "addressee": "Начальнику управления\nпо региональной политике\nИ.И. Иванову",
        "signatory_post": "Глава округа",
        "signatory_name": "П.П. Петров",
        "user": user,
    }
    return services.request_letter(**{**values, **extra})


def _draft_act(municipality, day: date, title: str) -> Discussion:
    return open_discussion(
        municipality=municipality,
        title=title,
        opens_at=datetime.combine(day, time(10), tzinfo=municipality.tz),
        kind=Discussion.Kind.DRAFT_ACT,
    )


def _comment(discussion, text, **extra) -> Comment:
    return Comment.objects.create(
        discussion=discussion,
        author_name="Житель",
        text=text,
        text_hash=text,
        status=extra.pop("status", Comment.Status.PUBLISHED),
        **extra,
    )


def _meeting(council, day: date, questions: int) -> Meeting:
    meeting = Meeting.objects.create(council=council, date=day, status=Meeting.Status.HELD)
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, order=i, title=f"вопрос {i}") for i in range(1, questions + 1)]
    )
    return meeting


@pytest.fixture
def roadmap():
    roadmap = RoadmapFactory(first_year=2021, last_year=2022, status="active")
    DepartmentFactory(municipality=roadmap.municipality, name="администрация Тестового округа")
    return roadmap


def test_the_seed_letter_regenerates_with_krasnogvardeyskys_figures(
    demo_data, django_capture_on_commit_callbacks
):
    from referents.demo.loader import load as load_referents
    from reports.demo.loader import load as load_reports
    from surveys.demo.loader import load as load_surveys

    load_referents()
    load_surveys()
    with django_capture_on_commit_callbacks(execute=True):
        letter = load_reports()["letter"]
    text = letter_text(letter)
    assert "прошли 37 проектов правовых актов" in text
    assert "замечаний и предложений по проектам правовых актов не поступало" in text
    assert "9 заседаний" in text and "10 вопросов" in text
    assert "129 обращений" in text and "«телефон доверия» - 10." in text
    assert (
        "На базе многофункционального центра предоставляется всего 290 услуг. На 21 декабря 2021 года "
        "обратилось 45939 человек, из них через удаленные пункты – 9312 человек."
    ) in text
    assert "от 19 марта 2021 г. № 95-р" in text  # the plan's act, read from the roadmap
    assert "Администрация Красногвардейского муниципального округа Ставропольского края направляет" in text
    # A second demo load finds the letter and builds nothing new.
    checksum = letter.checksum
    with django_capture_on_commit_callbacks(execute=True):
        again = load_reports()["letter"]
    assert again.pk == letter.pk and InformationLetter.objects.count() == 1
    again.refresh_from_db()
    assert again.checksum == checksum


def test_changing_the_data_changes_the_letter(roadmap, django_capture_on_commit_callbacks):
    municipality = roadmap.municipality
    first = _draft_act(municipality, date(2021, 3, 1), "Проект постановления о благоустройстве")
    _draft_act(municipality, date(2021, 9, 1), "Проект постановления о спорте")
    _draft_act(municipality, date(2020, 9, 1), "Прошлогодний проект")  # another year: not counted
    _comment(first, "Официальный ответ", is_official=True)  # the administration's reply is no remark
    _comment(first, "Реклама", status=Comment.Status.HIDDEN)  # hidden by the moderator: no remark
    with django_capture_on_commit_callbacks(execute=True):
        letter, created = _request(roadmap)
    assert created
    text = letter_text(letter)
    assert "замечаний и предложений по проектам правовых актов не поступало" in text
    assert "За II полугодие 2021 года заседания общественного совета не проводились." in text
    assert "За II полугодие 2021 года обращения граждан не поступали." in text
    before = letter.checksum

    _comment(first, "Предлагаю добавить скамейки")
    council = Council.objects.create(municipality=municipality, name="Общественный совет")
    _meeting(council, date(2021, 8, 5), 3)
    _meeting(council, date(2021, 11, 5), 2)
    _meeting(council, date(2021, 3, 5), 4)  # first half-year: outside the letter's period
    Meeting.objects.create(council=council, date=date(2021, 12, 1), status=Meeting.Status.PLANNED)
    for day, channel in [
        (date(2021, 7, 2), Appeal.Channel.TRUST_LINE),
        (date(2021, 10, 2), Appeal.Channel.WRITTEN),
        (date(2021, 12, 31), Appeal.Channel.RECEPTION),
        (date(2022, 1, 1), Appeal.Channel.TRUST_LINE),  # next year
    ]:
        Appeal.objects.create(municipality=municipality, received_on=day, channel=channel, answered_on=day)
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild_letter(letter)
    text = letter_text(letter)
    assert letter.checksum != before
    assert "поступило замечаний и предложений: 1." in text
    assert "не поступало" not in text
    assert "проведено 2 заседания общественного совета, где рассмотрено 5 вопросов." in text
    assert "поступило 3 обращения, из них поступивших на «телефон доверия» - 1." in text
    assert "На все обращения заявители получили ответы в установленный срок." in text


def test_appeals_answered_late_are_counted_as_such(roadmap, django_capture_on_commit_callbacks):
    Appeal.objects.create(
        municipality=roadmap.municipality,
        received_on=date(2021, 7, 1),
        channel=Appeal.Channel.WRITTEN,
        answered_on=date(2021, 9, 1),  # 62 days: past the 30-day term
    )
    Appeal.objects.create(
        municipality=roadmap.municipality, received_on=date(2021, 7, 1), channel=Appeal.Channel.WRITTEN
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter, _ = _request(roadmap, period="2021")
    text = letter_text(letter)
    assert "За 2021 год поступило 2 обращения" in text
    assert "Ответ в установленный срок дан на обращений: 0 из 2." in text


def test_the_builder_makes_the_same_queries_for_ten_or_a_hundred_rows(roadmap, django_assert_max_num_queries):
    municipality = roadmap.municipality
    council = Council.objects.create(municipality=municipality, name="Совет")
    letter, _ = _request(roadmap)

    def add(n):
        for i in range(n):
            d = _draft_act(municipality, date(2021, 1, 10) + timedelta(days=i % 300), f"проект {i} {n}")
            _comment(d, f"замечание {i} {n}")
            _meeting(council, date(2021, 7, 1) + timedelta(days=i % 150), 2)
            Appeal.objects.create(
                municipality=municipality, received_on=date(2021, 8, 1), channel="trust_line"
            )

    def queries() -> int:
        fresh = InformationLetter.objects.select_related(
            "roadmap__municipality", "roadmap__approving_act"
        ).get(pk=letter.pk)
        with CaptureQueriesContext(connection) as ctx:
            document = services.letter_document(fresh)
        return len(ctx.captured_queries), document

    add(10)
    small, document = queries()
    assert any("10 заседаний" in p for p in document.paragraphs)
    add(90)
    large, document = queries()
    assert any("100 заседаний" in p and "200 вопросов" in p for p in document.paragraphs)
    assert small == large
    fresh = InformationLetter.objects.select_related("roadmap__municipality", "roadmap__approving_act").get(
        pk=letter.pk
    )
    with django_assert_max_num_queries(4):  # draft acts, council meetings, appeals, service centre
        services.letter_document(fresh)


def test_one_letter_per_municipality_period_and_number(roadmap, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter, created = _request(roadmap)
    assert created and len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        same, created = _request(roadmap, addressee="Другому адресату")
    assert same.pk == letter.pk and not created and not callbacks  # nothing queued twice
    # The task delivered twice builds once.
    assert tasks.build_information_letter.apply(args=[letter.pk]).get() == "done"
    other_plan = RoadmapFactory(municipality=roadmap.municipality, first_year=2021, last_year=2021)
    with pytest.raises(ValidationError) as refused:
        _request(other_plan)
    assert "уже у письма" in refused.value.message_dict["number"][0]
    # Another period, or another number, is another letter.
    assert _request(roadmap, period="2022-H1")[1] and _request(roadmap, number="01-01/2")[1]
    assert InformationLetter.objects.count() == 3


def test_bad_input_is_refused_with_a_russian_message_and_nothing_saved(roadmap):
    with pytest.raises(ValidationError) as refused:
        _request(roadmap, period="2030", number=" ", signatory_name="")
    errors = refused.value.message_dict
    assert errors["period"] == ["Период вне срока действия дорожной карты (2021–2022)."]
    assert errors["number"] == ["Укажите исходящий номер письма."]
    assert errors["signatory_name"] == ["Укажите, кто подписывает письмо."]
    assert not InformationLetter.objects.exists()


def test_the_letter_text_is_written_as_text_not_markup(roadmap, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter, _ = _request(roadmap, subject="о <b>работе</b> & «открытости»\x07")
    text = letter_text(letter)
    assert "информацию о <b>работе</b> & «открытости»." in text  # kept literally, control character dropped


def test_the_letter_quotes_the_service_centres_latest_figures_of_its_period(
    roadmap, django_capture_on_commit_callbacks
):
    municipality = roadmap.municipality
    neighbour = RoadmapFactory(first_year=2021, last_year=2021).municipality
    ServiceCentreFigures.objects.create(
        municipality=neighbour, as_of=date(2021, 12, 21), services=9, applicants=9, remote_applicants=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter, _ = _request(roadmap)
    assert "многофункционального центра" not in letter_text(letter)  # none of its own: no sentence

    for as_of, services_, applicants, remote in [
        (date(2021, 6, 30), 280, 20000, 4000),  # the first half-year: before the letter's period
        (date(2021, 9, 30), 288, 30000, 6000),
        (date(2021, 12, 1), 302, 40022, 0),  # the latest of the period, no remote offices
        (date(2022, 1, 10), 310, 500, 100),  # after the period
    ]:
        ServiceCentreFigures.objects.create(
            municipality=municipality,
            as_of=as_of,
            services=services_,
            applicants=applicants,
            remote_applicants=remote,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild_letter(letter)
    text = letter_text(letter)
    assert (
        "На базе многофункционального центра предоставляется всего 302 услуги. "
        "На 1 декабря 2021 года обратилось 40022 человека."
    ) in text
    assert "удаленные пункты" not in text

    ServiceCentreFigures.objects.create(
        municipality=municipality, as_of=date(2021, 12, 31), services=301, applicants=41, remote_applicants=21
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild_letter(letter)
    assert (
        "предоставляется всего 301 услуга. На 31 декабря 2021 года обратился 41 человек, "
        "из них через удаленные пункты – 21 человек."
    ) in letter_text(letter)


def test_service_centre_figures_refuse_more_remote_applicants_than_applicants(roadmap):
    figures = ServiceCentreFigures(
        municipality=roadmap.municipality,
        as_of=date(2021, 12, 21),
        services=1,
        applicants=5,
        remote_applicants=6,
    )
    with pytest.raises(ValidationError) as refused:
        figures.full_clean()
    assert "больше людей, чем обратилось всего" in str(refused.value)


# --- Admin -------------------------------------------------------------------------------------------


def _form(period: ReportingPeriod, **extra) -> dict:
    return {
        "reporting_period": period.pk,
        "number": "07-04/1",
        "date": "23.12.2021",
        "addressee": "Начальнику управления",
        "reference": "",
        "subject": "",
        "sender": "",
        "signatory_post": "Глава",
        "signatory_name": "И.И. Иванов",
        "performer": "",
        **extra,
    }


def _coordinator(municipality, role=StaffRole.Role.COORDINATOR, **extra):
    return StaffRoleFactory(user=UserFactory(), municipality=municipality, role=role, **extra).user


def test_a_coordinator_builds_the_letter_in_the_admin_and_downloads_it(
    client, roadmap, django_capture_on_commit_callbacks
):
    client.force_login(_coordinator(roadmap.municipality))
    page = client.get(reverse("admin:reports_informationletter_add")).content.decode()
    assert "Сформировать информационное письмо" in page
    period = ReportingPeriod.objects.get(roadmap=roadmap, code="2021-H2")
    assert "II полугодие 2021 года" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_informationletter_add"), _form(period))
    assert response.status_code == 302
    letter = InformationLetter.objects.get()
    assert (letter.roadmap, letter.period, letter.sender) == (
        roadmap,
        "2021-H2",
        "Администрация Тестового округа",
    )
    assert letter.subject.startswith("о ходе реализации «")
    change = client.get(reverse("admin:reports_informationletter_change", args=[letter.pk])).content.decode()
    assert letter.get_download_url() in change
    download = client.get(letter.get_download_url())
    assert download.status_code == 200
    assert download["Digest"] == f"sha-256={letter.checksum}"
    assert "Информация" in "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(download))).paragraphs)
    # Submitting the same letter again shows the recorded one.
    response = client.post(reverse("admin:reports_informationletter_add"), _form(period), follow=True)
    assert "уже есть: показано оно" in response.content.decode()
    assert InformationLetter.objects.count() == 1


def test_the_admin_form_shows_bad_input_on_the_form(client, roadmap):
    client.force_login(_coordinator(roadmap.municipality))
    period = ReportingPeriod.objects.get(roadmap=roadmap, code="2021-H2")
    response = client.post(reverse("admin:reports_informationletter_add"), _form(period, signatory_name=" "))
    assert response.status_code == 200
    assert "Укажите, кто подписывает письмо." in response.content.decode()
    assert not InformationLetter.objects.exists()


def test_a_coordinator_of_another_municipality_can_neither_build_nor_download(
    client, roadmap, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter, _ = _request(roadmap)
    letter.refresh_from_db()
    stranger_plan = RoadmapFactory(first_year=2021, last_year=2021)
    client.force_login(_coordinator(stranger_plan.municipality))
    page = client.get(reverse("admin:reports_informationletter_add")).content.decode()
    foreign = ReportingPeriod.objects.get(roadmap=roadmap, code="2021-H2")
    assert f'value="{foreign.pk}"' not in page  # the other municipality's periods are not offered
    response = client.post(reverse("admin:reports_informationletter_add"), _form(foreign, number="X-1"))
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    assert InformationLetter.objects.count() == 1
    listing = client.get(reverse("admin:reports_informationletter_changelist")).content.decode()
    assert letter.number not in listing
    assert client.get(reverse("admin:reports_informationletter_change", args=[letter.pk])).status_code == 302
    assert client.get(letter.get_download_url()).status_code == 404
    client.logout()
    assert client.get(letter.get_download_url()).status_code == 404  # never public


def test_executors_and_supervisors_read_but_do_not_build(client, roadmap, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter, _ = _request(roadmap)
    letter.refresh_from_db()
    executor = _coordinator(roadmap.municipality, role=StaffRole.Role.EXECUTOR)
    supervisor = StaffRoleFactory(
        user=UserFactory(),
        municipality=None,
        role=StaffRole.Role.SUPERVISOR,
        region=roadmap.municipality.region,
    ).user
    for user in (executor, supervisor):
        client.force_login(user)
        assert client.get(reverse("admin:reports_informationletter_add")).status_code == 403
        assert client.get(letter.get_download_url()).status_code == 200
    with pytest.raises(PermissionDenied) as refused:
        services.rebuild_letter(letter, user=executor)
    assert "только координатор" in str(refused.value)


def test_the_add_form_prefills_the_signatory_from_the_officials_then_from_the_last_letter(
    client, roadmap, django_capture_on_commit_callbacks
):
    municipality = roadmap.municipality
    OfficialFactory(municipality=municipality, name="Петров Петр Петрович", post="заместитель главы округа")
    OfficialFactory(municipality=municipality, name="Сидорова А.Б.", post="главный специалист")
    OfficialFactory(municipality=municipality, name="Куликов Василий Иванович", post="глава Тестового округа")
    OfficialFactory(
        municipality=OfficialFactory().municipality, name="Чужой Ч.Ч.", post="Глава администрации"
    )
    client.force_login(_coordinator(municipality))
    add = reverse("admin:reports_informationletter_add")
    page = client.get(add).content.decode()
    assert ">\nГлава Тестового округа</textarea>" in page  # the head of the administration, capitalised
    assert 'value="В.И. Куликов"' in page  # initials first, as letters are signed

    period = ReportingPeriod.objects.get(roadmap=roadmap, code="2021-H2")
    form = _form(
        period, signatory_post="Исполняющий обязанности\nГлавы округа", signatory_name="В.И. Куликов"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(add, form).status_code == 302  # the prefill is only a suggestion: edited here
    assert InformationLetter.objects.get().signatory_post == "Исполняющий обязанности\nГлавы округа"
    page = client.get(add).content.decode()
    assert ">\nИсполняющий обязанности\nГлавы округа</textarea>" in page  # the last letter's signatory

    # A superuser picks the municipality through the period in the address; without it nothing is guessed.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert 'value="В.И. Куликов"' not in client.get(add).content.decode()
    page = client.get(f"{add}?reporting_period={period.pk}").content.decode()
    assert 'value="В.И. Куликов"' in page and f'<option value="{period.pk}" selected>' in page
    assert client.get(f"{add}?reporting_period=x").status_code == 200


def test_without_officials_the_letter_is_signed_by_the_head_named_on_the_administration(roadmap):
    from reports.selectors import default_signatory

    municipality = roadmap.municipality
    administration = DepartmentFactory(
        municipality=municipality, name="Администрация ЗАТО Тестовый", head_name="Драчев С.М."
    )
    DepartmentFactory(municipality=municipality, name="Совет депутатов", head_name="Иванов И.И.")
    DepartmentFactory(
        municipality=municipality, name="администрация посёлка", head_name="Чужой Ч.Ч.", parent=administration
    )  # not a top organ
    assert default_signatory(municipality.pk) == ("Глава Администрации ЗАТО Тестовый", "С.М. Драчев")

    # A head among the officials comes first: he is recorded with his own post.
    OfficialFactory(municipality=municipality, name="Куликов Василий Иванович", post="глава округа")
    assert default_signatory(municipality.pk) == ("Глава округа", "В.И. Куликов")


def test_nobody_is_guessed_when_no_head_is_known(roadmap):
    from reports.selectors import default_signatory

    DepartmentFactory(municipality=roadmap.municipality, name="Администрация округа", head_name="")
    DepartmentFactory(municipality=roadmap.municipality, name="Совет депутатов", head_name="Иванов И.И.")
    assert default_signatory(roadmap.municipality.pk) == ("", "")


def test_signature_names_are_written_initials_first():
    from reports.selectors import signature_name

    assert signature_name("Куликов Василий Иванович") == "В.И. Куликов"
    assert signature_name("Другова Л.В.") == "Л.В. Другова"
    assert signature_name("Другова Л. В.") == "Л.В. Другова"
    assert signature_name("К.А. Ишков") == "К.А. Ишков"
    assert signature_name("Ишков") == "Ишков"


# --- Management command ----------------------------------------------------------------------------


def test_the_command_records_builds_and_copies_the_letter(roadmap, tmp_path):
    out = tmp_path / "letter.docx"
    args = [
        "build_information_letter",
        "--municipality",
        roadmap.municipality.slug,
        "--period",
        "2021-H2",
        "--number",
        "07-04/11180",
        "--date",
        "23.12.2021",
        "--addressee",
        "Начальнику управления\\nА.Д.Литовкину",
        "--signatory-post",
        "Глава",
        "--signatory-name",
        "К.А. Ишков",
        "--output",
        str(out),
    ]
    stdout = StringIO()
    call_command(*args, stdout=stdout)
    assert "новое" in stdout.getvalue()
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "обращения граждан не поступали" in text
    letter = InformationLetter.objects.get()
    assert letter.addressee == "Начальнику управления\nА.Д.Литовкину"
    Appeal.objects.create(
        municipality=roadmap.municipality, received_on=date(2021, 9, 1), channel="trust_line"
    )
    stdout = StringIO()
    call_command(*args, stdout=stdout)
    assert "уже было" in stdout.getvalue() and InformationLetter.objects.count() == 1
    call_command(*args, "--rebuild", stdout=StringIO())
    assert "поступило 1 обращение" in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)


def test_the_letters_list_costs_the_same_for_two_or_twenty_letters(client, roadmap):
    user = _coordinator(roadmap.municipality)
    client.force_login(user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("admin:reports_informationletter_changelist")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        _request(roadmap, number=f"A-{i}", user=user)
    few = count_queries()
    for i in range(18):
        _request(roadmap, number=f"B-{i}", user=user)
    assert count_queries() == few


def test_the_command_signs_with_the_head_when_no_signatory_is_given(roadmap, tmp_path):
    args = [
        "build_information_letter",
        "--roadmap",
        str(roadmap.pk),
        "--period",
        "2021",
        "--number",
        "1",
        "--date",
        "23.12.2021",
        "--addressee",
        "Начальнику управления",
    ]
    with pytest.raises(CommandError) as refused:  # nobody to sign: said so, nothing saved
        call_command(*args, stdout=StringIO())
    assert "Укажите должность подписывающего." in str(refused.value)
    assert not InformationLetter.objects.exists()
    OfficialFactory(municipality=roadmap.municipality, name="Ишков К.А.", post="Глава Тестового округа")
    out = tmp_path / "letter.docx"
    call_command(*args, "--output", str(out), stdout=StringIO())
    letter = InformationLetter.objects.get()
    assert (letter.signatory_post, letter.signatory_name) == ("Глава Тестового округа", "К.А. Ишков")
    signature = docx.Document(str(out)).tables[-1]
    assert [cell.text for cell in signature.rows[0].cells] == ["Глава Тестового округа", "К.А. Ишков"]

    # A post given alone is not signed with the head's name: the missing name is asked for.
    with pytest.raises(CommandError) as half:
        call_command(*args, "--number", "2", "--signatory-post", "Заместитель главы", stdout=StringIO())
    assert "Укажите, кто подписывает письмо." in str(half.value)
    assert InformationLetter.objects.count() == 1
