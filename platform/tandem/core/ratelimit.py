"""Fixed-window counters in the cache, shared by every process using it."""

import time

from django.core.cache import cache


def hit(key, *, limit, window=60):
    """Count one hit on ``key``; False once ``limit`` hits fell in this window."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count <= limit
