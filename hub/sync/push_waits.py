"""Which push runs are queued and when each is due, so the inbox can tell when pushes wait for a worker.

Push runs and the inbox's batches share the sync workers. A batch holds its process for
several orders; when push runs are overdue (due, not started: every process is busy), a run
of the inbox takes only its own message and leaves the process sooner. One sorted set in
Redis, an account per member scored by its run's due time; without Redis (the embedded
default) nothing is tracked and batches are never held back.
"""

import time

from django.conf import settings
from django.core.cache import cache

from hub.core.redis import redis_client

OVERDUE_AFTER_SECONDS = 0.1  # a run this late is waiting for a process, not for its countdown
FORGET_AFTER_SECONDS = 30  # a run still not started after this was lost (a killed worker): not counted


def _key() -> str:
    return cache.make_key("push-runs-queued")


def push_queued(account_id: int, countdown: float | None) -> None:
    if settings.REDIS_URL:
        redis_client().zadd(_key(), {str(account_id): time.time() + (countdown or 0)})


def push_started(account_id: int) -> None:
    if settings.REDIS_URL:
        redis_client().zrem(_key(), str(account_id))


def pushes_overdue() -> bool:
    """Whether a queued push run is past its due time and not started."""
    if not settings.REDIS_URL:
        return False
    now = time.time()
    pipe = redis_client().pipeline(transaction=False)
    pipe.zremrangebyscore(_key(), "-inf", now - FORGET_AFTER_SECONDS)
    pipe.zrangebyscore(_key(), "-inf", now - OVERDUE_AFTER_SECONDS, start=0, num=1)
    return bool(pipe.execute()[1])
