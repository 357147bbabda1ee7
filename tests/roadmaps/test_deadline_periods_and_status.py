"""Which deadline an entry closes, what is due after approval, and one status rule for badge, filter and API."""

import re
from datetime import date

import pytest
from django.urls import reverse

from municipalities.models import StaffRole
from roadmaps.models import Deadline, LegalAct, ProgressEntry
from roadmaps.services import set_deadline_rule
from tests.factories import (
    DepartmentFactory,
    MeasureExecutorFactory,
    MeasureFactory,
    OfficialFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr><td>(?P<number>[^<]*)</td><td><a href="[^"]*">.*?</a></td><td>(?P<executors>.*?)</td>'
    r'<td>(?P<deadline>.*?)</td><td><span class="badge badge-(?P<status>[a-z_]+)">',
    re.S,
)


def table(client, roadmap, query=""):
    html = client.get(f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/{query}").content.decode()
    return {m["number"]: m for m in ROW.finditer(html)}


@pytest.fixture
def plan():
    """A plan approved 23.06.2021 for 2021–2022, with an executor and a coordinator who use the API."""
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    roadmap.approving_act.date = date(2021, 6, 23)
    roadmap.approving_act.save()
    section = SectionFactory(roadmap=roadmap)
    department = DepartmentFactory(municipality=roadmap.municipality)
    executor = UserFactory(username="executor")
    OfficialFactory(municipality=roadmap.municipality, department=department, user=executor)
    StaffRoleFactory(user=executor, role=StaffRole.Role.EXECUTOR, municipality=roadmap.municipality)
    coordinator = StaffRoleFactory(user=UserFactory(username="coord"), municipality=roadmap.municipality).user

    def measure(number, deadline_text):
        m = MeasureFactory(section=section, roadmap=roadmap, number=number)
        MeasureExecutorFactory(measure=m, department=department)
        set_deadline_rule(m, deadline_text)
        return m

    return {"roadmap": roadmap, "executor": executor, "coordinator": coordinator, "measure": measure}


def file_and_accept(client, plan, measure, period, **extra):
    client.force_login(plan["executor"])
    created = client.post(
        "/api/v1/progress-entries/",
        {"measure": measure.pk, "period": period, "text": "Отчеты руководителей проведены.", **extra},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    client.post(f"/api/v1/progress-entries/{entry_id}/submit/")
    client.force_login(plan["coordinator"])
    accepted = client.post(f"/api/v1/progress-entries/{entry_id}/accept/")
    assert accepted.status_code == 200, accepted.content
    return accepted.json()


# --- 1. an entry closes the deadline of its own period -----------------------------------------------


def test_half_year_entry_closes_that_years_annual_deadline_not_last_years_overdue_one(client, plan):
    measure = plan["measure"]("5", "ежегодно")  # yearly, due 31 December
    answer = file_and_accept(client, plan, measure, "2022-H1", completed_on="2022-05-20")
    assert answer["notice"] == ""
    done = {d.period: d for d in measure.deadlines.all()}
    assert done["2022"].completed_on == date(2022, 5, 20)
    assert done["2022"].status(date(2023, 1, 10)) == Deadline.Status.DONE_ON_TIME
    assert done["2021"].completed_on is None  # the 2021 report was never filed: it stays overdue


def test_entry_within_a_period_closes_the_deadline_due_in_it(client, plan):
    measure = plan["measure"]("1", "ежегодно, до 01 марта")
    file_and_accept(client, plan, measure, "2022-H1", completed_on="2022-02-25")
    assert list(measure.deadlines.exclude(completed_on=None).values_list("due_date", flat=True)) == [
        date(2022, 3, 1)
    ]


def test_entry_for_a_period_without_a_deadline_completes_nothing_and_says_so(client, plan):
    measure = plan["measure"]("2", "до 1 октября 2021 года")
    answer = file_and_accept(client, plan, measure, "2022-H1")
    assert "нет открытого срока за этот период" in answer["notice"]
    assert "I полугодие 2022 года" in answer["notice"]
    assert answer["status"] == "accepted"
    deadline = measure.deadlines.get()
    assert deadline.completed_on is None and ProgressEntry.objects.get(pk=answer["id"]).deadline is None


def test_admin_tells_the_coordinator_when_accepting_closed_no_deadline(client, plan):
    measure = plan["measure"]("2", "до 1 октября 2021 года")
    entry = ProgressEntry.objects.create(
        measure=measure, period="2022-H1", text="Сделано.", status=ProgressEntry.Status.SUBMITTED
    )
    client.force_login(plan["coordinator"])
    response = client.post(
        reverse("admin:roadmaps_progressentry_changelist"),
        {"action": "accept_selected", "_selected_action": [entry.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Принято: 1" in page
    assert "срок не закрыт: у мероприятия 2 нет открытого срока за этот период" in page
    assert measure.deadlines.get().completed_on is None


def test_a_deadline_of_another_period_is_refused_with_a_russian_message(client, plan):
    measure = plan["measure"]("5", "ежегодно")
    deadline_2021 = measure.deadlines.get(period="2021")
    client.force_login(plan["executor"])
    refused = client.post(
        "/api/v1/progress-entries/",
        {"measure": measure.pk, "period": "2022-H1", "text": "Сделано.", "deadline": deadline_2021.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "не относится к отчетному периоду «I полугодие 2022 года»" in str(refused.json())
    assert not ProgressEntry.objects.exists()


def test_the_demo_half_year_entries_close_2022_not_2021(demo_data):
    levokumsky = demo_data["roadmaps"]["levokumsky-2021"]
    for number in ("5", "6.1", "6.2", "6.3", "6.5"):
        deadlines = {
            d.period: d for d in Deadline.objects.filter(measure__roadmap=levokumsky, measure__number=number)
        }
        assert deadlines["2022"].completed_on == date(2022, 6, 30), number
        assert deadlines["2021"].completed_on is None, number


# --- 2. nothing is due before the approving act ------------------------------------------------------


def test_no_deadline_before_the_approving_act_but_periods_ending_after_it_stay(plan):
    march = plan["measure"]("1", "ежегодно, до 01 марта")
    assert sorted(march.deadlines.values_list("due_date", flat=True)) == [date(2022, 3, 1)]
    quarterly = plan["measure"]("2", "ежеквартально")
    dues = sorted(quarterly.deadlines.values_list("due_date", flat=True))
    assert date(2021, 3, 31) not in dues  # the first quarter ended before approval
    assert date(2021, 6, 30) in dues  # the second started before it but ends after: still due
    ongoing = plan["measure"]("3", "постоянно")
    assert sorted(ongoing.deadlines.values_list("period", flat=True)) == ["2021", "2022"]


def test_moving_the_approval_later_drops_open_deadlines_that_fall_before_it(plan):
    measure = plan["measure"]("1", "ежегодно, до 01 марта")
    act = LegalAct.objects.create(
        municipality=plan["roadmap"].municipality, number="9-р", date=date(2022, 4, 1), title="Новая редакция"
    )
    plan["roadmap"].approving_act = act
    plan["roadmap"].save()
    set_deadline_rule(measure, "ежегодно, до 01 марта")
    assert not measure.deadlines.exists()


def test_levokumsky_page_counts_nothing_overdue_before_its_approval(client, demo_data):
    levokumsky = demo_data["roadmaps"]["levokumsky-2021"]
    assert not Deadline.objects.filter(measure__roadmap=levokumsky, due_date__lt=date(2021, 6, 23)).exists()
    rows = table(client, levokumsky)
    shown = " ".join(row["deadline"] for row in rows.values())
    assert "не исполнено с 31.12.2021" in shown  # the «ежегодно» 2021 deadlines after approval stay
    assert "01.03.2021" not in shown and "01.05.2021" not in shown


# --- 3. one status rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["khmr-2019", "levokumsky-2021", "zato-2018"])
def test_unfiltered_badge_and_status_filter_agree_for_every_measure(client, demo_data, key):
    roadmap = demo_data["roadmaps"][key]
    year = roadmap.last_year  # the demo plans have ended: the unfiltered table shows their last year
    badges = {number: row["status"] for number, row in table(client, roadmap).items()}
    assert len(badges) == roadmap.measures.count()
    for code, _label in Deadline.Status.choices:
        expected = {n for n, status in badges.items() if status == code}
        assert set(table(client, roadmap, f"?status={code}&year={year}")) == expected, code
        api = client.get(f"/api/v1/measures/?roadmap={roadmap.pk}&status={code}&year={year}&page_size=500")
        results = api.json()["results"] if isinstance(api.json(), dict) else api.json()
        assert {m["number"] for m in results} == expected, code
        assert all(m["status"] == code and m["status_year"] == year for m in results)


def test_overdue_2025_filter_matches_the_badge_on_the_default_table(client, demo_data):
    khmr = demo_data["roadmaps"]["khmr-2019"]
    default = table(client, khmr)  # the demo's years end in 2025: the table shows «Статус 2025»
    overdue = {n for n, row in default.items() if row["status"] == "overdue"}
    assert overdue and set(table(client, khmr, "?status=overdue&year=2025")) == overdue


def test_continuous_part_shows_as_ongoing_not_not_applicable(client, demo_data):
    levokumsky = demo_data["roadmaps"]["levokumsky-2021"]
    measure = levokumsky.measures.get(number="7.2")  # «постоянно», no entry in seed 002
    html = client.get(measure.get_absolute_url()).content.decode()
    timeline = html[
        html.index('<ol class="timeline">') : html.index("</ol>", html.index('<ol class="timeline">'))
    ]
    assert timeline.count("выполняется постоянно") == 5
    assert "не применимо" not in timeline and "без даты" not in timeline
    assert table(client, levokumsky)["7.2"]["status"] == "ongoing"


def test_two_part_measure_shows_one_coherent_status(client, demo_data):
    khmr = demo_data["roadmaps"]["khmr-2019"]
    row = table(client, khmr)["2"]  # «формирование базы – до 1 мая 2019 года; ведение базы – постоянно»
    assert "не исполнено с 01.05.2019" in row["deadline"]
    assert row["status"] == "overdue"


def test_sql_and_python_status_rules_agree():
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    measure = MeasureFactory(roadmap=roadmap, section__roadmap=roadmap)
    today = date(2022, 6, 15)
    cases = []
    for due in (None, date(2022, 1, 10), date(2022, 6, 20), date(2022, 9, 1)):
        for completed in (None, date(2022, 1, 5), date(2022, 6, 1)):
            for not_applicable in (False, True):
                for reporting_only in (False, True):
                    cases.append((due, completed, not_applicable, reporting_only))
    for i, (due, completed, not_applicable, reporting_only) in enumerate(cases):
        Deadline.objects.create(
            measure=measure,
            slot=f"case:{i}",
            origin=Deadline.Origin.MANUAL,
            due_date=due,
            completed_on=completed,
            not_applicable=not_applicable,
            reporting_only=reporting_only,
        )
    annotated = Deadline.objects.filter(measure=measure).with_status(today)
    assert len(annotated) == len(cases)
    seen = set()
    for d in annotated:
        assert d.status_code == d.status(today), (
            d.due_date,
            d.completed_on,
            d.not_applicable,
            d.reporting_only,
        )
        seen.add(d.status_code)
    assert seen == {code for code, _label in Deadline.Status.choices}


def test_an_imported_plan_has_nothing_due_before_its_act():
    from importing.services import ImportOptions, import_roadmap_file
    from tests.factories import MunicipalityFactory
    from tests.importing.test_import_variants import make_xlsx

    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        ["1", "Мониторинг открытых данных", "ежегодно, до 01 марта", "Бегишева Н.А."],
    ]
    options = ImportOptions(
        first_year=2021, last_year=2022, act_number="165-р", act_date=date(2021, 6, 23), act_title="О плане"
    )
    roadmap, _result = import_roadmap_file(make_xlsx(rows), "plan.xlsx", MunicipalityFactory(), options)
    dues = Deadline.objects.filter(measure__roadmap=roadmap).values_list("due_date", flat=True)
    assert list(dues) == [date(2022, 3, 1)]
