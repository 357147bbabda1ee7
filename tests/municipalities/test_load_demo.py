"""`load_demo` finds every app's demo loader itself, ground floor first: roadmaps no longer calls regions."""

from io import StringIO

import pytest
from django.core.management import call_command

from appeals.models import Appeal
from regions.models import RatingMethod

pytestmark = pytest.mark.django_db


def test_load_demo_loads_each_app_in_the_order_of_the_layers_and_prints_the_accounts(settings):
    settings.DEBUG = True
    output = StringIO()
    call_command("load_demo", stdout=output)
    text = output.getvalue()

    headings = [
        line.removeprefix("Демо-данные: ") for line in text.splitlines() if line.startswith("Демо-данные")
    ]
    assert headings == ["roadmaps", "surveys", "referents", "appeals", "opendata", "regions", "reports"]
    assert Appeal.objects.filter(municipality__slug="krasnogvardeisky").exists()
    assert RatingMethod.objects.filter(region="Ставропольский край").exists()
    accounts = text[text.index("Демо-учетные записи (пароль для всех: demo-portal-2026):") :]
    assert "coordinator-khmr" in accounts and "executor-levokumsky" in accounts
