"""The request being served, for audit events written by model signals.

A context variable (not a thread-local) so that it is right under threads and async alike;
the middleware sets it for the length of one request and always resets it.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    path: str
    ip_address: str | None


SYSTEM = Actor(user_id=None, username="", path="", ip_address=None)

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("audit_actor", default=SYSTEM)


def current() -> Actor:
    return _current.get()


def from_request(request) -> Actor:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return Actor(
        user_id=user.pk if signed_in else None,
        # Staff are named; a patient's username is often their email address, so patients
        # are kept as an id only (the event names the patient anyway).
        username=user.get_username() if signed_in and user.is_staff else "",
        path=request.path[:200],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


@contextmanager
def acting_as(user, *, path: str = ""):
    """Attribute the events written inside the block to ``user`` (outside a request: a
    management command run on someone's behalf, a test)."""
    username = user.get_username() if user.is_staff else ""
    token = _current.set(Actor(user_id=user.pk, username=username, path=path, ip_address=None))
    try:
        yield
    finally:
        _current.reset(token)


class AuditActorMiddleware:
    """Make the signed-in user the actor of every audit event written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(from_request(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
