"""Who holds an email address. An address belongs to at most one person, staff included: a
shared address would sign nobody in by email (clinic/backends.py).

The User table answers for accounts; an app whose records hold addresses of people who have
no account yet (the patients app: an invited patient) registers a check here from its
AppConfig, so the user form asks every app without importing any.

``staff_renamed`` is sent (with ``user``) when a member of staff's displayed name changes in
the admin: the patients app shows clinicians' names on the patients' pages.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.dispatch import Signal

staff_renamed = Signal()

# Callables (address, lower-cased) -> True when a record without an account holds it.
address_holders: list[Callable[[str], bool]] = []


def address_holder_register(check: Callable[[str], bool]) -> None:
    if check not in address_holders:
        address_holders.append(check)


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    """Is ``email`` another account's address, or held by a record awaiting its account?"""
    email = email.strip().lower()
    users = get_user_model().objects.filter(email__iexact=email)
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return users.exists() or any(check(email) for check in address_holders)
