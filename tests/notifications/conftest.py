import pytest

ROADMAP_KINDS = {"deadline", "deadline_overdue", "progress_review"}


@pytest.fixture
def all_sources():
    """Ask for this to sweep with every app's reminder sources, not only the roadmap ones."""


@pytest.fixture(autouse=True)
def _roadmap_sources_only(request, monkeypatch):
    """Other apps' sources (reports, open data…) have their own tests; here only roadmap duties count."""
    if "all_sources" in request.fixturenames:
        return
    from openness_portal.notifications import sweep
    from openness_portal.notifications.registry import reminder_sources

    def roadmap_sources():
        return {k: v for k, v in reminder_sources().items() if k in ROADMAP_KINDS}

    monkeypatch.setattr(sweep, "reminder_sources", roadmap_sources)
