"""A fixed-window limit per client address, kept in Django's cache (each process's
memory, or Redis when REDIS_URL is set so that every worker shares the count)."""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def over_limit(request, scope, limit, window):
    """Count this request against ``scope`` for its address; True once the address has
    made more than ``limit`` requests in the current ``window`` seconds."""
    address = get_client_ip_address(request) or "unknown"
    key = f"ratelimit:{scope}:{address}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
