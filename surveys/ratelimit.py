"""Cache-backed fixed-window counters for comment posting (Redis in production, so shared by all workers)."""

import hashlib
import time
from contextlib import suppress

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError

from . import fastcache

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


# One command however many counters: INCR each, EXPIRE only where no expiry is set yet (the window starts at
# its first attempt); with ARGV[1] == "1", also read KEYS[1]. Fewer commands cost less in redis-py than a
# pipeline of GET + INCR/EXPIRE pairs.
COUNT_SCRIPT = """
local out = {false}
if ARGV[1] == "1" then out[1] = redis.call("GET", KEYS[1]) end
for i = 2, #KEYS do
  out[i] = redis.call("INCR", KEYS[i])
  redis.call("EXPIRE", KEYS[i], ARGV[i], "NX")
end
return out
"""
COUNT_SCRIPT_SHA = hashlib.sha1(COUNT_SCRIPT.encode()).hexdigest()  # noqa: S324 - Redis names scripts so


class Attempt:
    """One attempt's counters: counted once, possibly in the same Redis round trip as a cache read, and
    given back if the attempt turns out not to count (the discussion is unknown or closed)."""

    def __init__(self, identities: dict[str, str], *, scope: str = "comment"):
        limits = comment_rate_limits()
        self.now = int(time.time())
        self.counters = []  # (cache key, limit, window)
        for kind, value in identities.items():
            if not value:
                continue
            digest = _digest(value)
            for limit, window in limits.get(kind, []):
                key = f"rl:{scope}:{kind}:{window}:{digest}:{self.now // window}"
                self.counters.append((key, limit, window))
        self.wait = None
        self.counted = False

    def count(self, *, read: str | None = None):
        """Count the attempt (sets .wait: seconds to wait if a limit is exceeded, else None).

        With `read`, also return that cache key's value, fetched in the same Redis round trip.
        """
        cache = caches["default"]
        if isinstance(cache, RedisCache):
            value, counts = self._count_redis(cache, read)
        else:
            value = cache.get(read) if read else None
            counts = [_incr_generic(cache, key, window) for key, _limit, window in self.counters]
        self.counted = True
        for (_key, limit, window), n in zip(self.counters, counts, strict=True):
            if n > limit:
                self.wait = max(self.wait or 0, window - (self.now % window))
        return value

    def _count_redis(self, cache, read):
        if not self.counters and not read:
            return None, []
        # Our own keys: short ASCII, nothing for make_and_validate_key() to warn about.
        keys = [cache.make_key(read or "")] + [cache.make_key(key) for key, _limit, _window in self.counters]
        args = ["1" if read else "0"] + [window + 1 for _key, _limit, window in self.counters]
        command = ["EVALSHA", COUNT_SCRIPT_SHA, len(keys), *keys, *args]
        try:
            value, *counts = fastcache.execute(cache, *command)
        except NoScriptError:  # Redis restarted or its scripts were flushed
            fastcache.execute(cache, "SCRIPT", "LOAD", COUNT_SCRIPT)
            value, *counts = fastcache.execute(cache, *command)
        # A missing key comes back as None (RESP2) or False (RESP3).
        return (fastcache.decode(value or None) if read else None), [int(n) for n in counts]

    def undo(self) -> None:
        """Give the counted attempt back, in the same request: a key outlives its window by a second."""
        if not self.counted:
            return
        self.counted = False
        cache = caches["default"]
        if isinstance(cache, RedisCache):
            pipe = fastcache.redis_client(cache).pipeline(transaction=False)
            for key, _limit, window in self.counters:
                key = cache.make_key(key)
                pipe.decr(key)
                pipe.expire(key, window + 1, nx=True)  # never a key without expiry, whatever happened
            pipe.execute()
        else:
            for key, _limit, _window in self.counters:
                with suppress(ValueError):  # expired
                    cache.decr(key)


def hit(identities: dict[str, str], *, scope: str = "comment") -> int | None:
    """Count one attempt for each identity; return seconds to wait if any limit is exceeded, else None."""
    attempt = Attempt(identities, scope=scope)
    if not attempt.counters:
        return None
    attempt.count()
    return attempt.wait


def _incr_generic(cache, key: str, window: int) -> int:
    # add() is a no-op when the key exists; incr() is atomic in locmem and memcached.
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1
