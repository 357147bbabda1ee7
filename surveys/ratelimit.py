"""Cache-backed fixed-window counters for comment posting (Redis in production, so shared by all workers)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

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
    wait = None
    for kind, value in identities.items():
        if not value:
            continue
        digest = _digest(value)
        for limit, window in limits.get(kind, []):
            bucket = now // window
            key = f"rl:{scope}:{kind}:{window}:{digest}:{bucket}"
            # add() is a no-op when the key exists; incr() is atomic in Redis and in locmem.
            cache.add(key, 0, timeout=window + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=window + 1)
                count = 1
            if count > limit:
                remaining = window - (now % window)
                wait = max(wait or 0, remaining)
    return wait
