"""Cache-backed fixed-window counters for comment posting (Redis in production, so shared by all workers)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from .fastcache import redis_client

# (max requests, window in seconds) per key kind; override with settings.COMMENT_RATE_LIMITS.
DEFAULT_COMMENT_RATE_LIMITS = {
    "ip": [(10, 60), (60, 3600)],
    "email": [(5, 60), (20, 3600)],
}


def comment_rate_limits() -> dict:
    return getattr(settings, "COMMENT_RATE_LIMITS", DEFAULT_COMMENT_RATE_LIMITS)


def _digest(value: str) -> str:
    # Keys carry a digest, not the address itself: the cache is not a place for personal data.
    return hashlib.blake2b(value.lower().encode(), digest_size=12).hexdigest()


def hit(identities: dict[str, str], *, scope: str = "comment") -> int | None:
    """Count one attempt for each identity; return seconds to wait if any limit is exceeded, else None."""
    limits = comment_rate_limits()
    now = int(time.time())
    counters = []  # (cache key, limit, window)
    for kind, value in identities.items():
        if not value:
            continue
        digest = _digest(value)
        for limit, window in limits.get(kind, []):
            counters.append((f"rl:{scope}:{kind}:{window}:{digest}:{now // window}", limit, window))
    if not counters:
        return None
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        counts = _incr_redis(cache, counters)
    else:
        counts = [_incr_generic(cache, key, window) for key, _limit, window in counters]
    wait = None
    for (_key, limit, window), count in zip(counters, counts, strict=True):
        if count > limit:
            wait = max(wait or 0, window - (now % window))
    return wait


def _incr_generic(cache, key: str, window: int) -> int:
    # add() is a no-op when the key exists; incr() is atomic in locmem and memcached.
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def _incr_redis(cache, counters) -> list[int]:
    """All counters in one round trip: INCR, then EXPIRE only where no expiry is set yet."""
    keys = [cache.make_and_validate_key(key) for key, _limit, _window in counters]
    client = redis_client(cache)
    pipe = client.pipeline(transaction=False)
    for key, (_k, _limit, window) in zip(keys, counters, strict=True):
        pipe.incr(key)
        pipe.expire(key, window + 1, nx=True)
    results = pipe.execute()
    return [int(n) for n in results[0::2]]
