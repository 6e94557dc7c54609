"""Login lockout rules, expressed through django-axes' own extension points.

Failures count against the *account* a typed name leads to, however it was typed: a
patient's email in any mix of capitals, a member of staff's username or email address all
count for one account (``account_key``, axes' ``AXES_USERNAME_CALLABLE``). A name that leads
to no account is counted by its normalised form (trimmed, case-folded), hashed so that a
password typed into the name field by mistake is never stored. Failures from one IP address
are counted too, with a higher limit, since a clinic's staff or a family may share one
address (``LockoutHandler``). A successful login clears the account's failures only: signing
in to one's own account must not wipe an address's count of failures against others.
"""

import hashlib

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum

ACCOUNT_PREFIX = "account:"
UNKNOWN_PREFIX = "unknown:"


def normalised(identifier: str) -> str:
    return identifier.strip().casefold()


def account_for(identifier: str):
    """The one account a typed name leads to, as the login backend would read it, or None.

    An email address matches whatever its case (the backend matches it so); a username
    matches exactly, or whatever its case when only one account has it so.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    users = get_user_model()._default_manager
    if "@" in identifier:
        found = list(users.filter(email__iexact=identifier).only("pk")[:2])
    else:
        found = list(users.filter(username=identifier).only("pk")[:1]) or list(
            users.filter(username__iexact=identifier).only("pk")[:2]
        )
    return found[0] if len(found) == 1 else None


def key_for_user(user) -> str:
    return f"{ACCOUNT_PREFIX}{user.pk}"


def account_key(request, credentials) -> str | None:
    """What axes records and counts as the "username" of an attempt (AXES_USERNAME_CALLABLE).

    Resolved once per request and name: axes asks several times during one login.
    """
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    if credentials:
        identifier = credentials.get(field)
    else:
        identifier = getattr(request, "data", request.POST).get(field)
    if identifier is None:
        return None
    cache = getattr(request, "_homeplan_account_keys", None)
    if cache is None:
        cache = request._homeplan_account_keys = {}
    if identifier not in cache:
        user = account_for(identifier)
        if user is not None:
            cache[identifier] = key_for_user(user)
        else:
            digest = hashlib.sha256(normalised(identifier).encode()).hexdigest()[:32]
            cache[identifier] = f"{UNKNOWN_PREFIX}{digest}"
    return cache[identifier]


def user_id_from_key(key: str | None) -> int | None:
    if key and key.startswith(ACCOUNT_PREFIX):
        return int(key.removeprefix(ACCOUNT_PREFIX))
    return None


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with two limits instead of one: ``AXES_FAILURE_LIMIT`` failures
    for an account (from anywhere), ``LOGIN_IP_FAILURE_LIMIT`` for an IP address (for any
    names), both within the cool-off time.

    axes compares one number with one limit, and counts per lockout parameter
    (``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``, in that order). So an
    address's count is moved down by the difference of the limits before the larger of
    the two is compared: either reaching its own limit locks.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        allowance = settings.LOGIN_IP_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT
        return max(by_account, by_address - allowance)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login: that account's failures go, whatever name was typed
        for them; other accounts' failures from the same address stay counted."""
        key = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=key).delete()
        return count
