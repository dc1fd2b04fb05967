"""Fixed-window limits kept in Django's cache (each process's memory, or Redis when
REDIS_URL is set so that every worker shares the count): per client address, or per
any other key (a certificate code, say)."""

import hashlib
import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def over_limit(request, scope, limit, window):
    """Count this request against ``scope`` for its address; True once the address has
    made more than ``limit`` requests in the current ``window`` seconds."""
    return key_over_limit(scope, get_client_ip_address(request) or "unknown", limit, window)


def key_over_limit(scope, key, limit, window):
    """Count one use of ``key`` in ``scope``; True once it has been used more than
    ``limit`` times in the current ``window`` seconds, whoever used it."""
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]  # any text, a safe cache key
    cache_key = f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count > limit
