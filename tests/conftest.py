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
def redis_cache(settings, request):
    """The default cache on Redis, as in production (REDIS_TEST_URL), under a prefix of its own, emptied."""
    import os

    from django.core.cache import caches

    from openness_portal.cache_config import cache_config

    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL is not set (CI sets it): no Redis to test the production cache path on")
    prefix = f"test-{request.module.__name__}-{os.getpid()}"
    settings.CACHES = {"default": {**cache_config(url), "KEY_PREFIX": prefix}}
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def demo_data(db):
    """The seed municipalities and roadmaps, loaded through the same loader as `make run`."""
    from tests.demo import load_seed_demo

    return load_seed_demo()
