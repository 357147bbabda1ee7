"""Fixed-window counters for comment posting and flagging, in the shared cache (Redis in production)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext
from django_redis import get_redis_connection
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

# (max requests, window in seconds) per key kind; override with settings.COMMENT_RATE_LIMITS.
DEFAULT_COMMENT_RATE_LIMITS = {
    "ip": [(10, 60), (60, 3600)],
    "email": [(5, 60), (20, 3600)],
}


class CounterStoreUnavailable(Exception):
    """Redis did not answer: the attempt could not be counted."""


def comment_rate_limits() -> dict:
    return getattr(settings, "COMMENT_RATE_LIMITS", DEFAULT_COMMENT_RATE_LIMITS)


def _digest(value: str) -> str:
    # Keys carry a digest, not the address itself: the cache is not a place for personal data.
    return hashlib.blake2b(value.lower().encode(), digest_size=12).hexdigest()


def counters(
    identities: dict[str, str], *, scope: str = "comment", now: int | None = None, limits: dict | None = None
):
    """(cache key, limit, window) for every limit an attempt by these identities counts against.

    `limits` ({kind: [(max requests, window seconds)]}) defaults to the comment limits.
    """
    limits = comment_rate_limits() if limits is None else limits
    now = int(time.time()) if now is None else now
    return [
        (f"rl:{scope}:{kind}:{window}:{_digest(value)}:{now // window}", limit, window)
        for kind, value in identities.items()
        if value
        for limit, window in limits.get(kind, [])
    ]


def hit(identities: dict[str, str], *, scope: str = "comment", limits: dict | None = None) -> int | None:
    """Count one attempt for each identity; return seconds to wait if any limit is exceeded, else None.

    Raises CounterStoreUnavailable when Redis cannot be reached (the cache itself ignores such errors).
    """
    now = int(time.time())
    keyed = counters(identities, scope=scope, now=now, limits=limits)
    if not keyed:
        return None
    cache = caches["default"]
    counts = _count_in_redis(cache, keyed) if isinstance(cache, RedisCache) else _count_in_cache(cache, keyed)
    waits = [
        window - now % window for (_key, limit, window), n in zip(keyed, counts, strict=True) if n > limit
    ]
    return max(waits, default=None)


def _count_in_redis(cache, keyed) -> list[int]:
    # INCR and, on a new key only, EXPIRE: the window starts at its first attempt; one round trip for all.
    pipe = get_redis_connection("default").pipeline(transaction=False)
    for key, _limit, window in keyed:
        redis_key = cache.make_key(key)
        pipe.incr(redis_key)
        pipe.expire(redis_key, window + 1, nx=True)
    try:
        replies = pipe.execute()
    except RedisError as exc:
        raise CounterStoreUnavailable(
            gettext("Счетчики ограничения частоты недоступны: временная неисправность.")
        ) from exc
    return [int(n) for n in replies[::2]]


def _count_in_cache(cache, keyed) -> list[int]:
    """The same counters through the cache API (locmem in the embedded portal and the tests)."""
    counts = []
    for key, _limit, window in keyed:
        # add() is a no-op when the key exists; incr() is atomic in locmem and memcached.
        cache.add(key, 0, timeout=window + 1)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 1)
            counts.append(1)
    return counts
