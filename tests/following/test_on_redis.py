"""The follow form's rate limit on Redis, as in production (REDIS_TEST_URL, database 4 for this area)."""

import pytest
from django.core import mail

from following.models import Subscription

from .factories import roadmap_world


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
