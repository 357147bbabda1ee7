"""What `make run` promises about the seed roadmaps, checked through the public API."""

from datetime import date

import pytest

pytestmark = pytest.mark.django_db


def _roadmap_id(client, act_fragment):
    roadmaps = client.get("/api/v1/roadmaps/").json()["results"]
    return next(r for r in roadmaps if act_fragment in (r["approving_act"] or {}).get("number", ""))


def _measures(client, roadmap_id):
    data = client.get(f"/api/v1/measures/?roadmap={roadmap_id}&page_size=100").json()
    measures = list(data["results"])
    while data["next"]:
        data = client.get(data["next"]).json()
        measures += data["results"]
    return {m["number"]: m for m in measures}


def test_api_lists_both_seed_roadmaps_with_their_measures(client, demo_data):
    khmr = _roadmap_id(client, "148-р")
    zato = _roadmap_id(client, "122-р")
    assert khmr["measure_count"] == 10
    assert zato["measure_count"] == 34
    assert len(_measures(client, khmr["id"])) == 10
    assert len(_measures(client, zato["id"])) == 34


def test_khmr_measure_3_has_seven_december_deadlines(client, demo_data):
    measures = _measures(client, _roadmap_id(client, "148-р")["id"])
    m3 = measures["3"]
    assert m3["deadline_kind"] == "yearly"
    assert [d["due_date"] for d in m3["deadlines"]] == [f"{y}-12-20" for y in range(2019, 2026)]
    assert [d["period"] for d in m3["deadlines"]] == [str(y) for y in range(2019, 2026)]
    # the lead executor comes first
    assert m3["executors"][0]["lead"] is True
    assert "кадровой работы" in m3["executors"][0]["name"]


def test_khmr_measure_4_kpi_targets_one_to_seven(client, demo_data):
    m4 = _measures(client, _roadmap_id(client, "148-р")["id"])["4"]
    targets = m4["kpis"][0]["targets"]
    assert [(t["year"], float(t["value"])) for t in targets] == [(2019 + i, i + 1.0) for i in range(7)]


def test_zato_deadlines_quarter_and_quarterly(client, demo_data):
    measures = _measures(client, _roadmap_id(client, "122-р")["id"])
    assert [d["due_date"] for d in measures["2.2"]["deadlines"]] == ["2018-06-30"]
    assert measures["2.2"]["deadlines"][0]["period"] == "2 кв. 2018"
    assert [d["due_date"] for d in measures["2.4"]["deadlines"]] == [
        "2018-03-31",
        "2018-06-30",
        "2018-09-30",
        "2018-12-31",
    ]


def test_relative_and_as_needed_measures_have_no_invented_dates(client, demo_data):
    khmr = _measures(client, _roadmap_id(client, "148-р")["id"])
    zato = _measures(client, _roadmap_id(client, "122-р")["id"])
    assert khmr["7"]["deadline_kind"] == "relative" and khmr["7"]["deadlines"] == []
    assert khmr["10"]["deadline_kind"] == "relative" and khmr["10"]["deadlines"] == []
    assert zato["5.6"]["deadline_kind"] == "as_needed"
    assert all(d["due_date"] is None for d in zato["5.6"]["deadlines"])
    assert zato["5.1"]["deadline_kind"] == "relative" and zato["5.1"]["deadlines"] == []


def test_an_empty_deadline_cell_is_flagged_not_dropped(client, demo_data):
    zato = _measures(client, _roadmap_id(client, "122-р")["id"])
    assert zato["1.4"]["needs_clarification"] is True
    assert zato["1.4"]["title"].startswith("Размещение на сайте информации о противодействии коррупции")


def test_completing_a_measure_creates_the_deadline_that_counts_from_it(demo_data):
    from roadmaps.models import Measure
    from roadmaps.services import complete_deadline, record_event

    roadmap = demo_data["roadmaps"]["khmr-2019"]
    m6 = Measure.objects.get(roadmap=roadmap, number="6")
    m7 = Measure.objects.get(roadmap=roadmap, number="7")
    complete_deadline(m6.deadlines.get(period="2024"), date(2024, 4, 26))  # a Friday before the May holidays
    # «не позднее 3 рабочих дней от даты предоставления отчета»: 27.04 (a worked Saturday), then
    # 29.04–01.05 are days off, so 02.05 and 03.05.
    deadline = m7.deadlines.get()
    assert deadline.due_date == date(2024, 5, 3)
    assert deadline.origin == "event"
    # recording the same event again creates nothing new
    record_event(m7, date(2024, 4, 26))
    assert m7.deadlines.count() == 1


def test_load_demo_twice_duplicates_nothing(demo_data):
    from municipalities.models import Municipality
    from roadmaps.demo.loader import load
    from roadmaps.models import Deadline, Measure, ProgressEntry

    counts = (
        Municipality.objects.count(),
        Measure.objects.count(),
        Deadline.objects.count(),
        ProgressEntry.objects.count(),
    )
    load()
    assert counts == (
        Municipality.objects.count(),
        Measure.objects.count(),
        Deadline.objects.count(),
        ProgressEntry.objects.count(),
    )
    assert counts[0] == 5


def test_public_measure_page_shows_kpi_chart_and_accepted_progress_only(client, demo_data):
    from roadmaps.models import Measure, ProgressEntry

    roadmap = demo_data["roadmaps"]["khmr-2019"]
    m4 = Measure.objects.get(roadmap=roadmap, number="4")
    ProgressEntry.objects.create(measure=m4, period="2022", text="Черновик <script>alert(1)</script>")
    html = client.get(f"/m/khanty-mansiysky/roadmaps/{roadmap.pk}/measures/{m4.pk}/").content.decode()
    assert "<svg" in html and "2022: план 4" in html and "2022: факт 4" in html
    assert "Черновик" not in html  # drafts are never public
    assert "<script>" not in html


def test_roadmap_page_shows_sections_statuses_and_escapes_text(client, demo_data):
    from roadmaps.models import Measure

    roadmap = demo_data["roadmaps"]["zato-2018"]
    Measure.objects.filter(roadmap=roadmap, number="1.1").update(title="<b>жирный</b> & «кавычки»")
    html = client.get(f"/m/zato-sibirsky/roadmaps/{roadmap.pk}/").content.decode()
    assert "1. Реализация принципа информационной открытости органа власти" in html
    assert "&lt;b&gt;жирный&lt;/b&gt; &amp; «кавычки»" in html
    assert "требует уточнения" in html  # measure 1.4 has an empty deadline cell
    # «по мере необходимости» is work that goes on, not «не применимо».
    filtered = client.get(f"/m/zato-sibirsky/roadmaps/{roadmap.pk}/?status=ongoing").content.decode()
    assert "<td>5.6</td>" in filtered and "<td>2.2</td>" not in filtered


def _history_rows() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    }


def test_a_second_load_demo_adds_no_history_rows(settings):
    """A second `make run` changes nothing, so the change history of KPI values and plans stays as it was."""
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    first = _history_rows()
    assert first["roadmaps.HistoricalKpiActual"] > 0  # the demo does write KPI actuals
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert _history_rows() == first
    assert "значений показателя записано: 0" in output.getvalue()


def test_levokumsky_2022_annual_report_counts_the_seven_open_data_sets_of_seed_002(settings):
    """Seed 002 (first half of 2022): «размещено 7 наборов открытых данных» — the 2022 report says 7, not 0."""
    from io import StringIO

    from django.core.management import call_command

    from openness_portal.periods import Period
    from reports.selectors import roadmap_report
    from roadmaps.models import Roadmap

    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    roadmap = Roadmap.objects.get(municipality__slug="levokumsky", approving_act__number="165-р")
    document = roadmap_report(roadmap, Period.parse("2022"), annual=True, today=date(2023, 2, 1))
    totals = dict(next(s for s in document.summaries if s.title.startswith("Итоги")).rows)
    assert totals["Наборов открытых данных в реестре на конец года"] == 7
