"""A token bucket shared by every process through Redis (or in-process without Redis).

``take`` answers 0 when the call may go now, else how many seconds to wait. The whole
check-and-take is one Lua script, so concurrent workers never overspend a bucket.
"""

import threading
import time

from django.conf import settings

from .redis import redis_client

_LUA = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('EXPIRE', key, math.ceil(burst / rate) + 60)
return tostring(wait)
"""

_local_lock = threading.Lock()
_local_buckets: dict[str, tuple[float, float]] = {}
_script = None


def _redis():
    global _script
    if _script is None:
        _script = redis_client().register_script(_LUA)
    return _script


class TokenBucket:
    def __init__(self, key: str, rate_per_second: float, burst: float):
        self.key = f"bucket:{key}"
        self.rate = float(rate_per_second)
        self.burst = float(burst)

    def take(self, cost: float = 1.0) -> float:
        now = time.time()
        if getattr(settings, "REDIS_URL", None):
            return float(_redis()(keys=[self.key], args=[self.rate, self.burst, now, cost]))
        with _local_lock:
            tokens, at = _local_buckets.get(self.key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (cost - tokens) / self.rate
            _local_buckets[self.key] = (tokens, now)
            return wait

    def reset(self):
        if getattr(settings, "REDIS_URL", None):
            redis_client().delete(self.key)
        else:
            with _local_lock:
                _local_buckets.pop(self.key, None)
