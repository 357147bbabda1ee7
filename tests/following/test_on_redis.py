"""The follow form's rate limit on Redis, as in production (REDIS_TEST_URL, database 4 for this area)."""

import os

import pytest
from django.core import mail
from django.core.cache import caches

from following.models import Subscription
from openness_portal.cache_config import cache_config

from .factories import roadmap_world


@pytest.fixture
def redis_cache(settings):
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.skip("REDIS_TEST_URL is not set (CI sets it): no Redis to test the production cache path on")
    settings.CACHES = {"default": {**cache_config(url), "KEY_PREFIX": f"test-following-{os.getpid()}"}}
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_on_redis_one_address_gets_three_confirmations_an_hour(client, settings, redis_cache):
    settings.FOLLOW_RATE_LIMITS = {"ip": [(100, 60)], "email": [(3, 3600)]}
    roadmap = roadmap_world()["roadmap"]
    codes = [
        client.post(
            f"/follow/roadmap/{roadmap.pk}/", {"follow-email": "a@example.ru", "follow-consent": "on"}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert len(mail.outbox) == 3 and Subscription.objects.count() == 1
    # Another address is not held back by the first one's limit.
    assert (
        client.post(
            f"/follow/roadmap/{roadmap.pk}/", {"follow-email": "b@example.ru", "follow-consent": "on"}
        ).status_code
        == 200
    )
