"""A fixed-window counter in the cache: enough to stop a script hammering a form."""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError


def hit(scope: str, identity: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True when ``identity`` has gone over ``limit`` in this window.

    The window starts with the identity's first attempt. Each attempt claims the next
    numbered slot of the window with ``cache.add``, which only one caller can win on every
    backend (Redis, the database, local memory): a count kept with get-and-set would lose
    attempts that arrive at once in different workers on the database cache. The last
    slot claimed is kept as a hint of where to start. The identity (an email address or
    IP) is hashed so the cache never holds it in clear.
    """
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    base = f"ratelimit:{scope}:{digest}"
    # Whichever attempt adds it first names the window; the others read its name.
    cache.add(f"{base}:window", uuid.uuid4().hex, timeout=window_seconds)
    window = cache.get(f"{base}:window") or "expired-meanwhile"
    key = f"{base}:{window}"
    start = cache.get(f"{key}:last", 0)
    for slot in range(start + 1, limit + 2):
        if cache.add(f"{key}:{slot}", True, timeout=window_seconds):
            cache.set(f"{key}:last", slot, timeout=window_seconds)
            return slot > limit
    return True  # every slot taken: over the limit


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
