"""Fixed-window counters in the cache, shared by every process using it."""

import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def hit(key, *, limit, window=60):
    """Count one hit on ``key``; False once ``limit`` hits fell in this window.

    When the cache cannot be reached the hit is let through (and logged): a
    Redis outage must not stop people from chatting, and it cannot be caused
    by the people the limits are for.
    """
    bucket = int(time.time() // window)
    cache_key = f"rl:{key}:{bucket}"
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    except (RedisError, OSError):
        logger.warning("rate limit %s not counted: the cache is unreachable", key)
        return True
    return count <= limit
