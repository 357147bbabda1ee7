"""«Версия для слабовидящих»: the switch remembers a visitor's choice and never sends them off-site."""

import pytest

from openness_portal.accessibility import COOKIE_NAME, parse_preferences

pytestmark = pytest.mark.django_db


def test_turning_it_on_remembers_the_defaults_and_goes_back(client):
    response = client.get("/low-vision/?next=/opendata/")
    assert response.status_code == 302
    assert response["Location"] == "/opendata/"
    assert response.cookies[COOKIE_NAME].value == "size-large.scheme-black-on-white.images-on"
    assert response.cookies[COOKIE_NAME]["max-age"] == 365 * 24 * 3600


def test_one_setting_changes_and_the_others_are_kept(client):
    client.cookies[COOKIE_NAME] = "size-xlarge.scheme-white-on-black.images-on"
    response = client.get("/low-vision/?images=off&next=/")
    assert response.cookies[COOKIE_NAME].value == "size-xlarge.scheme-white-on-black.images-off"


def test_turning_it_off_forgets_the_choice(client):
    client.cookies[COOKIE_NAME] = "size-xlarge.scheme-white-on-black.images-on"
    response = client.get("/low-vision/?mode=off&next=/")
    assert response.cookies[COOKIE_NAME].value == ""


def test_a_foreign_next_or_a_made_up_value_is_ignored(client):
    response = client.get("/low-vision/?size=gigantic&next=https://evil.example/")
    assert response["Location"] == "/"
    assert response.cookies[COOKIE_NAME].value == "size-large.scheme-black-on-white.images-on"
    assert parse_preferences("size-gigantic.colour-red.scheme-white-on-black")["scheme"] == "white-on-black"


def test_every_page_offers_the_switch(client):
    page = client.get("/").content.decode()
    assert "Версия для слабовидящих" in page
    assert "/low-vision/?next=/" in page
