"""A fixed-window counter in the cache: enough to stop a script hammering a form."""

import hashlib

from django.core.cache import cache


def hit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True when ``identity`` has gone over ``limit`` in this window.

    The identity (an email address or IP) is hashed so the cache never holds it in clear.
    """
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
