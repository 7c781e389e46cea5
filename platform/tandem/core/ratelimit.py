"""Fixed-window counters in the cache, shared by every process using it, and the one
answer to "which address is this request from" that every limit (allauth's too) uses."""

import ipaddress
import logging
import time

from django.conf import settings
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


def client_ip(request):
    """The address of the person's device, as the trusted proxies saw it.

    With ``TRUSTED_PROXY_COUNT`` = N proxies in front, each appends the address
    it was reached from to ``X-Forwarded-For``; only those last N entries are
    trusted, and the person's address is the one the outermost proxy appended
    (the N-th from the right). Anything before it came from the client and is
    ignored, so a forged header neither escapes a limit nor spends another
    address's budget. Without proxies (N = 0) it is the socket's peer address.
    IPv6 addresses count by their /64 network: one device holds a whole one.
    """
    address = request.META.get("REMOTE_ADDR") or ""
    count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if count:
        entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",")]
        entries = [e for e in entries if e]
        # Fewer entries than proxies: the request did not come through them all.
        if len(entries) >= count:
            address = entries[-count]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)
