"""Counts per channel, month and year, the public page, the API, and what reports and KPIs get."""

from datetime import date
from decimal import Decimal

import pytest

from appeals import reporting, selectors, services
from appeals.models import Appeal
from municipalities.models import Municipality
from roadmaps.models import Kpi, KpiActual
from tests.factories import KpiFactory, MeasureFactory, MunicipalityFactory, RoadmapFactory

from .factories import AppealFactory

pytestmark = pytest.mark.django_db
C = Appeal.Channel


def test_demo_counts_come_out_as_the_seeds_print_them(demo_data):
    krasnogvardeisky = Municipality.objects.get(slug="krasnogvardeisky")
    levokumsky = Municipality.objects.get(slug="levokumsky")

    k2021 = selectors.year_totals([krasnogvardeisky.pk], 2021)[krasnogvardeisky.pk]
    assert k2021["total"] == 129  # seed 004: «поступило 129 обращений»
    assert k2021["by_channel"][C.TRUST_LINE] == 10  # «на Телефон доверия Главы — 10»
    assert k2021["on_time"] == 129  # «на все обращения заявители получили квалифицированные ответы»
    half = Appeal.objects.filter(
        municipality=krasnogvardeisky, received_on__range=(date(2021, 7, 1), date(2021, 12, 31))
    )
    assert half.count() == 129

    l2022 = selectors.year_totals([levokumsky.pk], 2022)[levokumsky.pk]
    assert l2022["by_channel"] == {C.TRUST_LINE: 7, C.RECEPTION: 4}  # seed 002

    from appeals.demo.loader import load

    load()  # idempotent: a second load adds nothing
    assert Appeal.objects.filter(municipality=krasnogvardeisky).count() == 129


def test_public_page_shows_counts_by_channel_and_month_without_personal_data(
    client, django_assert_max_num_queries
):
    municipality = MunicipalityFactory()
    AppealFactory(municipality=municipality, received_on=date(2022, 1, 15), channel=C.TRUST_LINE)
    AppealFactory(municipality=municipality, received_on=date(2022, 1, 20), channel=C.TRUST_LINE)
    AppealFactory(
        municipality=municipality, received_on=date(2022, 5, 2), channel=C.RECEPTION, answered_on=None
    )
    AppealFactory(municipality=municipality, received_on=date(2021, 5, 2), channel=C.WRITTEN)

    with django_assert_max_num_queries(5):
        response = client.get(f"/m/{municipality.slug}/appeals/?year=2022")
    assert response.status_code == 200
    table = selectors.channel_month_counts(municipality, 2022)
    trust = next(r for r in table["rows"] if r["channel"] == C.TRUST_LINE)
    assert trust["months"][0] == 2 and trust["total"] == 2
    assert table["total"] == 3
    html = response.content.decode()
    assert "телефон доверия" in html and "сведения о заявителях не публикуются" in html
    summary = selectors.yearly_summary(municipality)
    assert [(y["year"], y["total"], y["on_time"]) for y in summary] == [(2022, 3, 2), (2021, 1, 1)]


def test_page_queries_do_not_grow_with_the_number_of_appeals(client, django_assert_max_num_queries):
    municipality = MunicipalityFactory()
    Appeal.objects.bulk_create(
        [
            Appeal(
                municipality=municipality,
                received_on=date(2022, 1 + i % 12, 1),
                channel=C.WRITTEN,
                due_on=date(2022, 12, 31),
            )
            for i in range(300)
        ]
    )
    with django_assert_max_num_queries(5):
        assert client.get(f"/m/{municipality.slug}/appeals/").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/appeals/").status_code == 200


def test_api_lists_appeals_without_personal_fields(client):
    appeal = AppealFactory(external_number="15-01")
    AppealFactory(received_on=date(2021, 1, 1))
    data = client.get(f"/api/v1/appeals/?municipality__slug={appeal.municipality.slug}&year=2022").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert set(row) == {
        "id",
        "municipality",
        "received_on",
        "channel",
        "channel_display",
        "topic",
        "due_on",
        "answered_on",
        "answered_on_time",
        "external_number",
    }
    assert row["answered_on_time"] is True and row["channel_display"] == "письменно"


def test_annual_report_totals_and_open_data_rows():
    municipality = MunicipalityFactory()
    AppealFactory(municipality=municipality, channel=C.TRUST_LINE)
    AppealFactory(municipality=municipality, channel=C.WRITTEN, answered_on=date(2022, 6, 1))  # late
    AppealFactory(municipality=municipality, received_on=date(2023, 1, 1))

    totals = {row["key"]: row["value"] for row in reporting.annual_totals(municipality, 2022)}
    assert totals["appeals.total"] == 2
    assert totals["appeals.trust_line"] == 1
    assert totals["appeals.on_time"] == 1
    assert totals["appeals.on_time_percent"] == Decimal("50.0")

    names, rows = reporting.open_data_rows(municipality)
    rows = list(rows)
    assert names == ["received_on", "channel", "topic", "due_on", "answered_on", "answered_on_time"]
    assert rows[0] == ["2022-03-01", "телефон доверия", "благоустройство", "2022-03-31", "2022-03-11", "да"]
    assert rows[1][-1] == "нет"


def test_kpi_with_an_appeals_source_gets_the_years_count():
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    kpi = KpiFactory(measure=MeasureFactory(section__roadmap=roadmap), auto_source="appeals.trust_line")
    other = KpiFactory(measure=MeasureFactory(section__roadmap=roadmap), auto_source="")
    for _ in range(7):
        AppealFactory(municipality=roadmap.municipality, channel=C.TRUST_LINE)
    AppealFactory(municipality=roadmap.municipality, channel=C.RECEPTION)

    assert services.fill_kpi_actuals(2022) == 1
    history = actual_history(kpi)
    assert services.fill_kpi_actuals(2022) == 0  # idempotent: an unchanged count is not written again
    assert actual_history(kpi) == history  # …so the nightly run adds no history row
    actual = KpiActual.objects.get(kpi=kpi, period="2022")
    assert actual.value == 7
    assert not KpiActual.objects.filter(kpi=other).exists()
    AppealFactory(municipality=roadmap.municipality, channel=C.TRUST_LINE)
    assert services.fill_kpi_actuals(2022) == 1
    assert KpiActual.objects.get(kpi=kpi, period="2022").value == 8


def actual_history(kpi) -> int:
    return KpiActual.history.filter(kpi_id=kpi.pk).count()


def test_zato_sibirsky_measure_9_3_takes_its_fact_from_the_register(demo_data):
    """Demo: ZATO Sibirsky 9.3 («анализ поступивших обращений») — the 2018 share answered on time."""
    zato = demo_data["roadmaps"]["zato-2018"]
    kpi = Kpi.objects.get(measure__roadmap=zato, measure__number="9.3")
    assert kpi.auto_source == "appeals.on_time_percent"
    assert KpiActual.objects.get(kpi=kpi, period="2018").value == 100  # all 51 demo appeals answered in time
    AppealFactory(
        municipality=zato.municipality,
        received_on=date(2018, 11, 1),
        answered_on=date(2018, 12, 20),  # 49 days: late
    )
    assert services.fill_kpi_actuals(2018) == 1
    assert KpiActual.objects.get(kpi=kpi, period="2018").value == Decimal("98.1")  # 51 of 52
