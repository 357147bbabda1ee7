"""The CACHES entry for a CACHE_URL: django-redis for Redis, so a dead Redis means a slower page, not a 500."""

import environ

# A Redis that does not answer costs a request this long at most, per command, before the page goes uncached.
REDIS_SOCKET_TIMEOUT = 0.5


def cache_config(url: str) -> dict:
    """locmem without a URL (the embedded portal); for redis:// django-redis with its errors ignored."""
    config = environ.Env.cache_url_config(url or "locmemcache://openness-portal")
    if config["BACKEND"].endswith("RedisCache"):
        config["BACKEND"] = "django_redis.cache.RedisCache"
        config.setdefault("OPTIONS", {}).update(
            {
                # Reads miss and writes are dropped while Redis is down; rate limits, which read the
                # counters through the raw client, see the error and refuse (surveys.ratelimit).
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            }
        )
    return config


def same_redis_database(cache_url: str, broker_url: str) -> bool:
    """Whether the page cache would share a Redis database with Celery's queues (its evictions would drop tasks)."""
    from urllib.parse import urlparse

    def where(url):
        parsed = urlparse(url)
        if not parsed.scheme.startswith("redis"):
            return None
        return parsed.hostname, parsed.port or 6379, (parsed.path.strip("/") or "0")

    cache, broker = where(cache_url or ""), where(broker_url or "")
    return cache is not None and cache == broker
