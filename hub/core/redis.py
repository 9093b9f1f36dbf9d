"""One Redis client per process for the hub's own keys (rate buckets, queued push runs), made on first use."""

from django.conf import settings

_client = None


def redis_client():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client
