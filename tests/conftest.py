import pytest

from tests.browser import browser  # noqa: F401 (the browser tests' fixture, shared)


@pytest.fixture(autouse=True)
def _isolated_caches(settings, tmp_path):
    """Each test gets an empty cache, a fresh working-day calendar, its own media folder and Russian."""
    from django.core.cache import cache
    from django.utils import translation

    from openness_portal.workdays.calendar import clear_calendar_cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    clear_calendar_cache()
    # A request in English leaves English active in the thread; code run outside a request (services,
    # commands) must see the portal's language, as in a worker.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()
    clear_calendar_cache()


@pytest.fixture
def demo_data(db):
    """The seed municipalities and roadmaps, loaded through the same loader as `make run`."""
    from tests.demo import load_seed_demo

    return load_seed_demo()
