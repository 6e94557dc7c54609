"""A fixed-window counter in the cache: enough to stop a script hammering a form."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError


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


class TooManyRequestsError(ValidationError):
    """Raised by a form when its sender has asked too often; the view answers 429."""

    def __init__(self):
        minutes = settings.SIGN_IN_LINK_WINDOW_MINUTES
        super().__init__(
            f"Too many requests. Please try again in {minutes} minutes.", code="rate_limited"
        )


def email_link_limited(scope: str, email: str, request) -> bool:
    """Count one "email me a link" request, per address and per IP address; True when either
    is over its limit. Both counters advance, so that a script cycling through addresses is
    stopped by the IP counter and one cycling through IPs by the address counter."""
    window = settings.SIGN_IN_LINK_WINDOW_MINUTES * 60
    by_email = hit(
        f"{scope}-email", email, limit=settings.SIGN_IN_LINK_LIMIT_PER_EMAIL, window_seconds=window
    )
    by_ip = hit(
        f"{scope}-ip",
        request.META.get("REMOTE_ADDR", ""),
        limit=settings.SIGN_IN_LINK_LIMIT_PER_IP,
        window_seconds=window,
    )
    return by_email or by_ip
