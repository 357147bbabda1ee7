"""Every model change has its migration: a change without one reaches production as a schema that differs
from the code (a changed constraint message slipped through once, noticed only by hand)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"makemigrations found changes without a migration (exit {exc.code}):\n{out.getvalue()}")
