"""Public lists of discussions, surveys and open data can be narrowed by municipality and searched."""

import pytest
from django.urls import reverse

from tests.factories import MunicipalityFactory
from tests.surveys.factories import SurveyFactory, open_discussion

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns():
    north, south = MunicipalityFactory(name="Северный округ"), MunicipalityFactory(name="Южный округ")
    open_discussion(north, title="Отчет о реализации программы «Открытость»")
    open_discussion(south, title="Проект бюджета на 2027 год")
    return north, south


def test_a_citizen_finds_a_discussion_whatever_the_case_of_a_cyrillic_word(client, two_towns):
    page = client.get(reverse("surveys:discussion_list"), {"q": "ОТКРЫТОСТЬ"}).content.decode()
    assert "Открытость" in page
    assert "Проект бюджета" not in page
    assert 'value="ОТКРЫТОСТЬ"' in page  # the box keeps what was typed


def test_the_municipality_filter_lists_towns_and_narrows_the_list(client, two_towns):
    north, south = two_towns
    page = client.get(reverse("surveys:discussion_list"), {"municipality": south.slug}).content.decode()
    assert f'<option value="{north.slug}">Северный округ</option>' in page
    assert f'<option value="{south.slug}" selected>Южный округ</option>' in page
    assert "Проект бюджета" in page and "«Открытость»" not in page


def test_surveys_are_searched_and_filtered_the_same_way(client, two_towns):
    north, south = two_towns
    SurveyFactory(municipality=north, title="Удовлетворенность качеством услуг")
    SurveyFactory(municipality=south, title="Благоустройство дворов")
    page = client.get(reverse("surveys:survey_list"), {"q": "благоустройство"}).content.decode()
    assert "Благоустройство дворов" in page and "Удовлетворенность" not in page
    page = client.get(reverse("surveys:survey_list"), {"municipality": north.slug}).content.decode()
    assert "Удовлетворенность" in page and "Благоустройство дворов" not in page


def test_the_list_costs_the_same_queries_with_a_search_at_any_size(
    client, two_towns, django_assert_max_num_queries
):
    url = reverse("surveys:discussion_list")
    with django_assert_max_num_queries(10) as few:
        client.get(url, {"q": "отчет"})
    for n in range(30):
        open_discussion(two_towns[0], title=f"Отчет № {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"q": "отчет"})


def test_the_open_data_register_always_offers_search_and_the_municipality_choice(client):
    from tests.opendata.factories import published_dataset

    published_dataset(municipality=MunicipalityFactory(name="Северный округ"))
    page = client.get(reverse("opendata:index")).content.decode()
    assert 'id="od-q"' in page
    assert 'id="od-m"' in page and "Северный округ</option>" in page
